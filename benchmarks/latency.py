"""Publication to channel: how long a new relevant item waits, with the shipped pacing.

    python benchmarks/latency.py [--minutes 12] [--feeds 6] [--seed 1]

Six loopback feeds of real articles (tests/fixtures/real/), each with an hour of
history (an item every 5 minutes) that keeps coming; at random moments each also
publishes two real Council or Syria-escalation stories (clear cases of the real holdout,
not the borderline ones: the classifier's figures are measured elsewhere). The worker runs as shipped
(`bot.py run`, the shipped topics and [fetch] pacing) with a Bot API stand-in. Printed:
how many new relevant items rang (a notification led by them) and how many joined a
situation already told (an edit or a silent reply), the latency from publication to the
first message showing them (median, p90, max) and to the ringing ones, and the most
requests any feed got in a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.fake_telegram import FakeTelegram  # noqa: E402
from devtools.feed_server import FeedServer, article_page, reply  # noqa: E402

TOKEN = "123456:latency-benchmark-token"
REAL = ROOT / "tests" / "fixtures" / "real"


class LiveFeed:
    """A feed whose items appear at given moments: what a poll sees is what was published by then."""

    def __init__(self, name: str, base: str) -> None:
        self.name, self.base = name, base
        self.items: list[tuple[float, str, dict]] = []  # (published, guid, article)
        self.requests: list[float] = []
        self.lock = threading.Lock()

    def add(self, when: float, guid: str, article: dict) -> None:
        with self.lock:
            self.items.append((when, guid, article))

    def route(self, handler) -> None:
        now = time.time()
        self.requests.append(now)
        with self.lock:
            shown = sorted((i for i in self.items if i[0] <= now), reverse=True)[:30]
        body = "".join(
            f"<item><title>{escape(a['title'])}</title><link>{self.base}/{self.name}/{guid}.html</link>"
            f"<guid>{guid}</guid><pubDate>{format_datetime(datetime.fromtimestamp(when, timezone.utc))}</pubDate>"
            f"</item>" for when, guid, a in shown)
        xml = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{self.name}</title>'
               f"<link>{self.base}</link><description>d</description>{body}</channel></rss>").encode()
        etag = f'"{hash(xml) & 0xFFFFFFFF:x}"'
        if handler.headers.get("If-None-Match") == etag:
            reply(handler, 304, b"", None, {"ETag": etag})
        else:
            reply(handler, 200, xml, "application/rss+xml; charset=utf-8", {"ETag": etag})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=12.0)
    parser.add_argument("--feeds", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = [json.loads(line) for line in (REAL / "classifier_holdout.jsonl").read_text(encoding="utf-8").splitlines()]
    relevant = [r for r in rows if (r["labels"]["security_council"] or r["labels"]["syria_escalation"])
                and "borderline" not in r["note"]]  # clear cases: this measures pacing, not borderline labels
    filler = [r for r in rows if not (r["labels"]["security_council"] or r["labels"]["syria_escalation"])]
    rng.shuffle(relevant)
    rng.shuffle(filler)
    start, span = time.time(), args.minutes * 60
    watched: list[tuple[str, float, dict]] = []  # (feed, published, article) of the new relevant items
    with FeedServer() as site, FakeTelegram() as telegram:
        feeds = [LiveFeed(f"feed{n}", site.base) for n in range(args.feeds)]
        pages: dict[str, bytes] = {}
        for n, feed in enumerate(feeds):
            site.routes[f"/{feed.name}.xml"] = feed.route
            for k in range(-12, int(span // 300) + 2):  # an hour of history, an item every 5 minutes, and on
                article = filler[(n * 40 + k + 12) % len(filler)]
                guid = f"f{n}-{k}"
                feed.add(start + k * 300 + rng.uniform(-60, 60), guid, article)
                pages[f"/{feed.name}/{guid}.html"] = article_page(article["title"], article["text"])
            for k in range(2):  # two relevant stories at random moments, after the first polls
                article = relevant[(2 * n + k) % len(relevant)]
                when = start + rng.uniform(90, span - 120)
                guid = f"r{n}-{k}"
                feed.add(when, guid, article)
                pages[f"/{feed.name}/{guid}.html"] = article_page(article["title"], article["text"])
                watched.append((feed.name, when, article))
        for path, body in pages.items():
            site.routes[path] = lambda handler, body=body: reply(handler, 200, body, "text/html; charset=utf-8")
        with tempfile.TemporaryDirectory() as tmp:
            shipped = (ROOT / "config.toml").read_text(encoding="utf-8")
            topics = shipped[shipped.index("# ----------------------------------------------------------------------- topics"):
                             shipped.index("# --------------------------------------------------------------------- channels")]
            fetch = shipped[shipped.index("[fetch]"):shipped.index("[storage]")]
            config = Path(tmp) / "config.toml"
            config.write_text(
                f'gazetteer = "{ROOT / "classifiers" / "entities.toml"}"\n{fetch}\n'
                + "".join(f'[[feeds]]\nname = "{f.name}"\nurl = "{site.base}/{f.name}.xml"\n\n' for f in feeds)
                + topics + '[[channels]]\nchat_id = "-1001"\ntopics = ["security_council"]\n\n'
                '[[channels]]\nchat_id = "-1002"\ntopics = ["syria_escalation"]\n', encoding="utf-8")
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": telegram.base_url,
                   "BOT_DB": str(Path(tmp) / "bot.sqlite3"), "LOG_LEVEL": "WARNING"}
            worker = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "run", "--config", str(config)], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
            try:
                time.sleep(max(0.0, start + span - time.time()))
            finally:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=30)
        shown = [(r.at, r.params.get("text", ""), r.rings) for r in telegram.received
                 if r.method in ("sendMessage", "editMessageText")]
    latencies, ringing, missed = [], [], []
    for feed, when, article in watched:
        arrivals = [(at, rings) for at, text, rings in shown if article["title"][:40] in text and at >= when]
        if arrivals:
            latencies.append(min(at for at, _ in arrivals) - when)
            first, rang = min(arrivals)
            if rang and escape(article["title"][:40]) in next(t for a, t, _ in shown if a == first).split("\n", 1)[0]:
                ringing.append(first - when)
        else:
            missed.append(article)
    per_minute = max((sum(1 for t in f.requests if s <= t < s + 60) for f in feeds for s in f.requests), default=0)
    print(f"{len(watched)} new relevant items on {len(feeds)} feeds over {args.minutes:g} minutes: "
          f"{len(latencies)} shown, {len(ringing)} of them ringing on their own, the others joining a situation")
    for name, values in (("publication -> first message showing it", latencies),
                         ("publication -> its own notification", ringing)):
        if values:
            values.sort()
            p90 = values[max(0, int(round(0.9 * len(values))) - 1)]
            print(f"latency {name}: median {statistics.median(values):.0f} s, p90 {p90:.0f} s, max {values[-1]:.0f} s")
    print(f"most requests to one feed in any minute: {per_minute}; polls per feed: "
          f"{statistics.mean(len(f.requests) for f in feeds) / args.minutes:.1f} a minute on average")
    if missed:
        from classifiers.topics import classify
        from service.runtime import load_runtime

        classifier = load_runtime(ROOT / "config.toml").classifier
        for article in missed:
            why = ("joined another story" if classify(classifier, article["title"], article["text"]).alert_topics
                   else "not alerted by the classifier")
            print(f"  no alert of its own ({why}): {article['title'][:60]}")


if __name__ == "__main__":
    main()
