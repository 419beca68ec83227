"""Named schema migrations, one list per backend with the same names in the same order.

SQLite's list is the one earlier releases applied (never edit an applied migration: add
one). PostgreSQL's says the same in its types: DOUBLE PRECISION for times (its REAL is
single precision), an identity column for the outbox.
"""

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
)


POSTGRES: tuple[tuple[str, str], ...] = (
    (
        "001_initial",
        """
        CREATE TABLE feeds (
            url TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            content_hash TEXT,
            last_polled DOUBLE PRECISION,
            last_success DOUBLE PRECISION,
            last_error TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            next_poll DOUBLE PRECISION,
            entries_per_day DOUBLE PRECISION,
            interval DOUBLE PRECISION
        );
        CREATE TABLE seen (
            feed_url TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            url TEXT,
            story_id TEXT,
            seen_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (feed_url, entry_id)
        );
        CREATE INDEX seen_by_url ON seen (url);
        CREATE INDEX seen_by_time ON seen (seen_at);
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
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
            added_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (story_id, url)
        );
        CREATE TABLE outbox (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            story_id TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            thread_id BIGINT,
            text TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at DOUBLE PRECISION NOT NULL,
            last_error TEXT,
            message_id BIGINT,
            edit_pending INTEGER NOT NULL DEFAULT 0,
            created_at DOUBLE PRECISION NOT NULL,
            attempted_at DOUBLE PRECISION,
            sent_at DOUBLE PRECISION,
            UNIQUE (story_id, chat_id)
        );
        CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
        CREATE INDEX outbox_attempts ON outbox (attempted_at);
        CREATE TABLE digest_items (
            chat_id TEXT NOT NULL,
            thread_id BIGINT,
            story_id TEXT NOT NULL REFERENCES stories (id),
            added_at DOUBLE PRECISION NOT NULL,
            digest TEXT,
            PRIMARY KEY (chat_id, story_id)
        );
        CREATE TABLE subscriptions (
            chat_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (chat_id, topic)
        );
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE chats (
            chat_id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            reason TEXT,
            migrated_to TEXT,
            updated_at DOUBLE PRECISION NOT NULL
        )
        """,
    ),
    (
        "002_freshness",
        """
        ALTER TABLE feeds ADD COLUMN asked_interval DOUBLE PRECISION;
        ALTER TABLE stories ADD COLUMN first_seen DOUBLE PRECISION
        """,
    ),
    (
        "003_workers",
        """
        CREATE TABLE workers (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started DOUBLE PRECISION NOT NULL,
            last_beat DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            until DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX leases_by_holder ON leases (holder);
        ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
        ALTER TABLE outbox ADD COLUMN claimed_until DOUBLE PRECISION;
        ALTER TABLE stories ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
        CREATE INDEX stories_by_version ON stories (version)
        """,
    ),
)
