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


async def poll_feed(fetcher: Fetcher, feed: FeedConfig, state: FeedState) -> Poll:
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    response = await fetcher.get(feed.url, headers=headers, trusted=feed.url)
    if response.status == 304:
        return Poll(False, (), state.etag, state.last_modified, state.content_hash)
    etag = response.headers.get("etag") or None
    modified = response.headers.get("last-modified") or None
    digest = hashlib.sha256(response.content).hexdigest()
    if digest == state.content_hash:  # a server that ignores conditional requests
        return Poll(False, (), etag, modified, digest)
    entries = parse_feed(feed, response.content, response.headers, response.url)
    return Poll(True, entries, etag, modified, digest)


def parse_feed(feed: FeedConfig, body: bytes, headers: dict[str, str], base_url: str) -> tuple[FeedEntry, ...]:
    """Entries of a feed document, newest first; FeedParseError when it is no feed at all."""
    parsed = feedparser.parse(io.BytesIO(body), response_headers={**headers, "content-location": base_url})
    if not parsed.entries:
        if parsed.get("bozo") and parsed.get("bozo_exception") is not None:
            raise FeedParseError(feed.url, f"not a feed: {parsed.bozo_exception}")
        if not parsed.get("version"):
            raise FeedParseError(feed.url, "not an RSS or Atom document")
        return ()
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
            )
        )
    if all(e.published for e in entries):  # some feeds list oldest first; undated ones keep feed order
        entries.sort(key=lambda e: e.published, reverse=True)  # type: ignore[arg-type, return-value]
    return tuple(entries)


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
