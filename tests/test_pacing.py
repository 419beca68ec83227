"""Adaptive polling and backlog control: a new feed or an outage never floods subscribers."""

import asyncio
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from core.config import FeedConfig, FetchSettings, load_config
from devtools.feed_server import FeedServer, static
from fetchers.http import Fetcher
from fetchers.pacing import backlog_cutoff, failure_backoff, next_interval, observed_rate, quieter, smoothed
from service.pipeline import Services, run_cycle
from service.runtime import load_runtime
from store import Store
from tests.conftest import write_config

SETTINGS = FetchSettings(interval=120, min_interval=30, max_interval=900)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
FEED = FeedConfig(name="f", url="http://h/f")


def test_busy_feeds_are_polled_faster_and_quiet_ones_slower_within_bounds():
    every_5_min = [NOW - timedelta(minutes=5 * i) for i in range(13)]
    busy = observed_rate(every_5_min, 0, None, NOW.timestamp())
    assert 287 < busy < 289  # items per day
    assert 60 * 0.9 <= next_interval(FEED, SETTINGS, busy) <= 60 * 1.1  # five polls per item: a minute
    assert 30 * 0.9 <= next_interval(FEED, SETTINGS, 5000) <= 30 * 1.1  # never faster than min_interval
    assert 900 * 0.9 <= next_interval(FEED, SETTINGS, 2) <= 900 * 1.1  # a quiet feed: rarely
    assert 120 * 0.9 <= next_interval(FEED, SETTINGS, None) <= 120 * 1.1  # a rate not known yet
    pinned = FeedConfig(name="p", url="http://h/p", interval=300)
    assert 300 * 0.9 <= next_interval(pinned, SETTINGS, 5000) <= 300 * 1.1
    assert next_interval(FEED, FetchSettings(interval=300, max_interval=None), 1) <= 300 * 1.1  # no max: never slower


def test_a_feeds_own_ttl_or_max_age_is_heeded_when_under_an_hour():
    busy = 288.0
    assert 600 * 0.9 <= next_interval(FEED, SETTINGS, busy, asked=600) <= 600 * 1.1  # <ttl>10</ttl>
    assert next_interval(FEED, SETTINGS, busy, asked=7200) <= 60 * 1.1  # two hours: news cannot wait that long
    assert next_interval(FEED, SETTINGS, busy, asked=10) <= 60 * 1.1  # a lower bound, never a reason to hurry


def test_a_retry_after_is_obeyed():
    assert failure_backoff(FEED, SETTINGS, 1, retry_after=1800) >= 1800
    assert failure_backoff(FEED, SETTINGS, 1, retry_after=None) <= 120 * 1.1


def test_rates_smooth_and_decay():
    assert smoothed(None, 100) == 100 and smoothed(100, 50) == 75 and smoothed(80, None) == 80
    assert quieter(100) == 90 and quieter(None) is None
    assert observed_rate([None, None], 3, 3600, NOW.timestamp()) == 72  # undated feed: new items per elapsed time


def test_failing_feeds_back_off_to_a_cap():
    waits = [failure_backoff(FEED, SETTINGS, n) for n in (1, 2, 3, 12)]
    assert waits[0] < waits[1] < waits[2] and waits[3] <= 3600 * 1.1


def test_backlog_cutoff_first_poll_is_measured_from_the_newest_entry():
    now = NOW.timestamp()
    assert backlog_cutoff(SETTINGS, False, [NOW], now) == now - 6 * 3600
    archive = [NOW - timedelta(days=400), NOW - timedelta(days=401)]
    assert backlog_cutoff(SETTINGS, True, archive, now) == archive[0].timestamp() - 6 * 3600
    assert backlog_cutoff(FetchSettings(backlog_hours=0), True, archive, now) is None


def _rss(base: str, items: list[tuple[str, str, datetime, str]]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{base}/{guid}.html</link><guid>{guid}</guid>"
        f"<pubDate>{format_datetime(when)}</pubDate><description>{title}. {detail}</description></item>"
        for guid, title, when, detail in items)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode()


def _cycle(config_path, db):
    async def go():
        runtime = load_runtime(str(config_path))
        fetcher = Fetcher(runtime.config.fetch)
        try:
            return await run_cycle(Services(runtime, Store(db), fetcher))
        finally:
            await fetcher.aclose()
    return asyncio.run(go())


def test_a_new_feed_and_an_old_item_with_a_changed_guid_do_not_alert(tmp_path):
    now = datetime.now(timezone.utc)
    with FeedServer() as server:
        items = [("fresh", "غارات على سراقب في ريف إدلب", now - timedelta(hours=1),
                  "قصفت طائرات حربية روسية مدينة سراقب فجراً ما أدى إلى مقتل ثلاثة مدنيين بحسب الدفاع المدني."),
                 ("stale", "غارات على أريحا في ريف إدلب", now - timedelta(hours=30),
                  "استهدفت غارات جوية سوقاً شعبياً في أريحا وأوقعت قتلى وجرحى بين المتسوقين.")]
        server.routes["/feed"] = static(_rss(server.base, items), "application/rss+xml")
        config = write_config(tmp_path / "c.toml", [("f", server.url("feed"), None)])
        db = tmp_path / "db.sqlite3"
        first = _cycle(config, db)
        assert first.alerts == 1 and first.new_entries == 1  # the 30-hour-old item is backlog

        renamed = [items[0], ("stale-v2", *items[1][1:]),
                   ("later", "قصف مدفعي على جسر الشغور بريف إدلب", now - timedelta(minutes=5),
                    "سقطت قذائف مدفعية على أحياء جسر الشغور مساء الأحد وأصيب طفلان، وفق ناشطين محليين.")]
        server.routes["/feed"] = static(_rss(server.base + "/v2", renamed), "application/rss+xml")
        second = _cycle(config, db)
        assert second.alerts == 1 and second.new_entries == 1  # only "later"; the re-guided old item stays quiet
        state = Store(db).feed_state(server.url("feed"), "f")
        assert state.entries_per_day and state.interval and state.next_poll > state.last_success
    assert load_config(config).fetch.backlog_hours == 6
