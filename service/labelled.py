"""Labelled articles (JSON lines, plain or gzipped), as `tune` and the evaluations read them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path


def read_rows(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def day_of(row: dict) -> str:
    """The news day an article belongs to: its own ``day`` label, else its publication date."""
    return row.get("day") or row["published"][:10]
