"""An operator's account of a classification: each topic's score against its threshold,
what counted and how much, why it did not alert, and the text with every match marked.

Returns rich renderables; plain output (pipes, files) keeps 【】 around matches.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from classifiers.topics import Classifier, classify
from core.models import Hit, TopicScore

CONTEXT = 35
SHOWN_MATCHES = 12
SHOWN_TEXT = 3000
STYLES = ("bold black on bright_green", "bold black on bright_cyan", "bold black on bright_magenta")
AGAINST = "bold white on red"  # negative weights and cancelled matches


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
    filled = min(20, round(20 * score.score / score.threshold / 2)) if score.threshold else 0
    gauge = Text("█" * filled + "░" * (20 - filled), style="green" if score.alert else "yellow")
    lines: list[RenderableType] = [
        Text.assemble(f"{name}: score {score.score:g} / threshold {score.threshold:g} ", gauge, " → ", verdict)]
    weights = Table(show_header=False, box=None, padding=(0, 1))
    for pattern, points in score.contributions:
        weights.add_row(Text(f"{points:+6.2f}", style="green" if points > 0 else "red"), pattern)
    if score.contributions:
        lines.append(weights)
    lines += [Text(f"why not: {reason}", style="yellow") for reason in score.reasons]
    for hit in score.hits[:SHOWN_MATCHES]:
        lines.append(_in_context(hit, title if hit.in_title else text, style))
    if len(score.hits) > SHOWN_MATCHES:
        lines.append(Text(f"… {len(score.hits) - SHOWN_MATCHES} more matches", style="dim"))
    return Panel(Group(*lines), title=name, title_align="left", border_style="green" if score.alert else "dim",
                 expand=False)


def _in_context(hit: Hit, body: str, style: str) -> Text:
    before = body[max(0, hit.start - CONTEXT) : hit.start].replace("\n", " ")
    after = body[hit.end : hit.end + CONTEXT].replace("\n", " ")
    where = "title" if hit.in_title else f"@{hit.start}"
    entity = f" [{hit.entity.type}: {hit.entity.name}]" if hit.entity else ""
    return Text.assemble(f"{where:>6} {hit.pattern}{entity}: …{before}", ("【", "dim"), (hit.surface, style),
                         ("】", "dim"), f"{after}…")


def _marked(title: str, text: str, topics: dict[str, TopicScore], styles: dict[str, str]) -> Panel:
    """The story itself, every match coloured by topic (red: counted against)."""
    shown = text[:SHOWN_TEXT]
    marked_title, marked_text = Text(title, style="bold"), Text(shown)
    for name, score in topics.items():
        against = {pattern for pattern, points in score.contributions if points < 0}
        for hit in score.hits:
            style = AGAINST if hit.pattern in against else styles[name]
            target = marked_title if hit.in_title else marked_text
            if hit.end <= len(target.plain):
                target.stylize(style, hit.start, hit.end)
    legend = Text.assemble(*((f" {name} ", styles[name]) for name in topics), " ", (" against ", AGAINST))
    if len(text) > SHOWN_TEXT:
        marked_text.append(f"\n… {len(text) - SHOWN_TEXT} more characters", style="dim")
    return Panel(Group(marked_title, marked_text, legend), title="text", title_align="left", border_style="dim",
                 expand=False)
