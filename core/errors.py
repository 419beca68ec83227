"""The project's exception tree, transient vs permanent, by stage.

    BotError
    ├── ConfigError            invalid config.toml or gazetteer (permanent until edited)
    ├── FetchError             one feed or page could not be fetched (logged, feed keeps its turn)
    │   ├── FetchTimeout       connect/read timeout or total deadline            (transient)
    │   ├── FetchHTTPStatus    4xx/5xx answer; ``transient`` for 429 and 5xx
    │   │   └── FetchResting   not asked: the host said to wait (429/503 Retry-After) (transient)
    │   ├── FetchTooLarge      body over the byte cap (decoded size included)    (permanent)
    │   ├── FetchRefused       unsafe URL: scheme, private address, content type (permanent)
    │   └── FetchNetwork       DNS, connection reset, redirect loop              (transient)
    ├── FeedParseError         zero entries and a parse error                    (transient)
    └── DeliveryError          Telegram said no
        ├── DeliveryRetry      429/5xx/timeouts: try again at ``retry_at``
        └── ChatUnavailable    403, chat not found: stop sending to that chat
"""

from __future__ import annotations


class BotError(Exception):
    """Root of every error this project raises on purpose."""


class ConfigError(BotError):
    """A config problem; ``problems`` holds one readable line per finding."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class FetchError(BotError):
    transient = True

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{reason} ({url})")
        self.url = url
        self.reason = reason


class FetchTimeout(FetchError):
    pass


class FetchHTTPStatus(FetchError):
    def __init__(self, url: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(url, f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after
        self.transient = status == 429 or status >= 500


class FetchResting(FetchHTTPStatus):
    """A host that answered 429 or 503 is not asked again before it said: politeness for
    every feed and page on it, not only the one that got the answer."""

    def __init__(self, url: str, status: int, retry_after: float) -> None:
        super().__init__(url, status, retry_after)
        self.reason = f"host resting after HTTP {status}, {retry_after:.0f}s left"


class FetchTooLarge(FetchError):
    transient = False


class FetchRefused(FetchError):
    transient = False


class FetchNetwork(FetchError):
    pass


class FeedParseError(FetchError):
    pass


class DeliveryError(BotError):
    pass


class DeliveryRetry(DeliveryError):
    def __init__(self, reason: str, delay: float, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.delay = delay
        self.unreachable = unreachable  # Telegram could not be reached at all: an outage, not this message


class ChatUnavailable(DeliveryError):
    pass
