"""An operator's account of a classification: each topic's score against its threshold,
every piece of evidence for and against it with where it stood (headline, lead, body,
last lines) and the sentence itself, why it did not alert, and the text with every
match marked.

Returns rich renderables; plain output (pipes, files) keeps 【】 around matches.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from classifiers.topics import Classifier, classify
from core.models import Evidence, Hit, TopicScore

SHOWN_SENTENCE = 160
SHOWN_PLACES = 3
SHOWN_TEXT = 3000
STYLES = ("bold black on bright_green", "bold black on bright_cyan", "bold black on bright_magenta")
AGAINST = "bold white on red"  # evidence with negative points


def explain_text(classifier: Classifier, title: str, text: str, origin: str = "") -> list[RenderableType]:
    result = classify(classifier, title, text)
    header = Table.grid(padding=(0, 1))
    for label, value in (("source", origin), ("title", title), ("language", result.lang),
                         ("length", f"{len(text)} characters")):
        if value:
            header.add_row(Text(f"{label}:", style="bold"), Text(value))
    parts: list[RenderableType] = [header]
    styles: dict[str, str] = {}
    for index, (name, score) in enumerate(result.topics.items()):
        styles[name] = STYLES[index % len(STYLES)]
        parts.append(_topic_panel(name, score, title, text, styles[name]))
    parts.append(_marked(title, text, result.topics, styles))
    return parts


def _topic_panel(name: str, score: TopicScore, title: str, text: str, style: str) -> Panel:
    verdict = Text("ALERT", style="bold green") if score.alert else Text("no alert", style="bold red")
    filled = max(0, min(20, round(20 * score.score / score.threshold / 2))) if score.threshold else 0
    gauge = Text("█" * filled + "░" * (20 - filled), style="green" if score.alert else "yellow")
    lines: list[RenderableType] = [
        Text.assemble(f"{name}: score {score.score:g} / threshold {score.threshold:g} ", gauge, " → ", verdict)]
    if score.evidence:
        table = Table(show_header=True, box=None, padding=(0, 1), header_style="dim")
        for column in ("points", "evidence", "where", "sentence"):
            table.add_column(column)
        for evidence in score.evidence:
            table.add_row(Text(f"{evidence.points:+.2f}", style="green" if evidence.points > 0 else "red"),
                          evidence.rule, ", ".join(evidence.places), _sentences(evidence, score.hits, title, text,
                                                                                 style if evidence.points > 0 else AGAINST))
        lines.append(table)
    else:
        lines.append(Text("no evidence: none of the topic's rules holds in any sentence", style="yellow"))
    lines += [Text(f"{'note' if score.alert else 'why not'}: {reason}", style="yellow") for reason in score.reasons]
    return Panel(Group(*lines), title=name, title_align="left", border_style="green" if score.alert else "dim",
                 expand=False)


def _sentences(evidence: Evidence, hits: tuple[Hit, ...], title: str, text: str, style: str) -> Text:
    """The first sentences where the evidence holds, its terms marked, each with its place."""
    out = Text()
    for in_title, start, end, where in evidence.spans[:SHOWN_PLACES]:
        body = title if in_title else text
        sentence = Text(f"{where}: ", style="dim")
        cursor = start
        for hit in hits:
            if hit.in_title == in_title and start <= hit.start and hit.end <= end and hit.start >= cursor \
                    and hit.label in evidence.terms:
                sentence.append(body[cursor:hit.start].replace("\n", " "))
                sentence.append("【", style="dim")
                sentence.append(body[hit.start:hit.end], style=style)
                sentence.append("】", style="dim")
                cursor = hit.end
        sentence.append(body[cursor:end].replace("\n", " "))
        if len(sentence.plain) > SHOWN_SENTENCE:
            sentence.truncate(SHOWN_SENTENCE)
            sentence.append("…")
        out.append(sentence)
        out.append("\n")
    if len(evidence.spans) > SHOWN_PLACES:
        out.append(f"… and {len(evidence.spans) - SHOWN_PLACES} more sentences", style="dim")
    else:
        out.rstrip()
    return out


def _marked(title: str, text: str, topics: dict[str, TopicScore], styles: dict[str, str]) -> Panel:
    """The story itself, every term behind the evidence coloured by topic (red: counted against)."""
    shown = text[:SHOWN_TEXT]
    marked_title, marked_text = Text(title, style="bold"), Text(shown)
    for name, score in topics.items():
        against = {term for e in score.evidence if e.points < 0 for term in e.terms}
        in_favour = {term for e in score.evidence if e.points > 0 for term in e.terms}
        for hit in score.hits:
            style = styles[name] if hit.label in in_favour else AGAINST if hit.label in against else None
            target = marked_title if hit.in_title else marked_text
            if style and hit.end <= len(target.plain):
                target.stylize(style, hit.start, hit.end)
    legend = Text.assemble(*((f" {name} ", styles[name]) for name in topics), " ", (" against ", AGAINST))
    if len(text) > SHOWN_TEXT:
        marked_text.append(f"\n… {len(text) - SHOWN_TEXT} more characters", style="dim")
    return Panel(Group(marked_title, marked_text, legend), title="text", title_align="left", border_style="dim",
                 expand=False)
