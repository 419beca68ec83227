"""A static site on 127.0.0.1 serving fixture feeds and pages, with placeholders filled in.

``{{BASE}}`` becomes the server root, ``{{RFC822:-N}}`` / ``{{ISO:-N}}`` now minus N
minutes. Files whose name contains ``cp1256`` are served without a charset. Extra
routes (slow, broken, huge answers) can be added by tests.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from xml.sax.saxutils import escape

from devtools.loopback import Loopback, QuietHandler

TYPES = {".xml": "application/rss+xml", ".atom": "application/atom+xml", ".html": "text/html", ".json": "application/json"}
_PLACEHOLDER = re.compile(rb"\{\{(RFC822|ISO):(-?\d+)\}\}")

Route = Callable[[BaseHTTPRequestHandler], None]


def fill(body: bytes, base: str, now: datetime | None = None) -> bytes:
    now = now or datetime.now(timezone.utc)

    def stamp(match: re.Match) -> bytes:
        moment = now + timedelta(minutes=int(match.group(2)))
        text = format_datetime(moment) if match.group(1) == b"RFC822" else moment.isoformat(timespec="seconds")
        return text.encode()

    return _PLACEHOLDER.sub(stamp, body.replace(b"{{BASE}}", base.encode()))


class FeedServer(Loopback):
    def __init__(self, root: Path | str | None = None, port: int = 0) -> None:
        self.root = Path(root) if root else None
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str], float]] = []  # (path, headers, when)
        self.now = datetime.now(timezone.utc)
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, time.time()))
                route = server.routes.get(self.path.split("?")[0])
                if route:
                    route(self)
                    return
                server._static(self)

        self._serve(Handler, port)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def polls(self, ending: str) -> dict[str, list[float]]:
        """When each path ending in ``ending`` was asked for (a feed's polls), in order."""
        found: dict[str, list[float]] = {}
        for path, _, at in list(self.requests):
            if path.endswith(ending):
                found.setdefault(path, []).append(at)
        return found

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def _static(self, handler: BaseHTTPRequestHandler) -> None:
        relative = handler.path.split("?")[0].lstrip("/")
        path = (self.root / relative).resolve() if self.root else None
        if not path or not self.root or not path.is_file() or self.root.resolve() not in path.parents:
            reply(handler, 404, b"not found", "text/plain")
            return
        body = fill(path.read_bytes(), self.base, self.now)
        ctype = TYPES.get(path.suffix, "application/octet-stream")
        if "cp1256" not in path.name and ctype.startswith("text/"):
            ctype += "; charset=utf-8"
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if handler.headers.get("If-None-Match") == etag:
            reply(handler, 304, b"", None, {"ETag": etag})
            return
        reply(handler, 200, body, ctype, {"ETag": etag})


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str | None,
          headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    if ctype:
        handler.send_header("Content-Type", ctype)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body and handler.command != "HEAD":
        handler.wfile.write(body)


def slow(seconds: float, then: Route) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        then(handler)

    return route


def static(body: bytes, ctype: str, status: int = 200, headers: dict[str, str] | None = None) -> Route:
    return lambda handler: reply(handler, status, body, ctype, headers)


def rss(base: str, items: list[tuple[str, str]] | list[tuple[str, str, datetime]], hub: str | None = None) -> bytes:
    """An RSS 2.0 feed of (guid, title) items published now (or (guid, title, when)), linking to
    ``{base}/a/{guid}.html``; with ``hub``, a feed that names a WebSub hub (and itself, at
    ``{base}/feed.xml``)."""
    now = datetime.now(timezone.utc)
    body = "".join(f"<item><title>{escape(item[1])}</title><link>{base}/a/{item[0]}.html</link>"
                   f"<guid>{item[0]}</guid><pubDate>{format_datetime(item[2] if len(item) > 2 else now)}</pubDate>"
                   f"</item>" for item in items)
    push = (f'<atom:link rel="hub" href="{hub}"/><atom:link rel="self" href="{base}/feed.xml"/>' if hub else "")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
            f"<channel><title>t</title><link>{base}</link><description>d</description>{push}{body}"
            f"</channel></rss>").encode()


def article_page(title: str, text: str) -> bytes:
    """A news page as outlets write it: the headline as <h1> inside <article>, a <p> per line."""
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
    return (f"<html><head><meta charset='utf-8'><title>{escape(title)}</title></head><body><article>"
            f"<h1>{escape(title)}</h1>{paragraphs}</article></body></html>").encode()
