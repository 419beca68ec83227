"""Hot reload: a running worker picks up a valid edit and refuses an invalid one without stopping."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

from devtools.feed_server import FeedServer, static
from service.reload import check_for_edit, describe_changes
from service.runtime import load_runtime
from tests.conftest import ROOT, TOKEN, bot_env, write_config
from tests.test_worker import wait_for

QUAKE = "ضرب زلزال بقوة ست درجات مدينة اللاذقية فجر اليوم، وقالت السلطات إن فرق الدفاع المدني تعمل على رفع الأنقاض."
TOPIC = ('[topics.quake]\nlabel = "زلازل"\nthreshold = 3\n\n[topics.quake.evidence]\n"quake" = 3.0\n\n'
         '[topics.quake.cues]\nquake = ["عاصفة"')


def topic(*terms: str) -> str:
    """The quake topic, its cue holding «عاصفة» and ``terms`` written as given (quoted or not)."""
    return TOPIC + "".join(f", {term}" for term in terms) + "]\n"


def rss(base: str, items: list[tuple[str, str, str]]) -> bytes:
    now = format_datetime(datetime.now(timezone.utc))
    body = "".join(f"<item><title>{title}</title><link>{base}/a/{guid}</link><guid>{guid}</guid>"
                   f"<pubDate>{now}</pubDate><description>{text}</description></item>" for guid, title, text in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<link>{base}</link><description>d</description>{body}</channel></rss>").encode()


def config_text(tmp_path: Path, site: FeedServer, feeds: list[str], topic: str) -> str:
    draft = write_config(tmp_path / "draft.toml", [(f, site.url(f"{f}.xml"), None) for f in feeds], channels="")
    return draft.read_text(encoding="utf-8") + "\n" + topic


def write(path: Path, text: str) -> None:
    """As an editor saves: a new file renamed over the old one, its time set a moment back."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.utime(temporary, (time.time() - 5, time.time() - 5))
    temporary.replace(path)


class Output:
    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.lines.append(line.rstrip("\n"))

    def has(self, *words: str) -> str | None:
        return next((line for line in self.lines if all(w in line for w in words)), None)


def test_running_worker_takes_a_new_keyword_and_refuses_invalid_toml(tmp_path):
    with FeedServer() as site:
        site.routes["/old.xml"] = static(rss(site.base, [("o1", "خبر قديم", QUAKE)]), "application/rss+xml")
        site.routes["/new.xml"] = static(rss(site.base, [("n1", "زلزال في اللاذقية", QUAKE)]), "application/rss+xml")
        config = tmp_path / "config.toml"
        write(config, config_text(tmp_path, site, ["old"], topic()))
        alerts = tmp_path / "alerts.jsonl"
        env = bot_env(tmp_path)
        worker = subprocess.Popen(
            [sys.executable, str(ROOT / "bot.py"), "run", "--config", str(config), "--alerts-jsonl", str(alerts)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        output = Output(worker)
        try:
            assert wait_for(lambda: output.has("cycle_done", "feeds=1"), 30), output.lines
            assert not alerts.exists()  # «زلزال» is not watched yet

            broken = config_text(tmp_path, site, ["old"], topic("زلزال"))
            write(config, broken)
            line_number = broken.splitlines().index('quake = ["عاصفة", زلزال]') + 1
            assert wait_for(lambda: output.has("config_rejected"), 15), output.lines
            rejected = output.has("config_rejected")
            assert f"config.toml:{line_number}: TOML syntax error" in rejected and "previous config" in rejected
            assert worker.poll() is None

            write(config, config_text(tmp_path, site, ["old", "new"], topic('"زلزال"')))
            assert wait_for(lambda: output.has("config_reloaded"), 15), output.lines
            reloaded = output.has("config_reloaded")
            assert "feed added: new" in reloaded and "quake: quake: term added زلزال" in reloaded
            version = reloaded.split("version=")[1].split()[0]
            assert wait_for(lambda: alerts.exists() and alerts.read_text(encoding="utf-8").strip(), 20), output.lines
            alert = json.loads(alerts.read_text(encoding="utf-8").splitlines()[0])
            assert alert["topics"] == ["quake"] and alert["source"] == "new"
            assert wait_for(lambda: output.has("cycle_done", f"config={version}"), 10), output.lines  # after its alert
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=15)
        assert worker.returncode == 0


def test_an_unchanged_or_already_refused_file_is_not_looked_at_again(tmp_path):
    path = write_config(tmp_path / "c.toml", [("A", "http://127.0.0.1:9/a.xml", None)])
    os.utime(path, (time.time() - 5, time.time() - 5))
    current = load_runtime(path)
    assert check_for_edit(path, current) is None
    write(path, path.read_text(encoding="utf-8") + "\n[bot]\ntimezone = 'Mars/Base'\n")
    refused = check_for_edit(path, current)
    assert refused.runtime is None and "bot.timezone: unknown time zone 'Mars/Base'" in refused.problems[0]
    assert check_for_edit(path, current, refused.version) is None
    path.write_text(path.read_text(encoding="utf-8").replace("Mars/Base", "Asia/Beirut"), encoding="utf-8")
    assert check_for_edit(path, current, refused.version) is None  # saved a moment ago: maybe half-written
    os.utime(path, (time.time() - 5, time.time() - 5))
    accepted = check_for_edit(path, current, refused.version)
    assert accepted.runtime.config.bot.timezone == "Asia/Beirut" and accepted.changes == ("bot settings changed",)


def test_changes_are_described_for_the_log():
    old = load_runtime(ROOT / "config.toml").config
    topics = dict(old.topics)
    council = topics["security_council"]
    cue = [t for t in council.cues["council"] if t != "الفيتو"] + ["حق الاعتراض"]
    evidence = {**council.evidence, "council ~ now": council.evidence["council ~ now"].model_copy(update={"lead": 9.0})}
    del evidence["council ~ report"]
    topics["security_council"] = council.model_copy(update={
        "threshold": council.threshold + 1, "cues": {**council.cues, "council": tuple(cue)}, "evidence": evidence})
    new = old.model_copy(update={"topics": topics, "feeds": old.feeds[1:]})
    assert describe_changes(old, new) == [
        f"feed removed: {old.feeds[0].name}",
        "security_council: council: term added حق الاعتراض",
        "security_council: council: term removed الفيتو",
        "security_council: evidence removed: council ~ report",
        "security_council: points changed: council ~ now",
        f"security_council: threshold {council.threshold} -> {council.threshold + 1}",
    ]


def test_the_admin_chat_is_told_about_a_refused_edit(tmp_path, telegram):
    config = write_config(tmp_path / "c.toml", [], channels="", extra="[telegram]\nadmin_chat_id = 4242\n")
    worker = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "run", "--config", str(config)],
                              env=bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=telegram.base_url),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    output = Output(worker)
    try:
        assert wait_for(lambda: output.has("worker_started"), 30), output.lines
        write(config, config.read_text(encoding="utf-8").replace("deadline = 5", "deadline = -5"))
        assert wait_for(lambda: telegram.messages("4242"), 15), output.lines
        notice = telegram.messages("4242")[0].params["text"]
        assert "رُفض تعديل الإعدادات" in notice and "fetch.deadline: must be greater than 0 (got -5)" in notice
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)
