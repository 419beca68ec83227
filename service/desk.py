"""What the desk's tools read of an article: its scores as one line each, and, for a link an
editor says was missed, why the bot stayed silent, in Arabic.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from core.models import Classification, TopicScore

PLACES_AR = {"headline": "العنوان", "lead": "المقدمة", "body": "المتن", "last lines": "الخاتمة", "tail": "الخاتمة"}
MISS_EVIDENCE = 3  # lines of evidence a missed link's answer shows per topic


def why(score: TopicScore) -> str:
    """The one line that says why a topic alerted or not: the score, then its strongest evidence."""
    strongest = sorted(score.evidence, key=lambda e: -abs(e.points))[:2]
    reasons = "; ".join(f"{e.points:+.1f} {e.rule} ({', '.join(e.places)})" for e in strongest)
    return f"{score.score:.1f}/{score.threshold:g}" + (f": {reasons}" if reasons else "")


def scores_snapshot(classification: Classification) -> dict[str, dict[str, Any]]:
    """Per topic: score, threshold, whether it alerted, why in one line, and every piece of
    evidence (points, rule, places, terms), as stored with an article or a mark."""
    return {name: {"score": round(s.score, 2), "threshold": s.threshold, "alert": s.alert, "why": why(s),
                   "evidence": [[e.points, e.rule, list(e.places), list(e.terms[:6])] for e in s.evidence]}
            for name, s in classification.topics.items()}


@dataclass(frozen=True, slots=True)
class MissReading:
    """A link an editor reported: what the bot makes of it."""

    answer: str  # the Arabic explanation sent back
    topics: tuple[str, ...]  # the topics it is a miss of (missed_topics)
    scores: dict[str, dict[str, Any]]


def explain_miss(classification: Classification, labels: dict[str, str], title: str) -> MissReading:
    """Why the bot did not alert (or would, today), topic by topic, in Arabic (Telegram HTML)."""
    lines = [f"«{html.escape(title[:120])}»"]
    for name, score in classification.topics.items():
        label = labels.get(name, name)
        verdict = ("يبلغ العتبة اليوم: كان سيُرسل تنبيه" if score.alert
                   else f"لم يبلغ العتبة: ينقصه {score.threshold - score.score:.1f} نقطة")
        lines.append(f"\n<b>{html.escape(label)}</b>: {score.score:.1f} من {score.threshold:g} نقطة — {verdict}.")
        for evidence in sorted(score.evidence, key=lambda e: -abs(e.points))[:MISS_EVIDENCE]:
            where = "، ".join(PLACES_AR.get(p, p) for p in evidence.places)
            terms = html.escape("، ".join(evidence.terms[:4]))
            rule = html.escape(evidence.rule)
            lines.append(f"  {evidence.points:+.1f} {rule} ({where})" + (f": {terms}" if terms else ""))
        if not score.evidence:
            lines.append("  لا دليل على الموضوع في النص.")
    return MissReading("\n".join(lines), missed_topics(classification), scores_snapshot(classification))


def missed_topics(classification: Classification) -> tuple[str, ...]:
    """What a reported link is a miss of: the topics it has evidence for but does not reach;
    else those it reaches (the bot never read it: a feed it does not watch); else "unknown"."""
    scores = classification.topics
    short = tuple(n for n, s in scores.items() if 0 < s.score and not s.alert)
    return short or tuple(n for n, s in scores.items() if s.alert) or ("unknown",)
