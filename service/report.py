"""Figures for the ``stats`` command: alerts per topic per local day."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo


def daily_stats(stories: list[tuple[float, tuple[str, ...]]], sent: list[float], timezone: str) -> list[dict]:
    """One row per local day that had stories or sends, oldest first.

    A story on both topics counts once per topic and once in ``stories``.
    """
    zone = ZoneInfo(timezone)
    day = lambda t: datetime.fromtimestamp(t, zone).date().isoformat()  # noqa: E731
    alerts: dict[str, Counter] = {}
    totals: Counter = Counter()
    for created, topics in stories:
        alerts.setdefault(day(created), Counter()).update(topics)
        totals[day(created)] += 1
    messages = Counter(day(t) for t in sent)
    return [{"day": d, "stories": totals[d], "alerts": dict(alerts.get(d, {})), "sent": messages[d]}
            for d in sorted(set(totals) | set(messages))]
