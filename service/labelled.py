"""Labelled articles (JSON lines, plain or gzipped), as `tune`, `backtest` and the evaluations read them."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from classifiers.tuning import Labelled


def numbered_rows(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, article) of each line; a line that is not a JSON object says where it is."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not an article line ({exc})") from None
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{number}: not an article line (a JSON {type(row).__name__})")
            yield number, row


def read_rows(path: Path) -> list[dict]:
    return [row for _, row in numbered_rows(path)]


def day_of(row: dict) -> str:
    """The news day an article belongs to: its own ``day`` label, else its publication date."""
    return row.get("day") or row["published"][:10]


def labelled_for(row: dict, topic: str) -> Labelled:
    """A labelled line as `tune` and `suggest` read it for ``topic`` (the line must label it)."""
    return Labelled(row.get("title", ""), row.get("text", ""), bool(row["labels"][topic]))
