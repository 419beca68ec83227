"""How far a second, independent reading agrees with the labels: the ceiling of any figure.

    python -m devtools.agreement tests/fixtures/real/second_reading/topics.jsonl tests/fixtures/real/classifier_dev.jsonl
    python -m devtools.agreement tests/fixtures/real/second_reading/stories.jsonl \
        tests/fixtures/real/days_dev.jsonl tests/fixtures/real/days_holdout.jsonl [--field story_literal]

The first file is the second reading: {"id", "<topic>": 0|1 ..., "story", "note"}, one line
per article it read. The others are the labelled sets. Topics: the second reading scored
as if it were a classifier (precision, recall), the share of calls that agree and Cohen's
kappa, then each disagreement with both notes. Stories: pairwise precision and recall of
the second reading's stories against the labelled ones (``--field``), over the articles
both have.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from devtools.evaluate import Tally
from devtools.evaluate_grouping import grade

TOPICS = ("security_council", "syria_escalation")


def topic_agreement(second: dict[str, bool], labels: dict[str, bool]) -> Tally:
    """``second`` read as predictions of ``labels`` (article id -> call), over the ids both hold."""
    pairs = [(second[i], labels[i]) for i in second.keys() & labels.keys()]
    return Tally(sum(s and t for s, t in pairs), sum(s and not t for s, t in pairs),
                 sum(t and not s for s, t in pairs), sum(not s and not t for s, t in pairs))


def agreement(found: Tally) -> float:
    return (found.tp + found.tn) / (found.tp + found.fp + found.fn + found.tn)


def kappa(found: Tally) -> float:
    """Agreement beyond what two readers calling 1 at their own rates would reach by chance."""
    n = found.tp + found.fp + found.fn + found.tn
    chance = ((found.tp + found.fp) * (found.tp + found.fn) + (found.fn + found.tn) * (found.fp + found.tn)) / n / n
    return (agreement(found) - chance) / (1 - chance) if chance < 1 else 1.0


def story_agreement(second: dict[str, str], labels: dict[str, str]) -> tuple[float, float]:
    """Pairwise (precision, recall) of ``second``'s stories against ``labels``', over the ids both hold:
    the second reading graded as if it were the grouping."""
    shared = second.keys() & labels.keys()
    grades = grade([{"id": i, "story": labels[i]} for i in shared], {i: second[i] for i in shared})
    return grades.precision, grades.recall


def _read(paths: list[Path]) -> dict[str, dict]:
    rows: dict[str, dict] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows.setdefault(row["id"], row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("second", type=Path, help="the second reading")
    parser.add_argument("labelled", nargs="+", type=Path, help="the labelled sets")
    parser.add_argument("--field", default="story", help="the labelled sets' story field (default story)")
    args = parser.parse_args(argv)
    second, labelled = _read([args.second]), _read(args.labelled)
    missing = second.keys() - labelled.keys()
    if missing:
        print(f"{len(missing)} articles of the second reading are not in the labelled sets, e.g. {min(missing)}")
    read = {i: row for i, row in second.items() if i in labelled}
    for topic in TOPICS:
        calls = {i: bool(row[topic]) for i, row in read.items() if topic in row}
        if not calls:
            continue
        truth = {i: bool(labelled[i]["labels"][topic]) for i in calls}
        found = topic_agreement(calls, truth)
        print(f"{topic}: {len(calls)} articles; second reading against the labels: precision {found.precision:.3f}, "
              f"recall {found.recall:.3f}; agree on {agreement(found):.1%}, kappa {kappa(found):.3f}")
        for i in sorted(i for i in calls if calls[i] != truth[i]):
            print(f"  {i} labels {int(truth[i])}, second {int(calls[i])}: {labelled[i].get('note') or '-'} "
                  f"| {read[i].get('note') or '-'}")
    stories = {i: row["story"] for i, row in read.items() if row.get("story") and labelled[i].get(args.field)}
    if stories:
        precision, recall = story_agreement(stories, {i: labelled[i][args.field] for i in stories})
        print(f"stories ({args.field}): {len(stories)} articles; second reading against the labels: "
              f"pairwise precision {precision:.3f}, recall {recall:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
