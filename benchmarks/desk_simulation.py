"""A desk that marks every alert, simulated on the shipped real labelled days, in time order.

    python benchmarks/desk_simulation.py [--weight 3]

The labels stand in for an editor: in the first half of the days every alert is marked on
or off topic, and every relevant article the bot missed is reported, as the buttons and
/missed would store them. Those marks are fitted in (`tune --from-store`: the shipped labels
of tests/fixtures/real/classifier_dev.jsonl plus the marks, each weighing --weight), and the
second half of the days is classified with the shipped points, with points re-fitted on the
shipped labels alone (what re-fitting gives without the desk), and with the desk's points.
Precision and recall are article by article, per topic, on the second half only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.topics import classify  # noqa: E402
from classifiers.tuning import Quality, tune  # noqa: E402
from service.config_edit import apply_proposal  # noqa: E402
from service.feedback import DESK_WEIGHT  # noqa: E402
from service.labelled import day_of, read_rows  # noqa: E402
from service.runtime import Runtime, build_runtime, load_runtime  # noqa: E402

REAL = ROOT / "tests" / "fixtures" / "real"
DAYS = ("days_dev.jsonl", "days_holdout.jsonl", "days2013_dev.jsonl.gz", "days2013_holdout.jsonl.gz")


def quality(runtime: Runtime, rows: list[dict], topic: str) -> Quality:
    tp = fp = fn = 0
    for row in rows:
        alert = classify(runtime.classifier, row["title"], row["text"], detail=False).topics[topic].alert
        label = bool(row["labels"].get(topic))
        tp, fp, fn = tp + (alert and label), fp + (alert and not label), fn + (label and not alert)
    return Quality(tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def desk_marks(runtime: Runtime, rows: list[dict]) -> list[dict]:
    """What an editor who marks every alert and reports every miss would have stored."""
    marked = []
    for row in rows:
        scores = classify(runtime.classifier, row["title"], row["text"], detail=False).topics
        labels = {t: bool(row["labels"].get(t)) for t, s in scores.items() if s.alert or row["labels"].get(t)}
        if labels:
            marked.append({**row, "labels": labels})
    return marked


def refit(runtime: Runtime, shipped: list[dict], marks: list[dict], weight: float) -> Runtime:
    text = (ROOT / "config.toml").read_text("utf-8")
    for topic in runtime.config.topics:
        chosen = [(r, 1.0) for r in shipped] + [(r, weight) for r in marks if topic in r["labels"]]
        articles = [(r["title"], r["text"], bool(r["labels"].get(topic))) for r, _ in chosen]
        proposal = tune(runtime.classifier, topic, articles, counts=[w for _, w in chosen])
        text = apply_proposal(text, proposal)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_text(text, encoding="utf-8")
        return build_runtime(path, text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weight", type=float, default=DESK_WEIGHT, help="what one desk mark weighs in the fit")
    args = parser.parse_args()
    runtime = load_runtime(ROOT / "config.toml")
    rows = [r for name in DAYS for r in read_rows(REAL / name)]
    days = sorted({day_of(r) for r in rows})
    first = set(days[: len(days) // 2])
    marking, replayed = [r for r in rows if day_of(r) in first], [r for r in rows if day_of(r) not in first]
    shipped = read_rows(REAL / "classifier_dev.jsonl")
    marks = desk_marks(runtime, marking)
    print(f"days in time order: {len(days)}; marking {days[0]} .. {max(first)} ({len(marking)} articles, "
          f"{len(marks)} marks: every alert and every miss), replaying {min(set(days) - first)} .. {days[-1]} "
          f"({len(replayed)} articles); desk weight {args.weight:g}")
    candidates = {"shipped points": runtime, "re-fitted, shipped labels only": refit(runtime, shipped, [], 1.0),
                  "re-fitted with the desk's marks": refit(runtime, shipped, marks, args.weight)}
    print(f"{'second half':<34}" + "".join(f"{topic:>34}" for topic in runtime.config.topics))
    for name, candidate in candidates.items():
        cells = [quality(candidate, replayed, topic) for topic in runtime.config.topics]
        print(f"{name:<34}" + "".join(f"{f'P {q.precision:.3f} R {q.recall:.3f} F1 {q.f1:.3f}':>34}" for q in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
