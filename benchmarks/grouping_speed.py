"""How long grouping takes: one new article against the recent stories the worker keeps.

    python benchmarks/grouping_speed.py [--stories 2000] [--articles 500]

Stories are real articles (tests/fixtures/real/) with their fingerprints, published
within the last day, in situations of a few stories each; the new articles are other real
articles. Fingerprints are made beforehand: what is timed is what the worker does for an
article, finding its story, or else the situation it joins (or none), and adding it.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.grouping import article_fingerprint  # noqa: E402
from classifiers.index import StoryIndex  # noqa: E402
from classifiers.situations import reach  # noqa: E402
from classifiers.topics import classify  # noqa: E402
from service.runtime import load_runtime  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    classifier = load_runtime(ROOT / "config.toml").classifier
    rows = [json.loads(line) for path in sorted((ROOT / "tests" / "fixtures" / "real").glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]
    random.Random(7).shuffle(rows)
    now = datetime.now().timestamp()
    prints = [article_fingerprint(r["title"], r["text"], classify(classifier, r["title"], r["text"], "ar"),
                                  now - random.Random(n).uniform(0, 24 * 3600)) for n, r in enumerate(rows)]
    words = [reach(r["title"], r["text"], p.entities) for r, p in zip(rows, prints)]
    new = [(args.stories + n) % len(prints) for n in range(args.articles)]
    times = []
    for _ in range(args.repeat):  # a shared machine is noisy: the best pass is the code's own speed
        index = StoryIndex(day=lambda moment: 0)  # one day: every recent situation is a candidate
        for n in range(args.stories):
            index.add(f"s{n}", prints[n % len(prints)], situation=f"s{n - n % 4}")  # situations of four stories
        started = time.perf_counter()
        joined = linked = 0
        for n, at in enumerate(new):
            story = index.find(prints[at])
            link = None if story else index.find_situation(prints[at], words[at])
            joined += story is not None
            linked += link is not None
            index.add(story or f"new{n}", prints[at], situation=link.situation if link else None)
        times.append((time.perf_counter() - started) / args.articles * 1000)
    print(f"{args.articles} articles against {args.stories} recent stories in {args.stories // 4} situations: "
          f"{min(times):.2f} ms per article, best of {args.repeat} (median {statistics.median(times):.2f}) "
          f"for the story, else the situation, and adding it; {joined} joined a story, {linked} a situation")


if __name__ == "__main__":
    main()
