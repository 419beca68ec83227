"""Feeds: each feed's polling state, and the leases that let one worker at a time poll it."""

from __future__ import annotations

from store.db import Handle
from store.records import FeedState

_FIELDS = FeedState.__slots__
_UPSERT = (f"INSERT INTO feeds ({', '.join(_FIELDS)}) VALUES ({', '.join('?' for _ in _FIELDS)}) "
           f"ON CONFLICT (url) DO UPDATE SET {', '.join(f'{f} = excluded.{f}' for f in _FIELDS if f != 'url')}")


class Feeds:
    _db: Handle

    def feed_state(self, url: str, name: str) -> FeedState:
        row = self._db.one("SELECT * FROM feeds WHERE url = ?", (url,))
        return FeedState(**row) if row else FeedState(url=url, name=name)

    def feed_states(self) -> list[FeedState]:
        return [FeedState(**row) for row in self._db.rows("SELECT * FROM feeds ORDER BY name")]

    def save_feed_state(self, state: FeedState) -> None:
        self._db.run(_UPSERT, [getattr(state, f) for f in _FIELDS])
