"""Poll one feed: conditional GET, parse bytes with feedparser, list its entries."""

from __future__ import annotations

import calendar
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, timezone

import feedparser
from lxml import etree
from lxml import html as lxml_html

from core.config import FeedConfig
from core.errors import FeedParseError
from core.models import FeedEntry
from fetchers.http import Fetcher
from fetchers.identity import canonical_url, entry_identity
from store import FeedState


@dataclass(frozen=True, slots=True)
class Poll:
    """What one poll found; ``entries`` is empty when nothing changed."""

    changed: bool
    entries: tuple[FeedEntry, ...]
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    asked: float | None = None  # seconds the feed asks between polls: <ttl>, else Cache-Control max-age
    hub: str | None = None  # a WebSub hub the feed names, and the topic to subscribe to
    topic: str | None = None


async def poll_feed(fetcher: Fetcher, feed: FeedConfig, state: FeedState) -> Poll:
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    response = await fetcher.get(feed.url, headers=headers, trusted=feed.url)
    max_age = _max_age(response.headers)
    if response.status == 304:
        return Poll(False, (), state.etag, state.last_modified, state.content_hash, max_age or state.asked_interval)
    etag = response.headers.get("etag") or None
    modified = response.headers.get("last-modified") or None
    digest = hashlib.sha256(response.content).hexdigest()
    if digest == state.content_hash:  # a server that ignores conditional requests
        return Poll(False, (), etag, modified, digest, max_age or state.asked_interval)
    document = read_feed(feed, response.content, response.headers, response.url)
    return Poll(True, document.entries, etag, modified, digest, document.ttl or max_age, document.hub,
                document.topic)


@dataclass(frozen=True, slots=True)
class Document:
    entries: tuple[FeedEntry, ...]  # newest first
    ttl: float | None  # seconds, from RSS <ttl> (minutes)
    hub: str | None  # <link rel="hub">: where to subscribe for pushes (WebSub)
    topic: str | None  # <link rel="self">: the url to subscribe to


def parse_feed(feed: FeedConfig, body: bytes, headers: dict[str, str], base_url: str) -> tuple[FeedEntry, ...]:
    """Entries of a feed document, newest first; FeedParseError when it is no feed at all."""
    return read_feed(feed, body, headers, base_url).entries


def read_feed(feed: FeedConfig, body: bytes, headers: dict[str, str], base_url: str) -> Document:
    parsed = feedparser.parse(io.BytesIO(body), response_headers={**headers, "content-location": base_url})
    links = {link.get("rel"): link.get("href") for link in parsed.feed.get("links", []) if link.get("href")}
    ttl = parsed.feed.get("ttl")
    ttl_seconds = float(ttl) * 60 if isinstance(ttl, str) and ttl.strip().isdigit() else None
    if not parsed.entries:
        if parsed.get("bozo") and parsed.get("bozo_exception") is not None:
            raise FeedParseError(feed.url, f"not a feed: {parsed.bozo_exception}")
        if not parsed.get("version"):
            raise FeedParseError(feed.url, "not an RSS or Atom document")
        return Document((), ttl_seconds, links.get("hub"), links.get("self"))
    entries = []
    for item in parsed.entries:
        link = item.get("link") or ""
        title = _text(item.get("title"))
        if not link and not title:
            continue
        published = _date(item.get("published_parsed") or item.get("updated_parsed"))
        entries.append(
            FeedEntry(
                feed=feed.name,
                entry_id=entry_identity(item.get("id"), link, title, item.get("published") or item.get("updated")),
                url=canonical_url(link) if link else "",
                title=title,
                summary=_text(item.get("summary")),
                published=published,
                sections=tuple(dict.fromkeys(_text(t.get("term") or t.get("label")) for t in item.get("tags") or ()
                                             if t.get("term") or t.get("label"))),
            )
        )
    if all(e.published for e in entries):  # some feeds list oldest first; undated ones keep feed order
        entries.sort(key=lambda e: e.published, reverse=True)  # type: ignore[arg-type, return-value]
    return Document(tuple(entries), ttl_seconds, links.get("hub"), links.get("self"))


def _max_age(headers: dict[str, str]) -> float | None:
    for part in headers.get("cache-control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() in ("max-age", "s-maxage") and value.strip().isdigit():
            return float(value)
    return None


def _text(value: object) -> str:
    """Plain text of a feed field (feedparser keeps HTML in summaries)."""
    if not value:
        return ""
    text = str(value)
    if "<" in text and ">" in text:
        try:
            text = lxml_html.fromstring(f"<div>{text}</div>").text_content()
        except (etree.ParserError, ValueError):  # junk markup: the raw text will do
            pass
    return " ".join(text.split())


def _date(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
