"""What the store holds, as immutable records."""

from __future__ import annotations

from dataclasses import dataclass, replace

EDIT_DELAY = 60.0  # a message is edited at most once a minute: outlets arriving together make one edit


@dataclass(frozen=True, slots=True)
class FeedState:
    url: str
    name: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    last_polled: float | None = None
    last_success: float | None = None
    last_error: str | None = None
    failures: int = 0
    next_poll: float | None = None
    entries_per_day: float | None = None
    interval: float | None = None
    asked_interval: float | None = None  # seconds the feed asks between polls (<ttl>, max-age)


@dataclass(frozen=True, slots=True)
class StoryRecord:
    id: str
    created_at: float
    published: str
    title: str
    url: str
    source: str
    summary: str
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    lang: str
    fingerprint: dict
    sources: tuple[tuple[str, str, str], ...]  # (source, url, title), first first
    first_seen: float | None = None  # when a poll first saw the story's first article
    situation_id: str = ""  # the thread it belongs to: its first story's id ("" until assigned)

    @property
    def situation(self) -> str:
        return self.situation_id or self.id


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    """One Telegram message of a situation's thread in one chat: what it shows and how it arrives.

    ``key`` is the situation id for the first message, ``<situation>#<part>`` for later ones;
    ``opened_at`` is the article time at which it was opened (rings and the 48-hour edit limit
    are decided on the articles' clock, so a replay decides alike)."""

    key: str
    chat_id: str
    thread_id: int | None
    situation_id: str
    part: int
    notify: bool
    reply_to: str | None  # key of the message it answers, in the same chat
    stories: tuple[str, ...]  # story ids it shows, in order
    opened_at: float
    text: str = ""
    changed_story: str | None = None  # the story whose arrival last changed it
    sent_at: float | None = None  # when Telegram first took it (None while pending)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    message_key: str  # a situation's message (see ThreadMessage), or digest:<period>
    chat_id: str
    thread_id: int | None
    text: str
    status: str
    attempts: int
    next_attempt_at: float
    message_id: int | None
    edit_pending: bool
    notify: bool = True
    reply_to: str | None = None
    stories: tuple[str, ...] = ()
    changed_story: str | None = None
    sent_at: float | None = None


@dataclass(frozen=True, slots=True)
class ChatState:
    chat_id: str
    status: str  # active | disabled
    reason: str | None
    migrated_to: str | None


def with_sources(story: StoryRecord, extra: tuple[str, str, str]) -> StoryRecord:
    if any(s[1] == extra[1] for s in story.sources):
        return story
    return replace(story, sources=story.sources + (extra,))
