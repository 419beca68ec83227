"""Frozen values handed from one stage to the next (never raw dicts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, as the feed describes it."""

    feed: str  # feed name from config
    entry_id: str  # stable identity: guid, canonical link or title/date hash
    url: str
    title: str
    summary: str
    published: datetime | None
    sections: tuple[str, ...] = ()  # the feed's categories for the item (an opinion section, a region)


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
    region: tuple[str, ...] = ()  # the places that contain it, outermost first (from `within`)
    ambiguous: bool = False  # matched by a spelling that also means something else (gazetteer `ambiguous`)


class Hit(NamedTuple):
    """One matched term or entity: what, where, and under which cue (a tuple: made by the thousand)."""

    pattern: str  # the configured term, e.g. "قصف*" or "@type:place_sy"
    surface: str  # the words as written in the text
    start: int  # character offsets in the title (in_title) or in the text
    end: int
    in_title: bool
    entity: Entity | None = None
    cue: str = ""  # the topic's cue it belongs to ("" for gazetteer mentions)

    @property
    def label(self) -> str:
        """What an operator recognises: the entity's name, else the configured term."""
        return self.entity.name if self.entity else self.pattern


@dataclass(frozen=True, slots=True)
class Evidence:
    """One rule that held in a story: the points it earned and where."""

    rule: str  # e.g. "attack ~ syria - threat"
    points: float
    places: tuple[str, ...]  # headline, lead, body, last lines
    spans: tuple[tuple[bool, int, int, str], ...]  # (in_title, start, end, "lead 2") of each sentence
    terms: tuple[str, ...]  # the terms that made it hold


@dataclass(frozen=True, slots=True)
class TopicScore:
    topic: str
    score: float
    threshold: float
    alert: bool
    hits: tuple[Hit, ...]  # the hits behind the evidence, in reading order
    evidence: tuple[Evidence, ...]  # largest first; negative points count against
    reasons: tuple[str, ...] = ()  # why it did not alert

    @property
    def matched(self) -> list[str]:
        """The terms behind the evidence that counted for the topic, strongest first."""
        return list(dict.fromkeys(term for e in self.evidence if e.points > 0 for term in e.terms))


@dataclass(frozen=True, slots=True)
class Classification:
    lang: str
    topics: dict[str, TopicScore] = field(default_factory=dict)
    mentions: tuple[Hit, ...] = ()  # every gazetteer entity found (once per spelling), weighed or not
    argued: str = ""  # why the text argues rather than reports (classifiers/commentary.py): it opens no thread

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
    situation_id: str = ""  # the thread it belongs to (its first story's id)

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
            "situation_id": self.situation_id or self.story_id,
        }
