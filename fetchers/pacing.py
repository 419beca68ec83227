"""When to poll a feed next, and which of its entries are too old to alert.

A feed is polled about twice per item it publishes (its rate smoothed over polls),
never more often than ``min_interval`` nor less often than ``max_interval``; a feed's
own ``interval`` in config pins it. Failing feeds back off exponentially to a cap.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from core.config import FeedConfig, FetchSettings

DAY = 86400.0
SMOOTHING = 0.5  # weight of the newest observation of a feed's rate
FAILURE_CAP = 3600.0
QUIET_DECAY = 0.9  # rate kept after a poll that found nothing new
JITTER = 0.1  # ±10 %, so feeds polled together drift apart


def observed_rate(published: Sequence[datetime | None], new: int, elapsed: float | None, now: float) -> float | None:
    """Entries per day seen in this poll: from the dates in the feed's window, else from
    how many new entries arrived since the previous poll."""
    stamps = sorted(p.timestamp() for p in published if p and now - 7 * DAY <= p.timestamp() <= now + 3600)
    if len(stamps) >= 2:
        return (len(stamps) - 1) * DAY / max(stamps[-1] - stamps[0], 3600.0)
    if elapsed:
        return new * DAY / elapsed
    return None


def smoothed(previous: float | None, observed: float | None) -> float | None:
    if observed is None:
        return previous
    return observed if previous is None else SMOOTHING * observed + (1 - SMOOTHING) * previous


def quieter(per_day: float | None) -> float | None:
    """An unchanged poll: the feed slows down gradually, not at the first quiet spell."""
    return per_day * QUIET_DECAY if per_day else per_day


def next_interval(feed: FeedConfig, settings: FetchSettings, per_day: float | None) -> float:
    """Seconds to the next poll of a healthy feed, jittered."""
    if feed.interval:
        base = float(feed.interval)
    else:
        low = min(settings.min_interval, settings.interval)
        high = max(settings.max_interval or settings.interval, settings.interval)
        base = settings.interval if not per_day else min(high, max(low, DAY / per_day / 2))
    return _jittered(base)


def failure_backoff(feed: FeedConfig, settings: FetchSettings, failures: int) -> float:
    base = feed.interval or settings.interval
    return _jittered(min(FAILURE_CAP, base * 2 ** min(failures - 1, 10)))


def _jittered(seconds: float) -> float:
    return seconds * random.uniform(1 - JITTER, 1 + JITTER)


def backlog_cutoff(settings: FetchSettings, first_poll: bool, published: Sequence[datetime | None],
                   now: float) -> float | None:
    """Entries published before this are recorded as seen without alerting.

    Normally measured from now, which also keeps an old item whose guid changed from
    alerting again. On a feed's first poll it is measured from the feed's newest entry,
    so an archive feed (or a demo) still shows its latest stories while a live feed's
    backlog stays quiet."""
    if not settings.backlog_hours:
        return None
    reference = now
    if first_poll:
        stamps = [p.timestamp() for p in published if p]
        reference = min(now, max(stamps)) if stamps else now
    return reference - settings.backlog_hours * 3600
