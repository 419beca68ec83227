"""Moving one store's state into another: an SQLite file's into PostgreSQL (`bot.py migrate --from`)."""

from __future__ import annotations

from store import Store

# Parents before children; workers and leases are about processes, not state worth moving.
TABLES = ("feeds", "seen", "stories", "story_sources", "outbox", "digest_items", "subscriptions", "meta", "chats",
          "articles", "marks", "mark_presses")


def copy_store(source: Store, target: Store) -> dict[str, int]:
    """Every row of ``source`` that ``target`` lacks, in one transaction; rows already there stay
    (running it twice copies nothing twice). Returns rows copied per table."""
    copied = {}
    with target.transaction(lock="migrations") as into:
        for table in TABLES:
            rows = source._db.rows(f"SELECT * FROM {table}")  # noqa: SLF001 - the store copying itself
            count = 0
            for row in rows:
                columns = [c for c in row if c not in ("claimed_by", "claimed_until")]
                count += into._db.run(  # noqa: SLF001
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
                    "ON CONFLICT DO NOTHING", [row[c] for c in columns])
            copied[table] = count
        for table in ("outbox", "marks") if target.kind == "postgres" else ():  # ids copied as they were:
            into._db.value(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: SLF001
                           f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")  # new rows continue after them
    return copied
