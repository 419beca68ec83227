"""All persistent state, behind one interface: SQLite for one process, PostgreSQL for several.

The store is made of parts, one per kind of state (feeds, entries, stories, outbox,
chats, workers, the desk's articles and marks); all SQL lives in this package. It
imports nothing of the project but core.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.chats import Chats
from store.db import Handle, PostgresDatabase, SqliteDatabase, is_database_url, migrate
from store.desk import Desk, KeptArticle, Mark
from store.entries import Entries
from store.feeds import Feeds
from store.migrations import POSTGRES, SQLITE
from store.outbox import Outbox
from store.records import ChatState, FeedState, OutboxRow, StoryRecord, ThreadMessage, with_sources
from store.stories import Stories
from store.workers import LEADER, Workers, feed_lease

__all__ = ["LEADER", "ChatState", "FeedState", "KeptArticle", "Mark", "OutboxRow", "Store", "StoryRecord",
           "ThreadMessage", "feed_lease", "with_sources"]


class Store(Feeds, Entries, Stories, Outbox, Chats, Workers, Desk):
    """``target``: an SQLite file, or a ``postgresql://`` URL. Migrations run on opening."""

    _db: Handle

    def __init__(self, target: str | Path) -> None:
        if is_database_url(target):
            self._database: SqliteDatabase | PostgresDatabase = PostgresDatabase(str(target))
            migrations = POSTGRES
        else:
            self._database = SqliteDatabase(target)
            migrations = SQLITE
        self._db = self._database
        self.applied = migrate(self._database, migrations)

    @property
    def kind(self) -> str:
        return self._database.kind

    @property
    def where(self) -> str:
        """The file, or the URL without its password."""
        return self._database.where

    def close(self) -> None:
        self._database.close()

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[Store]:
        """The store inside one transaction (its parts' single statements only); ``lock`` names a
        lock held until it ends, across workers."""
        with self._database.transaction(lock) as handle:
            view = object.__new__(Store)
            view._database, view._db, view.applied = self._database, handle, []
            yield view

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """One holder at a time across workers, over several transactions (story assignment)."""
        with self._database.exclusive(name):
            yield
