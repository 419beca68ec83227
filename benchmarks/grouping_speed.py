"""How long grouping takes: one new article against the recent stories the worker keeps.

    python benchmarks/grouping_speed.py [--stories 2000] [--articles 500]

Stories are real articles (tests/fixtures/real/) with their fingerprints, published
within the last day; the new articles are other real articles. Fingerprints are made
beforehand: what is timed is finding the story (or none) and adding the article to it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.grouping import article_fingerprint  # noqa: E402
from classifiers.index import StoryIndex  # noqa: E402
from classifiers.topics import classify  # noqa: E402
from service.runtime import load_runtime  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--articles", type=int, default=500)
    args = parser.parse_args()
    classifier = load_runtime(ROOT / "config.toml").classifier
    rows = [json.loads(line) for path in sorted((ROOT / "tests" / "fixtures" / "real").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]
    random.Random(7).shuffle(rows)
    now = datetime.now().timestamp()
    prints = [article_fingerprint(r["title"], r["text"], classify(classifier, r["title"], r["text"], "ar"),
                                  now - random.Random(n).uniform(0, 24 * 3600)) for n, r in enumerate(rows)]
    index = StoryIndex()
    for n in range(args.stories):
        index.add(f"s{n}", prints[n % len(prints)])
    new = [prints[(args.stories + n) % len(prints)] for n in range(args.articles)]
    started = time.perf_counter()
    joined = 0
    for n, print_ in enumerate(new):
        story = index.find(print_)
        joined += story is not None
        index.add(story or f"new{n}", print_)
    elapsed = time.perf_counter() - started
    print(f"{args.articles} articles against {args.stories} recent stories: {elapsed / args.articles * 1000:.2f} ms "
          f"per article (find and add), {joined} joined a story")


if __name__ == "__main__":
    main()
