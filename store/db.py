"""One small interface over the two databases: rows as dicts, transactions, named locks.

SQL in `store/` is written once, with ``?`` placeholders and the ``ON CONFLICT`` upserts
both SQLite and PostgreSQL accept; only the schema (migrations) differs per backend.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

Params = Sequence[Any]


class Handle(Protocol):
    """What the store's parts run their SQL on: the database, or one open transaction."""

    kind: str

    def rows(self, sql: str, params: Params = ()) -> list[dict[str, Any]]: ...

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None: ...

    def value(self, sql: str, params: Params = ()) -> Any: ...

    def run(self, sql: str, params: Params = ()) -> int: ...


def is_database_url(target: str | Path) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def lock_key(name: str) -> int:
    """A stable 63-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 1


class SqliteDatabase:
    """WAL mode, one connection, short transactions; one process writes (the embedded deployment)."""

    kind = "sqlite"

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self.where = str(path)
        self._db = sqlite3.connect(str(path), isolation_level=None, timeout=30, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._guard = threading.RLock()  # the health server's thread reads beside the loop's writes

    def rows(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        with self._guard:
            return [dict(row) for row in self._db.execute(sql, params)]

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        with self._guard:
            row = self._db.execute(sql, params).fetchone()
        return dict(row) if row else None

    def value(self, sql: str, params: Params = ()) -> Any:
        with self._guard:
            row = self._db.execute(sql, params).fetchone()
        return row[0] if row else None

    def run(self, sql: str, params: Params = ()) -> int:
        with self._guard:
            return self._db.execute(sql, params).rowcount

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[Handle]:
        """BEGIN IMMEDIATE already excludes every other writer, so ``lock`` needs nothing more."""
        with self._guard:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        yield  # one process: nothing else assigns stories at the same time

    def close(self) -> None:
        self._db.close()


@lru_cache(maxsize=512)
def _pg(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class _PgHandle:
    kind = "postgres"

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def _execute(self, sql: str, params: Params) -> Any:
        return self._connection.execute(_pg(sql), tuple(params))

    def rows(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return self._execute(sql, params).fetchall()

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        return self._execute(sql, params).fetchone()

    def value(self, sql: str, params: Params = ()) -> Any:
        row = self._execute(sql, params).fetchone()
        return next(iter(row.values())) if row else None

    def run(self, sql: str, params: Params = ()) -> int:
        return self._execute(sql, params).rowcount


class PostgresDatabase:
    """psycopg 3 with its pool; every statement outside a transaction commits on its own."""

    kind = "postgres"

    def __init__(self, url: str, *, max_size: int = 4) -> None:
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        self.where = _without_password(url)
        self._pool = ConnectionPool(url, min_size=1, max_size=max_size, open=False, name="bot-store",
                                    kwargs={"autocommit": True, "row_factory": dict_row})
        self._pool.open(wait=True, timeout=15)

    @contextmanager
    def _handle(self) -> Iterator[_PgHandle]:
        with self._pool.connection() as connection:
            yield _PgHandle(connection)

    def rows(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        with self._handle() as handle:
            return handle.rows(sql, params)

    def one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        with self._handle() as handle:
            return handle.one(sql, params)

    def value(self, sql: str, params: Params = ()) -> Any:
        with self._handle() as handle:
            return handle.value(sql, params)

    def run(self, sql: str, params: Params = ()) -> int:
        with self._handle() as handle:
            return handle.run(sql, params)

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[Handle]:
        """One transaction; ``lock`` names an advisory lock held until it ends (one holder across workers)."""
        with self._pool.connection() as connection, connection.transaction():
            handle = _PgHandle(connection)
            if lock:
                handle.run("SELECT pg_advisory_xact_lock(?)", (lock_key(lock),))
            yield handle

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """A lock across workers around work that spans several transactions; a dead holder's
        session ends and frees it."""
        with self._pool.connection() as connection:
            handle = _PgHandle(connection)
            handle.run("SELECT pg_advisory_lock(?)", (lock_key(name),))
            try:
                yield
            finally:
                handle.run("SELECT pg_advisory_unlock(?)", (lock_key(name),))

    def close(self) -> None:
        self._pool.close()


def _without_password(url: str) -> str:
    """The URL as logs may show it."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def migrate(database: SqliteDatabase | PostgresDatabase, migrations: Sequence[tuple[str, str]]) -> list[str]:
    """Apply the named migrations not yet applied, each in its own transaction; returns their names.
    Workers starting together on PostgreSQL take turns (an advisory lock)."""
    applied = []
    with database.transaction(lock="migrations") as db:
        db.run("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION)")
    for name, sql in migrations:
        with database.transaction(lock="migrations") as db:
            if db.one("SELECT 1 AS done FROM migrations WHERE name = ?", (name,)):
                continue
            for statement in filter(str.strip, sql.split(";")):
                db.run(statement)
            db.run("INSERT INTO migrations VALUES (?, ?)", (name, time.time()))
            applied.append(name)
    return applied
