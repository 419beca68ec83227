"""Build classifiers/word_rarity.tsv.gz: in how many articles each word occurs, for grouping's IDF.

    python -m devtools.build_rarity tests/fixtures/real/classifier_dev.jsonl tests/fixtures/real/days_dev.jsonl

Words are counted as grouping reads them (normalised, clitics stripped, stop words out);
words in a single article are left out (they get the highest weight anyway). Built from
the real tuning articles only, never the holdout.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

from classifiers.grouping import RARITY
from classifiers.normalize import content_words


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    frequency: Counter[str] = Counter()
    documents = 0
    for path in args.files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                frequency.update(set(content_words(f"{row.get('title', '')} {row.get('text', '')}")))
                documents += 1
    lines = [f"# documents {documents}"] + [f"{word}\t{count}" for word, count in sorted(frequency.items())
                                            if count > 1]
    RARITY.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))
    print(f"{RARITY}: {len(lines) - 1} words from {documents} articles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
