"""Liveness for operators: a heartbeat in the store, /healthz and /metrics over HTTP.

The heartbeat is written by a job on the worker's event loop, so a stalled loop shows
as a stale heartbeat; the HTTP server runs in a thread and only reads the last one.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

from core import metrics
from core.logs import event
from core.runtime import Runtime
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


def beat(health: Health, store: Store, runtime: Runtime) -> None:
    """Record that the loop is alive, with the figures an operator looks at first."""
    configured = {f.url for f in runtime.config.feeds}
    failing = sum(1 for state in store.feed_states() if state.url in configured and state.failures)
    pending = store.pending_count()
    health.snapshot = {"pid": os.getpid(), "started": round(health.started), "config": runtime.version,
                       "feeds": len(configured), "feeds_failing": failing, "outbox_pending": pending}
    health.last_beat = time.time()
    store.set_meta(HEARTBEAT_KEY, json.dumps(health.snapshot))
    metrics.FEEDS_FAILING.set(failing)
    metrics.OUTBOX_PENDING.set(pending)
    metrics.HEARTBEAT.set(health.last_beat)


def last_heartbeat(store: Store) -> tuple[dict, float] | None:
    """(snapshot, when) of the last worker heartbeat, for commands run beside the worker."""
    found = store.meta(HEARTBEAT_KEY)
    return (json.loads(found[0]), found[1]) if found else None


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:  # scrapes every few seconds are not news
        pass


def serve(host: str, port: int, health: Health) -> WSGIServer:
    """/healthz (200 while the heartbeat is fresh, else 503) and /metrics, in a daemon thread."""
    prometheus = make_wsgi_app(metrics.REGISTRY)

    def app(environ: dict, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return prometheus(environ, start_response)
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
    event(log, "health_server", url=f"http://{host}:{server.server_port}", paths="/healthz,/metrics")
    return server
