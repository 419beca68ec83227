"""Stories: one per event, the outlets that carried it, and the digests waiting to carry it."""

from __future__ import annotations

import json
import time
from typing import Any

from store.db import Handle, PostgresDatabase, SqliteDatabase
from store.entries import MARK_SEEN
from store.records import EDIT_DELAY, StoryRecord, ThreadMessage

_OUTBOX_UPSERT = """INSERT INTO outbox (message_key, chat_id, thread_id, text, next_attempt_at, created_at,
                                        situation_id, part, notify, reply_to, stories, opened_at, changed_story)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (message_key, chat_id) DO UPDATE SET text = excluded.text, stories = excluded.stories,
      changed_story = excluded.changed_story,
      edit_pending = CASE WHEN outbox.status = 'sent' AND outbox.text != excluded.text
                          THEN 1 ELSE outbox.edit_pending END,
      next_attempt_at = CASE WHEN outbox.status != 'sent' OR outbox.edit_pending = 1 THEN outbox.next_attempt_at
                             WHEN COALESCE(outbox.attempted_at, 0) + ? > ? THEN COALESCE(outbox.attempted_at, 0) + ?
                             ELSE ? END"""

# Saves of stories take turns (the worker holds the "stories" lock), so versions commit in order.
_NEXT = "(SELECT COALESCE(MAX(version), 0) + 1 FROM stories)"


class Stories:
    _db: Handle
    _database: SqliteDatabase | PostgresDatabase

    def story_versions(self, after: int, since: float) -> dict[str, int]:
        """id -> version of the stories any worker created or changed after version ``after``,
        among those changed since ``since`` (unix time)."""
        rows = self._db.rows("SELECT id, version FROM stories WHERE version > ? AND updated_at >= ?", (after, since))
        return {row["id"]: row["version"] for row in rows}

    def fingerprints(self, story_ids: list[str]) -> dict[str, tuple[dict, str]]:
        """The grouping fingerprints of these stories (their members) and their situations, without
        the rest of them."""
        found: dict[str, tuple[dict, str]] = {}
        for chunk in range(0, len(story_ids), 500):
            part = story_ids[chunk : chunk + 500]
            rows = self._db.rows(f"SELECT id, fingerprint, situation_id FROM stories WHERE id IN "
                                 f"({','.join('?' * len(part))})", part)
            found.update((row["id"], (json.loads(row["fingerprint"]), row["situation_id"] or row["id"]))
                         for row in rows)
        return found

    def story(self, story_id: str) -> StoryRecord | None:
        row = self._db.one("SELECT * FROM stories WHERE id = ?", (story_id,))
        return self._story(row) if row else None

    def _story(self, row: dict[str, Any]) -> StoryRecord:
        sources = self._db.rows("SELECT source, url, title FROM story_sources WHERE story_id = ? ORDER BY added_at",
                                (row["id"],))
        return StoryRecord(
            id=row["id"], created_at=row["created_at"], published=row["published"], title=row["title"],
            url=row["url"], source=row["source"], summary=row["summary"], topics=tuple(json.loads(row["topics"])),
            tags=tuple(json.loads(row["tags"])), lang=row["lang"], fingerprint=json.loads(row["fingerprint"]),
            sources=tuple((s["source"], s["url"], s["title"]) for s in sources), first_seen=row["first_seen"],
            situation_id=row["situation_id"] or row["id"],
        )

    def save_story(
        self,
        story: StoryRecord,
        *,
        feed_url: str,
        entry_id: str,
        messages: list[ThreadMessage],
        deliver: bool,
        digests: list[tuple[str, int | None]] = (),  # type: ignore[assignment]
        entry_url: str | None = None,
        now: float | None = None,
    ) -> StoryRecord:
        """Entry seen (at its own address: the same article through another feed is known) + story
        created or extended + its thread messages, all or nothing.

        A message not yet in the outbox is queued to go now; one already sent gets the new text
        and an edit flag: the edit goes now, or EDIT_DELAY after the message's last send or edit
        (outlets arriving together make one edit, and a busy thread one a minute).
        """
        now = time.time() if now is None else now
        with self._database.transaction() as db:
            if db.one("SELECT 1 AS found FROM stories WHERE id = ?", (story.id,)):
                db.run(f"""UPDATE stories SET updated_at = ?, topics = ?, tags = ?, fingerprint = ?, version = {_NEXT}
                           WHERE id = ?""",
                       (now, json.dumps(story.topics), json.dumps(story.tags, ensure_ascii=False),
                        json.dumps(story.fingerprint), story.id))
            else:
                db.run(f"""INSERT INTO stories (id, created_at, updated_at, published, title, url, source, summary,
                                                topics, tags, lang, fingerprint, first_seen, situation_id, version)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {_NEXT})""",
                       (story.id, now, now, story.published, story.title, story.url, story.source, story.summary,
                        json.dumps(story.topics), json.dumps(story.tags, ensure_ascii=False), story.lang,
                        json.dumps(story.fingerprint), story.first_seen, story.situation))
            known = {row["url"] for row in db.rows("SELECT url FROM story_sources WHERE story_id = ?", (story.id,))}
            for offset, (source, url, title) in enumerate(story.sources):
                if url not in known:  # a story carried by hundreds of outlets gains one at a time
                    db.run("INSERT INTO story_sources VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           (story.id, source, url, title, now + offset * 1e-6))
            db.run(MARK_SEEN, (feed_url, entry_id, entry_url or story.url, story.id, now))
            for chat_id, thread_id in digests if deliver else ():
                db.run("INSERT INTO digest_items VALUES (?, ?, ?, ?, NULL) ON CONFLICT DO NOTHING",
                       (chat_id, thread_id, story.id, now))
            for m in messages if deliver else ():
                db.run(_OUTBOX_UPSERT, (m.key, m.chat_id, m.thread_id, m.text, now, now, m.situation_id, m.part,
                                        int(m.notify), m.reply_to, json.dumps(m.stories), m.opened_at,
                                        m.changed_story, EDIT_DELAY, now, EDIT_DELAY, now))
        return self.story(story.id) or story

    def thread(self, situation_id: str, chat_id: str) -> list[ThreadMessage]:
        """The messages a chat has (or will have) for one situation, first first."""
        rows = self._db.rows("SELECT * FROM outbox WHERE situation_id = ? AND chat_id = ? ORDER BY part",
                             (situation_id, chat_id))
        return [ThreadMessage(
            key=row["message_key"], chat_id=row["chat_id"], thread_id=row["thread_id"], situation_id=situation_id,
            part=row["part"], notify=bool(row["notify"]), reply_to=row["reply_to"],
            stories=tuple(json.loads(row["stories"])), opened_at=row["opened_at"] or row["created_at"],
            text=row["text"], changed_story=row["changed_story"], sent_at=row["sent_at"],
        ) for row in rows]

    def digest_due(self, chat_id: str, before: float) -> list[StoryRecord]:
        """Stories waiting for this chat's digest that arrived before ``before``."""
        rows = self._db.rows(
            """SELECT s.* FROM digest_items d JOIN stories s ON s.id = d.story_id
               WHERE d.chat_id = ? AND d.digest IS NULL AND d.added_at < ? ORDER BY d.added_at""",
            (chat_id, before),
        )
        return [self._story(row) for row in rows]

    def enqueue_digest(self, chat_id: str, thread_id: int | None, digest: str, text: str,
                       story_ids: list[str], now: float | None = None) -> None:
        """The digest message and the items it carries, in one transaction."""
        now = time.time() if now is None else now
        with self._database.transaction() as db:
            db.run("""INSERT INTO outbox (message_key, chat_id, thread_id, text, next_attempt_at, created_at)
                      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                   (digest, chat_id, thread_id, text, now, now))
            for story_id in story_ids:
                db.run("UPDATE digest_items SET digest = ? WHERE chat_id = ? AND story_id = ?",
                       (digest, chat_id, story_id))

    def story_topics_since(self, since: float) -> list[tuple[float, tuple[str, ...]]]:
        """(created_at, topics) of the stories alerted since ``since``: what ``stats`` counts."""
        rows = self._db.rows("SELECT created_at, topics FROM stories WHERE created_at >= ? ORDER BY created_at",
                             (since,))
        return [(row["created_at"], tuple(json.loads(row["topics"]))) for row in rows]

    def latest_stories(self, limit: int = 5) -> list[StoryRecord]:
        rows = self._db.rows("SELECT * FROM stories ORDER BY created_at DESC LIMIT ?", (limit,))
        return [self._story(row) for row in rows]
