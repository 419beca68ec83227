import sqlite3
import time

import pytest

from store import Store, StoryRecord


def story(story_id="s1", sources=(("A", "http://a/1", "t"),)):
    return StoryRecord(id=story_id, created_at=0, published="2026-01-01T00:00:00+00:00", title="t",
                       url=sources[0][1], source=sources[0][0], summary="s", topics=("security_council",),
                       tags=(), lang="ar", fingerprint={"s": [], "e": [], "t": [], "p": 0}, sources=sources)


def test_migrations_are_recorded_and_rerun_safely(tmp_path):
    Store(tmp_path / "db.sqlite3").close()
    store = Store(tmp_path / "db.sqlite3")
    names = [r[0] for r in store._db.execute("SELECT name FROM migrations")]  # noqa: SLF001
    assert names == ["001_initial", "002_freshness"]
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # noqa: SLF001


def test_a_store_made_before_the_freshness_columns_gets_them(tmp_path):
    import sqlite3

    from store.sqlite import MIGRATIONS

    with sqlite3.connect(tmp_path / "old.sqlite3") as db:  # as the previous release left it
        db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at REAL)")
        db.executescript(MIGRATIONS[0][1])
        db.execute("INSERT INTO migrations VALUES ('001_initial', 0)")
    store = Store(tmp_path / "old.sqlite3")
    store.save_story(story(), feed_url="f", entry_id="e1", messages={}, deliver=False)
    assert store.story("s1").first_seen is None and store.feed_state("u", "n").asked_interval is None


def test_story_entry_and_outbox_rows_commit_together(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    store.save_story(story(), feed_url="f", entry_id="e1", messages={("-1", None): "hello"}, deliver=True)
    assert store.unseen("f", ["e1", "e2"]) == ["e2"]
    assert [r.chat_id for r in store.due(1e12)] == ["-1"]
    store.save_story(story(), feed_url="f", entry_id="e1", messages={("-1", None): "hello"}, deliver=True)
    assert len(store.due(1e12)) == 1  # (story, chat) is unique


def test_failed_transaction_leaves_nothing(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    broken = story()
    object.__setattr__(broken, "fingerprint", {"bad": {1, 2}})  # not JSON: fails mid-transaction
    with pytest.raises(TypeError):
        store.save_story(broken, feed_url="f", entry_id="e1", messages={("-1", None): "x"}, deliver=True)
    assert store.unseen("f", ["e1"]) == ["e1"] and store.story("s1") is None


def test_new_sources_flag_sent_rows_for_an_edit(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    store.save_story(story(), feed_url="f", entry_id="e1", messages={("-1", None): "v1"}, deliver=True)
    row = store.due(1e12)[0]
    store.mark_sent(row, 42, row.text)
    assert store.due(1e12) == []
    two = story(sources=(("A", "http://a/1", "t"), ("B", "http://b/1", "t")))
    store.save_story(two, feed_url="g", entry_id="e9", messages={("-1", None): "v2"}, deliver=True)
    assert store.due(time.time() + 1) == []  # edits wait a minute so joining outlets coalesce
    three = story(sources=two.sources + (("C", "http://c/1", "t"),))
    store.save_story(three, feed_url="h", entry_id="e10", messages={("-1", None): "v3"}, deliver=True)
    edit = store.due(1e12)[0]
    assert edit.text == "v3" and len(store.due(1e12)) == 1
    assert edit.edit_pending and edit.message_id == 42
    assert [s[0] for s in store.story("s1").sources] == ["A", "B", "C"]


def test_disabled_and_migrated_chats_are_remembered(tmp_path):
    path = tmp_path / "db.sqlite3"
    store = Store(path)
    store.save_story(story(), feed_url="f", entry_id="e1", messages={("-1", None): "x", ("-2", None): "y"},
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
