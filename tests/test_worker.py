"""The worker as a process: kill -9 during delivery, SIGTERM, and the token kept out of output."""

import os
import signal
import subprocess
import sys
import time

from devtools.fake_telegram import FakeTelegram
from store import Store, StoryRecord
from tests.conftest import ROOT, TOKEN, bot_env, first_messages, write_config

CHATS = [str(100 + n) for n in range(8)]  # private chats: about one message a second each
STORIES = 5


def seed_outbox(db) -> None:
    store = Store(db)
    for n in range(STORIES):
        story = StoryRecord(id=f"s{n}", created_at=0, published="2026-01-01T00:00:00+00:00", title=f"t{n}",
                            url=f"http://a/{n}", source="A", summary="s", topics=("security_council",), tags=(),
                            lang="ar", fingerprint={"s": [], "e": [], "t": [], "p": 0},
                            sources=(("A", f"http://a/{n}", "t"),))
        store.save_story(story, feed_url="f", entry_id=str(n), messages=first_messages(f"s{n}", {c: f"خبر {n}" for c in CHATS}),
                         deliver=True)
    store.close()


def start(config, env, *args: str):
    return subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "run", "--config", str(config), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)


def wait_for(condition, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_kill_9_mid_delivery_then_restart_loses_nothing_and_repeats_at_most_one(tmp_path):
    config = write_config(tmp_path / "c.toml", [], channels="")
    seed_outbox(tmp_path / "bot.sqlite3")
    total = STORIES * len(CHATS)
    with FakeTelegram(enforce_limits=True) as telegram:
        env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=telegram.base_url)
        outputs = []
        worker = start(config, env)
        assert wait_for(lambda: len(telegram.messages()) >= total // 3, 60), "worker delivered nothing"
        worker.send_signal(signal.SIGKILL)
        outputs.append(worker.communicate(timeout=10)[0])
        killed_at = len(telegram.messages())
        assert killed_at < total

        worker = start(config, env)
        store = Store(tmp_path / "bot.sqlite3")  # a second reader, as WAL allows
        assert wait_for(lambda: store.outbox_counts() == {"sent": total}, 90), store.outbox_counts()
        delivered = {(m.params["chat_id"], m.params["text"]) for m in telegram.messages()}
        assert len(delivered) == total
        worker.send_signal(signal.SIGTERM)
        started = time.time()
        outputs.append(worker.communicate(timeout=15)[0])
        assert worker.returncode == 0 and time.time() - started < 10

    assert len(telegram.messages()) <= total + 1  # at most the one in flight is repeated
    assert not [r for r in telegram.received if r.method == "sendMessage" and r.params.get("parse_mode") != "HTML"]
    for output in outputs:
        assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "worker_stopped" in outputs[-1]


def test_worker_without_token_says_console_mode_and_stops_on_sigterm(tmp_path, site):
    config = write_config(tmp_path / "c.toml", [("UN", site.url("missing.xml"), None)])
    env = bot_env(tmp_path)
    worker = start(config, env)
    assert wait_for(lambda: len(site.requests) >= 1, 30)  # the worker's store is made by then
    store = Store(tmp_path / "bot.sqlite3")  # a second reader, as WAL allows
    assert wait_for(lambda: any(s.failures for s in store.feed_states()), 30)  # the 404 read, not only asked
    worker.send_signal(signal.SIGTERM)
    output = worker.communicate(timeout=15)[0]
    assert worker.returncode == 0
    assert "Console mode (TELEGRAM_BOT_TOKEN is not set)" in output
    assert "feed_failed" in output and "HTTP 404" in output
    assert os.path.exists(tmp_path / "bot.sqlite3")
