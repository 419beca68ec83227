"""The store's commands: `feeds` (health per feed), `stats` (alerts per day), `migrate`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

from core.config import db_path
from service.cli import console, load


def feeds(args: argparse.Namespace) -> int:
    from rich.table import Table

    from service.membership import LIVE_SECONDS
    from store import Store, feed_lease

    runtime = load(args.config)
    store = Store(db_path(runtime.config))
    states = {s.url: s for s in store.feed_states()}
    polling = store.lease_holders(feed_lease(""))
    workers = store.workers(LIVE_SECONDS)
    store.close()
    stamp = lambda t: datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M") if t else "never"  # noqa: E731
    table = Table(title=f"Feeds ({len(runtime.config.feeds)})")
    for column in ("feed", "kind", "health", "last success", "next poll", "pace", "polling now", "url"):
        table.add_column(column)
    for feed in runtime.config.feeds:
        state = states.get(feed.url)
        if state is None:
            table.add_row(feed.name, feed.kind or "", "not polled yet", "", "", "", "", feed.url)
            continue
        health = "[green]ok[/]" if not state.failures else f"[red]FAILING x{state.failures}[/]: {state.last_error}"
        pace = f"every {state.interval / 60:.0f} min" if state.interval else "default"
        if state.entries_per_day is not None:
            pace += f", ~{state.entries_per_day:.0f} items/day"
        table.add_row(feed.name, feed.kind or "", health, stamp(state.last_success), stamp(state.next_poll), pace,
                      polling.get(feed_lease(feed.url), ""), feed.url)
    screen = console()
    screen.print(table)
    screen.print(workers_table(workers))
    return 0


def workers_table(workers: list[dict]):
    """The workers beating on this store: which, where, since when, how many feeds they poll now."""
    from rich.table import Table

    table = Table(title=f"Workers ({len(workers)} alive)")
    for column in ("worker", "host", "pid", "started", "last beat", "feeds polling now", "leader"):
        table.add_column(column)
    for w in workers:
        table.add_row(w["id"], w["host"], str(w["pid"]), datetime.fromtimestamp(w["started"]).strftime("%Y-%m-%d %H:%M"),
                      f"{time.time() - w['last_beat']:.0f}s ago", str(w["leases"]), "yes" if w["leader"] else "")
    return table


def stats(args: argparse.Namespace) -> int:
    from rich.table import Table

    from service.health import last_heartbeat
    from service.membership import LIVE_SECONDS
    from service.report import daily_stats
    from store import Store

    config = load(args.config).config
    store = Store(db_path(config))
    since = time.time() - args.days * 86400
    days = daily_stats(store.story_topics_since(since), store.sent_since(since), config.bot.timezone)
    heartbeat = last_heartbeat(store)
    workers = store.workers(LIVE_SECONDS)
    store.close()
    if args.json:
        beat = {**heartbeat[0], "at": heartbeat[1]} if heartbeat else None
        print(json.dumps({"days": days, "heartbeat": beat, "workers": workers}, ensure_ascii=False))
        return 0
    topics = list(config.topics) + sorted({t for d in days for t in d["alerts"]} - set(config.topics))
    table = Table(title=f"Alerts per topic per day, last {args.days} days ({config.bot.timezone})")
    for column in ("day", *topics, "stories", "sent"):
        table.add_column(column, justify="left" if column == "day" else "right")
    for day in days:
        table.add_row(day["day"], *(str(day["alerts"].get(t, 0)) for t in topics), str(day["stories"]),
                      str(day["sent"]))
    screen = console()
    screen.print(table)
    if heartbeat:
        beat, at = heartbeat
        screen.print(f"worker: last heartbeat {time.time() - at:.0f}s ago (pid {beat['pid']}, config "
                      f"{beat['config']}, {beat['feeds']} feeds, {beat['feeds_failing']} failing, "
                      f"{beat['outbox_pending']} messages pending)")
    else:
        screen.print("worker: no heartbeat recorded (the worker has not run with this database)")
    if workers:
        screen.print(workers_table(workers))
    return 0


def migrate(args: argparse.Namespace) -> int:
    from store import Store
    from store.copy import copy_store

    config = load(args.config).config
    target = Store(db_path(config))  # opening applies the migrations
    print(f"store {target.where}: " + (f"applied {', '.join(target.applied)}" if target.applied else "schema up to date"))
    if args.source:
        if not Path(args.source).is_file():
            print(f"migrate: no SQLite store at {args.source}", file=sys.stderr)
            return 1
        source = Store(args.source)
        copied = copy_store(source, target)
        source.close()
        print(f"copied from {args.source}: " + ", ".join(f"{table} {n}" for table, n in copied.items()))
    target.close()
    return 0
