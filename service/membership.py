"""Several workers on one database: who is alive, who leads, which feeds are whose.

Each worker beats in the store every few seconds. Feeds are shared out by rendezvous
hashing over the live workers, so each worker polls an even share and, when one dies or
joins, only its share moves. A lease per feed in the store guards the moment of a move:
a feed is polled only by the holder of its lease, and only when its next poll is due.
One worker leads (a lease too) and does what must happen once: digests, forgetting old
entries, the admin's notices about the config.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import time
from dataclasses import dataclass, field

from store import LEADER, Store

BEAT_SECONDS = 5.0  # how often a worker says it is alive
LIVE_SECONDS = 20.0  # a worker silent this long is taken for dead: its feeds move
LEADER_SECONDS = 20.0  # the leader's lease; renewed at every beat
FEED_LEASE_SECONDS = 30.0  # a poll holds its feed this long, renewed while it runs; a dead worker's feed waits this long


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"


def owner(url: str, workers: list[str]) -> str | None:
    """The worker a feed belongs to: the highest hash of (worker, feed)."""
    return max(workers, key=lambda w: hashlib.sha1(f"{w}|{url}".encode()).digest(), default=None)


@dataclass
class Membership:
    worker: str = field(default_factory=new_worker_id)
    started: float = field(default_factory=time.time)
    live: list[str] = field(default_factory=list)
    leader: bool = False

    def beat(self, store: Store) -> bool:
        """Say we are alive, renew or seek the lead, and read who else is; True when the set of
        live workers changed (feeds move)."""
        store.beat_worker(self.worker, socket.gethostname(), os.getpid(), self.started)
        alone = store.kind == "sqlite"  # one process by design: a restarted worker need not wait for its dead self
        self.leader = store.claim_lease(LEADER, self.worker, LEADER_SECONDS) or alone
        live = [self.worker] if alone else sorted(set(store.live_workers(LIVE_SECONDS)) | {self.worker})
        changed, self.live = live != self.live, live
        return changed

    def leave(self, store: Store) -> None:
        """A clean stop: the others take our feeds and the lead at their next beat."""
        store.forget_worker(self.worker)

    def owns(self, url: str) -> bool:
        return owner(url, self.live or [self.worker]) == self.worker
