"""Whether Telegram can be reached, told in a few lines however long an outage lasts.

Every Bot API call the worker makes (sending alerts, polling for commands) reports here.
An expected network failure opens an outage: one line when it starts, a reminder at
most every few minutes with the alerts waiting in the outbox, one line when a call
succeeds again, with how long it lasted. Errors nobody expected keep their tracebacks
where they are raised.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from core import metrics
from core.logs import event

log = logging.getLogger("alerts.telegram")
REMIND = 180.0  # seconds between reminders while Telegram stays unreachable


class Reachability:
    def __init__(self, backlog: Callable[[], int] = lambda: 0, clock: Callable[[], float] = time.time) -> None:
        self.backlog = backlog  # messages waiting in the outbox
        self.clock = clock
        self.since: float | None = None  # start of the current outage
        self._reminded = 0.0
        metrics.TELEGRAM_UP.set(1)

    @property
    def reachable(self) -> bool:
        return self.since is None

    def down(self, where: str, error: BaseException) -> None:
        now = self.clock()
        if self.since is None:
            self.since = self._reminded = now
            metrics.TELEGRAM_UP.set(0)
            event(log, "telegram_unreachable", logging.WARNING, since=_clock(now), by=where,
                  error=type(error).__name__, backlog=self.backlog(),
                  note="alerts wait in the outbox and go out when Telegram answers again")
        elif now - self._reminded >= REMIND:
            self._reminded = now
            event(log, "telegram_still_unreachable", logging.WARNING, since=_clock(self.since),
                  minutes=round((now - self.since) / 60, 1), backlog=self.backlog())

    def up(self) -> None:
        if self.since is None:
            return
        lasted, self.since = self.clock() - self.since, None
        metrics.TELEGRAM_UP.set(1)
        event(log, "telegram_reachable", outage_s=round(lasted), backlog=self.backlog())

    def status(self) -> str:
        return "ok" if self.since is None else f"unreachable since {_clock(self.since)}"


def _clock(moment: float) -> str:
    return datetime.fromtimestamp(moment).astimezone().strftime("%H:%M:%S")
