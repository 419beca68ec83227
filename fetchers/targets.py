"""What `explain` reads: a URL, an HTML page, a text file (title on line 1), JSON, or stdin."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from core.config import FetchSettings
from core.errors import FetchError
from fetchers.http import PAGE_TYPES, Fetcher
from fetchers.pages import extract, telling_headline


async def read_target(target: str, settings: FetchSettings) -> tuple[str, str, str]:
    """(title, text, where it came from), the title read as the worker reads it (a bare
    dateline gives way to the first sentence); ValueError or OSError when unreadable."""
    title, text, origin = await _read(target, settings)
    return telling_headline(title, text), text, origin


async def _read(target: str, settings: FetchSettings) -> tuple[str, str, str]:
    if target.startswith(("http://", "https://")):
        fetcher = Fetcher(settings)
        try:
            response = await fetcher.get(target, accept=PAGE_TYPES, trusted=target)  # the operator asked
        except FetchError as exc:
            raise ValueError(exc.reason) from None
        finally:
            await fetcher.aclose()
        return _from_html(response.content, response.url)
    data = sys.stdin.buffer.read() if target == "-" else Path(target).read_bytes()
    if target.endswith((".html", ".htm")) or data.lstrip()[:1] == b"<":
        return _from_html(data, target)
    text = data.decode("utf-8-sig")
    if target.endswith((".json", ".jsonl")) or text.lstrip().startswith("{"):
        item = json.loads(text.splitlines()[0] if target.endswith(".jsonl") else text)
        return str(item.get("title", "")), str(item.get("text", "")), target
    title, _, body = text.strip().partition("\n")
    return title.strip(), body.strip(), target


def _from_html(content: bytes, origin: str) -> tuple[str, str, str]:
    extracted = extract(content, origin)
    if extracted is None:
        raise ValueError("no article text found in the page")
    return extracted.title, extracted.text, origin
