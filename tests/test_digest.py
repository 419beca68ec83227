from dataclasses import replace
from datetime import datetime, timedelta, timezone

from alerts.digest import period_start, render_digest
from core.config import ChannelConfig
from service.pipeline import Services, flush_digests
from service.runtime import load_runtime
from store import Store
from tests.conftest import ROOT
from tests.test_delivery import seed


def test_periods_follow_the_local_clock():
    now = datetime(2026, 11, 22, 5, 30, tzinfo=timezone.utc)  # 08:30 in Damascus
    assert period_start("hourly", now, "Asia/Damascus", 8).hour == 8
    assert period_start("daily", now, "Asia/Damascus", 8).day == 22
    assert period_start("daily", now, "Asia/Damascus", 9).day == 21


def test_digest_channels_get_one_message_per_period(tmp_path):
    runtime = load_runtime(ROOT / "config.toml")
    config = runtime.config.model_copy(update={"channels": (
        ChannelConfig(chat_id="-1009", topics=("security_council",), mode="hourly", thread_id=7),)})
    store = Store(tmp_path / "db.sqlite3")
    services = Services(replace(runtime, config=config), store, fetcher=None, deliver=True)  # type: ignore[arg-type]
    for n in range(3):
        seed(store, {}, f"s{n}")
        store.save_story(store.story(f"s{n}"), feed_url="f", entry_id=f"x{n}", messages=[], deliver=True,
                         digests=[("-1009", 7)])
    assert flush_digests(services, datetime.fromtimestamp(0, timezone.utc)) == 0  # period not over yet
    assert flush_digests(services) == 0  # this hour is not over
    next_hour = datetime.now(timezone.utc) + timedelta(hours=1)
    assert flush_digests(services, next_hour) == 1
    assert flush_digests(services, next_hour) == 0  # items are carried once
    rows = store.due(1e12)
    assert len(rows) == 1 and rows[0].chat_id == "-1009" and rows[0].thread_id == 7
    assert rows[0].text.count("•") == 3 and "ملخص الساعة" in rows[0].text


def test_digests_list_stories_by_situation():
    from store import StoryRecord

    def story(n: int, situation: str) -> StoryRecord:
        return StoryRecord(id=f"s{n}", created_at=0, published="2026-01-01T00:00:00+00:00", title=f"خبر {n}",
                           url=f"http://a/{n}", source="A", summary="", topics=("security_council",), tags=(),
                           lang="ar", fingerprint={}, sources=(("A", f"http://a/{n}", "t"),), situation_id=situation)

    text = render_digest("daily", [story(0, "s0"), story(1, "s1"), story(2, "s0")], {},
                         datetime(2026, 1, 1, tzinfo=timezone.utc), "UTC")
    lines = [line for line in text.splitlines() if "http://a/" in line]
    assert [line.split('"')[1] for line in lines] == ["http://a/0", "http://a/2", "http://a/1"]
    assert lines[1].startswith("   ↳") and lines[0].startswith("•") and lines[2].startswith("•")


def test_digest_fits_telegram():
    from store import StoryRecord

    story = StoryRecord(id="s", created_at=0, published="2026-01-01T00:00:00+00:00", title="عنوان طويل " * 10,
                        url="http://a/" + "x" * 50, source="A", summary="", topics=("security_council",), tags=(),
                        lang="ar", fingerprint={}, sources=(("A", "u", "t"),))
    text = render_digest("daily", [story] * 100, {}, datetime(2026, 1, 1, tzinfo=timezone.utc), "UTC")
    assert len(text) <= 4096 and "أخبار أخرى" in text
