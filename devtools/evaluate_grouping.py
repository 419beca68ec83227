"""Same-story grouping quality: pairwise precision and recall on articles labelled by event.

    python -m devtools.evaluate_grouping tests/fixtures/real/days_holdout.jsonl [--as-worker] [--labels story_literal] \
        [--by-event [PREFIX]]

Each line: {"id", "story" (or "group"), "outlet" (or "source"), "published" (ISO 8601),
"title", "text"} and, for --as-worker, "labels". Articles are fed in publication order
through the worker's own path (classification, fingerprint, story index), one news day
after another.

By default every article with a story label is grouped: how well events are told apart
among same-day look-alikes. With --as-worker only the articles the classifier alerts on
are grouped, as in the running worker; an alerted article without a story label is an
event of its own.

``--labels story_literal`` grades against the second set of story labels, where an
incident's reactions within about a day belong to its story (see the fixtures' README).
``--by-event`` lists each labelled event told in several stories (those whose name starts with
PREFIX), its articles under the story each joined, with what the fingerprint read in them
(incident, the forces striking, the headline's actor and kinds of act): why they stayed apart.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path

from classifiers.grouping import SAME_STORY, Fingerprint, article_fingerprint
from classifiers.index import StoryIndex
from classifiers.topics import Classifier, classify
from service.labelled import read_rows
from service.runtime import load_runtime


def event_of(row: dict, field: str = "story") -> str | None:
    return row.get(field) or row.get("group")


def cluster(classifier: Classifier, rows: list[dict], threshold: float = SAME_STORY,
            prints: dict[str, Fingerprint] | None = None) -> dict[str, str]:
    """Article id -> story id (its first article's), as the worker assigns them (``prints``:
    filled with each article's fingerprint)."""
    index = StoryIndex(threshold)
    assigned: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r["published"]):
        result = classify(classifier, row["title"], row["text"], "ar")
        published = datetime.fromisoformat(row["published"]).timestamp()
        print_ = article_fingerprint(row["title"], row["text"], result, published)
        story = index.find(print_)
        if story is None:
            story = row["id"]
        index.add(story, print_)
        assigned[row["id"]] = story
        if prints is not None:
            prints[row["id"]] = print_
    return assigned


@dataclass
class Grades:
    precision: float
    recall: float
    events: int
    stories: int
    split: list[str]  # events spread over several stories
    merged: list[list[str]]  # stories holding several events: their events
    busiest: tuple[str, int, int]  # the event told in most stories (alerts): (event, articles, stories)
    pairs: list[tuple[str, str, str]]  # ("joined" | "split", a, b)


def grade(rows: list[dict], assigned: dict[str, str], field: str = "story") -> Grades:
    truth = {row["id"]: event_of(row, field) or f"alone:{row['id']}" for row in rows if row["id"] in assigned}
    tp = fp = fn = 0
    pairs = []
    for a, b in combinations(sorted(truth), 2):
        same_truth, same_found = truth[a] == truth[b], assigned[a] == assigned[b]
        tp += same_truth and same_found
        if same_found and not same_truth:
            fp += 1
            pairs.append(("joined", a, b))
        elif same_truth and not same_found:
            fn += 1
            pairs.append(("split", a, b))
    by_event, by_story, told = defaultdict(set), defaultdict(set), Counter(truth.values())
    for article, event in truth.items():
        by_event[event].add(assigned[article])
        by_story[assigned[article]].add(event)
    busiest = max(by_event, key=lambda e: (len(by_event[e]), told[e], e), default="")
    return Grades(tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0, len(by_event),
                  len(by_story), sorted(e for e, s in by_event.items() if len(s) > 1),
                  [sorted(events) for events in by_story.values() if len(events) > 1],
                  (busiest, told[busiest], len(by_event[busiest])), pairs)


def select(classifier: Classifier, rows: list[dict], as_worker: bool, field: str = "story") -> list[dict]:
    if not as_worker:
        return [row for row in rows if event_of(row, field)]
    return [row for row in rows if classify(classifier, row["title"], row["text"], "ar", detail=False).alert_topics]


def print_by_event(rows: list[dict], assigned: dict[str, str], prints: dict[str, Fingerprint], field: str,
                   prefix: str) -> None:
    """Each labelled event told in several stories, largest first: its articles by story, as read."""
    stories: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row["id"] in assigned and (event := event_of(row, field)) and event.startswith(prefix):
            stories[event][assigned[row["id"]]].append(row)
    told = {event: sum(map(len, found.values())) for event, found in stories.items()}
    for event, found in sorted(stories.items(), key=lambda item: (-told[item[0]], item[0])):
        if len(found) < 2:
            continue
        print(f"== {event}: {told[event]} articles in {len(found)} stories")
        for n, members in enumerate(found.values()):
            for row in sorted(members, key=lambda r: r["published"]):
                p = prints[row["id"]]
                read = (f"incident={'yes' if p.incident else 'no'} strikers={','.join(sorted(p.strikers)) or '-'} "
                        f"actor={p.actor or '-'} acts={','.join(sorted(p.actions)) or '-'}")
                print(f"  story {n + 1}: {row['published'][5:16]} {(row.get('outlet') or row.get('source', ''))[:12]:12} "
                      f"{read} | {row['title'][:70]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--config", default=None)
    parser.add_argument("--as-worker", action="store_true", help="group only what the classifier alerts on")
    parser.add_argument("--threshold", type=float, default=SAME_STORY, help=f"likeness to join (default {SAME_STORY})")
    parser.add_argument("--labels", default="story", help="the field naming each article's event (default story)")
    parser.add_argument("--errors", type=int, default=30)
    parser.add_argument("--by-event", nargs="?", const="", default=None, metavar="PREFIX",
                        help="list the events told in several stories, as the fingerprints read them")
    args = parser.parse_args(argv)
    rows = [row for path in args.files for row in read_rows(path)]
    classifier = load_runtime(args.config).classifier
    chosen = select(classifier, rows, args.as_worker, args.labels)
    prints: dict[str, Fingerprint] = {}
    assigned = cluster(classifier, chosen, args.threshold, prints)
    grades = grade(chosen, assigned, args.labels)
    print(f"{len(chosen)} articles in {grades.events} events -> {grades.stories} stories"
          + (" (as the worker: alerted articles only)" if args.as_worker else ""))
    print(f"pairwise precision {grades.precision:.3f}  recall {grades.recall:.3f}; "
          f"{len(grades.split)} events split, {len(grades.merged)} stories merging events")
    event, articles, stories = grades.busiest  # what a subscriber sees on the busiest event: one alert per story
    print(f"most alerts for one event: {event}, {articles} articles in {stories} stories")
    for events in grades.merged[: args.errors]:
        print(f"  merged: {' + '.join(events)}")
    titles = {r["id"]: f'{event_of(r, args.labels) or "-"} / {r.get("outlet") or r.get("source")}: {r["title"][:60]}' for r in rows}
    for kind, a, b in grades.pairs[: args.errors]:
        print(f"  {kind}: {titles[a]}  <->  {titles[b]}")
    if args.by_event is not None:
        print_by_event(chosen, assigned, prints, args.labels, args.by_event)
    return 0


if __name__ == "__main__":
    sys.exit(main())
