"""Shared fixtures: loopback servers, temporary configs and a way to run bot.py for real."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SITE = FIXTURES / "site"
SEEDS = ROOT.parent / "shared" / "seeds"
TOKEN = "987654321:AAHfakeTokenForTestsOnly_abcdefghijk"

sys.path.insert(0, str(ROOT))

from devtools.fake_telegram import FakeTelegram  # noqa: E402
from devtools.feed_server import FeedServer  # noqa: E402
from devtools.scratch import scratch_schema  # noqa: E402
from store import ThreadMessage  # noqa: E402

SITE_FEEDS = [
    ("أخبار الأمم المتحدة", "feeds/un-news.xml", "un"),
    ("عنب بلدي", "feeds/enab-baladi.atom", "opposition"),
    ("فرانس 24", "feeds/france24.xml", "international"),
    ("سوريا اليوم", "feeds/syria-cp1256.xml", None),
]


PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(
    not PG_URL, reason="PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)"))]


@pytest.fixture
def pg_url():
    """A PostgreSQL URL whose tables live in a schema of their own, dropped afterwards."""
    if not PG_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    with scratch_schema(PG_URL) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def store_target(request, tmp_path):
    """Where a test's store lives: an SQLite file, and (with TEST_DATABASE_URL) PostgreSQL."""
    if request.param == "sqlite":
        return tmp_path / "db.sqlite3"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def site():
    with FeedServer(SITE) as server:
        yield server


@pytest.fixture
def telegram():
    with FakeTelegram() as server:
        yield server


def write_config(path: Path, feeds: list[tuple[str, str, str | None]], channels: str | None = None,
                 extra: str = "") -> Path:
    """A config using the shipped topics (left out on purpose) and the given feeds."""
    lines = [extra, "[fetch]", "connect_timeout = 2", "read_timeout = 3", "deadline = 5", ""]
    for name, url, kind in feeds:
        lines += ["[[feeds]]", f'name = "{name}"', f'url = "{url}"']
        if kind:
            lines.append(f'kind = "{kind}"')
        lines.append("")
    lines.append(channels if channels is not None else
                 '[[channels]]\nchat_id = "-1001"\ntopics = ["security_council"]\n\n'
                 '[[channels]]\nchat_id = "-1002"\ntopics = ["syria_escalation"]\n')
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def site_config(tmp_path, site):
    return write_config(tmp_path / "config.toml", [(n, site.url(p), k) for n, p, k in SITE_FEEDS])


def bot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.update({"BOT_DB": str(tmp_path / "bot.sqlite3"), "PYTHONUNBUFFERED": "1"}, **extra)
    return env


def run_bot(*args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 120):
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=timeout, cwd=ROOT)


def first_messages(story_id: str, texts: dict[str, str], at: float = 0.0) -> list[ThreadMessage]:
    """The first message of a story's own situation in each chat (chat -> text), as the pipeline writes it."""
    return [ThreadMessage(story_id, chat, None, story_id, 0, True, None, (story_id,), at, text, story_id)
            for chat, text in texts.items()]


@functools.cache
def real_days() -> dict[str, dict]:
    """Every article of the dev days (2018, then 2013, in file order) by id: the files are read once
    for every test that needs them."""
    from service.labelled import read_rows

    return {r["id"]: r for name in ("days_dev.jsonl", "days2013_dev.jsonl.gz") for r in read_rows(FIXTURES / "real" / name)}


def real_article(article_id: str) -> dict:
    """A real article of the dev days (2018 and 2013)."""
    return real_days()[article_id]
