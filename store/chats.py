"""Chats and subscriptions: who asked for which topic, and chats that left or moved."""

from __future__ import annotations

import time
from collections.abc import Iterable

from store.db import Handle, PostgresDatabase, SqliteDatabase
from store.records import ChatState

_SET_CHAT = """INSERT INTO chats VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE
    SET status = excluded.status, reason = excluded.reason, migrated_to = excluded.migrated_to,
        updated_at = excluded.updated_at"""


class Chats:
    _db: Handle
    _database: SqliteDatabase | PostgresDatabase

    def subscribe(self, chat_id: str, topic: str) -> bool:
        """True when this is a new subscription."""
        added = self._db.run("INSERT INTO subscriptions VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                             (chat_id, topic, time.time()))
        if added:  # a chat that subscribes again is active again
            self._db.run("DELETE FROM chats WHERE chat_id = ? AND status = 'disabled'", (chat_id,))
        return bool(added)

    def unsubscribe(self, chat_id: str, topic: str) -> bool:
        return bool(self._db.run("DELETE FROM subscriptions WHERE chat_id = ? AND topic = ?", (chat_id, topic)))

    def subscriptions(self, chat_id: str) -> list[str]:
        rows = self._db.rows("SELECT topic FROM subscriptions WHERE chat_id = ? ORDER BY topic", (chat_id,))
        return [row["topic"] for row in rows]

    def subscribers(self, topics: Iterable[str]) -> list[str]:
        """Private chats subscribed to any of ``topics`` and not disabled, first subscribed first."""
        topics = list(topics)
        if not topics:
            return []
        rows = self._db.rows(
            f"""SELECT s.chat_id, MIN(s.created_at) AS since FROM subscriptions s LEFT JOIN chats c ON c.chat_id = s.chat_id
                WHERE s.topic IN ({",".join("?" * len(topics))}) AND COALESCE(c.status, 'active') = 'active'
                GROUP BY s.chat_id ORDER BY since""",
            topics,
        )
        return [row["chat_id"] for row in rows]

    def chat(self, chat_id: str) -> ChatState:
        row = self._db.one("SELECT * FROM chats WHERE chat_id = ?", (chat_id,))
        if row is None:
            return ChatState(chat_id, "active", None, None)
        return ChatState(row["chat_id"], row["status"], row["reason"], row["migrated_to"])

    def disable_chat(self, chat_id: str, reason: str) -> None:
        """Stop sending there; pending rows fail with the reason."""
        with self._database.transaction() as db:
            db.run(_SET_CHAT, (chat_id, "disabled", reason, None, time.time()))
            db.run("UPDATE outbox SET status = 'failed', last_error = ? WHERE chat_id = ? AND status = 'pending'",
                   (f"chat disabled: {reason}", chat_id))

    def migrate_chat(self, old: str, new: str) -> None:
        """Remember the supergroup id and move pending rows there (a row the new id already has stays)."""
        with self._database.transaction() as db:
            db.run(_SET_CHAT, (old, "migrated", "group upgraded", new, time.time()))
            db.run("""UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND status = 'pending' AND NOT EXISTS
                      (SELECT 1 FROM outbox AS taken WHERE taken.message_key = outbox.message_key AND taken.chat_id = ?)""",
                   (new, old, new))

    def resolve_chat(self, chat_id: str) -> ChatState:
        """Follow migrations to the chat's current id and state."""
        state = self.chat(chat_id)
        hops = 0
        while state.status == "migrated" and state.migrated_to and hops < 5:
            state = self.chat(state.migrated_to)
            hops += 1
        return state
