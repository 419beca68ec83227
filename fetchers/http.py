"""One shared httpx client with global and per-host limits, caps and a total deadline."""

from __future__ import annotations

import asyncio
import time
import zlib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from core.config import FetchSettings
from core.errors import (
    FetchError, FetchHTTPStatus, FetchNetwork, FetchRefused, FetchResting, FetchTimeout, FetchTooLarge,
)
from fetchers.addresses import GuardedBackend, trusted_host
from fetchers.pacing import RETRY_AFTER_CAP

SHARDS = 16
REST_DEFAULT = 60.0  # a 429 or 503 without Retry-After: the host rests this long
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/xml", "application/xml", "text/plain")


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int
    headers: dict[str, str]
    content: bytes


class ShardedTransport(httpx.AsyncBaseTransport):
    """Connections pooled per shard of hosts, each pool resolving through the address guard.

    httpcore's pool scans every connection for every queued request: with one pool of
    500 connections a request cost 23 ms of CPU here. Small pools keep that cost flat
    whatever ``concurrency`` is set to. (httpx takes no network backend, its pool does:
    httpx is pinned.)"""

    def __init__(self, concurrency: int) -> None:
        ssl_context = httpx.create_ssl_context()
        keepalive = max(2, concurrency // SHARDS)
        self._shards = []
        for _ in range(SHARDS):
            transport = httpx.AsyncHTTPTransport(verify=ssl_context)  # one context: each costs ~30 ms
            transport._pool = httpcore.AsyncConnectionPool(
                ssl_context=ssl_context, max_connections=concurrency, max_keepalive_connections=keepalive,
                network_backend=GuardedBackend(),
            )
            self._shards.append(transport)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        shard = self._shards[zlib.crc32(request.url.host.encode()) % SHARDS]
        return await shard.handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self._shards:
            await transport.aclose()


class Fetcher:
    """Owns the client; ``get`` is the only way the project reads the network."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self._client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            follow_redirects=False,
            transport=ShardedTransport(settings.concurrency),
        )
        self._all = asyncio.Semaphore(settings.concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(settings.per_host))
        self._resting: dict[str, tuple[float, int]] = {}  # host -> (until, the status that asked)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self, url: str, *, headers: dict[str, str] | None = None, accept: tuple[str, ...] | None = None,
        trusted: str | None = None,
    ) -> Response:
        """GET with redirects followed by hand (capped), body capped while streaming.

        Only public addresses are connected to, except on the ``trusted`` host (the
        configured feed's own host)."""
        with _trusting(trusted):
            return await self._follow(url, headers or {}, accept)

    async def _follow(self, url: str, headers: dict[str, str], accept: tuple[str, ...] | None) -> Response:
        """The deadline counts time on the wire, not time queued behind other requests."""
        seen = []
        budget = self.settings.deadline
        loop = asyncio.get_running_loop()
        for _ in range(self.settings.max_redirects + 1):
            _check_scheme(url)
            seen.append(url)
            host = urlsplit(url).netloc
            self._check_rest(url, host)
            async with self._hosts[host], self._all:  # host first: a busy host never holds global slots
                started = loop.time()
                try:
                    async with asyncio.timeout(budget):
                        response = await self._once(url, headers, accept)
                except TimeoutError:
                    raise FetchTimeout(url, f"no complete answer within {self.settings.deadline:g}s") from None
                except FetchHTTPStatus as exc:
                    if exc.status in (429, 503):
                        wait = min(RETRY_AFTER_CAP, exc.retry_after if exc.retry_after is not None else REST_DEFAULT)
                        self._resting[host] = (time.time() + wait, exc.status)
                        exc.retry_after = wait
                    raise
                budget -= loop.time() - started
            if response.status in (301, 302, 303, 307, 308) and "location" in response.headers:
                url = urljoin(url, response.headers["location"])
                if url in seen:
                    raise FetchNetwork(url, "redirect loop")
                continue
            return response
        raise FetchNetwork(url, f"more than {self.settings.max_redirects} redirects")

    async def post_form(self, url: str, form: dict[str, str], *, trusted: str | None = None) -> int:
        """POST a form (a WebSub subscription), no redirects followed; the answer's status.

        The same address guard, limits and deadline as ``get``: a hub named by a feed is
        as untrusted as any link in it."""
        _check_scheme(url)
        host = urlsplit(url).netloc
        self._check_rest(url, host)
        try:
            with _trusting(trusted), _wire_errors(url):
                async with self._hosts[host], self._all, asyncio.timeout(self.settings.deadline):
                    return (await self._client.post(url, data=form)).status_code
        except TimeoutError:
            raise FetchTimeout(url, f"no answer within {self.settings.deadline:g}s") from None

    def _check_rest(self, url: str, host: str) -> None:
        until, status = self._resting.get(host, (0.0, 0))
        if until > time.time():
            raise FetchResting(url, status, until - time.time())
        self._resting.pop(host, None)

    async def _once(self, url: str, headers: dict[str, str], accept: tuple[str, ...] | None) -> Response:
        cap = self.settings.max_bytes
        with _wire_errors(url):
            async with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                head = {k.lower(): v for k, v in response.headers.items()}
                if status in (301, 302, 303, 307, 308) or status == 304:
                    return Response(str(response.url), status, head, b"")
                if status >= 400:
                    raise FetchHTTPStatus(url, status, retry_after_seconds(head.get("retry-after")))
                ctype = head.get("content-type", "").split(";")[0].strip().lower()
                if accept and ctype and not ctype.startswith(accept):
                    raise FetchRefused(url, f"content type {ctype!r} is not a page")
                declared = head.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise FetchTooLarge(url, f"body of {int(declared)} bytes is over the {cap} byte cap")
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():  # decoded: a gzip bomb stops here
                    size += len(chunk)
                    if size > cap:
                        raise FetchTooLarge(url, f"body over the {cap} byte cap")
                    chunks.append(chunk)
                return Response(str(response.url), status, head, b"".join(chunks))


@contextmanager
def _trusting(trusted: str | None) -> Iterator[None]:
    """Private addresses are allowed on the configured feed's own host, for this request."""
    token = trusted_host.set(urlsplit(trusted).hostname if trusted else None)
    try:
        yield
    finally:
        trusted_host.reset(token)


@contextmanager
def _wire_errors(url: str) -> Iterator[None]:
    """httpx's and the address guard's exceptions as the FetchError of ``url``."""
    try:
        yield
    except FetchRefused as exc:  # from the address guard, which knows only the host
        raise FetchRefused(url, exc.reason) from None
    except httpx.TimeoutException as exc:
        raise FetchTimeout(url, f"timed out ({type(exc).__name__})") from None
    except httpx.DecodingError as exc:
        raise FetchNetwork(url, f"undecodable body: {exc}") from None
    except (httpx.TransportError, httpx.InvalidURL) as exc:
        raise FetchNetwork(url, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from None


def _check_scheme(url: str) -> None:
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchRefused(url, "only http(s) links are followed")


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds, from either of its two forms."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        from datetime import datetime, timezone

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return None


__all__ = ["Fetcher", "Response", "FetchError", "PAGE_TYPES", "retry_after_seconds"]
