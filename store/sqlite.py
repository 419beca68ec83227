"""SQLite store: feed state, seen entries, stories, the outbox and chat state.

WAL mode, one connection, short transactions. Every write that must survive a crash
together (entry seen + story + outbox rows) happens in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

EDIT_DELAY = 60.0  # outlets joining a story within a minute make one edit, not a storm

MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "001_initial",
        """
        CREATE TABLE feeds (
            url TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            content_hash TEXT,
            last_polled REAL,
            last_success REAL,
            last_error TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            next_poll REAL,
            entries_per_day REAL,
            interval REAL
        );
        CREATE TABLE seen (
            feed_url TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            url TEXT,
            story_id TEXT,
            seen_at REAL NOT NULL,
            PRIMARY KEY (feed_url, entry_id)
        );
        CREATE INDEX seen_by_url ON seen (url);
        CREATE INDEX seen_by_time ON seen (seen_at);
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            published TEXT NOT NULL,
            title TEXT NOT NULL,
            url TEXT NOT NULL,
            source TEXT NOT NULL,
            summary TEXT NOT NULL,
            topics TEXT NOT NULL,
            tags TEXT NOT NULL,
            lang TEXT NOT NULL,
            fingerprint TEXT NOT NULL
        );
        CREATE INDEX stories_by_time ON stories (created_at);
        CREATE TABLE story_sources (
            story_id TEXT NOT NULL REFERENCES stories (id),
            source TEXT NOT NULL,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            added_at REAL NOT NULL,
            PRIMARY KEY (story_id, url)
        );
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            story_id TEXT NOT NULL,  -- a story id, or digest:<period> for a digest message
            chat_id TEXT NOT NULL,
            thread_id INTEGER,
            text TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL,
            last_error TEXT,
            message_id INTEGER,
            edit_pending INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            attempted_at REAL,
            sent_at REAL,
            UNIQUE (story_id, chat_id)
        );
        CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
        CREATE INDEX outbox_attempts ON outbox (attempted_at);
        CREATE TABLE digest_items (
            chat_id TEXT NOT NULL,
            thread_id INTEGER,
            story_id TEXT NOT NULL REFERENCES stories (id),
            added_at REAL NOT NULL,
            digest TEXT,  -- the digest that carried it, NULL while waiting
            PRIMARY KEY (chat_id, story_id)
        );
        CREATE TABLE subscriptions (
            chat_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (chat_id, topic)
        );
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE TABLE chats (
            chat_id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            reason TEXT,
            migrated_to TEXT,
            updated_at REAL NOT NULL
        );
        """,
    ),
    (
        "002_freshness",
        """
        -- a feed's own <ttl> or Cache-Control max-age, and when a poll first saw a story's first article
        ALTER TABLE feeds ADD COLUMN asked_interval REAL;
        ALTER TABLE stories ADD COLUMN first_seen REAL
        """,
    ),
)


@dataclass(frozen=True, slots=True)
class FeedState:
    url: str
    name: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    last_polled: float | None = None
    last_success: float | None = None
    last_error: str | None = None
    failures: int = 0
    next_poll: float | None = None
    entries_per_day: float | None = None
    interval: float | None = None
    asked_interval: float | None = None  # seconds the feed asks between polls (<ttl>, max-age)


@dataclass(frozen=True, slots=True)
class StoryRecord:
    id: str
    created_at: float
    published: str
    title: str
    url: str
    source: str
    summary: str
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    lang: str
    fingerprint: dict
    sources: tuple[tuple[str, str, str], ...]  # (source, url, title), first first
    first_seen: float | None = None  # when a poll first saw the story's first article


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    story_id: str
    chat_id: str
    thread_id: int | None
    text: str
    status: str
    attempts: int
    next_attempt_at: float
    message_id: int | None
    edit_pending: bool


@dataclass(frozen=True, slots=True)
class ChatState:
    chat_id: str
    status: str  # active | disabled
    reason: str | None
    migrated_to: str | None


class Store:
    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        self._db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at REAL)")
        done = {row[0] for row in self._db.execute("SELECT name FROM migrations")}
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.transaction() as db:
                for statement in filter(str.strip, sql.split(";")):
                    db.execute(statement)
                db.execute("INSERT INTO migrations VALUES (?, ?)", (name, time.time()))

    # ------------------------------------------------------------------ feeds
    def feed_state(self, url: str, name: str) -> FeedState:
        row = self._db.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return FeedState(**dict(row)) if row else FeedState(url=url, name=name)

    def feed_states(self) -> list[FeedState]:
        return [FeedState(**dict(row)) for row in self._db.execute("SELECT * FROM feeds ORDER BY name")]

    def save_feed_state(self, state: FeedState) -> None:
        fields = [f for f in FeedState.__slots__]
        self._db.execute(
            f"INSERT OR REPLACE INTO feeds ({', '.join(fields)}) VALUES ({', '.join('?' for _ in fields)})",
            [getattr(state, f) for f in fields],
        )

    # ---------------------------------------------------------------- entries
    def unseen(self, feed_url: str, entry_ids: Iterable[str]) -> list[str]:
        ids = list(dict.fromkeys(entry_ids))
        if not ids:
            return []
        known = set()
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            rows = self._db.execute(
                f"SELECT entry_id FROM seen WHERE feed_url = ? AND entry_id IN ({','.join('?' * len(part))})",
                [feed_url, *part],
            )
            known.update(row[0] for row in rows)
        return [i for i in ids if i not in known]

    def url_seen(self, url: str) -> str | None:
        """Story id of an article already handled under another feed, '' if seen without story."""
        row = self._db.execute("SELECT story_id FROM seen WHERE url = ? LIMIT 1", (url,)).fetchone()
        return None if row is None else (row[0] or "")

    def mark_seen(self, feed_url: str, entry_id: str, url: str, story_id: str | None = None) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO seen VALUES (?, ?, ?, ?, ?)", (feed_url, entry_id, url, story_id, time.time())
        )

    def prune_seen(self, older_than: float) -> int:
        return self._db.execute("DELETE FROM seen WHERE seen_at < ?", (older_than,)).rowcount

    # ---------------------------------------------------------------- stories
    def recent_stories(self, since: float) -> list[StoryRecord]:
        rows = self._db.execute("SELECT * FROM stories WHERE created_at >= ? ORDER BY created_at", (since,))
        return [self._story(row) for row in rows.fetchall()]

    def story(self, story_id: str) -> StoryRecord | None:
        row = self._db.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        return self._story(row) if row else None

    def _story(self, row: sqlite3.Row) -> StoryRecord:
        sources = self._db.execute(
            "SELECT source, url, title FROM story_sources WHERE story_id = ? ORDER BY added_at, rowid", (row["id"],)
        )
        return StoryRecord(
            id=row["id"],
            created_at=row["created_at"],
            published=row["published"],
            title=row["title"],
            url=row["url"],
            source=row["source"],
            summary=row["summary"],
            topics=tuple(json.loads(row["topics"])),
            tags=tuple(json.loads(row["tags"])),
            lang=row["lang"],
            fingerprint=json.loads(row["fingerprint"]),
            sources=tuple(tuple(s) for s in sources),
            first_seen=row["first_seen"],
        )

    def save_story(
        self,
        story: StoryRecord,
        *,
        feed_url: str,
        entry_id: str,
        messages: dict[tuple[str, int | None], str],
        deliver: bool,
        digests: list[tuple[str, int | None]] = (),  # type: ignore[assignment]
    ) -> StoryRecord:
        """Entry seen + story created or extended + outbox rows, all or nothing.

        ``messages`` maps (chat, thread) to the rendered text; rows already sent get the
        new text and an edit flag, unsent ones just the new text.
        """
        now = time.time()
        with self.transaction() as db:
            exists = db.execute("SELECT 1 FROM stories WHERE id = ?", (story.id,)).fetchone()
            if exists:
                db.execute(
                    "UPDATE stories SET updated_at = ?, topics = ?, tags = ?, fingerprint = ? WHERE id = ?",
                    (now, json.dumps(story.topics), json.dumps(story.tags, ensure_ascii=False),
                     json.dumps(story.fingerprint), story.id),
                )
            else:
                db.execute(
                    "INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (story.id, now, now, story.published, story.title, story.url, story.source, story.summary,
                     json.dumps(story.topics), json.dumps(story.tags, ensure_ascii=False), story.lang,
                     json.dumps(story.fingerprint), story.first_seen),
                )
            for offset, (source, url, title) in enumerate(story.sources):
                db.execute(
                    "INSERT OR IGNORE INTO story_sources VALUES (?, ?, ?, ?, ?)",
                    (story.id, source, url, title, now + offset * 1e-6),
                )
            db.execute(
                "INSERT OR IGNORE INTO seen VALUES (?, ?, ?, ?, ?)", (feed_url, entry_id, story.url, story.id, now)
            )
            for chat_id, thread_id in digests if deliver else ():
                db.execute("INSERT OR IGNORE INTO digest_items VALUES (?, ?, ?, ?, NULL)",
                           (chat_id, thread_id, story.id, now))
            if deliver:
                for (chat_id, thread_id), text in messages.items():
                    db.execute(
                        """INSERT INTO outbox (story_id, chat_id, thread_id, text, next_attempt_at, created_at)
                           VALUES (?, ?, ?, ?, ?, ?)
                           ON CONFLICT (story_id, chat_id) DO UPDATE SET text = excluded.text,
                             edit_pending = CASE WHEN outbox.status = 'sent' AND outbox.text != excluded.text
                                                 THEN 1 ELSE outbox.edit_pending END,
                             next_attempt_at = CASE WHEN outbox.status = 'sent' AND outbox.edit_pending = 0
                                                    THEN ? ELSE outbox.next_attempt_at END""",
                        (story.id, chat_id, thread_id, text, now, now, now + EDIT_DELAY),
                    )
        return self.story(story.id) or story

    # ----------------------------------------------------------------- outbox
    def due(self, now: float, limit: int = 100) -> list[OutboxRow]:
        rows = self._db.execute(
            """SELECT * FROM outbox
               WHERE next_attempt_at <= ? AND (status = 'pending' OR (status = 'sent' AND edit_pending = 1))
               ORDER BY next_attempt_at, id LIMIT ?""",
            (now, limit),
        )
        return [self._outbox(row) for row in rows]

    def next_due_at(self) -> float | None:
        row = self._db.execute(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' OR (status = 'sent' AND edit_pending = 1)"
        ).fetchone()
        return row[0]

    def pending_count(self) -> int:
        return self._db.execute(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending' OR (status = 'sent' AND edit_pending = 1)"
        ).fetchone()[0]

    def recent_sends(self, since: float) -> list[tuple[str, float]]:
        """(chat, time) of send attempts since ``since``, the one in flight at a crash included,
        so flood limits survive a restart."""
        rows = self._db.execute(
            "SELECT chat_id, attempted_at FROM outbox WHERE attempted_at >= ? ORDER BY attempted_at", (since,)
        )
        return [(row[0], row[1]) for row in rows]

    def mark_attempt(self, row: OutboxRow) -> None:
        """Committed before the request leaves, so a restart knows it may have been sent."""
        self._db.execute("UPDATE outbox SET attempted_at = ? WHERE id = ?", (time.time(), row.id))

    # ---------------------------------------------------------------- digests
    def digest_due(self, chat_id: str, before: float) -> list[StoryRecord]:
        """Stories waiting for this chat's digest that arrived before ``before``."""
        rows = self._db.execute(
            """SELECT s.* FROM digest_items d JOIN stories s ON s.id = d.story_id
               WHERE d.chat_id = ? AND d.digest IS NULL AND d.added_at < ? ORDER BY d.added_at""",
            (chat_id, before),
        )
        return [self._story(row) for row in rows.fetchall()]

    def enqueue_digest(self, chat_id: str, thread_id: int | None, digest: str, text: str,
                       story_ids: list[str]) -> None:
        """The digest message and the items it carries, in one transaction."""
        now = time.time()
        with self.transaction() as db:
            db.execute(
                """INSERT OR IGNORE INTO outbox (story_id, chat_id, thread_id, text, next_attempt_at, created_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (digest, chat_id, thread_id, text, now, now),
            )
            db.executemany(
                "UPDATE digest_items SET digest = ? WHERE chat_id = ? AND story_id = ?",
                [(digest, chat_id, story_id) for story_id in story_ids],
            )

    # ---------------------------------------------------------- subscriptions
    def subscribe(self, chat_id: str, topic: str) -> bool:
        """True when this is a new subscription."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO subscriptions VALUES (?, ?, ?)", (chat_id, topic, time.time())
        )
        if cursor.rowcount:  # a chat that subscribes again is active again
            self._db.execute("DELETE FROM chats WHERE chat_id = ? AND status = 'disabled'", (chat_id,))
        return bool(cursor.rowcount)

    def unsubscribe(self, chat_id: str, topic: str) -> bool:
        cursor = self._db.execute("DELETE FROM subscriptions WHERE chat_id = ? AND topic = ?", (chat_id, topic))
        return bool(cursor.rowcount)

    def subscriptions(self, chat_id: str) -> list[str]:
        rows = self._db.execute("SELECT topic FROM subscriptions WHERE chat_id = ? ORDER BY topic", (chat_id,))
        return [row[0] for row in rows]

    def subscribers(self, topics: Iterable[str]) -> list[str]:
        """Private chats subscribed to any of ``topics`` and not disabled."""
        topics = list(topics)
        if not topics:
            return []
        rows = self._db.execute(
            f"""SELECT DISTINCT s.chat_id FROM subscriptions s LEFT JOIN chats c ON c.chat_id = s.chat_id
                WHERE s.topic IN ({",".join("?" * len(topics))}) AND COALESCE(c.status, 'active') = 'active'
                ORDER BY s.created_at""",
            topics,
        )
        return [row[0] for row in rows]

    def story_topics_since(self, since: float) -> list[tuple[float, tuple[str, ...]]]:
        """(created_at, topics) of the stories alerted since ``since``: what ``stats`` counts."""
        rows = self._db.execute("SELECT created_at, topics FROM stories WHERE created_at >= ? ORDER BY created_at",
                                (since,))
        return [(row[0], tuple(json.loads(row[1]))) for row in rows]

    def sent_since(self, since: float) -> list[float]:
        rows = self._db.execute("SELECT sent_at FROM outbox WHERE sent_at >= ? ORDER BY sent_at", (since,))
        return [row[0] for row in rows]

    def latest_stories(self, limit: int = 5) -> list[StoryRecord]:
        rows = self._db.execute("SELECT * FROM stories ORDER BY created_at DESC LIMIT ?", (limit,))
        return [self._story(row) for row in rows.fetchall()]

    # ------------------------------------------------------------------- meta
    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?, ?)", (key, value, time.time()))

    def meta(self, key: str) -> tuple[str, float] | None:
        row = self._db.execute("SELECT value, updated_at FROM meta WHERE key = ?", (key,)).fetchone()
        return (row[0], row[1]) if row else None

    def _outbox(self, row: sqlite3.Row) -> OutboxRow:
        return OutboxRow(
            id=row["id"], story_id=row["story_id"], chat_id=row["chat_id"], thread_id=row["thread_id"],
            text=row["text"], status=row["status"], attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"], message_id=row["message_id"],
            edit_pending=bool(row["edit_pending"]),
        )

    def mark_sent(self, row: OutboxRow, message_id: int | None, text: str) -> None:
        self._db.execute(
            """UPDATE outbox SET status = 'sent', message_id = COALESCE(?, message_id), sent_at = COALESCE(sent_at, ?),
                 attempts = attempts + 1, last_error = NULL,
                 edit_pending = CASE WHEN text = ? THEN 0 ELSE edit_pending END
               WHERE id = ?""",
            (message_id, time.time(), text, row.id),
        )

    def mark_retry(self, row: OutboxRow, delay: float, error: str) -> None:
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
            (time.time() + delay, error, row.id),
        )

    def mark_failed(self, row: OutboxRow, error: str) -> None:
        """Give up on this row (or on its edit, if it was already sent)."""
        self._db.execute(
            """UPDATE outbox SET status = CASE WHEN status = 'sent' THEN 'sent' ELSE 'failed' END,
                 edit_pending = 0, attempts = attempts + 1, last_error = ? WHERE id = ?""",
            (error, row.id),
        )

    def outbox_counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status")
        return {row[0]: row[1] for row in rows}

    # ------------------------------------------------------------------ chats
    def chat(self, chat_id: str) -> ChatState:
        row = self._db.execute("SELECT * FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        if row is None:
            return ChatState(chat_id, "active", None, None)
        return ChatState(row["chat_id"], row["status"], row["reason"], row["migrated_to"])

    def disable_chat(self, chat_id: str, reason: str) -> None:
        """Stop sending there; pending rows fail with the reason."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO chats VALUES (?, 'disabled', ?, NULL, ?)", (chat_id, reason, time.time())
            )
            db.execute(
                "UPDATE outbox SET status = 'failed', last_error = ? WHERE chat_id = ? AND status = 'pending'",
                (f"chat disabled: {reason}", chat_id),
            )

    def migrate_chat(self, old: str, new: str) -> None:
        """Remember the supergroup id and move pending rows there."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO chats VALUES (?, 'migrated', 'group upgraded', ?, ?)", (old, new, time.time())
            )
            db.execute(
                "UPDATE OR IGNORE outbox SET chat_id = ? WHERE chat_id = ? AND status = 'pending'", (new, old)
            )

    def resolve_chat(self, chat_id: str) -> ChatState:
        """Follow migrations to the chat's current id and state."""
        state = self.chat(chat_id)
        hops = 0
        while state.status == "migrated" and state.migrated_to and hops < 5:
            state = self.chat(state.migrated_to)
            hops += 1
        return state


def with_sources(story: StoryRecord, extra: tuple[str, str, str]) -> StoryRecord:
    if any(s[1] == extra[1] for s in story.sources):
        return story
    return replace(story, sources=story.sources + (extra,))
