"""Several workers on one PostgreSQL database: each one's share of the feeds, and what SIGKILL costs.

    python benchmarks/workers.py share [--workers 3] [--feeds 3000] [--database-url URL]
    python benchmarks/workers.py kills [--workers 3] [--feeds 300] [--kills 2] [--minutes 5] [--database-url URL]

share: the outlets of benchmarks/fetch_scale.py (ten feeds per port, 80 ms answers, one
article per feed), each feed's interval pinned at 30 s; N `bot.py run` workers start
together. After the first pass and one interval, polls are counted for two minutes:
how long each feed takes to come round again (its cycle: the interval when the workers
keep pace), feeds missed or polled twice, and each worker's share.
`--workers 1 --feeds 1000` gives the one-worker figure it compares with.

kills: feeds with a pinned 60 s interval behind 80 ms answers; every 30 s 4% of them
publish a real article from tests/fixtures/real; N workers deliver to the loopback Bot
API (which enforces Telegram's flood limits). One worker is killed with SIGKILL
mid-cycle and restarted 20 s later, KILLS times. Prints alerts lost, messages
repeated, feeds polled twice within their interval, and flood limits crossed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import Event, Process, Queue
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.fetch_scale import feed_urls, kind, scratch_store, serve  # noqa: E402
from devtools.fake_telegram import FakeTelegram  # noqa: E402
from devtools.feed_server import FeedServer, article_page, reply, rss, slow  # noqa: E402

TOKEN = "987654321:AAHfakeTokenForBenchmarksOnly_abcdefg"
FETCH = "[fetch]\ndeadline = 5\nconnect_timeout = 2\nread_timeout = 3\nconcurrency = 50\nper_host = 4\n\n"
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/test"
QUEUED = 5.0  # seconds a request may wait in the worker's queues before it reaches the server: two polls of one
# feed closer than its interval less this were not paced by it (a second worker, or a bug)


def start_worker(config: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "run", "--config", str(config)], env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("a"), cwd=ROOT)


def stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=30)


def share(args: argparse.Namespace) -> None:
    ports: Queue = Queue()
    done = Event()
    server = Process(target=serve, args=(args.feeds, args.delay, 0, ports, done), daemon=True)
    server.start()
    port_list = ports.get(timeout=30)
    urls = feed_urls(port_list, args.feeds)
    polls_url = f"http://127.0.0.1:{port_list[0]}/polls"
    with tempfile.TemporaryDirectory() as tmp, scratch_store(args.database_url, Path(tmp)) as target:
        config = Path(tmp) / "c.toml"
        config.write_text(FETCH + "".join(f'[[feeds]]\nname = "feed {n}"\nurl = "{url}"\ninterval = {args.interval}\n\n'
                                          for n, url in enumerate(urls)), encoding="utf-8")
        env = {"PATH": "/usr/bin:/bin", "DATABASE_URL" if args.database_url else "BOT_DB": str(target),
               "LOG_LEVEL": "INFO"}
        logs = [Path(tmp) / f"worker{n}.log" for n in range(args.workers)]
        started = time.time()
        workers = [start_worker(config, env, log) for log in logs]
        try:
            while len(httpx.get(polls_url).json()) < args.feeds and time.time() - started < args.timeout:
                time.sleep(0.5)
            first_pass = time.time() - started
            time.sleep(args.interval)  # the first pass's articles are read; what follows is the steady pace
            measured_from = time.time()
            time.sleep(args.measure)
            polls = {int(feed): [t for t in times if t >= measured_from]
                     for feed, times in httpx.get(polls_url).json().items()}
        finally:
            stop(workers)
        owned = [re.findall(r"owned=(\d+)", log.read_text()) for log in logs]
        failed = sum(log.read_text().count("feed_failed") for log in logs)
    done.set()
    server.join(5)
    healthy = [n for n in range(args.feeds) if kind(n) == "ok"]  # slow and broken feeds keep their own pace
    gaps = sorted(b - a for n in healthy for a, b in zip([measured_from, *polls.get(n, [])], polls.get(n, [])))
    late = sum(1 for n in healthy if not polls.get(n))
    twice = sum(1 for n in healthy for a, b in zip(polls.get(n, []), polls.get(n, [])[1:])
                if b - a < args.interval - QUEUED)
    print(f"{args.workers} worker(s), {args.feeds} feeds ({args.delay * 1000:.0f} ms answers, one article each, "
          f"each feed's interval pinned at {args.interval} s), store: {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"first pass (every feed asked for once, start-up included): {first_pass:.1f} s")
    print(f"then {args.measure:g} s measured: {sum(map(len, polls.values()))} polls; the time every feed takes to "
          f"come round again (its cycle): median {statistics.median(gaps):.1f} s, p99 {gaps[int(0.99 * len(gaps))]:.1f} s, "
          f"max {gaps[-1]:.1f} s; feeds not polled in the window: {late}; polled twice within the interval: {twice}")
    print("feeds owned per worker at the end: " + " / ".join(o[-1] if o else "?" for o in owned)
          + f"; failed polls (all told): {failed}")


def relevant_articles() -> list[dict]:
    rows = [json.loads(line) for path in sorted((ROOT / "tests" / "fixtures" / "real").glob("classifier_*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]
    seen, found = set(), []
    for row in rows:
        if any(row["labels"].values()) and row["title"] not in seen and len(row["text"]) > 400:
            seen.add(row["title"])
            found.append(row)
    random.Random(7).shuffle(found)
    return found


def kills(args: argparse.Namespace) -> None:
    articles = iter(relevant_articles())
    items: list[list[tuple[str, str]]] = [[] for _ in range(args.feeds)]
    published: list[tuple[float, str]] = []  # (when, page url)
    with FeedServer() as site, FakeTelegram(enforce_limits=True) as telegram, \
            tempfile.TemporaryDirectory() as tmp, scratch_store(args.database_url or DEFAULT_DB, Path(tmp)) as url:
        for n in range(args.feeds):
            site.routes[f"/o{n}/feed.xml"] = slow(args.delay, lambda h, n=n: reply(
                h, 200, rss(f"{site.base}/o{n}", items[n]), "application/rss+xml"))

        def publish() -> None:
            for n in random.sample(range(args.feeds), max(1, args.feeds * 4 // 100)):
                article = next(articles)
                guid = f"a{len(published)}"
                page = article_page(article["title"], article["text"])
                site.routes[f"/o{n}/a/{guid}.html"] = slow(args.delay, lambda h, page=page: reply(
                    h, 200, page, "text/html; charset=utf-8"))
                items[n].insert(0, (guid, article["title"]))
                published.append((time.time(), f"{site.base}/o{n}/a/{guid}.html"))

        config = Path(tmp) / "c.toml"
        config.write_text(FETCH + "".join(f'[[feeds]]\nname = "o{n}"\nurl = "{site.base}/o{n}/feed.xml"\n'
                                          f"interval = {args.interval}\n\n" for n in range(args.feeds))
                          + '[[channels]]\nchat_id = "-1001"\ntopics = ["security_council"]\n\n'
                          '[[channels]]\nchat_id = "-1002"\ntopics = ["syria_escalation"]\n', encoding="utf-8")
        env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "TELEGRAM_BOT_TOKEN": TOKEN,
               "TELEGRAM_API_URL": telegram.base_url}
        log = Path(tmp) / "workers.log"
        workers = [start_worker(config, env, log) for _ in range(args.workers)]
        span = args.minutes * 60
        plan = {75 + 75 * k: "kill" for k in range(args.kills)}  # the same worker each time, restarted 20 s later
        plan.update({95 + 75 * k: "start" for k in range(args.kills)})
        started, next_publish, killed = time.time(), 0.0, 0
        try:
            while (now := time.time() - started) < span:
                if now >= next_publish and now < span - args.interval - 30:
                    publish()
                    next_publish += 30
                for moment in [m for m in plan if m <= now]:
                    if plan.pop(moment) == "kill":
                        workers[0].send_signal(signal.SIGKILL)
                        workers[0].wait(timeout=10)
                        killed += 1
                    else:
                        workers[0] = start_worker(config, env, log)
                time.sleep(0.2)
            from store import Store

            store = Store(url)
            deadline = time.time() + 90
            while store.pending_count() and time.time() < deadline:
                time.sleep(1)
            seen = {row["url"]: row["story_id"] for row in store._db.rows("SELECT url, story_id FROM seen")}  # noqa: SLF001
            unsent = {row["story_id"] for row in store._db.rows(  # noqa: SLF001
                "SELECT story_id FROM outbox WHERE status != 'sent' OR edit_pending = 1")}
            rows = store._db.rows("SELECT chat_id, story_id FROM outbox WHERE status = 'sent'")  # noqa: SLF001
            store.close()
        finally:
            stop(workers)
        sent = [(str(m.params["chat_id"]), m.params["text"].split("</b>", 1)[0]) for m in telegram.messages()]
        polls = site.polls("feed.xml")
        refused = telegram.refused
        times = [(str(m.params["chat_id"]), m.at) for m in telegram.messages()]
        per_minute = {chat: max((sum(1 for c, t in times if c == chat and s <= t < s + 60)
                                 for c2, s in times if c2 == chat), default=0) for chat in ("-1001", "-1002")}
    never_polled = [u for _, u in published if u not in seen]
    alerted = [u for _, u in published if seen.get(u)]
    lost = never_polled + [u for u in alerted if seen[u] in unsent]
    twice = sum(1 for times in polls.values() for a, b in zip(times, times[1:]) if b - a < args.interval - QUEUED)
    print(f"{args.workers} workers on PostgreSQL, {args.feeds} feeds (interval {args.interval} s, "
          f"{args.delay * 1000:.0f} ms answers), {args.minutes:g} minutes, {killed} SIGKILLs (each restarted)")
    print(f"articles published: {len(published)}; alerted (alone or in a story): {len(alerted)}; "
          f"judged not relevant by the classifier: {len(published) - len(alerted) - len(never_polled)}")
    print(f"alerts lost: {len(lost)}; outbox rows sent: {len(rows)}; messages sent: {len(sent)}; "
          f"repeated: {len(sent) - len(set(sent))}")
    print(f"feed polls: {sum(map(len, polls.values()))}; polled twice within the interval: {twice}")
    print(f"flood limits: most messages to one channel in any minute: {max(per_minute.values())} (limit 20); "
          f"sends the Bot API refused with 429: {refused}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("share", "kills"))
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--feeds", type=int)
    parser.add_argument("--delay", type=float, default=0.08)
    parser.add_argument("--database-url", default=None, help=f"PostgreSQL (kills: default {DEFAULT_DB}; "
                                                              "share: SQLite when not given)")
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--interval", type=int, help="each feed's pinned interval (share: 30 s, kills: 60 s)")
    parser.add_argument("--measure", type=float, default=120, help="share: seconds of steady polling measured")
    parser.add_argument("--timeout", type=float, default=300, help="share: longest wait for the first pass")
    args = parser.parse_args()
    if args.mode == "share":
        args.feeds, args.interval = args.feeds or 3000, args.interval or 30
        share(args)
    else:
        args.feeds, args.interval = args.feeds or 300, args.interval or 60
        kills(args)


if __name__ == "__main__":
    main()
