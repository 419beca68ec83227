"""Workers: who is running, the leases they hold (the leader's, each feed's) and small shared values."""

from __future__ import annotations

import time
from typing import Any

from store.db import Handle

LEADER = "leader"


def feed_lease(url: str) -> str:
    return f"feed:{url}"


class Workers:
    _db: Handle

    def beat_worker(self, worker: str, host: str, pid: int, started: float) -> None:
        self._db.run("""INSERT INTO workers VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET last_beat = excluded.last_beat""",
                     (worker, host, pid, started, time.time()))

    def live_workers(self, within: float) -> list[str]:
        """Ids of the workers whose last beat is at most ``within`` seconds old, in a stable order."""
        rows = self._db.rows("SELECT id FROM workers WHERE last_beat >= ? ORDER BY id", (time.time() - within,))
        return [row["id"] for row in rows]

    def workers(self, within: float) -> list[dict[str, Any]]:
        """Each worker seen within ``within`` seconds: id, host, pid, started, last_beat, leases (feeds held)."""
        now = time.time()
        rows = self._db.rows(
            """SELECT w.id, w.host, w.pid, w.started, w.last_beat,
                      (SELECT COUNT(*) FROM leases l WHERE l.holder = w.id AND l.until >= ? AND l.name LIKE 'feed:%')
                        AS leases,
                      EXISTS (SELECT 1 FROM leases l WHERE l.holder = w.id AND l.until >= ? AND l.name = ?) AS leader
               FROM workers w WHERE w.last_beat >= ? ORDER BY w.started""",
            (now, now, LEADER, now - within),
        )
        return [{**row, "leases": int(row["leases"]), "leader": bool(row["leader"])} for row in rows]

    def forget_worker(self, worker: str) -> None:
        """A worker that stopped cleanly: its leases end now."""
        self._db.run("UPDATE leases SET until = 0 WHERE holder = ?", (worker,))
        self._db.run("DELETE FROM workers WHERE id = ?", (worker,))

    def forget_workers(self, before: float) -> int:
        return self._db.run("DELETE FROM workers WHERE last_beat < ?", (before,))

    def claim_lease(self, name: str, holder: str, seconds: float) -> bool:
        """Take or renew ``name`` for ``seconds``: only when it is free, run out or already ours."""
        now = time.time()
        return bool(self._db.run(
            """INSERT INTO leases VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE
               SET holder = excluded.holder, until = excluded.until WHERE leases.until < ? OR leases.holder = ?""",
            (name, holder, now + seconds, now, holder)))

    def release_lease(self, name: str, holder: str) -> None:
        self._db.run("UPDATE leases SET until = 0 WHERE name = ? AND holder = ?", (name, holder))

    def lease_holders(self, prefix: str) -> dict[str, str]:
        """Current holders of the leases whose names start with ``prefix``."""
        rows = self._db.rows("SELECT name, holder FROM leases WHERE until >= ? AND name LIKE ?",
                             (time.time(), prefix + "%"))
        return {row["name"]: row["holder"] for row in rows}

    def set_meta(self, key: str, value: str) -> None:
        self._db.run("""INSERT INTO meta VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE
                        SET value = excluded.value, updated_at = excluded.updated_at""", (key, value, time.time()))

    def meta(self, key: str) -> tuple[str, float] | None:
        row = self._db.one("SELECT value, updated_at FROM meta WHERE key = ?", (key,))
        return (row["value"], row["updated_at"]) if row else None
