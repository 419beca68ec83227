"""The outbox sender: drains due rows one at a time, within Telegram's limits.

One message in flight at a time per worker: after a crash at most that one is sent
twice. Rows are marked only after Telegram answers, so a restart resumes every pending
row. Several workers share the outbox: each row is claimed by one of them, and the
flood limits are counted on every worker's attempts, read and claimed under one lock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime

from alerts.limits import FloodLimiter
from alerts.telegram import ChatMoved, Sent, TelegramSender
from alerts.threads import EDIT_WINDOW
from core import metrics
from core.errors import ChatUnavailable, DeliveryError, DeliveryRetry
from core.logs import event
from store import OutboxRow, Store

log = logging.getLogger("alerts.outbox")
IDLE_WAIT = 30.0
CLAIM_SECONDS = 60.0  # a row claimed by a worker that died is sent by another after this
HISTORY = 120.0  # seconds of attempts the flood limits are counted on (the longest window is 61 s)
PLAUSIBLE = 86400.0  # a feed's date older than a day (or in the future) says nothing about our delay


def published_at(iso: str) -> float | None:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return None


class Outbox:
    def __init__(self, store: Store, sender: TelegramSender, admin_chat: str | None = None,
                 worker: str = "local", clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.sender = sender
        self.admin_chat = admin_chat
        self.worker = worker
        self.clock = clock  # a replay runs the sender on the articles' clock
        self.reachability = sender.reachability
        self._wake = asyncio.Event()
        self._paused_until = 0.0  # Telegram unreachable: no row is tried before this

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; the send in flight is always finished and committed."""
        while not stop.is_set():
            delay = await self.step()
            if delay > 0:
                self._wake.clear()
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
                await asyncio.wait(waiters, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()

    async def drain(self, max_wait: float) -> int:
        """Deliver everything due, waiting out limits and retries up to ``max_wait`` seconds."""
        deadline = time.monotonic() + max_wait
        while self.store.pending_count():
            delay = await self.step()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if delay > 0:
                await asyncio.sleep(min(delay, remaining))
        return self.store.pending_count()

    async def step(self) -> float:
        """Send one ready row; return how long to wait before the next could be ready (0: now)."""
        now = self.clock()
        if now < self._paused_until:  # one failed call says enough about an outage
            return self._paused_until - now
        claimed, wait = self._claim(now)
        if claimed:
            await self._send(*claimed)
        return wait

    def _claim(self, now: float) -> tuple[tuple[OutboxRow, str, int | None] | None, float]:
        """The next due row whose chat is within every flood limit, claimed for this worker, with
        the chat it goes to and the message it answers; else how long until one could be. A reply
        waits until the message it answers is out."""
        with self.store.transaction(lock="outbox") as store:
            rows = store.due(now, limit=200)
            if not rows:
                next_due = store.next_due_at()  # rows other workers are sending count: look again soon
                return None, IDLE_WAIT if next_due is None else min(IDLE_WAIT, max(0.25, next_due - now))
            limiter = FloodLimiter(store.recent_sends(now - HISTORY))
            soonest = IDLE_WAIT
            for row in rows:
                state = store.resolve_chat(row.chat_id)
                if state.status == "disabled":
                    store.mark_failed(row, f"chat disabled: {state.reason}")
                    return None, 0
                answers = store.answered(row.reply_to, row.chat_id) if row.reply_to and row.status != "sent" else None
                if answers and answers[0] == "pending":
                    continue
                ready = limiter.ready_at(state.chat_id, now)
                if ready <= now:
                    store.claim(row, self.worker, now + CLAIM_SECONDS, now)
                    return (row, state.chat_id, answers[1] if answers else None), 0
                soonest = min(soonest, ready - now)
            return None, max(0.05, soonest)

    async def _send(self, row: OutboxRow, chat_id: str, reply_to: int | None) -> None:
        edit = row.message_id if row.status == "sent" and row.edit_pending else None
        notify = row.notify and row.status != "sent"
        anew = bool(edit and row.sent_at and self.clock() - row.sent_at > EDIT_WINDOW)
        if anew:  # too old to edit: the new text arrives silently, answering the old message
            edit, notify, reply_to = None, False, row.message_id
        buttons = None if row.message_key.startswith("digest:") else (
            self.store.mark_counts(chat_id, row.message_id) if row.message_id else {})  # an alert's mark buttons
        try:
            sent: Sent = await self.sender.send(chat_id, row.text, row.thread_id, row.attempts, edit, notify, reply_to,
                                                buttons)
        except DeliveryRetry as exc:
            metrics.DELIVERIES.labels("retry").inc()
            self.store.mark_retry(row, exc.delay, str(exc), self.clock())
            if exc.unreachable:  # the outage is told by Reachability, once, not by every retry
                self._paused_until = self.clock() + exc.delay
                return
            event(log, "delivery_retry", logging.WARNING, chat=chat_id, message=row.message_key,
                  attempt=row.attempts + 1, wait=f"{exc.delay:.1f}s", error=exc)
            return
        except ChatMoved as exc:
            self.store.migrate_chat(chat_id, exc.new_chat_id)
            self.store.unclaim(row)
            event(log, "chat_migrated", logging.WARNING, chat=chat_id, new_chat=exc.new_chat_id)
            return
        except ChatUnavailable as exc:
            metrics.DELIVERIES.labels("chat_disabled").inc()
            self.store.disable_chat(chat_id, str(exc))
            event(log, "chat_disabled", logging.ERROR, chat=chat_id, reason=exc)
            await self.tell_admin(f"⚠️ توقف الإرسال إلى {chat_id}: {exc}")
            return
        except DeliveryError as exc:
            metrics.DELIVERIES.labels("failed").inc()
            self.store.mark_failed(row, str(exc))
            event(log, "delivery_failed", logging.ERROR, chat=chat_id, message=row.message_key, error=exc)
            return
        self.store.mark_sent(row, sent.message_id, row.text, self.clock(), fresh=anew)
        metrics.DELIVERIES.labels("edited" if edit else "sent").inc()
        first = not edit and row.status != "sent"
        event(log, "delivered", chat=chat_id, message=row.message_key, message_id=sent.message_id,
              kind="edit" if edit else "send", notify=notify,
              **(self._latency(row.stories[0]) if first and notify and row.stories else {}))

    def _latency(self, story_id: str) -> dict[str, float]:
        """Seconds from the article's publication (when its feed gives a plausible time) and
        from the poll that first saw it, to this ringing message."""
        story = self.store.story(story_id)
        if story is None:
            return {}
        now, found = self.clock(), {}
        if story.first_seen:
            found["since_seen_s"] = round(now - story.first_seen, 1)
        published = published_at(story.published)
        if published and 0 <= now - published <= PLAUSIBLE:
            found["latency_s"] = round(now - published, 1)
            metrics.ALERT_LATENCY.observe(now - published)
        return found

    async def tell_admin(self, text: str) -> None:
        if not self.admin_chat:
            return
        try:
            await self.sender.send(self.admin_chat, text, None, 0)
        except DeliveryError as exc:
            event(log, "admin_notice_failed", logging.WARNING, chat=self.admin_chat, error=exc)

