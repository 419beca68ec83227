"""A PostgreSQL schema of one's own for a test or a benchmark, dropped afterwards."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote


@contextmanager
def scratch_schema(database_url: str) -> Iterator[str]:
    """``database_url`` with a fresh, empty schema first on its search path."""
    import psycopg

    schema = f"scratch_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    try:
        yield database_url + ("&" if "?" in database_url else "?") + "options=" + quote(f"-csearch_path={schema}")
    finally:
        with psycopg.connect(database_url, autocommit=True) as db:
            db.execute(f"DROP SCHEMA {schema} CASCADE")
