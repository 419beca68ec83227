"""Named schema migrations: SQLite's as earlier releases applied them (never edit an
applied migration: add one), and the same list in PostgreSQL's types.
"""

import re

SQLITE: tuple[tuple[str, str], ...] = (
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
    (
        "003_workers",
        """
        CREATE TABLE workers (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started REAL NOT NULL,
            last_beat REAL NOT NULL
        );
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,  -- leader, or feed:<url>
            holder TEXT NOT NULL,
            until REAL NOT NULL
        );
        CREATE INDEX leases_by_holder ON leases (holder);
        ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
        ALTER TABLE outbox ADD COLUMN claimed_until REAL;
        -- bumped at every change of a story, so each worker reads in exactly what the others changed
        ALTER TABLE stories ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX stories_by_version ON stories (version)
        """,
    ),
    (
        "004_situations",
        """
        -- a story belongs to a situation (the thread a desk follows), named by its first story
        ALTER TABLE stories ADD COLUMN situation_id TEXT;
        UPDATE stories SET situation_id = id;
        CREATE INDEX stories_by_situation ON stories (situation_id);
        -- an outbox row is one Telegram message of a situation's thread in one chat: the first
        -- (key = the situation id) rings, later parts ring again or arrive silently as replies
        ALTER TABLE outbox RENAME COLUMN story_id TO message_key;
        ALTER TABLE outbox ADD COLUMN situation_id TEXT;
        ALTER TABLE outbox ADD COLUMN part INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN notify INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE outbox ADD COLUMN reply_to TEXT;
        ALTER TABLE outbox ADD COLUMN stories TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE outbox ADD COLUMN opened_at REAL;
        ALTER TABLE outbox ADD COLUMN changed_story TEXT;
        UPDATE outbox SET situation_id = message_key, stories = '["' || message_key || '"]', opened_at = created_at
          WHERE message_key NOT LIKE 'digest:%';
        CREATE INDEX outbox_by_situation ON outbox (situation_id, chat_id)
        """,
    ),
    (
        "005_desk",
        """
        -- every article the worker classified, alerted or not, for [storage] keep_days: what the
        -- desk's marks and a replay under an edited config read
        CREATE TABLE articles (
            url TEXT PRIMARY KEY,
            seen_at REAL NOT NULL,
            published TEXT,
            source TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            scores TEXT NOT NULL,  -- JSON {topic: {score, threshold, alert, why}}
            story_id TEXT,
            config_version TEXT NOT NULL
        );
        CREATE INDEX articles_by_time ON articles (seen_at);
        -- a mark on an alert (on | off | split) or a reported miss, with the article as it was read
        CREATE TABLE marks (
            id INTEGER PRIMARY KEY,
            chat_id TEXT NOT NULL,
            message_id INTEGER,
            user_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            desk INTEGER NOT NULL,  -- 1: an editor's, counted in the desk's figures
            topics TEXT NOT NULL,
            story_id TEXT,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            source TEXT NOT NULL,
            published TEXT,
            scores TEXT NOT NULL,
            config_version TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE UNIQUE INDEX marks_one_per_user ON marks (chat_id, message_id, user_id);
        CREATE INDEX marks_by_time ON marks (updated_at);
        -- every button press taken (Telegram's callback query id): one delivered again is not taken twice
        CREATE TABLE mark_presses (
            callback_id TEXT PRIMARY KEY,
            taken_at REAL NOT NULL
        )
        """,
    ),
)


def for_postgres(sql: str) -> str:
    """SQLite's schema in PostgreSQL's types: its REAL is single precision (unix times would be
    rounded) and the outbox's INTEGER PRIMARY KEY becomes an identity column."""
    sql = sql.replace("INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
    return re.sub(r"\bREAL\b", "DOUBLE PRECISION", re.sub(r"\bINTEGER\b", "BIGINT", sql))


POSTGRES: tuple[tuple[str, str], ...] = tuple((name, for_postgres(sql)) for name, sql in SQLITE)
