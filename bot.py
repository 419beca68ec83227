"""Arabic coverage monitor: watches Arabic news feeds, alerts Telegram on the UN Security
Council and on military escalation in Syria.

Commands (python bot.py COMMAND --help for each):
  run           the long-running worker (APScheduler, one job per feed)
  once          one full cycle over every feed, then exit
  classify      JSON lines in, topic scores out (no network)
  explain       why a page, file or text matched or not
  check-config  validate a config file; exit 2 with every problem found
  tune          fit each topic's evidence points to labelled articles; propose or write them
  suggest       cue words mined from labelled articles, each with the alerts it would gain and lose
  feedback      the desk's marks on alerts: right, wrong, missed per topic; --export them as labels
  feeds         feed health from the store, and the workers polling them
  stats         alerts per topic per day, and the workers
  migrate       bring the store's schema up to date; --from copies an SQLite store into it
  backtest      replay timestamped articles through the worker: what each channel would have received;
                --from-store: last week's articles under an edited config, against the running one

The entry point only: arguments and dispatch. Each command's work lives with what it drives
(service/operate.py, reading.py, status.py, backtest.py), imported when the command runs, so
`classify` starts without the worker's imports.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from core.logs import setup_logging

# command -> (module, function); coroutines run in an event loop
COMMANDS = {
    "run": ("service.operate", "run"),
    "once": ("service.operate", "once"),
    "classify": ("service.reading", "classify"),
    "explain": ("service.reading", "explain"),
    "check-config": ("service.reading", "check_config"),
    "tune": ("service.reading", "tune"),
    "feedback": ("service.feedback", "feedback"),
    "suggest": ("service.reading", "suggest"),
    "feeds": ("service.status", "feeds"),
    "stats": ("service.status", "stats"),
    "migrate": ("service.status", "migrate"),
    "backtest": ("service.backtest", "command"),
}


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
    tune.add_argument("files", nargs="*", metavar="FILE",
                      help='JSON lines {"title","text","labels":{"<topic>": true|false}}')
    tune.add_argument("--from-store", action="store_true",
                      help="add the desk's marks from the store (each weighs 3 labelled articles)")
    tune.add_argument("--config", help=config_help)
    tune.add_argument("--topic", action="append", help="only this topic (repeatable; default: all)")
    tune.add_argument("--precision", type=float, metavar="P",
                      help="choose the threshold with the most recall at this precision (default: best F1)")
    tune.add_argument("--write", action="store_true", help="write the points and thresholds into the config file")

    suggest = commands.add_parser("suggest", help="cue words that separate labelled articles, with their effect")
    suggest.add_argument("files", nargs="+", metavar="FILE",
                         help='JSON lines {"title","text","labels":{"<topic>": true|false}} (.gz too)')
    suggest.add_argument("--config", help=config_help)
    suggest.add_argument("--topic", action="append", help="only this topic (repeatable; default: all)")
    suggest.add_argument("--top", type=int, default=10, help="suggestions per topic (default 10)")
    suggest.add_argument("--json", action="store_true", help="one JSON object per topic")

    feedback = commands.add_parser("feedback", help="the desk's marks on alerts: right, wrong, missed, per topic")
    feedback.add_argument("--config", help=config_help)
    feedback.add_argument("--days", type=int, default=14, help="how many days back (default 14)")
    feedback.add_argument("--json", action="store_true", help="one JSON object {topics, marks}")
    feedback.add_argument("--export", metavar="FILE", help="write the marked articles as labelled JSON lines")

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

    backtest = commands.add_parser("backtest",
                                   help="replay timestamped articles: what each channel would have received")
    backtest.add_argument("files", nargs="*", metavar="FILE",
                          help='JSON lines {"id","title","text","source","url","published"} (.gz too)')
    backtest.add_argument("--from-store", action="store_true",
                          help="replay the articles the worker kept, under --config against --against")
    backtest.add_argument("--days", type=float, default=7, help="with --from-store: how many days back (default 7)")
    backtest.add_argument("--against", metavar="PATH",
                          help="with --from-store: the config compared with (default: $BOT_CONFIG or config.toml)")
    backtest.add_argument("--config", help=config_help)
    backtest.add_argument("--json", action="store_true", help="one JSON object per action, then a summary object")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging()
    module, name = COMMANDS[args.command]
    result = getattr(importlib.import_module(module), name)(args)
    if hasattr(result, "__await__"):  # run and once are coroutines
        from service.cli import in_loop

        result = in_loop(result)
    return result


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the reader left (`classify | head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
