"""When to poll a feed next, and which of its entries are too old to alert.

A feed is polled about five times per item it publishes (its rate smoothed over polls):
an item every five minutes means a poll a minute, so a new item waits half a minute on
average; a conditional GET answered 304 costs the outlet almost nothing. Never more
often than ``min_interval`` nor less often than ``max_interval``; a feed that asks for
less (<ttl>, Cache-Control max-age) is polled no more often than that, when it asks for
less than an hour. A feed's own ``interval`` in config pins it. Failing feeds back off
exponentially to a cap, and never sooner than a Retry-After says.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from core.config import FeedConfig, FetchSettings

DAY = 86400.0
POLLS_PER_ITEM = 5
ASKED_CAP = 3600.0  # a feed asking for more than an hour between polls is not heeded: news is news
SMOOTHING = 0.5  # weight of the newest observation of a feed's rate
FAILURE_CAP = 3600.0
RETRY_AFTER_CAP = 6 * 3600.0  # a Retry-After is obeyed, within reason
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


def next_interval(feed: FeedConfig, settings: FetchSettings, per_day: float | None,
                  asked: float | None = None) -> float:
    """Seconds to the next poll of a healthy feed, jittered but never under ``min_interval``
    (or a pinned interval): at most two requests a minute with the shipped 30 s."""
    if feed.interval:
        return _jittered(float(feed.interval), floor=float(feed.interval))
    low = min(settings.min_interval, settings.interval)
    high = max(settings.max_interval or settings.interval, settings.interval)
    base = settings.interval if not per_day else min(high, max(low, DAY / per_day / POLLS_PER_ITEM))
    if asked and asked < ASKED_CAP:
        base = max(base, asked)
    return _jittered(base, floor=float(low))


def failure_backoff(feed: FeedConfig, settings: FetchSettings, failures: int, retry_after: float | None = None) -> float:
    base = feed.interval or settings.interval
    wait = _jittered(min(FAILURE_CAP, base * 2 ** min(failures - 1, 10)))
    return max(wait, min(retry_after or 0.0, RETRY_AFTER_CAP))


def _jittered(seconds: float, floor: float = 0.0) -> float:
    return max(floor, seconds * random.uniform(1 - JITTER, 1 + JITTER))


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
