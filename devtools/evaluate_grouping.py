"""Same-story grouping quality: pairwise precision and recall on a labelled set.

    python -m devtools.evaluate_grouping tests/fixtures/grouping/articles.jsonl [--threshold 0.2]

Each line: {"id", "group", "source", "published" (ISO 8601), "title", "text"}. Articles
are fed in publication order through the same fingerprint/find_story path the worker
uses (entities from the shipped classifier), so the figures are the worker's own.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from itertools import combinations
from pathlib import Path

from classifiers.grouping import SAME_STORY, Fingerprint, article_fingerprint, find_story
from classifiers.topics import Classifier, classify
from core.runtime import load_runtime


def cluster(classifier: Classifier, rows: list[dict], threshold: float) -> dict[str, str]:
    """Article id -> story id, as the worker would assign them."""
    stories: list[tuple[str, Fingerprint]] = []
    assigned: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r["published"]):
        result = classify(classifier, row["title"], row["text"], "ar")
        published = datetime.fromisoformat(row["published"]).timestamp()
        print_ = article_fingerprint(row["title"], row["text"], result, published)
        match = find_story(print_, stories, threshold)
        if match is None:
            stories.append((row["id"], print_))
            match = row["id"]
        assigned[row["id"]] = match
    return assigned


def pairwise(rows: list[dict], assigned: dict[str, str]) -> tuple[float, float, list[tuple[str, str, str]]]:
    tp = fp = fn = 0
    errors = []
    for a, b in combinations(rows, 2):
        same_truth = a["group"] == b["group"]
        same_found = assigned[a["id"]] == assigned[b["id"]]
        if same_truth and same_found:
            tp += 1
        elif same_found:
            fp += 1
            errors.append(("joined", a["id"], b["id"]))
        elif same_truth:
            fn += 1
            errors.append(("split", a["id"], b["id"]))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--config", default=None)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--errors", type=int, default=30)
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    classifier = load_runtime(args.config).classifier
    assigned = cluster(classifier, rows, SAME_STORY if args.threshold is None else args.threshold)
    precision, recall, errors = pairwise(rows, assigned)
    groups = len({r["group"] for r in rows})
    print(f"{len(rows)} articles in {groups} events -> {len(set(assigned.values()))} stories")
    print(f"pairwise precision {precision:.3f}  recall {recall:.3f}")
    titles = {r["id"]: f'{r["group"]}/{r["source"]}: {r["title"][:50]}' for r in rows}
    for kind, a, b in errors[: args.errors]:
        print(f"  {kind}: {titles[a]}  <->  {titles[b]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
