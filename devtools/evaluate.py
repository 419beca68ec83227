"""Classifier quality on labelled JSON lines: precision, recall and F1 per topic, and the errors.

    python -m devtools.evaluate tests/fixtures/real/classifier_holdout.jsonl [--config config.toml] [--errors 40]

Each line: {"id", "title", "text", "labels": {"<topic>": true|false, ...}} and, for real
articles, "outlet": the figures are then given per outlet as well.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from classifiers.topics import classify
from core.models import Classification
from service.labelled import read_rows
from service.runtime import load_runtime


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[tuple[str, str, float, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def tally(rows: list[dict], results: list[Classification]) -> dict[str, Tally]:
    """Per topic, the labels of ``rows`` against their classifications."""
    tallies: dict[str, Tally] = {}
    for row, result in zip(rows, results):
        for topic, want in row["labels"].items():
            if topic not in result.topics:
                continue
            score = result.topics[topic]
            tally = tallies.setdefault(topic, Tally())
            got = score.alert
            if got and want:
                tally.tp += 1
            elif got:
                tally.fp += 1
                tally.errors.append(("FP", row["id"], score.score, row.get("title", ""), ", ".join(score.matched[:6])))
            elif want:
                tally.fn += 1
                why = "; ".join(score.reasons) or "-"
                tally.errors.append(("FN", row["id"], score.score, row.get("title", ""), why))
            else:
                tally.tn += 1
    return tallies


def _table(tallies: dict[str, Tally]) -> None:
    print(f"{'topic':<20} {'precision':>9} {'recall':>7} {'F1':>6}   tp  fp  fn   tn")
    for topic, t in tallies.items():
        print(f"{topic:<20} {t.precision:9.3f} {t.recall:7.3f} {t.f1:6.3f} {t.tp:4d} {t.fp:3d} {t.fn:3d} {t.tn:4d}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--config", default=None)
    parser.add_argument("--errors", type=int, default=40, help="errors listed per topic (default 40)")
    args = parser.parse_args(argv)
    classifier = load_runtime(args.config).classifier
    rows = [row for path in args.files for row in read_rows(path)]
    results = [classify(classifier, row.get("title", ""), row.get("text", ""), detail=False) for row in rows]
    tallies = tally(rows, results)
    print(f"{len(rows)} texts from {', '.join(str(p) for p in args.files)}")
    _table(tallies)
    outlets = sorted({row["outlet"] for row in rows if row.get("outlet")})
    if len(outlets) > 1:
        for outlet in outlets:
            mine = [i for i, row in enumerate(rows) if row.get("outlet") == outlet]
            print(f"\n{outlet} ({len(mine)} articles)")
            _table(tally([rows[i] for i in mine], [results[i] for i in mine]))
    for topic, t in tallies.items():
        if t.errors:
            print(f"\n{topic}: {len(t.errors)} errors")
        for kind, row_id, score, title, detail in t.errors[: args.errors]:
            print(f"  {kind} {row_id} score={score:g}  {title[:70]}  [{detail}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
