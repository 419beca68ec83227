"""WebSub: a feed that names a hub pushes its updates; an alert follows within seconds."""

from __future__ import annotations

import json
import socket
import time

from devtools.feed_server import FeedServer, article_page, rss, static
from devtools.websub_hub import Hub
from fetchers.websub import Subscriptions, key_of, signature
from tests.conftest import bot_env, write_config
from tests.test_reload import Output
from tests.test_worker import start, wait_for

STRIKE = ("قصفت طائرات حربية بلدات في ريف إدلب الجنوبي صباح اليوم، ما أدى إلى مقتل خمسة مدنيين بينهم طفلان، "
          "بحسب الدفاع المدني السوري. وقال مراسلون إن الغارات استهدفت سوقاً شعبياً في بلدة معرة النعمان.")
QUIET = "افتتح معرض للكتاب في العاصمة الأردنية عمان بمشاركة مئات دور النشر العربية."


def test_the_challenge_is_echoed_only_for_what_was_asked_and_pushes_need_the_secret():
    subs = Subscriptions("https://bot.example")
    subs.want("http://feeds/a", "http://hub/", "http://feeds/a.self")
    key = key_of("http://feeds/a")
    assert subs.callback("http://feeds/a") == f"https://bot.example/websub/{key}"
    (sub,) = subs.due(0)
    assert subs.push(key, b"<rss/>", signature(sub.secret, b"<rss/>")) is None  # not verified yet
    assert subs.check(key, "hub.mode=subscribe&hub.topic=http://other&hub.challenge=x", 0) == (404, "unknown subscription")
    assert subs.check("nokey", "hub.mode=subscribe&hub.topic=http://feeds/a.self&hub.challenge=x", 0)[0] == 404
    assert subs.check(key, "hub.mode=subscribe&hub.topic=http://feeds/a.self&hub.challenge=abc&hub.lease_seconds=1000",
                      100) == (200, "abc")
    assert sub.state == "active" and sub.expires == 1100 and sub.due == 100 + 800  # renewed before the lease ends
    assert subs.push(key, b"<rss/>", signature(sub.secret, b"<rss/>")) == "http://feeds/a"
    assert subs.push(key, b"<rss/>", signature(sub.secret, b"<rss/>", "sha1")) == "http://feeds/a"
    assert subs.push(key, b"<rss/>", signature("not the secret", b"<rss/>")) is None
    assert subs.push(key, b"<rss/> changed", signature(sub.secret, b"<rss/>")) is None
    assert subs.push(key, b"<rss/>", None) is None
    subs.forget({"http://feeds/b"})
    assert subs.push(key, b"<rss/>", signature(sub.secret, b"<rss/>")) is None  # a feed removed from config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_push_alerts_within_seconds_while_polling_alone_would_take_minutes(tmp_path):
    with FeedServer() as site, Hub() as hub:
        site.routes["/feed.xml"] = static(rss(site.base, [("old", "معرض الكتاب في عمان")], hub.url),
                                          "application/rss+xml")
        site.routes["/a/old.html"] = static(article_page("معرض الكتاب في عمان", QUIET), "text/html")
        site.routes["/a/new.html"] = static(article_page("غارات على معرة النعمان في ريف إدلب", STRIKE), "text/html")
        port = free_port()
        config = write_config(tmp_path / "c.toml", [("f", site.url("feed.xml"), None)],
                              extra=f'[server]\nport = {port}\npublic_url = "http://127.0.0.1:{port}"\n')
        config.write_text(config.read_text(encoding="utf-8").replace('name = "f"', 'name = "f"\ninterval = 600'),
                          encoding="utf-8")  # polled every ten minutes: only a push can be this quick
        alerts = tmp_path / "alerts.jsonl"
        worker = start(config, bot_env(tmp_path), "--alerts-jsonl", str(alerts))
        output = Output(worker)
        try:
            assert wait_for(lambda: hub.subscribers and hub.subscribers[0].verified, 30), output.lines
            (request,) = hub.requests
            assert request["hub.topic"] == site.url("feed.xml") and request["hub.secret"]
            assert request["hub.callback"] == f"http://127.0.0.1:{port}/websub/{key_of(site.url('feed.xml'))}"
            assert output.has("websub_subscribe_requested")

            assert hub.publish(site.url("feed.xml"), b"<rss/>", secret="forged") == 1  # acknowledged, ignored
            assert wait_for(lambda: output.has("websub_push", "ignored"), 10), output.lines

            updated = rss(site.base, [("new", "غارات على معرة النعمان في ريف إدلب"), ("old", "معرض الكتاب في عمان")],
                          hub.url)
            site.routes["/feed.xml"] = static(updated, "application/rss+xml")
            pushed = time.time()
            assert hub.publish(site.url("feed.xml"), updated) == 1
            assert wait_for(lambda: alerts.exists() and alerts.read_text(encoding="utf-8").strip(), 10), output.lines
            took = time.time() - pushed
            alert = json.loads(alerts.read_text(encoding="utf-8").splitlines()[0])
            assert alert["topics"] == ["syria_escalation"] and took <= 5, took
        finally:
            worker.terminate()
            worker.wait(timeout=15)


def test_without_a_public_url_no_hub_is_asked(tmp_path):
    with FeedServer() as site, Hub() as hub:
        site.routes["/feed.xml"] = static(rss(site.base, [("old", "معرض الكتاب في عمان")], hub.url),
                                          "application/rss+xml")
        config = write_config(tmp_path / "c.toml", [("f", site.url("feed.xml"), None)], extra="[server]\nport = 0\n")
        worker = start(config, bot_env(tmp_path))
        output = Output(worker)
        try:
            assert wait_for(lambda: output.has("cycle_done"), 30), output.lines
            time.sleep(1)
            assert hub.requests == [] and not output.has("websub")
        finally:
            worker.terminate()
            worker.wait(timeout=15)
