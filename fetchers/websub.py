"""WebSub (PubSubHubbub): feeds that name a hub push their updates instead of waiting for a poll.

With ``[server] public_url`` set, the worker asks each hub a feed names to deliver that
feed's updates to ``<public_url>/websub/<key>``, answers the hub's check of intent with
its challenge, renews before the lease ends, and takes a push whose HMAC signature
matches its secret as a reason to poll that feed at once (the poll reads the feed as
usual, so a push can never inject what the feed does not say). Without ``public_url``
nothing here runs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs

LEASE = 86400  # seconds asked for; the hub decides
RENEW_AT = 0.8  # share of the lease after which it is renewed
RETRY = 600.0  # seconds before trying again a hub that refused or never checked
PREFIX = "/websub/"
DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


@dataclass
class Subscription:
    feed: str  # the feed's url in config
    hub: str
    topic: str
    secret: str
    state: str = "wanted"  # wanted -> requested -> active; denied
    due: float = 0.0  # when to (re)subscribe
    expires: float = 0.0
    reason: str = ""


def key_of(feed_url: str) -> str:
    return hashlib.sha256(feed_url.encode()).hexdigest()[:16]


class Subscriptions:
    """What the worker asked hubs for; read by the HTTP server's thread, so behind a lock."""

    def __init__(self, public_url: str) -> None:
        self.public_url = public_url
        self._by_key: dict[str, Subscription] = {}
        self._lock = threading.Lock()

    def callback(self, feed_url: str) -> str:
        return f"{self.public_url}{PREFIX}{key_of(feed_url)}"

    def want(self, feed_url: str, hub: str, topic: str) -> None:
        """A feed names a hub: subscribe, unless already asked for this hub and topic."""
        with self._lock:
            known = self._by_key.get(key_of(feed_url))
            if known and (known.hub, known.topic) == (hub, topic):
                return
            self._by_key[key_of(feed_url)] = Subscription(feed_url, hub, topic, secrets.token_hex(16))

    def forget(self, feed_urls: set[str]) -> None:
        """Feeds no longer configured: their pushes are refused from now on (leases lapse)."""
        with self._lock:
            for key in [k for k, s in self._by_key.items() if s.feed not in feed_urls]:
                del self._by_key[key]

    def due(self, now: float) -> list[Subscription]:
        with self._lock:
            return [s for s in self._by_key.values() if s.state != "denied" and s.due <= now]

    def requested(self, subscription: Subscription, now: float) -> None:
        """The hub accepted the request; it checks our intent next. If it never does, ask again later."""
        with self._lock:
            if subscription.state != "active":  # a renewal keeps the lease it has until checked again
                subscription.state = "requested"
            subscription.due = now + RETRY

    def failed(self, subscription: Subscription, reason: str, now: float) -> None:
        with self._lock:
            subscription.reason = reason
            subscription.due = now + RETRY

    def check(self, key: str, query: str, now: float) -> tuple[int, str]:
        """The hub's check of intent (GET): (status, body). The challenge is echoed only for
        a topic we asked about."""
        params = {name: values[0] for name, values in parse_qs(query).items()}
        with self._lock:
            sub = self._by_key.get(key)
            mode, topic = params.get("hub.mode"), params.get("hub.topic")
            if sub is None or topic != sub.topic:
                return 404, "unknown subscription"
            if mode == "denied":
                sub.state, sub.reason = "denied", params.get("hub.reason", "denied by the hub")
                return 200, ""
            if mode != "subscribe" or "hub.challenge" not in params:
                return 404, "not asked for"
            lease = float(params.get("hub.lease_seconds") or LEASE)
            sub.state, sub.expires = "active", now + lease
            sub.due = now + max(60.0, RENEW_AT * lease)
            return 200, params["hub.challenge"]

    def push(self, key: str, body: bytes, signature: str | None) -> str | None:
        """A delivery (POST): the feed to poll now, or None when it is not ours or not signed by our secret."""
        with self._lock:
            sub = self._by_key.get(key)
        if sub is None or sub.state != "active" or not signature:
            return None
        method, _, digest = signature.partition("=")
        algorithm = DIGESTS.get(method.strip().lower())
        if algorithm is None:
            return None
        expected = hmac.new(sub.secret.encode(), body, algorithm).hexdigest()
        return sub.feed if hmac.compare_digest(expected, digest.strip().lower()) else None


def subscribe_form(subscriptions: Subscriptions, subscription: Subscription) -> dict[str, str]:
    """The body of a subscription request (application/x-www-form-urlencoded)."""
    return {"hub.mode": "subscribe", "hub.topic": subscription.topic,
            "hub.callback": subscriptions.callback(subscription.feed), "hub.secret": subscription.secret,
            "hub.lease_seconds": str(LEASE)}


def signature(secret: str, body: bytes, method: str = "sha256") -> str:
    """X-Hub-Signature for ``body``: what a hub sends, and what tests and the stand-in hub use."""
    return f"{method}={hmac.new(secret.encode(), body, DIGESTS[method]).hexdigest()}"
