"""The outbox: every message to send or edit, claimed by one worker at a time.

A claim is taken before the request leaves and records the attempt, so flood limits and
a restart both know it may have been sent; a dead worker's claim runs out and another
worker sends the row (at most one repeat per crash).
"""

from __future__ import annotations

import json
import time
from typing import Any

from store.db import Handle
from store.records import OutboxRow

_OPEN = "(status = 'pending' OR (status = 'sent' AND edit_pending = 1))"
_UNCLAIMED = "(claimed_until IS NULL OR claimed_until < ?)"


class Outbox:
    _db: Handle

    def due(self, now: float, limit: int = 100) -> list[OutboxRow]:
        rows = self._db.rows(
            f"SELECT * FROM outbox WHERE next_attempt_at <= ? AND {_OPEN} AND {_UNCLAIMED} "
            "ORDER BY next_attempt_at, id LIMIT ?",
            (now, now, limit),
        )
        return [_outbox(row) for row in rows]

    def next_due_at(self) -> float | None:
        return self._db.value(f"SELECT MIN(next_attempt_at) FROM outbox WHERE {_OPEN}")

    def pending_count(self) -> int:
        return int(self._db.value(f"SELECT COUNT(*) FROM outbox WHERE {_OPEN}"))

    def recent_sends(self, since: float) -> list[tuple[str, float]]:
        """(chat, time) of send attempts since ``since`` by any worker, the ones in flight included:
        the history Telegram's flood limits are counted on."""
        rows = self._db.rows(
            "SELECT chat_id, attempted_at FROM outbox WHERE attempted_at >= ? ORDER BY attempted_at", (since,))
        return [(row["chat_id"], row["attempted_at"]) for row in rows]

    def claim(self, row: OutboxRow, worker: str, until: float, now: float | None = None) -> None:
        """This worker sends ``row`` now; committed before the request leaves."""
        self._db.run("UPDATE outbox SET attempted_at = ?, claimed_by = ?, claimed_until = ? WHERE id = ?",
                     (time.time() if now is None else now, worker, until, row.id))

    def answered(self, key: str, chat_id: str) -> tuple[str, int | None] | None:
        """(status, Telegram message id) of the message ``key`` in a chat: what a reply needs."""
        row = self._db.one("SELECT status, message_id FROM outbox WHERE message_key = ? AND chat_id = ?",
                           (key, chat_id))
        return (row["status"], row["message_id"]) if row else None

    def unclaim(self, row: OutboxRow) -> None:
        """Back to the queue untouched (its chat moved: it goes there next)."""
        self._db.run("UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE id = ?", (row.id,))

    def release_claims(self, live: list[str]) -> int:
        """Claims of workers no longer alive: their rows go back to the queue (sent again at most once)."""
        marks = ",".join("?" * len(live)) or "NULL"
        return self._db.run(f"UPDATE outbox SET claimed_by = NULL, claimed_until = NULL "
                            f"WHERE claimed_by IS NOT NULL AND claimed_by NOT IN ({marks})", live)

    def mark_sent(self, row: OutboxRow, message_id: int | None, text: str, now: float | None = None,
                  fresh: bool = False) -> None:
        """``text``: what Telegram was given. A story that joined the message while it was in flight
        (another worker saved it) left a newer text: that is an edit still to make. ``fresh``: the
        message was sent anew (one too old to edit), so its age starts again."""
        self._db.run(
            f"""UPDATE outbox SET status = 'sent', message_id = COALESCE(?, message_id),
                 sent_at = {"?" if fresh else "COALESCE(sent_at, ?)"},
                 attempts = attempts + 1, last_error = NULL, claimed_by = NULL, claimed_until = NULL,
                 edit_pending = CASE WHEN text = ? THEN 0 ELSE 1 END
               WHERE id = ?""",
            (message_id, time.time() if now is None else now, text, row.id),
        )

    def mark_retry(self, row: OutboxRow, delay: float, error: str, now: float | None = None) -> None:
        self._db.run(
            """UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, claimed_by = NULL,
                 claimed_until = NULL WHERE id = ?""",
            ((time.time() if now is None else now) + delay, error, row.id),
        )

    def mark_failed(self, row: OutboxRow, error: str) -> None:
        """Give up on this row (or on its edit, if it was already sent)."""
        self._db.run(
            """UPDATE outbox SET status = CASE WHEN status = 'sent' THEN 'sent' ELSE 'failed' END,
                 edit_pending = 0, attempts = attempts + 1, last_error = ?, claimed_by = NULL, claimed_until = NULL
               WHERE id = ?""",
            (error, row.id),
        )

    def hurry_edits(self, now: float) -> int:
        """Edits waiting for more outlets go now: nothing more will arrive (the end of `once`)."""
        return self._db.run("UPDATE outbox SET next_attempt_at = ? WHERE status = 'sent' AND edit_pending = 1 "
                            "AND next_attempt_at > ?", (now, now))

    def outbox_counts(self) -> dict[str, int]:
        rows = self._db.rows("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {row["status"]: int(row["n"]) for row in rows}

    def sent_since(self, since: float) -> list[float]:
        rows = self._db.rows("SELECT sent_at FROM outbox WHERE sent_at >= ? ORDER BY sent_at", (since,))
        return [row["sent_at"] for row in rows]


def _outbox(row: dict[str, Any]) -> OutboxRow:
    return OutboxRow(
        id=row["id"], message_key=row["message_key"], chat_id=row["chat_id"], thread_id=row["thread_id"],
        text=row["text"], status=row["status"], attempts=row["attempts"], next_attempt_at=row["next_attempt_at"],
        message_id=row["message_id"], edit_pending=bool(row["edit_pending"]), notify=bool(row["notify"]),
        reply_to=row["reply_to"], stories=tuple(json.loads(row["stories"] or "[]")),
        changed_story=row["changed_story"], sent_at=row["sent_at"],
    )
