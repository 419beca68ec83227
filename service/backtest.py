"""Replay timestamped articles through the worker's own logic, on the articles' clock.

Each article arrives at its publication time: language gate, classifier, stories,
situations, channels and what rings, exactly as `run` decides them, with a store of its
own (a temporary SQLite file) and the outbox sender talking to a recorder instead of
Telegram. Between articles the sender delivers what is due by then, so edits that wait
for more outlets, flood limits and digests happen when they would have. What comes out
is every message and edit each channel would have received.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import itertools
import json
import logging
import os
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from alerts.outbox import Outbox
from alerts.reachability import Reachability
from alerts.telegram import Sent
from classifiers.language import detect_language
from classifiers.topics import classify
from core.config import ChannelConfig
from core.models import Article, FeedEntry
from fetchers.pages import telling_headline
from service.cli import load
from service.labelled import numbered_rows
from service.pipeline import Services, flush_digests, handle_article, is_commentary, skip_commentary
from service.runtime import Runtime
from store import Store

_HREF = re.compile(r'href="([^"]+)"')
NO_URL = "https://article.invalid/"  # an article without an address is shown by one made of its id


@dataclass(frozen=True, slots=True)
class Replayed:
    """One input article: JSON lines {"id","title","text","source","url","published"}."""

    id: str
    title: str
    text: str
    source: str
    url: str
    published: datetime
    sections: tuple[str, ...] = ()  # the outlet's section for it ("category" or "section" in the line)


@dataclass(frozen=True, slots=True)
class Action:
    """One call a channel received: a message sent (ringing or silent) or edited."""

    time: float
    chat_id: str
    message: str  # the message's key: its situation, then #<part> for a later message
    action: str  # send | edit
    notify: bool
    story_id: str
    situation_id: str
    ids: tuple[str, ...]  # input ids visible in that message after this action
    title: str  # the headline the message leads with
    lead: str  # input id of the article that leads it (its first story's first report)

    def to_json(self) -> dict:
        return {"time": datetime.fromtimestamp(self.time, timezone.utc).isoformat(), "chat_id": self.chat_id,
                "action": self.action, "notify": self.notify, "story_id": self.story_id,
                "situation_id": self.situation_id, "ids": list(self.ids), "message": self.message, "lead": self.lead}


class Clock:
    """The articles' clock: every part of the replay reads the time from it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """Stands in for Telegram: takes every send and edit, answers with a message id."""

    def __init__(self) -> None:
        self.reachability = Reachability()
        self.calls: list[tuple[str, str, int, bool, bool]] = []  # chat, text, message id, edit, notify
        self._ids = itertools.count(1)

    async def send(self, chat_id: str, text: str, thread_id: int | None, attempts: int,
                   edit_message_id: int | None = None, notify: bool = True, reply_to: int | None = None,
                   buttons: dict[str, int] | None = None) -> Sent:
        message_id = edit_message_id or next(self._ids)
        self.calls.append((chat_id, text, message_id, bool(edit_message_id), notify and not edit_message_id))
        return Sent(message_id, chat_id)


def read_articles(paths: Iterable[Path], skipped: list[str]) -> list[Replayed]:
    """The articles of JSON lines files (.gz too), in input order; a line that is not one (not
    JSON, no time) is listed in ``skipped`` with where and why, and the rest are replayed."""
    found = []
    for path in paths:
        for number, row in numbered_rows(path, skipped):
            try:
                found.append(article_of(row))
            except (KeyError, TypeError, ValueError, OverflowError, OSError) as exc:
                why = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
                skipped.append(f"{path}:{number}: not an article line ({why})")
    return found


def article_of(row: dict) -> Replayed:
    """One article line. ``outlet`` names the outlet where ``source`` does not; a time without a zone is UTC."""
    stamp = row["published"]
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):  # Unix seconds
        published = datetime.fromtimestamp(stamp, timezone.utc)
    else:
        published = datetime.fromisoformat(str(stamp).strip().replace("Z", "+00:00"))
    return Replayed(
        id=str(row["id"]), title=str(row.get("title") or ""), text=str(row.get("text") or ""),
        source=str(row.get("outlet") or row.get("source") or "?"), url=str(row.get("url") or NO_URL + str(row["id"])),
        published=published if published.tzinfo else published.replace(tzinfo=timezone.utc),
        sections=tuple(str(row[k]) for k in ("category", "section") if row.get(k)),
    )


def with_channels(runtime: Runtime) -> Runtime:
    """A config without channels replays to one channel per topic (@<topic>)."""
    if runtime.config.channels:
        return runtime
    channels = tuple(ChannelConfig(chat_id=f"@{name}", topics=(name,)) for name in runtime.config.topics)
    return replace(runtime, config=runtime.config.model_copy(update={"channels": channels}))


def per_topic(runtime: Runtime, timezone: str | None = None) -> Runtime:
    """The runtime replayed to one channel per topic, its own channels left out; ``timezone``: the
    desk's day, where situations end, when not the config's (labelled days are UTC dates)."""
    update: dict = {"channels": ()}
    if timezone:
        update["bot"] = runtime.config.bot.model_copy(update={"timezone": timezone})
    return with_channels(replace(runtime, config=runtime.config.model_copy(update=update)))


@dataclass(frozen=True, slots=True)
class Replay:
    actions: list[Action]  # every call the channels received, in time order
    stories: dict[str, tuple[str, str]]  # input id -> (story, situation) of each article that alerted
    urls: dict[str, str]  # input id -> its address (one article filed twice has one)
    topics: dict[str, tuple[str, ...]]  # input id -> the topics its story alerted on


def replay(runtime: Runtime, articles: list[Replayed]) -> Replay:
    """Every action the configured channels would have received, and how articles were grouped.
    Articles arrive in publication order (input order on ties)."""
    return asyncio.run(_replay(with_channels(runtime), sorted(articles, key=lambda a: a.published)))


async def _replay(runtime: Runtime, articles: list[Replayed]) -> Replay:
    clock, recorder = Clock(), Recorder()
    by_url = {a.url: a.id for a in articles}
    actions: list[Action] = []
    with tempfile.TemporaryDirectory(prefix="backtest-") as folder:
        store = Store(Path(folder) / "backtest.sqlite3")
        try:
            services = Services(runtime, store, fetcher=None, deliver=True, clock=clock)  # type: ignore[arg-type]
            outbox = Outbox(store, recorder, clock=clock)  # type: ignore[arg-type]
            for article in articles:
                await _deliver_until(services, outbox, clock, recorder, article.published.timestamp(), actions,
                                     by_url)
                _arrive(services, article)
            await _deliver_until(services, outbox, clock, recorder, float("inf"), actions, by_url)
            clock.now += 86400 + 1  # the last periods end: their digests go out
            await _deliver_until(services, outbox, clock, recorder, float("inf"), actions, by_url)
            rows = store._db.rows("SELECT seen.entry_id, stories.id, stories.situation_id, stories.topics "  # noqa: SLF001
                                  "FROM seen JOIN stories ON stories.id = seen.story_id")
        finally:
            store.close()
    return Replay(actions, {row["entry_id"]: (row["id"], row["situation_id"] or row["id"]) for row in rows},
                  {a.id: a.url for a in articles}, {row["entry_id"]: tuple(json.loads(row["topics"])) for row in rows})


def _arrive(services: Services, article: Replayed) -> None:
    feed = f"backtest:{article.source}"
    if services.store.url_seen(article.url) is not None:  # one article twice
        return
    entry = FeedEntry(feed, article.id, article.url, article.title, article.text, article.published, article.sections)
    if is_commentary(services.runtime.config.commentary, False, entry):
        skip_commentary(services, feed, entry)
        return
    title = telling_headline(article.title, article.text)
    lang = detect_language(f"{title}\n{article.text}")
    classification = classify(services.runtime.classifier, title, article.text, lang or None)
    read = Article(entry, title, article.text, classification.lang, source=article.source, extracted=True)
    handle_article(services, feed, read, classification, services.clock())


async def _deliver_until(services: Services, outbox: Outbox, clock: Clock, recorder: Recorder, until: float,
                         actions: list[Action], by_url: dict[str, str]) -> None:
    """Let the sender (and the digests) work through everything due before ``until``."""
    while True:
        flush_digests(services)
        before = len(recorder.calls)
        wait = await outbox.step()
        actions.extend(_recorded(services.store, recorder.calls[before:], clock.now, by_url))
        if len(recorder.calls) > before or wait <= 0:
            continue
        if not services.store.pending_count() or clock.now + wait > until:
            clock.now = max(clock.now, until) if until != float("inf") else clock.now
            return
        clock.now += wait


def _recorded(store: Store, calls: list[tuple[str, str, int, bool, bool]], now: float,
              by_url: dict[str, str]) -> Iterator[Action]:
    for chat, text, message_id, edit, notify in calls:
        row = store._db.one("SELECT message_key, situation_id, stories, changed_story FROM outbox "  # noqa: SLF001
                            "WHERE chat_id = ? AND message_id = ?", (chat, message_id))
        stories = json.loads(row["stories"]) if row else []
        story = (row["changed_story"] if edit else stories[0] if stories else row["message_key"]) if row else ""
        ids = tuple(dict.fromkeys(by_url[u] for u in map(html.unescape, _HREF.findall(text)) if u in by_url))
        first = store.story(stories[0]) if stories else None
        title = re.sub(r"<[^>]+>", "", text.split("\n", 1)[0])
        yield Action(now, chat, row["message_key"] if row else "", "edit" if edit else "send", notify, story or "",
                     (row["situation_id"] or "") if row else "", ids, html.unescape(title),
                     by_url.get(first.url, "") if first else "")


def summary(actions: list[Action]) -> dict:
    """Per channel: messages, notifications, edits, and notifications per situation (mean, max)."""
    channels: dict[str, dict] = {}
    for chat in sorted({a.chat_id for a in actions}):
        mine = [a for a in actions if a.chat_id == chat]
        rings = Counter(a.situation_id for a in mine if a.notify)
        situations = {a.situation_id for a in mine if a.situation_id}
        per = [rings.get(s, 0) for s in situations]
        channels[chat] = {
            "messages": sum(a.action == "send" for a in mine), "notifications": sum(a.notify for a in mine),
            "edits": sum(a.action == "edit" for a in mine), "situations": len(situations),
            "articles_shown": len({i for a in mine for i in a.ids}),
            "notifications_per_situation": {"mean": round(sum(per) / len(per), 2) if per else 0.0,
                                            "max": max(per, default=0)},
        }
    return {"summary": channels}


def report(actions: list[Action], zone: str) -> str:
    """What each channel's subscribers lived through, in their time zone."""
    from zoneinfo import ZoneInfo

    local = ZoneInfo(zone)
    lines = []
    totals = summary(actions)["summary"]
    by_chat: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        by_chat[action.chat_id].append(action)
    for chat, mine in by_chat.items():
        t = totals[chat]
        lines.append(f"== {chat}: {t['messages']} messages, {t['notifications']} notifications, {t['edits']} edits, "
                     f"{t['situations']} situations (notifications per situation: mean "
                     f"{t['notifications_per_situation']['mean']}, max {t['notifications_per_situation']['max']}), "
                     f"{t['articles_shown']} articles shown")
        for a in mine:
            mark = "🔔" if a.notify else ("✏️ " if a.action == "edit" else "🔕")
            when = datetime.fromtimestamp(a.time, local).strftime("%m-%d %H:%M")
            lines.append(f"  {when} {mark} [{a.situation_id}] {a.title[:90]} ({len(a.ids)} articles)")
    return "\n".join(lines)


def command(args: argparse.Namespace) -> int:
    """`bot.py backtest FILE... [--config PATH] [--json]`, or `--from-store` (service/feedback.py)."""
    if "LOG_LEVEL" not in os.environ:  # the replay's own lines would bury what it prints
        logging.getLogger().setLevel(logging.WARNING)
    if args.from_store:
        from service.feedback import compare_from_store

        return compare_from_store(args)
    if not args.files:
        print("backtest: give FILE... to replay, or --from-store", file=sys.stderr)
        return 2
    runtime = load(args.config)
    skipped: list[str] = []
    try:
        articles = read_articles((Path(f) for f in args.files), skipped)
    except OSError as exc:
        print(f"backtest: cannot read {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for problem in skipped:
        print(f"backtest: {problem}: skipped", file=sys.stderr)
    if skipped:
        print(f"backtest: {len(skipped)} lines skipped, {len(articles)} articles replayed", file=sys.stderr)
    if not articles:
        print("backtest: no article to replay", file=sys.stderr)
        return 1
    actions = replay(runtime, articles).actions
    if args.json:
        for action in actions:
            print(json.dumps(action.to_json(), ensure_ascii=False))
        print(json.dumps(summary(actions), ensure_ascii=False))
    else:
        print(report(actions, runtime.config.bot.timezone))
    return 0
