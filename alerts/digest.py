"""Hourly and daily digests for channels that prefer fewer messages: the period's stories,
listed by situation (its first story, then the ones that developed it)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from alerts.message import TELEGRAM_LIMIT, isolate_latin, local_time
from store import StoryRecord


def period_start(mode: str, now: datetime, zone: str, digest_hour: int) -> datetime:
    """Start of the current digest period; stories that arrived before it are due."""
    local = now.astimezone(ZoneInfo(zone))
    if mode == "hourly":
        return local.replace(minute=0, second=0, microsecond=0)
    start = local.replace(hour=digest_hour, minute=0, second=0, microsecond=0)
    return start if start <= local else start - timedelta(days=1)


def render_digest(mode: str, stories: Sequence[StoryRecord], labels: Mapping[str, str], start: datetime,
                  zone: str) -> str:
    heading = "🗞 <b>ملخص الساعة</b>" if mode == "hourly" else "🗞 <b>ملخص اليوم</b>"
    lines = [f"{heading} — {html.escape(isolate_latin(local_time(start, zone)))}", ""]
    footer_room = 80
    situations: dict[str, list[StoryRecord]] = {}
    for story in stories:
        situations.setdefault(story.situation, []).append(story)
    ordered = [(index == 0, story) for group in situations.values() for index, story in enumerate(group)]
    for count, (first, story) in enumerate(ordered):
        topics = "، ".join(labels.get(t, t) for t in story.topics)
        outlets = f" ({len(story.sources)} مصادر)" if len(story.sources) > 1 else ""
        bullet = "•" if first else "   ↳"
        line = (f'{bullet} <a href="{html.escape(story.url)}">{html.escape(isolate_latin(story.title))}</a> — '
                f"{html.escape(story.source)}{outlets}" + (f" · {html.escape(topics)}" if first else ""))
        if sum(len(x) + 1 for x in lines) + len(line) > TELEGRAM_LIMIT - footer_room:
            lines.append(f"… و{len(ordered) - count} أخبار أخرى")
            break
        lines.append(line)
    return "\n".join(lines)
