"""The desk's loop: what its editors marked (`feedback`), the marks as labelled articles
(`--export`, `tune --from-store`), and last week replayed under an edited config
(`backtest --from-store`).

Only editors' marks make the desk's figures; a subscriber's marks in a private chat are
kept for them and listed apart. An alert's verdict is its editors' majority.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from core.config import Config, db_path
from service.cli import load
from store import KeptArticle, Mark, Store

DESK_WEIGHT = 3.0  # a desk's own mark counts as much as this many shipped labels when tuning


@dataclass
class TopicMarks:
    right: int = 0
    wrong: int = 0
    missed: int = 0
    split: int = 0

    def to_json(self) -> dict:
        judged = self.right + self.wrong
        return {"right": self.right, "wrong": self.wrong, "missed": self.missed, "split": self.split,
                "precision": round(self.right / judged, 3) if judged else None}


@dataclass
class DeskReport:
    topics: dict[str, TopicMarks]
    wrong: list[Mark] = field(default_factory=list)  # one mark per alert judged wrong
    missed: list[Mark] = field(default_factory=list)
    private: int = 0  # subscribers' own marks, not counted


def verdicts(marks: list[Mark]) -> dict[tuple[str, int], tuple[str, Mark]]:
    """Per alert (chat, message): the editors' majority ("on", "off", or "tie") and its latest mark."""
    votes: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    latest: dict[tuple[str, int], Mark] = {}
    for mark in marks:
        if mark.desk and mark.message_id is not None and mark.kind in ("on", "off"):
            key = (mark.chat_id, mark.message_id)
            votes[key][mark.kind] += 1
            latest[key] = mark
    found = {}
    for key, count in votes.items():
        kind = "on" if count["on"] > count["off"] else "off" if count["off"] > count["on"] else "tie"
        found[key] = (kind, latest[key])
    return found


def desk_report(marks: list[Mark], topics: list[str]) -> DeskReport:
    report = DeskReport({name: TopicMarks() for name in topics})

    def tally(names: tuple[str, ...]) -> list[TopicMarks]:
        return [report.topics.setdefault(name, TopicMarks()) for name in names or ("unknown",)]

    for kind, mark in verdicts(marks).values():
        for counts in tally(mark.topics) if kind != "tie" else ():
            if kind == "on":
                counts.right += 1
            else:
                counts.wrong += 1
        if kind == "off":
            report.wrong.append(mark)
    seen_missed = set()
    for mark in marks:
        if not mark.desk:
            report.private += 1
        elif mark.kind == "missed" and mark.url not in seen_missed:
            seen_missed.add(mark.url)
            report.missed.append(mark)
            for counts in tally(mark.topics):
                counts.missed += 1
        elif mark.kind == "split":
            for counts in tally(mark.topics):
                counts.split += 1
    return report


def judgements(marks: list[Mark]) -> list[tuple[Mark, str]]:
    """The desk's say on articles, oldest first: each alert's verdict ("on" or "off"; a tie says
    nothing) and each reported miss ("missed")."""
    said = [(mark, kind) for kind, mark in verdicts(marks).values() if kind != "tie"]
    said += [(mark, "missed") for mark in marks if mark.desk and mark.kind == "missed"]
    return sorted(said, key=lambda item: item[0].updated_at)


def desk_verdicts(marks: list[Mark]) -> dict[str, str]:
    """Per article (url): the desk's latest say on it, "on" / "off" / "missed"."""
    return {mark.url: kind for mark, kind in judgements(marks)}


def labelled_rows(marks: list[Mark]) -> list[dict]:
    """The desk's marks as labelled articles (the format `tune` and `devtools.evaluate` read):
    an alert judged on topic is labelled true for its topics, off topic false, a miss true for
    the topics it is about; the latest judgement of an article wins."""
    labels: dict[str, dict[str, bool]] = defaultdict(dict)
    article: dict[str, Mark] = {}
    for mark, kind in judgements(marks):
        for topic in mark.topics:
            if topic != "unknown":
                labels[mark.url][topic] = kind != "off"
                article[mark.url] = mark
    return [{"id": f"desk-{article[url].id}", "title": article[url].title, "text": article[url].text, "url": url,
             "source": article[url].source, "published": article[url].published, "labels": found, "desk": True}
            for url, found in labels.items() if found]


def read_store(config: Config, since: float = 0.0, articles: bool = False) -> tuple[list[Mark], list[KeptArticle]]:
    """The desk's marks since ``since`` and (with ``articles``) the articles kept since then."""
    store = Store(db_path(config))
    try:
        return store.marks(since), store.kept_articles(since) if articles else []
    finally:
        store.close()


def feedback(args: argparse.Namespace) -> int:
    runtime = load(args.config)
    marks, _ = read_store(runtime.config, time.time() - args.days * 86400)
    report = desk_report(marks, list(runtime.config.topics))
    if args.export:
        rows = labelled_rows(marks)
        Path(args.export).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"feedback: {len(rows)} marked articles written to {args.export}", file=sys.stderr)
    if args.json:
        print(json.dumps({"days": args.days, "topics": {t: c.to_json() for t, c in report.topics.items()},
                          "private_marks": report.private, "marks": [_mark_json(m) for m in marks]},
                         ensure_ascii=False))
        return 0
    print(f"The desk's marks, last {args.days} days (editors only; {report.private} marks by subscribers "
          f"in private chats kept for them)")
    print(f"{'topic':<22}{'right':>7}{'wrong':>7}{'missed':>8}{'split':>7}  precision")
    for topic, counts in report.topics.items():
        figures = counts.to_json()
        precision = "-" if figures["precision"] is None else f"{figures['precision']:.2f}"
        print(f"{topic:<22}{counts.right:>7}{counts.wrong:>7}{counts.missed:>8}{counts.split:>7}  {precision}")
    if report.wrong:
        print("\nAlerts marked wrong, and why they alerted:")
        for mark in report.wrong:
            print(f"  ✗ {mark.title[:70]} — {mark.source}")
            for topic in mark.topics:
                print(f"      {topic}: {mark.scores.get(topic, {}).get('why', 'no reading kept')}")
    if report.missed:
        print("\nReported missed:")
        for mark in report.missed:
            print(f"  • {mark.title[:70]} ({', '.join(mark.topics)}) {mark.url}")
            for topic, score in mark.scores.items():
                print(f"      {topic}: {score.get('why', '')}")
    return 0


def _mark_json(mark: Mark) -> dict:
    return {"id": mark.id, "chat_id": mark.chat_id, "message_id": mark.message_id, "user_id": mark.user_id,
            "mark": mark.kind, "desk": mark.desk, "topics": list(mark.topics), "story_id": mark.story_id,
            "url": mark.url, "title": mark.title, "source": mark.source, "config_version": mark.config_version,
            "at": mark.updated_at, "why": {t: s.get("why") for t, s in mark.scores.items()}}


def desk_articles(config: Config) -> list[tuple[dict, float]]:
    """The desk's marks as (labelled article, weight) for `tune --from-store`."""
    return [(row, DESK_WEIGHT) for row in labelled_rows(read_store(config)[0])]


def alerts_ar(n: int) -> str:
    """«تنبيهاً واحداً», «تنبيهين», «3 تنبيهات», «11 تنبيهاً»: the count as Arabic says it."""
    if n == 1:
        return "تنبيهاً واحداً"
    if n == 2:
        return "تنبيهين"
    return f"{n} تنبيهات" if 3 <= n <= 10 else f"{n} تنبيهاً"


def marked_ar(ids: set[str], say: dict[str, str]) -> str:
    """«7 منها وُسمت خطأ، 1 صحيح، 1 بلا وسم»: what the desk said of them."""
    counts = Counter(say.get(i, "none") for i in ids)
    parts = [f"{counts['off']} منها وُسمت خطأ"] if counts["off"] else []
    parts += [f"{counts['on'] + counts['missed']} صحيح"] if counts["on"] + counts["missed"] else []
    parts += [f"{counts['none']} بلا وسم"] if counts["none"] else []
    return "، ".join(parts)


MARK_SIGN = {"on": "✓", "off": "✗", "missed": "✓ (فائت)", "none": "·"}


def compare_from_store(args: argparse.Namespace) -> int:
    """`backtest --from-store [--days N] --config edited.toml [--against running.toml]`: the kept
    articles of the last days replayed under both configs; per channel, the alerts gained and lost
    with the desk's marks, and the rings."""
    from datetime import datetime, timezone

    from service.backtest import Replayed, replay

    edited, running = load(args.config), load(args.against)
    since = time.time() - args.days * 86400
    marks, kept = read_store(running.config, since, articles=True)
    say = desk_verdicts(marks)
    known = {a.url for a in kept}
    for m in marks:  # the links the desk reported, read as they were
        if m.desk and m.kind == "missed" and m.created_at >= since and m.url not in known:
            known.add(m.url)
            kept.append(KeptArticle(m.url, m.created_at, m.published, m.source, m.title, m.text, m.scores, None,
                                    m.config_version))
    articles = [Replayed(a.url, a.title, a.text, a.source, a.url,
                         datetime.fromisoformat(a.published) if a.published else
                         datetime.fromtimestamp(a.seen_at, timezone.utc)) for a in kept]
    titles = {a.url: a.title for a in kept}
    before, after = replay(running, articles), replay(edited, articles)
    chats = list(dict.fromkeys(a.chat_id for a in before.actions + after.actions if not a.message.startswith("digest")))
    found = []
    for chat in chats:
        shown_before = {i for a in before.actions if a.chat_id == chat for i in a.ids}
        shown_after = {i for a in after.actions if a.chat_id == chat for i in a.ids}
        rings = [sum(1 for a in result.actions if a.chat_id == chat and a.notify) for result in (before, after)]
        found.append({"chat_id": chat, "gained": sorted(shown_after - shown_before),
                      "lost": sorted(shown_before - shown_after), "rings": {"before": rings[0], "after": rings[1]}})
    if args.json:
        for item in found:
            print(json.dumps({**item, **{key: [{"url": i, "title": titles.get(i, ""), "mark": say.get(i)}
                                               for i in item[key]] for key in ("gained", "lost")}},
                             ensure_ascii=False))
        return 0
    print(f"{len(kept)} kept articles of the last {args.days:g} days (the desk's reported links included), "
          f"replayed under {args.config or 'the config'} "
          f"against {args.against or 'the running config'}")
    for item in found:
        lost, gained = set(item["lost"]), set(item["gained"])
        print(f"\n{item['chat_id']}:")
        print(f"  يُسكت {alerts_ar(len(lost))}: {marked_ar(lost, say)}" if lost else "  لا يُسكت أي تنبيه")
        print(f"  يضيف {alerts_ar(len(gained))}: {marked_ar(gained, say)}" if gained else "  لا يضيف أي تنبيه")
        change = item["rings"]["after"] - item["rings"]["before"]
        print(f"  الرنات: {item['rings']['before']} ← {item['rings']['after']} ({change:+d})")
        for sign, ids in (("−", lost), ("+", gained)):
            for i in sorted(ids, key=lambda u: titles.get(u, "")):
                print(f"    {sign} {MARK_SIGN[say.get(i, 'none')]} {titles.get(i, i)[:80]}")
    return 0
