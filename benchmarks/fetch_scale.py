"""Polling 1,000 feeds: the worker's cycle against feeds polled one after another.

    python benchmarks/fetch_scale.py [--feeds 1000] [--cycles 100] [--delay 0.08] [--publish 4] [--database-url URL]

A server process on 127.0.0.1 (asyncio, one port per outlet, ten feeds each) answers every
request after ``--delay`` seconds, as a distant server does. Each feed starts with one
article; afterwards ``--publish`` % of feeds (4) publish an item per cycle, the rest answer
304. A few feeds are slow (1.5 s) or broken (500, malformed XML). The worker's own
``run_cycle`` polls them (its httpx client, process pool for extraction, SQLite),
then a simple bot polls the same feeds sequentially with conditional GETs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from email.utils import format_datetime
from multiprocessing import Event, Process, Queue, get_context
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.scratch import scratch_schema  # noqa: E402

FEEDS_PER_HOST = 10
PAGES = sorted((ROOT / "tests" / "fixtures" / "site").glob("[!f]*/*.html"))


def publishes(feed: int, cycle: int, percent: int) -> bool:
    return cycle > 0 and (feed * 7919 + cycle * 104729) % 100 < percent


def kind(feed: int) -> str:
    return {997: "slow", 991: "slow", 983: "error", 977: "error", 971: "junk"}.get(feed % 1000, "ok")


def serve(feeds: int, delay: float, percent: int, ports: Queue, stop: Event) -> None:
    """The outlets, in a child process so the worker does not share its GIL.

    A small asyncio HTTP/1.1 server (keep-alive, one port per outlet): http.server's
    thread per connection tops out near 250 requests/s here and would be measured
    instead of the worker."""
    asyncio.run(_serve(feeds, delay, percent, ports, stop))


async def _serve(feeds: int, delay: float, percent: int, ports: Queue, stop: Event) -> None:
    cycle = [0]
    pages = [p.read_bytes() for p in PAGES]
    polls: dict[int, list[float]] = {}  # feed -> when it was asked for (benchmarks/workers.py reads /polls)

    def version(feed: int) -> int:
        return sum(publishes(feed, c, percent) for c in range(cycle[0] + 1))

    def answer(path: str, headers: dict[str, str], port: int) -> tuple[int, bytes, str, str]:
        """(status, body, content type, etag)"""
        parts = path.strip("/").split("/")
        feed = int(parts[1])
        if parts[0] == "page":
            return 200, pages[(feed + int(parts[2].split(".")[0])) % len(pages)], "text/html; charset=utf-8", ""
        if kind(feed) == "error":
            return 500, b"upstream error", "text/plain", ""
        if kind(feed) == "junk":
            return 200, b"<rss><channel><item><title>broken", "application/rss+xml", ""
        current = version(feed)
        etag = f'"{feed}-{current}"'
        if headers.get("if-none-match") == etag:
            return 304, b"", "", etag
        base = f"http://127.0.0.1:{port}"
        items = "".join(
            f"<item><title>خبر {n} من المصدر {feed}</title><link>{base}/page/{feed}/{n}.html</link>"
            f"<guid>{feed}-{n}</guid><pubDate>{format_datetime(datetime.now(timezone.utc))}</pubDate></item>"
            for n in range(current, max(-1, current - 10), -1))
        body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{feed}</title>' \
               f"{items}</channel></rss>"
        return 200, body.encode(), "application/rss+xml", etag

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        port = writer.get_extra_info("sockname")[1]
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:] if l)}
                if path.startswith("/advance/"):
                    cycle[0] = int(path.rsplit("/", 1)[1])
                    status, body, ctype, etag = 200, b"ok", "text/plain", ""
                elif path == "/polls":
                    body, status, ctype, etag = json.dumps(polls).encode(), 200, "application/json", ""
                else:
                    if path.startswith("/feed/"):
                        polls.setdefault(int(path.rsplit("/", 1)[1]), []).append(time.time())
                    await asyncio.sleep(delay)
                    if kind(int(path.strip("/").split("/")[1])) == "slow" and path.startswith("/feed/"):
                        await asyncio.sleep(1.5)
                    status, body, ctype, etag = answer(path, headers, port)
                extra = (f"Content-Type: {ctype}\r\n" if ctype else "") + (f"ETag: {etag}\r\n" if etag else "")
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    servers = [await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
               for _ in range((feeds + FEEDS_PER_HOST - 1) // FEEDS_PER_HOST)]
    ports.put([s.sockets[0].getsockname()[1] for s in servers])
    await asyncio.get_running_loop().run_in_executor(None, stop.wait)


def feed_urls(ports: list[int], feeds: int) -> list[str]:
    return [f"http://127.0.0.1:{ports[i // FEEDS_PER_HOST]}/feed/{i}" for i in range(feeds)]


def write_config(urls: list[str], directory: Path) -> Path:
    lines = ["[fetch]", "deadline = 5", "connect_timeout = 2", "read_timeout = 3", "concurrency = 50", "per_host = 4", ""]
    for n, url in enumerate(urls):
        lines += ["[[feeds]]", f'name = "feed {n}"', f'url = "{url}"', ""]
    path = directory / "bench.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@contextmanager
def scratch_store(database_url: str | None, directory: Path) -> Iterator[Path | str]:
    """An SQLite file in ``directory``, or a fresh schema of ``database_url`` (dropped afterwards)."""
    if not database_url:
        yield directory / "bench.sqlite3"
        return
    with scratch_schema(database_url) as url:
        yield url


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def worker_cycles(config: Path, db: Path | str, advance: str, cycles: int) -> list[tuple[float, int, int, float]]:
    from fetchers.http import Fetcher
    from service.pipeline import Services, run_cycle
    from service.runtime import load_runtime
    from store import Store

    runtime = load_runtime(str(config))
    fetcher = Fetcher(runtime.config.fetch)
    pool = ProcessPoolExecutor(max_workers=os.cpu_count() or 2, mp_context=get_context("forkserver"))
    services = Services(runtime, Store(db), fetcher, pool)
    results = []
    async with httpx.AsyncClient() as control:
        for cycle in range(cycles + 1):
            await control.get(f"{advance}/advance/{cycle}")
            report = await run_cycle(services)
            results.append((report.seconds, report.new_entries, len(report.failed), rss_mb()))
    await fetcher.aclose()
    pool.shutdown()
    return results


def sequential(urls: list[str]) -> float:
    """A simple bot: one feed after another, conditional GET, feed parsed when changed."""
    import feedparser

    etags: dict[str, str] = {}
    with httpx.Client(timeout=5) as client:
        for _ in range(2):  # the first pass learns the ETags; the second is timed
            started = time.perf_counter()
            for url in urls:
                try:
                    response = client.get(url, headers={"If-None-Match": etags.get(url, "")})
                except httpx.HTTPError:
                    continue
                if response.status_code == 200:
                    etags[url] = response.headers.get("etag", "")
                    feedparser.parse(response.content)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.08)
    parser.add_argument("--publish", type=int, default=4, help="percent of feeds with a new item per cycle")
    parser.add_argument("--database-url", metavar="URL", help="a PostgreSQL database (a schema of its own is made and "
                                                              "dropped) instead of an SQLite file")
    args = parser.parse_args()
    ports: Queue = Queue()
    stop = Event()
    server = Process(target=serve, args=(args.feeds, args.delay, args.publish, ports, stop), daemon=True)
    server.start()
    port_list = ports.get(timeout=30)
    urls = feed_urls(port_list, args.feeds)
    with tempfile.TemporaryDirectory() as tmp, scratch_store(args.database_url, Path(tmp)) as target:
        config = write_config(urls, Path(tmp))
        results = asyncio.run(worker_cycles(config, target, f"http://127.0.0.1:{port_list[0]}", args.cycles))
    cold, steady = results[0], results[1:]
    times = [r[0] for r in steady]
    articles = sum(r[1] for r in steady)
    print(f"store: {'PostgreSQL' if args.database_url else 'SQLite'}")
    print(f"{args.feeds} feeds on {len(port_list)} hosts, {args.delay * 1000:.0f} ms per answer, "
          f"{args.publish}% publish per cycle, {sum(kind(i) != 'ok' for i in range(args.feeds))} slow/broken")
    print(f"cold cycle (every feed 200 + one article each): {cold[0]:.2f} s, {cold[1]} articles "
          f"= {cold[1] / cold[0]:.0f} articles/s fetched, extracted and classified")
    if steady:
        print(f"steady cycles ({len(steady)}): median {statistics.median(times):.2f} s, max {max(times):.2f} s, "
              f"{args.feeds / statistics.median(times):.0f} feed requests/s, {articles} new articles in all")
        first, last = steady[: max(1, len(steady) // 10)], steady[-max(1, len(steady) // 10):]
        print(f"worker memory (RSS): peak {max(r[3] for r in results):.0f} MB; "
              f"first cycles {statistics.mean(r[3] for r in first):.0f} MB, "
              f"last cycles {statistics.mean(r[3] for r in last):.0f} MB")
    baseline = sequential(urls)
    print(f"one after another (simple bot): {baseline:.1f} s per cycle; "
          f"worker is {baseline / statistics.median(times or [cold[0]]):.0f}x faster")
    stop.set()
    server.join(5)


if __name__ == "__main__":
    main()
