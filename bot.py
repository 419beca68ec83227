"""Arabic coverage monitor: watches Arabic news feeds, alerts Telegram on the UN Security
Council and on military escalation in Syria.

Commands (python bot.py COMMAND --help for each):
  run           the long-running worker (APScheduler, one job per feed)
  once          one full cycle over every feed, then exit
  classify      JSON lines in, topic scores out (no network)
  explain       why a page, file or text matched or not
  check-config  validate a config file; exit 2 with every problem found
  tune          fit each topic's evidence points to labelled articles; propose or write them
  feeds         feed health from the store, and the workers polling them
  stats         alerts per topic per day, and the workers
  migrate       bring the store's schema up to date; --from copies an SQLite store into it
  backtest      replay timestamped articles through the worker: what each channel would have received
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import AsyncExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from core.config import DEFAULT_API_URL, config_path, db_path
from core.errors import ConfigError
from core.logs import event, setup_logging
from service.runtime import Runtime, load_runtime

log = logging.getLogger("bot")
T = TypeVar("T")


def _console(stderr: bool = False):
    """A rich console: terminal width in a terminal; in a pipe or file, wide enough that rows do not wrap."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else 200)


def _load(path: str | Path | None) -> Runtime:
    try:
        runtime = load_runtime(path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"config error: {problem}", file=sys.stderr)
        raise SystemExit(2) from None
    for warning in runtime.warnings:
        event(log, "config_warning", logging.WARNING, detail=warning)
    return runtime


async def _services(stack: AsyncExitStack, runtime: Runtime, *, dry_run: bool, as_json: bool,
                    alerts_jsonl: str | None):
    """Build store, fetcher, pool, sinks and (with a token) the Telegram outbox."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from alerts.outbox import Outbox
    from alerts.reachability import Reachability
    from alerts.sinks import append_jsonl, print_alert
    from alerts.telegram import TelegramSender
    from service.membership import Membership
    from service.pipeline import Services
    from service.worker import admin_chat
    from fetchers.http import Fetcher
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


async def _once(args: argparse.Namespace) -> int:
    from service.pipeline import flush_digests, forget_old_entries, run_cycle

    runtime = _load(args.config)
    async with AsyncExitStack() as stack:
        services, outbox = await _services(stack, runtime, dry_run=args.dry_run, as_json=args.json,
                                           alerts_jsonl=args.alerts_jsonl)
        with _progress(len(runtime.config.feeds)) as progress:
            report = await run_cycle(services, progress=progress)
        flush_digests(services)
        forget_old_entries(services.store)
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
def _progress(total: int) -> Iterator[Callable[[str], None] | None]:
    """A progress bar over the feeds when stderr is a terminal; log lines scroll above it."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=_console(stderr=True)) as bar:
        task = bar.add_task("feeds", total=total)
        handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
        streams = [h.setStream(sys.stderr) for h in handlers]  # rich's proxy while the bar is shown
        try:
            yield lambda name: bar.update(task, advance=1, description=name[:30])
        finally:
            for handler, stream in zip(handlers, streams):
                handler.setStream(stream)


def _in_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio is imported by the commands that need it: classify starts ~0.1 s sooner without it."""
    import asyncio

    return asyncio.run(coroutine)


async def _run(args: argparse.Namespace) -> int:
    import asyncio

    from alerts.subscribers import stop_polling
    from service.worker import Worker

    path = config_path(args.config)
    runtime = _load(path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with AsyncExitStack() as stack:
        services, outbox = await _services(stack, runtime, dry_run=args.dry_run, as_json=args.json,
                                           alerts_jsonl=args.alerts_jsonl)
        commands = await _subscriber_bot(services, outbox) if outbox else None
        await Worker(path, services, outbox).run(stop)
        if commands:
            await stop_polling(commands)
    event(log, "worker_stopped")
    return 0


async def _subscriber_bot(services, outbox):
    """Answer /start, /subscribe and friends while the worker runs (Telegram mode only)."""
    from alerts.subscribers import build_app, start_polling

    app = build_app(os.environ["TELEGRAM_BOT_TOKEN"].strip(), os.environ.get("TELEGRAM_API_URL") or DEFAULT_API_URL,
                    services.store, lambda: {n: t.label for n, t in services.runtime.config.topics.items()},
                    outbox.reachability)
    return app if await start_polling(app) else None


def _classify(args: argparse.Namespace) -> int:
    from classifiers.language import detect_language
    from classifiers.topics import classify

    runtime = _load(args.config)
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            title, text = str(item.get("title") or ""), str(item.get("text") or "")
        except (json.JSONDecodeError, AttributeError) as exc:
            out.write(json.dumps({"id": None, "line": number, "error": f"invalid JSON line: {exc}"}) + "\n")
            continue
        result = classify(runtime.classifier, title, text, detect_language(f"{title}\n{text}"), detail=False)
        topics = {
            name: {"score": score.score, "alert": score.alert, "matched": score.matched}
            for name, score in result.topics.items()
        }
        out.write(json.dumps({"id": item.get("id"), "lang": result.lang, "topics": topics}, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def _explain(args: argparse.Namespace) -> int:
    from classifiers.explain import explain_text
    from fetchers.targets import read_target

    runtime = _load(args.config)
    try:
        title, text, origin = _in_loop(read_target(args.target, runtime.config.fetch))
    except (OSError, ValueError) as exc:
        print(f"explain: cannot read {args.target}: {exc}", file=sys.stderr)
        return 1
    _console().print(*explain_text(runtime.classifier, title, text, origin))
    return 0


def _check_config(args: argparse.Namespace) -> int:
    from core.config import config_path

    path = config_path(args.path)
    try:
        runtime = load_runtime(path)
    except ConfigError as exc:
        print(f"{path}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    for warning in runtime.warnings:
        print(f"warning: {warning}")
    config = runtime.config
    print(f"{path}: OK ({len(config.feeds)} feeds, {len(config.topics)} topics, {len(config.channels)} channels, "
          f"{runtime.classifier.lexicon.size} patterns)")
    return 0


def _tune(args: argparse.Namespace) -> int:
    from classifiers.tuning import points_toml, tune
    from service.config_edit import apply_proposal

    runtime = _load(args.config)
    path = config_path(args.config)
    from service.labelled import read_rows

    try:
        articles = [row for file in args.files for row in read_rows(Path(file))]
    except (OSError, json.JSONDecodeError) as exc:
        print(f"tune: cannot read labelled articles: {exc}", file=sys.stderr)
        return 1
    text = path.read_text(encoding="utf-8")
    for name in args.topic or list(runtime.config.topics):
        if name not in runtime.config.topics:
            print(f"tune: unknown topic {name!r} (topics: {', '.join(runtime.config.topics)})", file=sys.stderr)
            return 2
        labelled = [(a.get("title", ""), a.get("text", ""), bool(a["labels"][name])) for a in articles
                    if name in a.get("labels", {})]
        if not any(label for *_, label in labelled) or all(label for *_, label in labelled):
            print(f"tune: {name}: needs articles labelled both ways", file=sys.stderr)
            return 1
        proposal = tune(runtime.classifier, name, labelled, precision=args.precision)
        print(f"# {name}: {len(labelled)} articles, {sum(l for *_, l in labelled)} on the topic")
        print(f"# expected on unseen articles (5-fold): precision {proposal.expected.precision:.3f}, "
              f"recall {proposal.expected.recall:.3f}; on these articles: precision {proposal.fitted.precision:.3f}, "
              f"recall {proposal.fitted.recall:.3f}")
        print(f"[topics.{name}]\nthreshold = {proposal.threshold:g}\n\n[topics.{name}.evidence]")
        for rule, points in proposal.points.items():
            print(f'"{rule}" = {points_toml(points)}')
        print()
        text = apply_proposal(text, proposal)
    if args.write:
        path.write_text(text, encoding="utf-8")
        print(f"written to {path}; check it with: python bot.py check-config {path}")
    return 0


def _feeds(args: argparse.Namespace) -> int:
    from rich.table import Table

    from store import Store

    from service.membership import LIVE_SECONDS
    from store import feed_lease

    runtime = _load(args.config)
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
    console = _console()
    console.print(table)
    console.print(_workers_table(workers))
    return 0


def _workers_table(workers: list[dict]):
    """The workers beating on this store: which, where, since when, how many feeds they poll now."""
    from rich.table import Table

    table = Table(title=f"Workers ({len(workers)} alive)")
    for column in ("worker", "host", "pid", "started", "last beat", "feeds polling now", "leader"):
        table.add_column(column)
    for w in workers:
        table.add_row(w["id"], w["host"], str(w["pid"]), datetime.fromtimestamp(w["started"]).strftime("%Y-%m-%d %H:%M"),
                      f"{time.time() - w['last_beat']:.0f}s ago", str(w["leases"]), "yes" if w["leader"] else "")
    return table


def _stats(args: argparse.Namespace) -> int:
    from rich.table import Table

    from service.health import last_heartbeat
    from service.membership import LIVE_SECONDS
    from service.report import daily_stats
    from store import Store

    config = _load(args.config).config
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
    console = _console()
    console.print(table)
    if heartbeat:
        beat, at = heartbeat
        console.print(f"worker: last heartbeat {time.time() - at:.0f}s ago (pid {beat['pid']}, config "
                      f"{beat['config']}, {beat['feeds']} feeds, {beat['feeds_failing']} failing, "
                      f"{beat['outbox_pending']} messages pending)")
    else:
        console.print("worker: no heartbeat recorded (the worker has not run with this database)")
    if workers:
        console.print(_workers_table(workers))
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from store import Store
    from store.copy import copy_store

    config = _load(args.config).config
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


def _backtest(args: argparse.Namespace) -> int:
    from service.backtest import read_articles, replay, report, summary

    runtime = _load(args.config)
    if "LOG_LEVEL" not in os.environ:  # the replay's own lines would bury what it prints
        logging.getLogger().setLevel(logging.WARNING)
    try:
        articles = read_articles(Path(f) for f in args.files)
    except (OSError, ValueError) as exc:
        print(f"backtest: {exc}", file=sys.stderr)
        return 1
    actions = replay(runtime, articles).actions
    if args.json:
        for action in actions:
            print(json.dumps(action.to_json(), ensure_ascii=False))
        print(json.dumps(summary(actions), ensure_ascii=False))
    else:
        print(report(actions, runtime.config.bot.timezone))
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="bot.py", description=__doc__.split("\n\n")[0],
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    config_help = "config file (default: $BOT_CONFIG or config.toml)"

    run = commands.add_parser("run", help="long-running worker; console output without TELEGRAM_BOT_TOKEN")
    once = commands.add_parser("once", help="one full cycle over every feed, then exit")
    for sub in (run, once):
        sub.add_argument("--config", help=config_help)
        sub.add_argument("--dry-run", action="store_true", help="never call Telegram; print alerts instead")
        sub.add_argument("--alerts-jsonl", metavar="PATH", help="append one JSON object per alert to PATH")
        sub.add_argument("--json", action="store_true", help="console alerts as JSON lines")
    once.add_argument("--max-wait", type=float, default=120.0, metavar="SECONDS",
                      help="how long to keep delivering after the cycle (default 120)")

    classify = commands.add_parser("classify", help='JSON lines {"id","title","text"} on stdin -> scores')
    classify.add_argument("--config", help=config_help)

    explain = commands.add_parser("explain", help="why a URL or file matched (or not), term by term")
    explain.add_argument("--config", help=config_help)
    explain.add_argument("target", metavar="URL-or-FILE", help="article URL, .html page, .txt (title on line 1) or -")

    check = commands.add_parser("check-config", help="validate a config; exit 2 listing every problem")
    check.add_argument("path", nargs="?", metavar="PATH", help=config_help)

    tune = commands.add_parser("tune", help="fit evidence points and thresholds to labelled articles")
    tune.add_argument("files", nargs="+", metavar="FILE",
                      help='JSON lines {"title","text","labels":{"<topic>": true|false}}')
    tune.add_argument("--config", help=config_help)
    tune.add_argument("--topic", action="append", help="only this topic (repeatable; default: all)")
    tune.add_argument("--precision", type=float, metavar="P",
                      help="choose the threshold with the most recall at this precision (default: best F1)")
    tune.add_argument("--write", action="store_true", help="write the points and thresholds into the config file")

    feeds = commands.add_parser("feeds", help="feed health: last success, failures, next poll")
    feeds.add_argument("--config", help=config_help)

    stats = commands.add_parser("stats", help="alerts per topic per day, messages sent, the worker's heartbeat")
    stats.add_argument("--config", help=config_help)
    stats.add_argument("--days", type=int, default=14, help="how many days back (default 14)")
    stats.add_argument("--json", action="store_true", help="one JSON object instead of a table")

    migrate = commands.add_parser("migrate", help="apply the store's migrations (the worker does too when it starts)")
    migrate.add_argument("--config", help=config_help)
    migrate.add_argument("--from", dest="source", metavar="SQLITE_FILE",
                         help="copy this SQLite store's feeds, entries, stories, outbox and chats into the store")

    backtest = commands.add_parser("backtest", help="replay timestamped articles: what each channel would have received")
    backtest.add_argument("files", nargs="+", metavar="FILE",
                          help='JSON lines {"id","title","text","source","url","published"} (.gz too)')
    backtest.add_argument("--config", help=config_help)
    backtest.add_argument("--json", action="store_true", help="one JSON object per action, then a summary object")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging()
    handlers = {
        "run": lambda: _in_loop(_run(args)),
        "once": lambda: _in_loop(_once(args)),
        "classify": lambda: _classify(args),
        "explain": lambda: _explain(args),
        "check-config": lambda: _check_config(args),
        "tune": lambda: _tune(args),
        "feeds": lambda: _feeds(args),
        "stats": lambda: _stats(args),
        "migrate": lambda: _migrate(args),
        "backtest": lambda: _backtest(args),
    }
    return handlers[args.command]()


if __name__ == "__main__":
    sys.exit(main())
