"""Human-readable account of a classification: scores, thresholds, terms in context, reasons."""

from __future__ import annotations

from classifiers.topics import Classifier, classify

CONTEXT = 35


def explain_text(classifier: Classifier, title: str, text: str, origin: str = "") -> str:
    result = classify(classifier, title, text)
    lines = [f"source:   {origin}" if origin else "", f"title:    {title}", f"language: {result.lang}",
             f"length:   {len(text)} characters", ""]
    for name, score in result.topics.items():
        verdict = "ALERT" if score.alert else "no alert"
        lines.append(f"■ {name}: score {score.score:g} / threshold {score.threshold:g} → {verdict}")
        for pattern, points in score.contributions:
            lines.append(f"    {points:+6.2f}  {pattern}")
        for reason in score.reasons:
            lines.append(f"    why not: {reason}")
        shown = 0
        for hit in score.hits:
            if shown == 12:
                lines.append(f"    … {len(score.hits) - shown} more matches")
                break
            body = title if hit.in_title else text
            before = body[max(0, hit.start - CONTEXT) : hit.start].replace("\n", " ")
            after = body[hit.end : hit.end + CONTEXT].replace("\n", " ")
            where = "title" if hit.in_title else f"@{hit.start}"
            entity = f" [{hit.entity.type}: {hit.entity.name}]" if hit.entity else ""
            lines.append(f"    {where:>6} {hit.pattern}{entity}: …{before}【{hit.surface}】{after}…")
            shown += 1
        lines.append("")
    return "\n".join(line for line in lines if line is not None)
