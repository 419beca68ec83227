"""A WebSub hub on 127.0.0.1 for tests and demos: takes subscriptions, checks the
subscriber's intent with a challenge as a real hub does, and delivers published
content signed with each subscriber's secret.
"""

from __future__ import annotations

import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from devtools.feed_server import reply
from devtools.loopback import Loopback, QuietHandler
from fetchers.websub import signature


@dataclass
class Subscriber:
    callback: str
    topic: str
    secret: str
    lease: int
    verified: bool = False


class Hub(Loopback):
    def __init__(self) -> None:
        self.subscribers: list[Subscriber] = []
        self.requests: list[dict[str, str]] = []  # every subscription request, as received
        self.deliveries: list[tuple[str, int]] = []  # (callback, status) of each push
        hub = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
                hub.requests.append(form)
                if form.get("hub.mode") != "subscribe" or not form.get("hub.callback") or not form.get("hub.topic"):
                    reply(self, 400, b"bad request", "text/plain")
                    return
                subscriber = Subscriber(form["hub.callback"], form["hub.topic"], form.get("hub.secret", ""),
                                        int(form.get("hub.lease_seconds") or 3600))
                reply(self, 202, b"", None)  # accepted; the intent is checked next, asynchronously
                threading.Thread(target=hub._verify, args=(subscriber,), daemon=True).start()

        self._serve(Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _verify(self, subscriber: Subscriber) -> None:
        challenge = secrets.token_hex(8)
        query = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.topic": subscriber.topic,
                                        "hub.challenge": challenge, "hub.lease_seconds": subscriber.lease})
        try:
            with urllib.request.urlopen(f"{subscriber.callback}?{query}", timeout=10) as answer:
                subscriber.verified = answer.status == 200 and answer.read().decode() == challenge
        except (urllib.error.URLError, OSError):
            subscriber.verified = False
        if subscriber.verified:
            self.subscribers = [s for s in self.subscribers if s.callback != subscriber.callback] + [subscriber]

    def publish(self, topic: str, body: bytes, secret: str | None = None) -> int:
        """Deliver ``body`` to the topic's verified subscribers (signed with ``secret`` when given,
        else each one's own); how many accepted it."""
        accepted = 0
        for subscriber in [s for s in self.subscribers if s.topic == topic]:
            request = urllib.request.Request(subscriber.callback, data=body, method="POST", headers={
                "Content-Type": "application/rss+xml",
                "X-Hub-Signature": signature(secret if secret is not None else subscriber.secret, body)})
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status = answer.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            self.deliveries.append((subscriber.callback, status))
            accepted += 200 <= status < 300
        return accepted
