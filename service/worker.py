"""The long-running worker: one self-rescheduling job per feed it owns, config hot reload,
a heartbeat and the health server, around the outbox sender; in Telegram mode, the bot's
commands, the desk's mark buttons and missed links (alerts/subscribers.py).

Every job is a coroutine, so all of them run on the event loop's thread. Beside other
workers on one database (service/membership.py) each polls its share of the feeds, and the
leader alone flushes digests, forgets old entries, tells the admin about the config and
answers commands: Telegram serves one getUpdates long poll per bot at a time and ends any
other with 409 Conflict, so a worker that takes the lead starts answering and one that loses
it stops.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from alerts.outbox import Outbox
from core import metrics
from core.config import FeedConfig
from core.errors import FetchError
from core.logs import event
from fetchers.websub import Subscription, Subscriptions, subscribe_form
from service.health import BEAT_SECONDS, Health, beat, serve
from service.membership import BEAT_SECONDS as MEMBERSHIP_SECONDS
from service.membership import FEED_LEASE_SECONDS
from service.pipeline import Services, flush_digests, forget_old_entries, run_cycle
from service.reload import check_for_edit
from store import feed_lease

log = logging.getLogger("worker")
STOP_GRACE = 8.0  # seconds granted to the send in flight on SIGTERM (the contract is 10)
SUBSCRIBE_CHECK = 5.0  # seconds between looks for WebSub subscriptions to make or renew
# A feed's next poll is often set while its job still runs: due at once, APScheduler would find the
# job running, skip the run and drop the date job, and the feed with it.
RESCHEDULE_FLOOR = 1.0
COMMANDS_RETRY = 60.0  # seconds before the leader tries again to answer commands when Telegram could not be reached
# Starts answering commands; returns how to stop, or None when Telegram cannot be reached now.
Commands = Callable[[], Awaitable[Callable[[], Awaitable[None]] | None]]


class Worker:
    def __init__(self, path: Path, services: Services, outbox: Outbox | None, commands: Commands | None = None) -> None:
        self.path = path
        self.services = services
        self.outbox = outbox
        self.commands = commands
        self._answering: Callable[[], Awaitable[None]] | None = None  # stops answering commands
        self._starting: asyncio.Task | None = None  # reaching Telegram, off the beat's path
        self._commands_retry = 0.0
        self.scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop())
        self.health = Health(services.runtime.config.server.stale_after,
                             telegram=outbox.reachability if outbox else None)
        self._polls: set[asyncio.Task] = set()
        self._polling: set[str] = set()  # feeds being polled now
        self._pushed: set[str] = set()  # feeds a hub pushed (during a poll too): polled before their next poll is due
        self._refused: str | None = None
        self._stopping = False
        public_url = services.runtime.config.server.public_url
        self.websub = Subscriptions(public_url) if public_url else None
        if self.websub:
            services.on_hub = lambda feed, hub, topic: self.websub.want(feed.url, hub, topic)

    def feeds(self) -> dict[str, FeedConfig]:
        return {f.url: f for f in self.services.runtime.config.feeds}

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: then in-flight polls are cancelled (entries are atomic) and the send in flight ends."""
        config = self.services.runtime.config
        await self._membership()
        self.scheduler.add_job(self._membership, "interval", id="membership", seconds=MEMBERSHIP_SECONDS,
                               max_instances=1, coalesce=True)
        self.scheduler.add_job(self._reload, "interval", id="config", seconds=config.server.reload_check,
                               max_instances=1, coalesce=True)
        self.scheduler.add_job(self._digests, "interval", id="digests", seconds=60, max_instances=1, coalesce=True,
                               next_run_time=datetime.now().astimezone())  # periods that ended while stopped
        self.scheduler.add_job(self._forget, "interval", id="forget", hours=1, max_instances=1, coalesce=True,
                               next_run_time=datetime.now().astimezone())
        self.scheduler.add_job(self._beat, "interval", id="heartbeat", seconds=BEAT_SECONDS, max_instances=1,
                               coalesce=True, next_run_time=datetime.now().astimezone())
        if self.websub:
            self.scheduler.add_job(self._subscribe, "interval", id="websub", seconds=SUBSCRIBE_CHECK, max_instances=1,
                                   coalesce=True)
        loop = asyncio.get_running_loop()
        server = serve(config.server.host, config.server.port, self.health, self.websub,
                       lambda url: loop.call_soon_threadsafe(self.poll_now, url), config.fetch.max_bytes) \
            if config.server.port is not None else None
        self.scheduler.start()
        membership = self.services.membership
        event(log, "worker_started", worker=membership.worker, store=self.services.store.where,
              feeds=len(config.feeds), owned=sum(map(membership.owns, self.feeds())), workers=len(membership.live),
              topics=",".join(config.topics), config=self.path, version=self.services.runtime.version)
        sender = asyncio.create_task(self.outbox.run(stop)) if self.outbox else None
        await stop.wait()
        event(log, "worker_stopping")
        self._stopping = True
        self.scheduler.shutdown(wait=False)
        for task in list(self._polls):
            task.cancel()
        await asyncio.gather(*self._polls, return_exceptions=True)
        if server:
            server.shutdown()
        if sender:
            try:
                await asyncio.wait_for(sender, STOP_GRACE)
            except TimeoutError:
                event(log, "sender_stop_timeout", logging.WARNING)
        await self._stop_answering()
        self.services.membership.leave(self.services.store)

    async def _lead_commands(self) -> None:
        """The leader answers commands and marks; a worker that lost the lead stops. Reaching
        Telegram runs beside the beat, which a slow Bot API must not hold up."""
        if self.commands is None or self._starting is not None:
            return
        if self.services.membership.leader and not self._stopping:
            if self._answering is None and time.time() >= self._commands_retry:
                self._starting = asyncio.create_task(self._start_answering())
        elif self._answering is not None:
            event(log, "commands_handed_over", worker=self.services.membership.worker)
            await self._stop_answering()

    async def _start_answering(self) -> None:
        try:
            self._answering = await self.commands()
        except Exception as exc:  # noqa: BLE001 - the worker goes on alerting without commands
            event(log, "subscriber_bot_unavailable", logging.WARNING, error=type(exc).__name__)
        finally:
            self._starting = None
        if self._answering is None:
            self._commands_retry = time.time() + COMMANDS_RETRY

    async def _stop_answering(self) -> None:
        if self._starting is not None:
            await asyncio.gather(self._starting, return_exceptions=True)
        stop, self._answering = self._answering, None
        if stop is not None:
            await stop()

    def _schedule(self, url: str, delay: float) -> None:
        """One date job per feed, set again after each poll: never two polls of a feed at once,
        and each feed keeps its own pace (fetchers/pacing.py)."""
        self.scheduler.add_job(self._poll, "date", args=[url], id=f"feed:{url}", replace_existing=True,
                               run_date=datetime.now().astimezone() + timedelta(seconds=max(RESCHEDULE_FLOOR, delay)),
                               misfire_grace_time=None)

    def _schedule_due(self, url: str, next_poll: float | None) -> None:
        """A feed this worker just took on: polled when its next poll is due (at once if overdue)."""
        self._schedule(url, max(random.uniform(0, 3), (next_poll or 0) - time.time()))

    def poll_now(self, url: str) -> None:
        """A push: poll the feed at once, or once more right after the poll in flight."""
        if self._stopping or url not in self.feeds() or not self.services.membership.owns(url):
            return
        self._pushed.add(url)
        if url not in self._polling:  # else polled again as soon as this poll ends
            self._schedule(url, 0)

    async def _poll(self, url: str) -> None:
        feed = self.feeds().get(url)
        if feed is None or not self.services.membership.owns(url):  # removed by a reload, or moved to another worker
            return
        store, me = self.services.store, self.services.membership.worker
        if not store.claim_lease(feed_lease(url), me, FEED_LEASE_SECONDS):  # its last owner still polls it
            self._schedule(url, MEMBERSHIP_SECONDS)
            return
        pushed = url in self._pushed
        self._pushed.discard(url)
        task = asyncio.current_task()
        self._polls.add(task)
        self._polling.add(url)
        hold = asyncio.create_task(self._hold(url))
        try:
            due = store.feed_state(url, feed.name).next_poll
            if pushed or due is None or due <= time.time() + 1:  # else polled meanwhile by the worker it moved from
                await run_cycle(self.services, [feed])
        finally:
            hold.cancel()
            store.release_lease(feed_lease(url), me)
            self._polls.discard(task)
            self._polling.discard(url)
        if not self._stopping and url in self.feeds():
            state = store.feed_state(url, feed.name)
            interval = self.services.runtime.config.fetch.interval
            delay = 0.0 if url in self._pushed else (state.next_poll or time.time() + interval) - time.time()
            self._schedule(url, delay)

    async def _hold(self, url: str) -> None:
        """Renew the feed's lease while a long poll runs (many new pages)."""
        while True:
            await asyncio.sleep(FEED_LEASE_SECONDS / 3)
            self.services.store.claim_lease(feed_lease(url), self.services.membership.worker, FEED_LEASE_SECONDS)

    async def _membership(self) -> None:
        """Beat, and when workers came or went, take on the feeds now ours (the others' jobs end by themselves)."""
        membership, store = self.services.membership, self.services.store
        was_leader = membership.leader
        changed = membership.beat(store)
        if membership.leader and not was_leader:
            event(log, "worker_leads", worker=membership.worker)
        await self._lead_commands()
        if not changed:
            return
        owned = [url for url in self.feeds() if membership.owns(url)]
        due = {state.url: state.next_poll for state in store.feed_states()}
        for url in owned:
            if not self.scheduler.get_job(f"feed:{url}") and url not in self._polling:
                self._schedule_due(url, due.get(url))
        if membership.leader:
            store.release_claims(membership.live)
            store.forget_workers(time.time() - 86400)
        event(log, "workers_changed", worker=membership.worker, workers=len(membership.live), owned=len(owned),
              leader=membership.leader)

    async def _subscribe(self) -> None:
        """Ask hubs for the feeds that name one, and renew leases before they end."""
        for subscription in self.websub.due(time.time()):
            await self._ask_hub(subscription)

    async def _ask_hub(self, subscription: Subscription) -> None:
        form = subscribe_form(self.websub, subscription)
        try:
            status = await self.services.fetcher.post_form(subscription.hub, form, trusted=subscription.feed)
            error = None if status in (202, 204) else f"HTTP {status}"
        except FetchError as exc:
            error = exc.reason
        if error is None:
            self.websub.requested(subscription, time.time())
            event(log, "websub_subscribe_requested", hub=subscription.hub, topic=subscription.topic)
        else:
            self.websub.failed(subscription, error, time.time())
            event(log, "websub_subscribe_failed", logging.WARNING, hub=subscription.hub, topic=subscription.topic,
                  error=error)

    async def _reload(self) -> None:
        before = self.feeds()
        result = await asyncio.to_thread(check_for_edit, self.path, self.services.runtime, self._refused)
        if result is None:
            return
        if result.runtime is None:
            self._refused = result.version
            metrics.CONFIG_RELOADS.labels("refused").inc()
            event(log, "config_rejected", logging.ERROR, errors=" | ".join(result.problems),
                  running=self.services.runtime.version, note="the previous config keeps running")
            if self.outbox and self.services.membership.leader:  # once, not once per worker
                await self.outbox.tell_admin("⚠️ رُفض تعديل الإعدادات، ويستمر البوت على الإعدادات السابقة:\n"
                                             + "\n".join(result.problems[:5]))
            return
        self._refused = None
        self.services.runtime = result.runtime
        metrics.CONFIG_RELOADS.labels("applied").inc()
        for url in self.feeds().keys() - before.keys():
            if self.services.membership.owns(url):
                self._schedule_due(url, None)
        for url in before.keys() - self.feeds().keys():
            if self.scheduler.get_job(f"feed:{url}"):
                self.scheduler.remove_job(f"feed:{url}")
        if self.websub:
            self.websub.forget(set(self.feeds()))
        if self.outbox:
            self.outbox.admin_chat = admin_chat(result.runtime.config.telegram.admin_chat_id)
        event(log, "config_reloaded", version=result.version, changes="; ".join(result.changes) or "none",
              applies="from the next poll of each feed")
        for warning in result.runtime.warnings:
            event(log, "config_warning", logging.WARNING, detail=warning)
        if result.restart_needed:
            event(log, "config_restart_needed", logging.WARNING, fields=",".join(result.restart_needed),
                  note="these settings change when the worker restarts")

    async def _digests(self) -> None:
        if self.services.membership.leader:
            flush_digests(self.services)

    async def _forget(self) -> None:
        if self.services.membership.leader:
            forget_old_entries(self.services.store, self.services.runtime.config.storage.keep_days)

    async def _beat(self) -> None:
        beat(self.health, self.services.store, self.services.runtime, self.services.membership)


def admin_chat(chat_id: int | str | None) -> str | None:
    return str(chat_id) if chat_id else None
