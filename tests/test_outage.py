"""A Telegram outage: a few lines in the log however long it lasts, nothing lost after it."""

from __future__ import annotations

import time

import httpx

from alerts.reachability import REMIND, Reachability
from devtools.feed_server import FeedServer, article_page, rss, static
from tests.conftest import TOKEN, bot_env, write_config
from tests.test_reload import Output
from tests.test_grouping import AFP
from tests.test_websub import STRIKE
from tests.test_worker import start, wait_for


def test_five_minutes_of_failures_are_told_in_a_few_lines(caplog):
    clock = [1000.0]
    reach = Reachability(lambda: 7, clock=lambda: clock[0])
    with caplog.at_level("INFO", logger="alerts.telegram"):
        for _ in range(300):  # every retry of every caller for five minutes
            reach.down("sender", ConnectionError("refused"))
            reach.down("commands", ConnectionError("refused"))
            clock[0] += 1
        assert reach.status().startswith("unreachable since")
        reach.up()
        reach.up()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2 + int(300 // REMIND) <= 10, lines
    assert lines[0].startswith("telegram_unreachable") and "backlog=7" in lines[0]
    assert lines[-1].startswith("telegram_reachable") and "outage_s=300" in lines[-1]
    assert reach.reachable and reach.status() == "ok"


def test_an_outage_during_run_is_told_once_and_everything_is_delivered_after(tmp_path, telegram):
    with FeedServer() as site:
        site.routes["/feed.xml"] = static(rss(site.base, []), "application/rss+xml")
        site.routes["/a/s0.html"] = static(article_page("غارات على معرة النعمان", STRIKE), "text/html")
        site.routes["/a/s1.html"] = static(article_page("جلسة طارئة لمجلس الأمن بشأن إدلب", AFP), "text/html")
        config = write_config(tmp_path / "c.toml", [("f", site.url("feed.xml"), None)], extra="[server]\nport = 0\n")
        config.write_text(config.read_text(encoding="utf-8").replace('name = "f"', 'name = "f"\ninterval = 30'),
                          encoding="utf-8")
        worker = start(config, bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=telegram.base_url))
        output = Output(worker)
        try:
            assert wait_for(lambda: output.has("subscriber_bot_started") and output.has("health_server"), 30), \
                output.lines
            base = output.has("health_server").split("url=")[1].split()[0]
            telegram.unreachable = True  # Telegram goes away while the worker polls for commands...
            site.routes["/feed.xml"] = static(rss(site.base, [("s0", "غارات على معرة النعمان"),
                                                              ("s1", "جلسة طارئة لمجلس الأمن بشأن إدلب")]),
                                              "application/rss+xml")
            assert wait_for(lambda: len([l for l in output.lines if "alert_queued" in l]) == 2, 45), output.lines
            assert wait_for(lambda: output.has("telegram_unreachable"), 10), output.lines
            time.sleep(3)  # ...and the alerts meet it
            assert wait_for(lambda: "unreachable since" in httpx.get(f"{base}/healthz", timeout=5).text, 20)
            healthz = httpx.get(f"{base}/healthz", timeout=5)
            assert healthz.status_code == 200  # the worker itself is healthy
            assert "bot_telegram_reachable 0.0" in httpx.get(f"{base}/metrics", timeout=5).text
            telegram.unreachable = False
            assert wait_for(lambda: len(telegram.messages()) >= 2, 60), output.lines
            assert wait_for(lambda: output.has("telegram_reachable"), 10), output.lines
        finally:
            worker.terminate()
            worker.wait(timeout=15)
    told = [l for l in output.lines if "telegram_" in l or "Traceback" in l or "delivery_retry" in l]
    assert len(told) <= 10 and not any("Traceback" in l for l in output.lines), told
    assert "backlog=" in output.has("telegram_unreachable") and "outage_s=" in output.has("telegram_reachable")
