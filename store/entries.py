"""Entries: what each feed has already shown us, so nothing is processed twice."""

from __future__ import annotations

import time
from collections.abc import Iterable

from store.db import Handle

MARK_SEEN = "INSERT INTO seen VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"  # feed, entry, url, story, when


class Entries:
    _db: Handle

    def unseen(self, feed_url: str, entry_ids: Iterable[str]) -> list[str]:
        ids = list(dict.fromkeys(entry_ids))
        known: set[str] = set()
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            rows = self._db.rows(
                f"SELECT entry_id FROM seen WHERE feed_url = ? AND entry_id IN ({','.join('?' * len(part))})",
                [feed_url, *part],
            )
            known.update(row["entry_id"] for row in rows)
        return [i for i in ids if i not in known]

    def url_seen(self, url: str) -> str | None:
        """Story id of an article already handled under another feed, '' if seen without story."""
        row = self._db.one("SELECT story_id FROM seen WHERE url = ? LIMIT 1", (url,))
        return None if row is None else (row["story_id"] or "")

    def mark_seen(self, feed_url: str, entry_id: str, url: str, story_id: str | None = None) -> None:
        self._db.run(MARK_SEEN, (feed_url, entry_id, url, story_id, time.time()))

    def prune_seen(self, older_than: float) -> int:
        return self._db.run("DELETE FROM seen WHERE seen_at < ?", (older_than,))
