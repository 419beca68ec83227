"""Health and observation: /healthz, /metrics, the heartbeat, digests kept while stopped, stats."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import time

import httpx

from service.health import Health, last_heartbeat, serve
from store import Store
from tests.conftest import TOKEN, bot_env, run_bot, write_config
from tests.test_delivery import seed
from tests.test_reload import Output
from tests.test_worker import start, wait_for

DIGEST_CHANNEL = '[[channels]]\nchat_id = "-1009"\ntopics = ["security_council"]\nmode = "hourly"\n'


def test_running_worker_serves_health_and_metrics_and_sends_digests_due_while_it_was_stopped(tmp_path, site, telegram):
    store = Store(tmp_path / "bot.sqlite3")
    for n in range(2):
        seed(store, {}, f"s{n}")
        store.save_story(store.story(f"s{n}"), feed_url="f", entry_id=f"x{n}", messages=[], deliver=True,
                         digests=[("-1009", None)])
    store.close()
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:  # queued for a digest two hours ago
        db.execute("UPDATE digest_items SET added_at = added_at - 7200")
    config = write_config(tmp_path / "c.toml", [("UN", site.url("feeds/un-news.xml"), "un")],
                          channels=DIGEST_CHANNEL, extra="[server]\nport = 0\n")
    worker = start(config, bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=telegram.base_url))
    output = Output(worker)
    try:
        assert wait_for(lambda: output.has("health_server") and output.has("cycle_done"), 30), output.lines
        base = output.has("health_server").split("url=")[1].split()[0]
        health = httpx.get(f"{base}/healthz", timeout=5)
        assert health.status_code == 200
        assert health.json()["status"] == "ok" and health.json()["feeds"] == 1 and health.json()["pid"] == worker.pid
        me = health.json()["worker"]
        assert health.json()["leader"] and health.json()["feeds_owned"] == 1 and str(worker.pid) in me
        assert [w["id"] for w in health.json()["workers"]] == [me]
        assert wait_for(lambda: telegram.messages("-1009"), 20), output.lines
        assert "ملخص الساعة" in telegram.messages("-1009")[0].params["text"]
        assert wait_for(lambda: 'bot_deliveries_total{result="sent"}' in httpx.get(f"{base}/metrics").text, 10)
        metrics = httpx.get(f"{base}/metrics", timeout=5).text
        assert 'bot_feed_polls_total{outcome="changed"} 1.0' in metrics
        assert "bot_heartbeat_timestamp_seconds" in metrics and "bot_feed_poll_seconds_bucket" in metrics
        assert f'bot_worker_info{{host="{health.json()["host"]}",worker="{me}"}} 1.0' in metrics
        assert "bot_feeds_owned 1.0" in metrics and "bot_worker_leader 1.0" in metrics
        assert httpx.get(f"{base}/nothing", timeout=5).status_code == 404
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)
    snapshot, when = last_heartbeat(Store(tmp_path / "bot.sqlite3"))
    assert snapshot["pid"] == worker.pid and time.time() - when < 60


def test_healthz_says_503_when_the_heartbeat_is_stale():
    health = Health(stale_after=30, last_beat=time.time() - 31, snapshot={"feeds": 3})
    server = serve("127.0.0.1", 0, health)
    try:
        url = f"http://127.0.0.1:{server.server_port}/healthz"
        stale = httpx.get(url, timeout=5)
        assert stale.status_code == 503 and stale.json()["status"] == "stale" and stale.json()["feeds"] == 3
        health.last_beat = time.time()
        assert httpx.get(url, timeout=5).status_code == 200
    finally:
        server.shutdown()


def test_stats_counts_alerts_per_topic_per_day(tmp_path, site_config):
    result = run_bot("once", "--config", str(site_config), "--dry-run", env=bot_env(tmp_path))
    assert result.returncode == 0, result.stderr
    store = Store(tmp_path / "bot.sqlite3")
    stories = store.story_topics_since(0)
    store.close()
    expected = {t: sum(t in topics for _, topics in stories) for t in ("security_council", "syria_escalation")}
    assert all(expected.values())
    stats = run_bot("stats", "--config", str(site_config), "--json", env=bot_env(tmp_path))
    assert stats.returncode == 0, stats.stderr
    days = json.loads(stats.stdout)["days"]
    assert len(days) == 1
    assert {t: days[0]["alerts"][t] for t in expected} == expected
    table = run_bot("stats", "--config", str(site_config), env=bot_env(tmp_path)).stdout
    row = next(line for line in table.splitlines() if days[0]["day"] in line)
    assert [int(n) for n in re.findall(r"\b\d+\b", row.replace(days[0]["day"], ""))] == [
        expected["security_council"], expected["syria_escalation"], len(stories), 0]
    assert "no heartbeat recorded" in table


def test_json_logs_carry_event_and_fields(tmp_path, site_config):
    result = run_bot("once", "--config", str(site_config), "--dry-run", env=bot_env(tmp_path, LOG_FORMAT="json"))
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    done = next(e for e in events if e.get("event") == "cycle_done")
    assert done["feeds"] == 4 and done["alerts"] >= 1 and done["level"] == "INFO"
    assert any(e.get("event") == "alert_queued" and e["topics"] for e in events)


def test_feeds_shows_health_per_feed(tmp_path, site):
    config = write_config(tmp_path / "c.toml", [("UN", site.url("feeds/un-news.xml"), "un"),
                                                ("Gone", site.url("feeds/missing.xml"), None),
                                                ("Later", site.url("feeds/france24.xml"), None)])
    assert run_bot("once", "--config", str(config), "--dry-run", env=bot_env(tmp_path)).returncode == 0
    text = config.read_text(encoding="utf-8")
    rows = run_bot("feeds", "--config", str(config), env=bot_env(tmp_path)).stdout.splitlines()
    row = lambda name: next(line for line in rows if f" {name} " in line)  # noqa: E731
    assert " ok " in row("UN") and " un " in row("UN") and "items/day" in row("UN")
    assert "FAILING x1: HTTP 404" in row("Gone") and "never" in row("Gone")
    config.write_text(text + '\n[[feeds]]\nname = "New"\nurl = "http://127.0.0.1:9/new.xml"\n', encoding="utf-8")
    rows = run_bot("feeds", "--config", str(config), env=bot_env(tmp_path)).stdout.splitlines()
    assert "not polled yet" in row("New")
