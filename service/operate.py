"""The worker's commands: `run` (the long-running worker) and `once` (one cycle, then exit)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path

from core.config import DEFAULT_API_URL, config_path, db_path
from core.logs import event
from service.cli import console, load
from service.runtime import Runtime

log = logging.getLogger("bot")


async def build_services(stack: AsyncExitStack, runtime: Runtime, *, dry_run: bool, as_json: bool,
                         alerts_jsonl: str | None):
    """Build store, fetcher, pool, sinks and (with a token) the Telegram outbox."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from alerts.outbox import Outbox
    from alerts.reachability import Reachability
    from alerts.sinks import append_jsonl, print_alert
    from alerts.telegram import TelegramSender
    from fetchers.http import Fetcher
    from service.membership import Membership
    from service.pipeline import Services
    from service.worker import admin_chat
    from store import Store

    config = runtime.config
    store = Store(db_path(config))
    stack.callback(store.close)
    membership = Membership()
    fetcher = Fetcher(config.fetch)
    stack.push_async_callback(fetcher.aclose)
    pool = ProcessPoolExecutor(max_workers=os.cpu_count() or 2, mp_context=get_context("forkserver"))
    stack.callback(pool.shutdown, cancel_futures=True)

    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    outbox = None
    if token and not dry_run:
        sender = TelegramSender(token, os.environ.get("TELEGRAM_API_URL") or DEFAULT_API_URL, config.telegram.timeout,
                                Reachability(store.pending_count))
        stack.push_async_callback(sender.close)
        outbox = Outbox(store, sender, admin_chat(config.telegram.admin_chat_id), membership.worker)
        event(log, "sink", target="telegram", chats=len(config.channels))
    else:
        why = "--dry-run" if dry_run else "TELEGRAM_BOT_TOKEN is not set"
        event(log, "sink", target="console", reason=why)
        print(f"Console mode ({why}): alerts are printed here, nothing is sent to Telegram.", file=sys.stderr)

    def announce(alert, text: str) -> None:
        if outbox is None:
            print_alert(alert, text, as_json)
        if alerts_jsonl:
            append_jsonl(Path(alerts_jsonl), alert)

    services = Services(runtime, store, fetcher, pool, deliver=outbox is not None, announce=announce,
                        on_queued=outbox.wake if outbox else None, membership=membership)
    return services, outbox


async def once(args: argparse.Namespace) -> int:
    from service.pipeline import flush_digests, forget_old_entries, run_cycle

    runtime = load(args.config)
    async with AsyncExitStack() as stack:
        services, outbox = await build_services(stack, runtime, dry_run=args.dry_run, as_json=args.json,
                                                alerts_jsonl=args.alerts_jsonl)
        with progress_bar(len(runtime.config.feeds)) as progress:
            report = await run_cycle(services, progress=progress)
        flush_digests(services)
        forget_old_entries(services.store, services.runtime.config.storage.keep_days)
        if outbox:
            services.store.hurry_edits(time.time())  # the cycle is over: no outlet is left to wait for
            left = await outbox.drain(args.max_wait)
            if left:
                event(log, "delivery_pending", logging.WARNING, rows=left,
                      note="kept in the outbox for the next run")
    print(f"cycle: {report.feeds} feeds ({len(report.failed)} failed), {report.new_entries} new entries, "
          f"{report.alerts} alerts, {report.updates} updates, {report.seconds:.1f}s", file=sys.stderr)
    for name, error in report.failed.items():
        print(f"  feed failed: {name}: {error}", file=sys.stderr)
    return 0


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[str], None] | None]:
    """A progress bar over the feeds when stderr is a terminal; log lines scroll above it."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console(stderr=True)) as bar:
        task = bar.add_task("feeds", total=total)
        handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
        streams = [h.setStream(sys.stderr) for h in handlers]  # rich's proxy while the bar is shown
        try:
            yield lambda name: bar.update(task, advance=1, description=name[:30])
        finally:
            for handler, stream in zip(handlers, streams):
                handler.setStream(stream)


async def run(args: argparse.Namespace) -> int:
    import asyncio

    from service.worker import Worker

    path = config_path(args.config)
    runtime = load(path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        services, outbox = await build_services(stack, runtime, dry_run=args.dry_run, as_json=args.json,
                                                alerts_jsonl=args.alerts_jsonl)
        commands = (lambda: subscriber_bot(services, outbox)) if outbox else None
        await Worker(path, services, outbox, commands).run(stop)
    event(log, "worker_stopped")
    return 0


async def subscriber_bot(services, outbox):
    """Answer /start, /subscribe, the desk's marks and friends (Telegram mode, the leader only);
    returns how to stop, or None when Telegram cannot be reached now."""
    from alerts.subscribers import build_app, start_polling, stop_polling

    app = build_app(os.environ["TELEGRAM_BOT_TOKEN"].strip(), os.environ.get("TELEGRAM_API_URL") or DEFAULT_API_URL,
                    services.store, lambda: {n: t.label for n, t in services.runtime.config.topics.items()},
                    outbox.reachability, desk_hooks(services))
    return (lambda: stop_polling(app)) if await start_polling(app) else None


def desk_hooks(services):  # noqa: ANN001, ANN201
    """What the mark buttons and /missed read from the running worker (its current config)."""
    from urllib.parse import urlsplit

    from alerts.marks import DeskHooks
    from classifiers.topics import classify
    from fetchers.targets import read_target
    from service.desk import explain_miss
    from store import KeptArticle

    def chat_topics(chat_id: str) -> tuple[str, ...]:
        config = services.runtime.config
        channel = [t for c in config.channels if str(c.chat_id) == chat_id for t in c.topics]
        return tuple(channel) or tuple(services.store.subscriptions(chat_id))

    async def read_link(url: str):  # noqa: ANN202
        runtime = services.runtime
        try:
            title, text, origin = await read_target(url, runtime.config.fetch)
        except (OSError, ValueError) as exc:
            event(log, "missed_link_unreadable", logging.WARNING, url=url, error=str(exc)[:200])
            return None
        classification = classify(runtime.classifier, title, text)
        reading = explain_miss(classification, {n: t.label for n, t in runtime.config.topics.items()}, title)
        outlet = urlsplit(url).hostname or "?"
        article = KeptArticle(origin, time.time(), None, outlet, title, text, reading.scores, None, runtime.version)
        return reading.answer, article, reading.topics

    return DeskHooks(editors=lambda: frozenset(services.runtime.config.bot.editors), chat_topics=chat_topics,
                     read_link=read_link, version=lambda: services.runtime.version)
