import sqlite3
import time

import pytest

from store import Store, StoryRecord
from tests.conftest import first_messages


def story(story_id="s1", sources=(("A", "http://a/1", "t"),)):
    return StoryRecord(id=story_id, created_at=0, published="2026-01-01T00:00:00+00:00", title="t",
                       url=sources[0][1], source=sources[0][0], summary="s", topics=("security_council",),
                       tags=(), lang="ar", fingerprint={"s": [], "e": [], "t": [], "p": 0}, sources=sources)


def test_migrations_are_recorded_and_rerun_safely(tmp_path):
    Store(tmp_path / "db.sqlite3").close()
    store = Store(tmp_path / "db.sqlite3")
    names = [r["name"] for r in store._db.rows("SELECT name FROM migrations ORDER BY name")]  # noqa: SLF001
    assert names == ["001_initial", "002_freshness", "003_workers", "004_situations", "005_desk"]
    assert store.applied == []
    assert store._db.value("PRAGMA journal_mode") == "wal"  # noqa: SLF001


def test_a_store_made_before_the_freshness_columns_gets_them(tmp_path):
    import sqlite3

    from store.migrations import SQLITE as MIGRATIONS

    with sqlite3.connect(tmp_path / "old.sqlite3") as db:  # as the previous release left it
        db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at REAL)")
        db.executescript(MIGRATIONS[0][1])
        db.execute("INSERT INTO migrations VALUES ('001_initial', 0)")
    store = Store(tmp_path / "old.sqlite3")
    store.save_story(story(), feed_url="f", entry_id="e1", messages=[], deliver=False)
    assert store.story("s1").first_seen is None and store.feed_state("u", "n").asked_interval is None


def test_a_story_sent_before_situations_is_the_first_message_of_its_own(tmp_path):
    from store.migrations import SQLITE as MIGRATIONS

    with sqlite3.connect(tmp_path / "old.sqlite3") as db:  # as the release before situations left it
        db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at REAL)")
        for name, sql in MIGRATIONS[:3]:
            db.executescript(sql)
            db.execute("INSERT INTO migrations VALUES (?, 0)", (name,))
        db.execute("INSERT INTO stories (id, created_at, updated_at, published, title, url, source, summary, topics, "
                   "tags, lang, fingerprint) VALUES ('s1', 5, 5, '2026-01-01T00:00:00+00:00', 't', 'http://a/1', 'A', "
                   "'s', '[]', '[]', 'ar', '{}')")
        db.execute("INSERT INTO outbox (story_id, chat_id, text, status, next_attempt_at, created_at, message_id) "
                   "VALUES ('s1', '-1', 'old text', 'sent', 0, 5, 77)")
        db.execute("INSERT INTO outbox (story_id, chat_id, text, next_attempt_at, created_at) "
                   "VALUES ('digest:daily:x', '-2', 'digest', 0, 5)")
    store = Store(tmp_path / "old.sqlite3")
    assert store.applied == ["004_situations", "005_desk"]
    assert store.story("s1").situation == "s1"
    [message] = store.thread("s1", "-1")
    assert (message.key, message.part, message.notify, message.stories, message.opened_at) == ("s1", 0, True, ("s1",), 5)
    assert store.answered("s1", "-1") == ("sent", 77) and [r.message_key for r in store.due(1e12)] == ["digest:daily:x"]


def test_story_entry_and_outbox_rows_commit_together(store_target):
    store = Store(store_target)
    store.save_story(story(), feed_url="f", entry_id="e1", messages=first_messages("s1", {"-1": "hello"}), deliver=True)
    assert store.unseen("f", ["e1", "e2"]) == ["e2"]
    assert [r.chat_id for r in store.due(1e12)] == ["-1"]
    store.save_story(story(), feed_url="f", entry_id="e1", messages=first_messages("s1", {"-1": "hello"}), deliver=True)
    assert len(store.due(1e12)) == 1  # (story, chat) is unique


def test_failed_transaction_leaves_nothing(store_target):
    store = Store(store_target)
    broken = story()
    object.__setattr__(broken, "fingerprint", {"bad": {1, 2}})  # not JSON: fails mid-transaction
    with pytest.raises(TypeError):
        store.save_story(broken, feed_url="f", entry_id="e1", messages=first_messages("s1", {"-1": "x"}), deliver=True)
    assert store.unseen("f", ["e1"]) == ["e1"] and store.story("s1") is None


def test_new_sources_flag_sent_rows_for_an_edit(store_target):
    store = Store(store_target)
    store.save_story(story(), feed_url="f", entry_id="e1", messages=first_messages("s1", {"-1": "v1"}), deliver=True)
    row = store.due(1e12)[0]
    store.claim(row, "w", time.time() + 60)
    store.mark_sent(row, 42, row.text)
    assert store.due(1e12) == []
    two = story(sources=(("A", "http://a/1", "t"), ("B", "http://b/1", "t")))
    store.save_story(two, feed_url="g", entry_id="e9", messages=first_messages("s1", {"-1": "v2"}), deliver=True)
    assert store.due(time.time() + 1) == []  # a minute after the send: joining outlets coalesce
    three = story(sources=two.sources + (("C", "http://c/1", "t"),))
    store.save_story(three, feed_url="h", entry_id="e10", messages=first_messages("s1", {"-1": "v3"}), deliver=True)
    edit = store.due(1e12)[0]
    assert edit.text == "v3" and len(store.due(1e12)) == 1
    assert edit.edit_pending and edit.message_id == 42
    assert [s[0] for s in store.story("s1").sources] == ["A", "B", "C"]
    store.mark_sent(edit, 42, edit.text)
    store._db.run("UPDATE outbox SET attempted_at = ?", (time.time() - 120,))  # noqa: SLF001 - edited long ago
    store.save_story(three, feed_url="i", entry_id="e11", messages=first_messages("s1", {"-1": "v4"}), deliver=True)
    assert [r.text for r in store.due(time.time() + 1)] == ["v4"]  # a quiet message is edited at once


def test_a_story_joining_a_message_in_flight_is_an_edit_still_to_make(store_target):
    """Two workers: one sends the situation's first message while the other adds a story to it."""
    store = Store(store_target)
    store.save_story(story(), feed_url="f", entry_id="e1", messages=first_messages("s1", {"-1": "v1"}), deliver=True)
    in_flight = store.due(1e12)[0]
    store.claim(in_flight, "w1", time.time() + 60)
    two = story(sources=(("A", "http://a/1", "t"), ("B", "http://b/1", "t")))
    store.save_story(two, feed_url="g", entry_id="e2", messages=first_messages("s1", {"-1": "v2"}), deliver=True)
    store.mark_sent(in_flight, 42, in_flight.text)  # Telegram was given v1
    [edit] = store.due(1e12)
    assert edit.text == "v2" and edit.edit_pending and edit.message_id == 42
    store.mark_sent(edit, 42, edit.text)
    assert store.due(1e12) == [] and store.pending_count() == 0


def test_disabled_and_migrated_chats_are_remembered(store_target):
    path = store_target
    store = Store(path)
    store.save_story(story(), feed_url="f", entry_id="e1", messages=first_messages("s1", {"-1": "x", "-2": "y"}),
                     deliver=True)
    store.disable_chat("-1", "forbidden")
    store.migrate_chat("-2", "-1002")
    store.close()
    store = Store(path)
    assert store.chat("-1").status == "disabled"
    assert store.resolve_chat("-2").chat_id == "-1002"
    assert [r.chat_id for r in store.due(1e12)] == ["-1002"]


def test_store_file_is_plain_sqlite(tmp_path):
    Store(tmp_path / "db.sqlite3").close()
    tables = {r[0] for r in sqlite3.connect(tmp_path / "db.sqlite3").execute("SELECT name FROM sqlite_master")}
    assert {"feeds", "seen", "stories", "outbox", "chats"} <= tables


def test_a_lease_has_one_holder_until_it_runs_out_or_is_released(store_target):
    store = Store(store_target)
    assert store.claim_lease("feed:u", "w1", 60) and store.claim_lease("feed:u", "w1", 60)  # renewed
    assert not store.claim_lease("feed:u", "w2", 60)
    assert store.lease_holders("feed:") == {"feed:u": "w1"}
    store.release_lease("feed:u", "w1")
    assert store.claim_lease("feed:u", "w2", 0.2) and not store.claim_lease("feed:u", "w1", 60)
    time.sleep(0.3)
    assert store.claim_lease("feed:u", "w1", 60)  # w2 stopped renewing: its lease ran out


def test_a_claimed_row_waits_for_its_worker_and_counts_for_the_flood_limits(store_target):
    store = Store(store_target)
    store.save_story(story(), feed_url="f", entry_id="e1", messages=first_messages("s1", {"-1": "x"}), deliver=True)
    row = store.due(time.time())[0]
    with store.transaction(lock="outbox") as claiming:
        claiming.claim(row, "w1", time.time() + 60)
    assert store.due(time.time()) == []  # no other worker takes it
    assert [chat for chat, _ in store.recent_sends(time.time() - 10)] == ["-1"]
    assert store.release_claims(["w2"]) == 1  # w1 died: its row goes back to the queue
    assert [r.id for r in store.due(time.time())] == [row.id]


def test_workers_are_listed_with_the_feeds_they_poll(store_target):
    store = Store(store_target)
    store.beat_worker("w1", "host-a", 11, time.time())
    store.beat_worker("w2", "host-b", 12, time.time())
    store.claim_lease("leader", "w2", 20)
    store.claim_lease("feed:a", "w1", 60)
    store.claim_lease("feed:b", "w1", 60)
    listed = {w["id"]: (w["host"], w["leases"], w["leader"]) for w in store.workers(30)}
    assert listed == {"w1": ("host-a", 2, False), "w2": ("host-b", 0, True)}
    assert store.live_workers(30) == ["w1", "w2"]


def test_an_sqlite_store_moves_into_postgresql_once(tmp_path, pg_url):
    from store.copy import copy_store

    old = Store(tmp_path / "old.sqlite3")
    old.save_story(story(), feed_url="f", entry_id="e1", messages=first_messages("s1", {"-1": "x", "-2": "y"}), deliver=True)
    old.subscribe("42", "security_council")
    old.disable_chat("-2", "forbidden")
    new = Store(pg_url)
    assert copy_store(old, new)["outbox"] == 2 and copy_store(old, new)["outbox"] == 0  # twice: nothing twice
    assert new.story("s1").sources == old.story("s1").sources and new.subscribers(["security_council"]) == ["42"]
    assert new.chat("-2").status == "disabled" and [r.chat_id for r in new.due(1e12)] == ["-1"]
    new.save_story(story("s2"), feed_url="f", entry_id="e2", messages=first_messages("s2", {"-1": "z"}), deliver=True)
    assert len(new.due(1e12)) == 2  # new rows take ids after the copied ones


def test_postgresql_migrations_are_recorded_and_rerun_safely(pg_url):
    assert Store(pg_url).applied == ["001_initial", "002_freshness", "003_workers", "004_situations", "005_desk"]
    assert Store(pg_url).applied == []


def test_migrate_command_moves_an_sqlite_store_into_postgresql(tmp_path, pg_url):
    from tests.conftest import bot_env, run_bot, write_config

    old = Store(tmp_path / "old.sqlite3")
    old.save_story(story(), feed_url="f", entry_id="e1", messages=first_messages("s1", {"-1": "x"}), deliver=True)
    old.close()
    config = write_config(tmp_path / "c.toml", [])
    env = bot_env(tmp_path, DATABASE_URL=pg_url)
    result = run_bot("migrate", "--config", str(config), "--from", str(tmp_path / "old.sqlite3"), env=env)
    assert result.returncode == 0, result.stderr
    assert "applied 001_initial, 002_freshness, 003_workers, 004_situations" in result.stdout and "outbox 1" in result.stdout
    assert "password" not in result.stdout and Store(pg_url).story("s1").title == "t"
    again = run_bot("migrate", "--config", str(config), "--from", str(tmp_path / "old.sqlite3"), env=env)
    assert "schema up to date" in again.stdout and "outbox 0" in again.stdout
    missing = run_bot("migrate", "--config", str(config), "--from", str(tmp_path / "nope.sqlite3"), env=env)
    assert missing.returncode == 1 and "no SQLite store at" in missing.stderr
