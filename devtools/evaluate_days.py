"""Whole labelled days replayed through the worker, graded as a subscriber lives them.

    python -m devtools.evaluate_days tests/fixtures/real/days_holdout.jsonl [more files] [--config PATH] \
        [--outlets] [--errors] [--links]

Every article of every file goes through `bot.py backtest`'s replay (the worker's own
logic on the articles' clock), to one channel per topic. Each channel is then graded,
per day, against the labels (`labels`, `story`, `situation`; an article without a
situation label is a situation of its own):

- notifications per situation: the ringing messages led by a situation's articles, over
  the situations that have an article shown in the channel (mean, max), and how many of
  them rang at least once;
- articles shown: of the articles the worker alerted on for the topic (a story of theirs
  carries it), how many appear in a message or an edit of the channel (it must be all);
- messages on topic: the messages whose leading article is labelled on the topic;
  relevant articles shown: the articles labelled on the topic that the channel shows;
- stories: pairwise precision and recall of the replay's stories against `story`;
- with --links, how each new story joined a situation (same strike, same event, same place,
  threat carried out, anchors) and how often that put it with the situation's first story's
  labelled situation: which of the linker's readings are right on these days.

Then per year, per outlet (with --outlets; an outlet's messages are those its articles
lead, its relevant articles its own), and over all days.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from service.backtest import Replay, article_of, per_topic, replay
from service.labelled import day_of, read_rows
from service.runtime import load_runtime


@dataclass
class Tally:
    situations: int = 0
    rang: int = 0
    relevant_situations: int = 0  # of them, those with an article labelled on the topic
    relevant_rang: int = 0
    rings: list[int] = field(default_factory=list)
    alerted: int = 0
    shown_alerted: int = 0
    messages: int = 0
    on_topic: int = 0
    relevant: int = 0
    relevant_shown: int = 0
    loudest: tuple[int, str] = (0, "")
    silent: list[str] = field(default_factory=list)  # situations shown that never rang

    def add(self, other: Tally) -> None:
        for name in ("situations", "rang", "relevant_situations", "relevant_rang", "alerted", "shown_alerted",
                     "messages", "on_topic", "relevant", "relevant_shown"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rings += other.rings
        self.silent += other.silent
        self.loudest = max(self.loudest, other.loudest)

    def line(self) -> str:
        mean = sum(self.rings) / len(self.rings) if self.rings else 0.0
        share = lambda a, b: f"{a}/{b} ({a / b:.2f})" if b else "-"  # noqa: E731
        return (f"notifications per situation mean {mean:.2f} max {max(self.rings, default=0)}"
                f" (loudest: {self.loudest[1]}); situations rang {share(self.rang, self.situations)}, on topic "
                f"{share(self.relevant_rang, self.relevant_situations)}; "
                f"alerted shown {share(self.shown_alerted, self.alerted)}; messages on topic "
                f"{share(self.on_topic, self.messages)}; relevant shown {share(self.relevant_shown, self.relevant)}")


def situations_of(rows: list[dict]) -> dict[str, str]:
    """Article id -> labelled situation (an unlabelled article is a situation of its own)."""
    return {r["id"]: r.get("situation") or f"alone:{r['id']}" for r in rows}


def grade_channel(rows: list[dict], result: Replay, chat: str, topic: str, alerted: set[str],
                  situation: dict[str, str]) -> Tally:
    """One channel on one day: the situations that open that day, the messages its articles lead."""
    ids = {r["id"] for r in rows}
    mine = [a for a in result.actions if a.chat_id == chat and a.lead in ids]
    shown_urls = {result.urls[i] for a in result.actions if a.chat_id == chat for i in a.ids}
    shown = {i for i in ids if result.urls.get(i) in shown_urls}  # one article filed twice is shown once
    rings = Counter(situation.get(a.lead) for a in result.actions if a.chat_id == chat and a.notify)
    situations = {situation[i] for i in shown}
    tally = Tally(situations=len(situations), rang=sum(1 for s in situations if rings[s]),
                  rings=[rings[s] for s in situations])
    tally.loudest = max(((rings[s], s) for s in situations), default=(0, ""))
    tally.silent = sorted(s for s in situations if not rings[s])
    topic_ids = {r["id"] for r in rows if r["labels"].get(topic)}
    relevant = {situation[i] for i in shown & topic_ids}
    tally.relevant_situations, tally.relevant_rang = len(relevant), sum(1 for s in relevant if rings[s])
    tally.alerted, tally.shown_alerted = len(alerted & ids), len(alerted & ids & shown)
    sends = [a for a in mine if a.action == "send"]
    tally.messages, tally.on_topic = len(sends), sum(1 for a in sends if a.lead in topic_ids)
    tally.relevant, tally.relevant_shown = len(topic_ids), len(topic_ids & shown)
    return tally


def story_pairs(rows: list[dict], result: Replay) -> tuple[int, int, int]:
    """(pairs found and labelled, found, labelled) among the day's alerted articles with a story label."""
    mine = [r for r in rows if r.get("story") and r["id"] in result.stories]
    tp = found = labelled = 0
    for a, b in combinations(mine, 2):
        same_label, same_found = a["story"] == b["story"], result.stories[a["id"]][0] == result.stories[b["id"]][0]
        tp += same_label and same_found
        found += same_found
        labelled += same_label
    return tp, found, labelled


def grade(by_day: dict[str, list[dict]], result: Replay, topics: list[str], alerted: dict[str, set[str]],
          situation: dict[str, str]) -> dict[str, Tally]:
    """Each topic's channel over these days."""
    totals = {t: Tally() for t in topics}
    for day in sorted(by_day):
        for topic in topics:
            totals[topic].add(grade_channel(by_day[day], result, f"@{topic}", topic, alerted[topic], situation))
    return totals


def print_errors(topic: str, rows: list[dict], result: Replay, tally: Tally, situation: dict[str, str]) -> None:
    """The messages off topic, the relevant articles missed, the situations shown that never rang."""
    chat = f"@{topic}"
    by_id = {r["id"]: r for r in rows}
    shown_urls = {result.urls[i] for a in result.actions if a.chat_id == chat for i in a.ids}

    def line(kind: str, row: dict) -> str:
        return f"  {topic}: {kind}: {row['id']} [{row.get('outlet')}/{row.get('category', '')}] {row['title'][:80]}"

    for a in result.actions:
        if a.chat_id == chat and a.action == "send" and a.lead in by_id and not by_id[a.lead]["labels"].get(topic):
            print(line("off topic", by_id[a.lead]))
    for row in rows:
        if row["labels"].get(topic) and result.urls.get(row["id"]) not in shown_urls:
            print(line("missed", row))
    for name in tally.silent:
        print(f"  {topic}: never rang: {name}")
        for i in (i for i, s in situation.items() if s == name and i in result.stories):
            print(f"      in {result.stories[i][1]}: {by_id[i]['title'][:70]}")


@contextmanager
def joins_logged():
    """The situation links the worker logs while replaying (``alert_queued`` with ``joined``), as
    (story, reason) pairs."""
    links: list[tuple[str, str]] = []

    class Links(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            fields = getattr(record, "fields", {})
            if getattr(record, "event_name", "") == "alert_queued" and "joined" in fields:
                links.append((str(fields["story"]), str(fields["joined"]).rsplit(" ", 1)[0]))

    logger, handler = logging.getLogger("pipeline"), Links()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield links
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def print_links(links: list[tuple[str, str]], rows: list[dict], result: Replay, situation: dict[str, str],
                errors: bool) -> None:
    """Per link reason: stories put with their labelled situation (the situation's first story's), and not."""
    by_id = {r["id"]: r for r in rows}
    story_first: dict[str, str] = {}  # each story's first article, and each situation's
    situation_first: dict[str, str] = {}
    for article in sorted(result.stories, key=lambda i: (by_id[i]["published"], i)):
        story, thread = result.stories[article]
        story_first.setdefault(story, article)
        situation_first.setdefault(thread, article)
    tally: dict[str, Counter] = defaultdict(Counter)
    for story, reason in links:
        article = story_first.get(story)
        if article is None:
            continue
        lead = situation_first[result.stories[article][1]]
        right = situation[article] == situation[lead]
        tally[reason][right] += 1
        if errors and not right:
            print(f"  wrong {reason}: {by_id[article]['title'][:60]} [{situation[article]}] -> "
                  f"{by_id[lead]['title'][:50]} [{situation[lead]}]")
    for reason in sorted(tally):
        print(f"  links by {reason}: {tally[reason][True]} with their situation, {tally[reason][False]} not")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--config", default=None)
    parser.add_argument("--timezone", default="UTC",
                        help="the desk's day, where situations end (default UTC: the labels' days are UTC dates)")
    parser.add_argument("--errors", action="store_true",
                        help="list the situations shown that never rang, messages off topic, relevant articles missed")
    parser.add_argument("--outlets", action="store_true", help="the figures per outlet too")
    parser.add_argument("--links", action="store_true",
                        help="how new stories joined situations, and how often with their labelled situation")
    args = parser.parse_args(argv)
    runtime = per_topic(load_runtime(args.config), args.timezone)  # one channel per topic, @<topic>
    rows = [r for path in args.files for r in read_rows(path)]
    with joins_logged() as links:
        result = replay(runtime, [article_of(r) for r in rows])
    topics = list(runtime.config.topics)
    alerted = defaultdict(set)  # what the worker alerted on: the articles its stories carry, by topic
    for article, story_topics in result.topics.items():
        for topic in story_topics:
            alerted[topic].add(article)
    situation = situations_of(rows)

    def print_grades(heading: str, chosen: list[dict]) -> dict[str, Tally]:
        by_day = defaultdict(list)
        for r in chosen:
            by_day[day_of(r)].append(r)
        tallies = grade(by_day, result, topics, alerted, situation)
        print(f"== {heading} ({len(chosen)} articles)")
        for topic in topics:
            print(f"  {topic}: {tallies[topic].line()}")
        return tallies

    for day in sorted({day_of(r) for r in rows}):
        print_grades(day, [r for r in rows if day_of(r) == day])
    for name, key in (("year", lambda r: day_of(r)[:4]), ("outlet", lambda r: r.get("outlet") or "?")):
        groups = sorted({key(r) for r in rows})
        for group in groups if len(groups) > 1 and (name == "year" or args.outlets) else ():
            print_grades(f"{name} {group}", [r for r in rows if key(r) == group])
    totals = print_grades("all days", rows)
    for topic in topics if args.errors else ():
        print_errors(topic, rows, result, totals[topic], situation)
    if args.links:
        print_links(links, rows, result, situation, args.errors)
    found = [story_pairs([r for r in rows if day_of(r) == day], result) for day in {day_of(r) for r in rows}]
    tp, found_pairs, labelled = (sum(column) for column in zip(*found))
    print(f"  stories, pairwise on alerted articles: precision {tp / found_pairs if found_pairs else 1:.3f} "
          f"recall {tp / labelled if labelled else 1:.3f} ({tp} of {found_pairs} found, {labelled} labelled)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
