"""Frozen values handed from one stage to the next (never raw dicts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, as the feed describes it."""

    feed: str  # feed name from config
    entry_id: str  # stable identity: guid, canonical link or title/date hash
    url: str
    title: str
    summary: str
    published: datetime | None


@dataclass(frozen=True, slots=True)
class Article:
    """An entry with its page read: the text the classifier sees."""

    entry: FeedEntry
    title: str
    text: str
    lang: str
    source: str  # outlet name shown to readers
    extracted: bool  # False when the feed's summary stood in for the page


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    type: str
    name: str
    hashtag: str


@dataclass(frozen=True, slots=True)
class Hit:
    """One matched term or entity: what, where, and how much it weighed."""

    pattern: str  # the configured pattern, e.g. "قصف*" or "@type:place_sy"
    surface: str  # the words as written in the text
    start: int  # character offsets in the title (in_title) or in the text
    end: int
    in_title: bool
    entity: Entity | None = None


@dataclass(frozen=True, slots=True)
class TopicScore:
    topic: str
    score: float
    threshold: float
    alert: bool
    hits: tuple[Hit, ...]
    contributions: tuple[tuple[str, float], ...]  # (pattern, points), largest first
    reasons: tuple[str, ...] = ()  # why it did not alert

    @property
    def matched(self) -> list[str]:
        """What matched, readable: entity names for entity patterns, else the term; by weight."""
        out: list[str] = []
        for pattern, points in self.contributions:
            if points <= 0:
                continue
            if pattern.startswith("@"):
                out.extend(h.entity.name for h in self.hits if h.pattern == pattern and h.entity)
            else:
                out.append(pattern)
        return list(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class Classification:
    lang: str
    topics: dict[str, TopicScore] = field(default_factory=dict)
    mentions: tuple[Hit, ...] = ()  # every gazetteer entity found (once per spelling), weighed or not

    @property
    def alert_topics(self) -> tuple[str, ...]:
        return tuple(name for name, score in self.topics.items() if score.alert)


@dataclass(frozen=True, slots=True)
class Source:
    source: str
    url: str
    title: str


@dataclass(frozen=True, slots=True)
class Alert:
    """What subscribers are told about one story (the JSON contract's fields)."""

    story_id: str
    topics: tuple[str, ...]
    title: str
    url: str
    source: str
    published: datetime
    summary: str
    sources: tuple[Source, ...]
    chat_ids: tuple[str, ...]
    lang: str
    tags: tuple[str, ...] = ()
    is_update: bool = False

    def to_json(self) -> dict:
        return {
            "story_id": self.story_id,
            "topics": list(self.topics),
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "published": self.published.isoformat(),
            "summary": self.summary,
            "sources": [{"source": s.source, "url": s.url, "title": s.title} for s in self.sources],
            "chat_ids": list(self.chat_ids),
            "lang": self.lang,
        }
