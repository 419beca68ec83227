"""Liveness for operators: a heartbeat in the store, /healthz and /metrics over HTTP; the
same server takes WebSub hubs' checks and pushes at /websub/<key>.

The heartbeat is written by a job on the worker's event loop, so a stalled loop shows
as a stale heartbeat; the HTTP server runs in a thread and only reads the last one.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

from alerts.reachability import Reachability
from core import metrics
from core.logs import event
from fetchers.websub import PREFIX, Subscriptions
from service.membership import LIVE_SECONDS, Membership
from service.runtime import Runtime
from store import Store

log = logging.getLogger("health")
HEARTBEAT_KEY = "heartbeat"
BEAT_SECONDS = 15.0


@dataclass
class Health:
    stale_after: float
    started: float = field(default_factory=time.time)
    last_beat: float = 0.0
    snapshot: dict = field(default_factory=dict)
    telegram: Reachability | None = None  # with a token: whether the Bot API answers


def beat(health: Health, store: Store, runtime: Runtime, membership: Membership | None = None) -> None:
    """Record that the loop is alive, with the figures an operator looks at first."""
    configured = {f.url for f in runtime.config.feeds}
    failing = sum(1 for state in store.feed_states() if state.url in configured and state.failures)
    pending = store.pending_count()
    health.snapshot = {"pid": os.getpid(), "started": round(health.started), "config": runtime.version,
                       "feeds": len(configured), "feeds_failing": failing, "outbox_pending": pending,
                       "telegram": health.telegram.status() if health.telegram else "console"}
    if membership:
        owned = sum(map(membership.owns, configured))
        health.snapshot.update(worker=membership.worker, host=socket.gethostname(), leader=membership.leader,
                               feeds_owned=owned, workers=store.workers(LIVE_SECONDS))
        metrics.WORKER.labels(membership.worker, socket.gethostname()).set(1)
        metrics.FEED_SHARE.set(owned)
        metrics.WORKERS_LIVE.set(len(membership.live))
        metrics.LEADER.set(int(membership.leader))
    health.last_beat = time.time()
    store.set_meta(HEARTBEAT_KEY, json.dumps(health.snapshot))
    metrics.FEEDS_FAILING.set(failing)
    metrics.OUTBOX_PENDING.set(pending)
    metrics.HEARTBEAT.set(health.last_beat)


def last_heartbeat(store: Store) -> tuple[dict, float] | None:
    """(snapshot, when) of the last worker heartbeat, for commands run beside the worker."""
    found = store.meta(HEARTBEAT_KEY)
    return (json.loads(found[0]), found[1]) if found else None


def _websub(environ: dict, start_response, websub: Subscriptions, pushed: Callable[[str], None] | None,
            max_body: int) -> list[bytes]:
    key = environ["PATH_INFO"][len(PREFIX):]
    if environ.get("REQUEST_METHOD") == "GET":
        status, body = websub.check(key, environ.get("QUERY_STRING", ""), time.time())
        event(log, "websub_check", key=key, status=status)
    else:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        payload = environ["wsgi.input"].read(min(length, max_body)) if length else b""
        feed = websub.push(key, payload, environ.get("HTTP_X_HUB_SIGNATURE"))
        event(log, "websub_push", logging.INFO if feed else logging.WARNING, key=key,
              result="poll now" if feed else "ignored: unknown subscription or bad signature")
        if feed and pushed:
            pushed(feed)
        status, body = 202, ""
    reasons = {200: "200 OK", 202: "202 Accepted", 404: "404 Not Found"}
    start_response(reasons[status], [("Content-Type", "text/plain"), ("Content-Length", str(len(body.encode())))])
    return [body.encode()]


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:  # scrapes every few seconds are not news
        pass


def serve(host: str, port: int, health: Health, websub: Subscriptions | None = None,
          pushed: Callable[[str], None] | None = None, max_body: int = 5_000_000) -> WSGIServer:
    """/healthz (200 while the heartbeat is fresh, else 503), /metrics and, with ``websub``,
    /websub/<key>, in a daemon thread; ``pushed(feed_url)`` is called from that thread."""
    prometheus = make_wsgi_app(metrics.REGISTRY)

    def app(environ: dict, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return prometheus(environ, start_response)
        if websub is not None and path.startswith(PREFIX):
            return _websub(environ, start_response, websub, pushed, max_body)
        if path != "/healthz":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"try /healthz or /metrics\n"]
        age = time.time() - health.last_beat
        fresh = age <= health.stale_after
        body = json.dumps({"status": "ok" if fresh else "stale", "heartbeat_age": round(age, 1),
                           **health.snapshot}).encode()
        start_response("200 OK" if fresh else "503 Service Unavailable",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    server = make_server(host, port, app, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="health-server", daemon=True).start()
    event(log, "health_server", url=f"http://{host}:{server.server_port}",
          paths="/healthz,/metrics" + (",/websub/" if websub else ""))
    return server
