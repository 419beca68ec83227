"""Spellings of Syrian places that real news uses for something else: candidates for the
gazetteer's `ambiguous` list.

    python -m devtools.ambiguous_places tests/fixtures/real/days2013_dev.jsonl.gz \
        tests/fixtures/real/classifier_dev.jsonl tests/fixtures/real/days_dev.jsonl

For each spelling of a `place_sy` entity: in how many articles it occurs where nothing else
names Syria, and in how many it occurs beside another Syrian name. A spelling met mostly
alone («دوماً», «القدم», «حضر») is a word or a place elsewhere: list it under `ambiguous` in
classifiers/entities.toml, where it then names its place only beside another Syrian name.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

from classifiers.normalize import normalize
from core.config import DEFAULT_GAZETTEER, PROJECT_ROOT
from service.labelled import read_rows

SYRIA = {normalize(word) for word in "سوريا سورية السوري السورية السوريين السوريون دمشق".split()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--gazetteer", type=Path, default=PROJECT_ROOT / DEFAULT_GAZETTEER)
    parser.add_argument("--at-least", type=int, default=3, help="articles alone to list a spelling (default 3)")
    args = parser.parse_args(argv)
    raw = tomllib.loads(args.gazetteer.read_text(encoding="utf-8"))
    listed = {normalize(word) for word in raw.get("ambiguous", [])}
    spelling = {normalize(alias): entity["id"] for entity in raw["entity"] if entity["type"] == "place_sy"
                for alias in [entity["name"], *entity.get("aliases", [])]}
    words = "|".join(sorted(map(re.escape, spelling), key=len, reverse=True))
    pattern = re.compile(rf"(?:^|\W)(?:[وفبكل]|لل|ال|وال|بال|فال|كال)?({words})(?!\w)")
    alone: Counter[str] = Counter()
    beside: Counter[str] = Counter()
    for path in args.files:
        for row in read_rows(path):
            text = normalize(f"{row.get('title', '')} {row.get('text', '')}")
            found = {m.group(1) for m in pattern.finditer(text)}
            syria = any(name in text for name in SYRIA) or len({spelling[f] for f in found}) > 1
            for name in found:
                (beside if syria else alone)[name] += 1
    print(f"{'spelling':24} {'entity':16} alone beside listed")
    for name, count in alone.most_common():
        if count >= args.at_least:
            print(f"{name:24} {spelling[name]:16} {count:5} {beside[name]:6} {'yes' if name in listed else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
