"""The desk's memory: every classified article for a while, and the marks editors put on alerts.

A mark keeps the article as the bot read it (text, scores, the config version), so it
still teaches after the article itself is pruned. One mark per person per message: a
second press changes it, a press Telegram delivers twice (the same callback id) is one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from store.db import Handle


@dataclass(frozen=True, slots=True)
class KeptArticle:
    url: str
    seen_at: float
    published: str | None
    source: str
    title: str
    text: str
    scores: dict[str, dict[str, Any]]  # topic -> {score, threshold, alert, why}
    story_id: str | None
    config_version: str


@dataclass(frozen=True, slots=True)
class Mark:
    id: int
    chat_id: str
    message_id: int | None  # None: a reported miss
    user_id: int
    kind: str  # on | off | split | missed
    desk: bool  # an editor's mark
    topics: tuple[str, ...]
    story_id: str | None
    url: str
    title: str
    text: str
    source: str
    published: str | None
    scores: dict[str, dict[str, Any]]
    config_version: str
    created_at: float
    updated_at: float


class Desk:
    _db: Handle

    def keep_article(self, article: KeptArticle) -> None:
        """The article as read now; read again later (another feed, an edit), it keeps its first
        reading but learns its story."""
        self._db.run(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
            "story_id = COALESCE(articles.story_id, excluded.story_id)",
            (article.url, article.seen_at, article.published, article.source, article.title, article.text,
             json.dumps(article.scores, ensure_ascii=False), article.story_id, article.config_version))

    def kept_article(self, url: str) -> KeptArticle | None:
        row = self._db.one("SELECT * FROM articles WHERE url = ?", (url,))
        return _kept(row) if row else None

    def kept_articles(self, since: float) -> list[KeptArticle]:
        rows = self._db.rows("SELECT * FROM articles WHERE seen_at >= ? ORDER BY seen_at, url", (since,))
        return [_kept(row) for row in rows]

    def prune_articles(self, older_than: float) -> int:
        return self._db.run("DELETE FROM articles WHERE seen_at < ?", (older_than,))

    def record_mark(self, mark: Mark, callback_id: str | None = None) -> str:
        """Store a mark: "new", "changed" (this person marked the message otherwise before),
        "same" (nothing to change) or "replayed" (this very press, ``callback_id``, was taken
        already: Telegram delivered it again, or someone sent it again, after any change since)."""
        if callback_id and not self._db.run("INSERT INTO mark_presses VALUES (?, ?) ON CONFLICT DO NOTHING",
                                             (callback_id, mark.updated_at)):
            return "replayed"
        if mark.message_id is None:
            before = self._db.one("SELECT id, kind FROM marks WHERE message_id IS NULL AND user_id = ? AND url = ?",
                                  (mark.user_id, mark.url))
        else:
            before = self._db.one("SELECT id, kind FROM marks WHERE chat_id = ? AND message_id = ? AND user_id = ?",
                                  (mark.chat_id, mark.message_id, mark.user_id))
        if before and before["kind"] == mark.kind:
            return "same"
        if before:
            self._db.run("UPDATE marks SET kind = ?, updated_at = ? WHERE id = ?",
                         (mark.kind, mark.updated_at, before["id"]))
            return "changed"
        self._db.run(
            "INSERT INTO marks (chat_id, message_id, user_id, kind, desk, topics, story_id, url, title, text, source, "
            "published, scores, config_version, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (mark.chat_id, mark.message_id, mark.user_id, mark.kind, int(mark.desk), json.dumps(list(mark.topics)),
             mark.story_id, mark.url, mark.title, mark.text, mark.source, mark.published,
             json.dumps(mark.scores, ensure_ascii=False), mark.config_version, mark.created_at, mark.updated_at))
        return "new"

    def mark_counts(self, chat_id: str, message_id: int) -> dict[str, int]:
        rows = self._db.rows("SELECT kind, COUNT(*) AS n FROM marks WHERE chat_id = ? AND message_id = ? GROUP BY kind",
                             (chat_id, message_id))
        return {row["kind"]: int(row["n"]) for row in rows}

    def marks(self, since: float = 0.0) -> list[Mark]:
        rows = self._db.rows("SELECT * FROM marks WHERE updated_at >= ? ORDER BY id", (since,))
        return [_mark(row) for row in rows]

    def alert_message(self, chat_id: str, message_id: int) -> tuple[str, tuple[str, ...]] | None:
        """(message key, its stories) of an alert message the bot sent in a chat; a digest is not one."""
        row = self._db.one("SELECT message_key, stories FROM outbox WHERE chat_id = ? AND message_id = ? "
                           "AND message_key NOT LIKE 'digest:%' ORDER BY id LIMIT 1", (chat_id, message_id))
        return (row["message_key"], tuple(json.loads(row["stories"] or "[]"))) if row else None


def _kept(row: dict[str, Any]) -> KeptArticle:
    return KeptArticle(row["url"], row["seen_at"], row["published"], row["source"], row["title"], row["text"],
                       json.loads(row["scores"]), row["story_id"], row["config_version"])


def _mark(row: dict[str, Any]) -> Mark:
    return Mark(
        id=int(row["id"]), chat_id=row["chat_id"], message_id=row["message_id"], user_id=int(row["user_id"]),
        kind=row["kind"], desk=bool(row["desk"]), topics=tuple(json.loads(row["topics"])), story_id=row["story_id"],
        url=row["url"], title=row["title"], text=row["text"], source=row["source"], published=row["published"],
        scores=json.loads(row["scores"]), config_version=row["config_version"], created_at=row["created_at"],
        updated_at=row["updated_at"])
