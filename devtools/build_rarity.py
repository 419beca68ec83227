"""Build classifiers/word_rarity.tsv.gz: in how many articles each word occurs, for grouping's IDF.

    python -m devtools.build_rarity tests/fixtures/real/classifier_dev.jsonl tests/fixtures/real/days_dev.jsonl \
        tests/fixtures/real/days2013_dev.jsonl.gz

Words are counted as grouping reads them (normalised, clitics stripped, stop words out);
words in a single article are left out (they get the highest weight anyway). Built from
the real tuning articles only, never the holdout: the 2018 pool and days, which over-sample
Syria and the Council, and two whole days of every article of eleven Egyptian outlets (2013),
so that «دوما» or «الغوطة» weigh as rare as they are in the news at large.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections import Counter
from pathlib import Path

from classifiers.grouping import RARITY
from classifiers.normalize import content_words
from service.labelled import read_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    frequency: Counter[str] = Counter()
    documents = 0
    for path in args.files:
        for row in read_rows(path):
            frequency.update(set(content_words(f"{row.get('title', '')} {row.get('text', '')}")))
            documents += 1
    lines = [f"# documents {documents}"] + [f"{word}\t{count}" for word, count in sorted(frequency.items())
                                            if count > 1]
    RARITY.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))
    print(f"{RARITY}: {len(lines) - 1} words from {documents} articles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
