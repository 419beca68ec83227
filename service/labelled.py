"""Labelled articles (JSON lines, plain or gzipped), as `tune`, `backtest` and the evaluations read them."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from classifiers.tuning import Labelled


def numbered_rows(path: Path, skipped: list[str] | None = None) -> Iterator[tuple[int, dict]]:
    """(line number, article) of each line. A line that is not a JSON object (or not UTF-8) says
    where it is: it stops the reading, or, given ``skipped``, is listed there and passed over."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
                if not line.strip():
                    continue
                row = json.loads(line)
            except UnicodeDecodeError as exc:
                problem = f"{path}:{number}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at {exc.start})"
            except json.JSONDecodeError as exc:
                problem = f"{path}:{number}: not an article line ({exc})"
            else:
                if isinstance(row, dict):
                    yield number, row
                    continue
                problem = f"{path}:{number}: not an article line (a JSON {type(row).__name__})"
            if skipped is None:
                raise ValueError(problem)
            skipped.append(problem)


def read_rows(path: Path) -> list[dict]:
    return [row for _, row in numbered_rows(path)]


def day_of(row: dict) -> str:
    """The news day an article belongs to: its own ``day`` label, else its publication date."""
    return row.get("day") or row["published"][:10]


def labelled_for(row: dict, topic: str) -> Labelled:
    """A labelled line as `tune` and `suggest` read it for ``topic`` (the line must label it)."""
    return Labelled(row.get("title", ""), row.get("text", ""), bool(row["labels"][topic]))
