"""run_cycle(): the one place where the stages and the store meet.

poll feed → new entries → page → body → language and topics → story → outbox/sinks.
An entry is marked seen in the same transaction that writes its story and outbox rows,
so a crash before that commit means the entry is simply processed again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from alerts.digest import period_start, render_digest
from alerts.message import TELEGRAM_LIMIT, render, render_thread, visible_length
from alerts.summary import summarize
from alerts.threads import RingPolicy, place, rings
from classifiers.commentary import names_pattern
from classifiers.events import asks
from classifiers.grouping import WINDOW_HOURS, Fingerprint, article_fingerprint, story_fingerprint, story_members
from classifiers.index import StoryIndex
from classifiers.language import detect_language
from classifiers.normalize import normalize
from classifiers.situations import VIOLENCE_AFTER_WORDS, Link, development, reach
from classifiers.topics import classify
from core import metrics
from core.config import CommentarySettings, FeedConfig
from core.errors import FetchError, FetchRefused
from core.logs import event
from core.models import Alert, Article, Classification, FeedEntry, Source
from fetchers.feeds import poll_feed
from fetchers.http import PAGE_TYPES, Fetcher
from fetchers.pacing import backlog_cutoff, failure_backoff, next_interval, observed_rate, quieter, smoothed
from fetchers.pages import Extracted, extract, telling_headline, without_headline
from service.desk import scores_snapshot
from service.membership import Membership
from service.runtime import Runtime
from store import KeptArticle, Store, StoryRecord, ThreadMessage, with_sources

log = logging.getLogger("pipeline")
Recipient = tuple[str, int | None]
SEEN_RETENTION_DAYS = 30
PLAUSIBLE_PAST = 48 * 3600.0  # a feed's date older than this when first seen says little about the article
PLAUSIBLE_AHEAD = 600.0  # nor one in the future (clocks and zones get it wrong)


@dataclass
class Services:
    """What a cycle needs; built by bot.py. A config reload replaces ``runtime``."""

    runtime: Runtime
    store: Store
    fetcher: Fetcher
    pool: Executor | None = None
    deliver: bool = False  # write outbox rows (Telegram enabled)
    announce: Callable[[Alert, str], None] | None = None  # console/JSONL, with the rendered text
    on_queued: Callable[[], None] | None = None  # wakes the sender
    stories: StoryIndex | None = None  # recent stories to group with, read from the store at first use
    story_version: int = 0  # the index holds every story change up to this version (any worker's)
    membership: Membership = field(default_factory=Membership)  # this worker among the others on the database
    on_hub: Callable[[FeedConfig, str, str], None] | None = None  # a feed names a WebSub hub (and topic)
    clock: Callable[[], float] = time.time  # a replay runs the worker on the articles' clock


@dataclass
class CycleReport:
    feeds: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    new_entries: int = 0
    alerts: int = 0
    updates: int = 0
    seconds: float = 0.0


async def run_cycle(
    services: Services, feeds: Sequence[FeedConfig] | None = None, progress: Callable[[str], None] | None = None
) -> CycleReport:
    """Poll the given feeds (all by default) once, concurrently, and process what is new."""
    started = time.monotonic()
    feeds = list(services.runtime.config.feeds if feeds is None else feeds)
    report = CycleReport(feeds=len(feeds))

    async def one(feed: FeedConfig) -> None:
        with metrics.POLL_SECONDS.time():
            await _process_feed(services, feed, report)
        if progress:
            progress(feed.name)

    await asyncio.gather(*(one(feed) for feed in feeds))
    report.seconds = round(time.monotonic() - started, 3)
    event(log, "cycle_done", feeds=report.feeds, failed=len(report.failed), new=report.new_entries,
          alerts=report.alerts, updates=report.updates, seconds=report.seconds, config=services.runtime.version)
    return report


async def _process_feed(services: Services, feed: FeedConfig, report: CycleReport) -> None:
    store, settings = services.store, services.runtime.config.fetch
    state = store.feed_state(feed.url, feed.name)
    now = time.time()
    try:
        poll = await poll_feed(services.fetcher, feed, state)
    except FetchError as exc:
        failures = state.failures + 1
        wait = failure_backoff(feed, settings, failures, getattr(exc, "retry_after", None))
        store.save_feed_state(replace(state, name=feed.name, last_polled=now, last_error=exc.reason, failures=failures,
                                      next_poll=now + wait))
        report.failed[feed.name] = exc.reason
        metrics.FEED_POLLS.labels("failed").inc()
        event(log, "feed_failed", logging.WARNING, feed=feed.name, url=feed.url, error=exc.reason, failures=failures)
        return
    metrics.FEED_POLLS.labels("changed" if poll.changed else "unchanged").inc()
    entries = poll.entries[: settings.max_entries]
    fresh = set(store.unseen(feed.url, [e.entry_id for e in entries]))
    todo = [e for e in reversed(entries) if e.entry_id in fresh]  # oldest first: alerts in order
    published = [e.published for e in entries]
    elapsed = now - state.last_success if state.last_success else None
    per_day = (smoothed(state.entries_per_day, observed_rate(published, len(todo), elapsed, now)) if poll.changed
               else quieter(state.entries_per_day))
    interval = next_interval(feed, settings, per_day, poll.asked)
    store.save_feed_state(replace(
        state, name=feed.name, etag=poll.etag, last_modified=poll.last_modified, content_hash=poll.content_hash,
        last_polled=now, last_success=now, last_error=None, failures=0, next_poll=now + interval,
        entries_per_day=per_day, interval=interval, asked_interval=poll.asked,
    ))
    if poll.hub and services.on_hub:
        services.on_hub(feed, poll.hub, poll.topic or feed.url)
    cutoff = backlog_cutoff(settings, state.last_success is None, published, now)
    old = [e for e in todo if cutoff and e.published and e.published.timestamp() < cutoff]
    for entry in old:  # recorded, so they never alert later either
        store.mark_seen(feed.url, entry.entry_id, entry.url)
    todo = [e for e in todo if e not in old]
    report.new_entries += len(todo)
    metrics.NEW_ENTRIES.inc(len(todo))
    if todo or old:
        event(log, "feed_polled", feed=feed.name, entries=len(entries), new=len(todo), backlog=len(old))
    for entry in todo:
        await _process_entry(services, feed, entry, report, now)


async def _process_entry(services: Services, feed: FeedConfig, entry: FeedEntry, report: CycleReport,
                         seen_at: float) -> None:
    store, runtime = services.store, services.runtime
    seen = store.url_seen(entry.url) if entry.url else None
    if seen is not None:  # same article through another feed
        store.mark_seen(feed.url, entry.entry_id, entry.url, seen or None)
        return
    if is_commentary(runtime.config.commentary, feed.opinion, entry):
        skip_commentary(services, feed.url, entry)
        return
    article = await _read_article(services, feed, entry)
    classification = classify(runtime.classifier, article.title, article.text, article.lang or None)
    outcome = handle_article(services, feed.url, replace(article, lang=classification.lang), classification, seen_at)
    if outcome is None:
        return
    if outcome.is_update:
        report.updates += 1
    else:
        report.alerts += 1


@dataclass(frozen=True)
class Outcome:
    """What one alerted article did: its story, new or joined."""

    story: StoryRecord
    is_update: bool


def is_commentary(settings: CommentarySettings, opinion_feed: bool, entry: FeedEntry) -> bool:
    """A column or editorial that [commentary] keeps silent: its feed is marked `opinion`, or the
    feed files it under an opinion section («مقالات الرأي», "Opinion", "kottab/opinion-writers"),
    or its address does (a folder of the path: /opinion/, /ar/مقالات/; not the slug, whose words
    are the headline's)."""
    if settings.alert:
        return False
    names = names_pattern(settings.sections)
    folders = [unquote(part) for part in urlsplit(entry.url or "").path.split("/")[:-1] if part]
    return opinion_feed or any(names.search(normalize(s).lower()) for s in (*entry.sections, *folders))


def skip_commentary(services: Services, feed_url: str, entry: FeedEntry) -> None:
    services.store.mark_seen(feed_url, entry.entry_id, entry.url)
    event(log, "commentary_skipped", feed=entry.feed, sections=",".join(entry.sections), title=entry.title[:80])


def article_time(published: datetime | None, seen_at: float) -> float:
    """The moment decisions about an article are taken on: its publication when plausible (not in
    the future, not older than the backlog a restart could bring), else when a poll first saw it.
    A replay, a backlog after an outage and a live run thus decide alike."""
    if published is None:
        return seen_at
    moment = published.timestamp()
    return moment if seen_at - PLAUSIBLE_PAST <= moment <= seen_at + PLAUSIBLE_AHEAD else seen_at


def handle_article(services: Services, feed_url: str, article: Article, classification: Classification,
                   seen_at: float) -> Outcome | None:
    """An article read and classified: marked seen, and when it alerts, its story and situation,
    the messages of every chat that takes it and the digests, written in one transaction; then
    kept, alerted or not, for the desk's marks and replays ([storage] keep_days)."""
    outcome = _alert_on(services, feed_url, article, classification, seen_at)
    entry = article.entry
    services.store.keep_article(KeptArticle(
        url=entry.url or f"{entry.feed}#{entry.entry_id}", seen_at=seen_at,
        published=entry.published.isoformat() if entry.published else None, source=article.source,
        title=article.title, text=article.text, scores=scores_snapshot(classification),
        story_id=outcome.story.id if outcome else None, config_version=services.runtime.version))
    return outcome


def _alert_on(services: Services, feed_url: str, article: Article, classification: Classification,
              seen_at: float) -> Outcome | None:
    store, runtime = services.store, services.runtime
    entry = article.entry
    topics = classification.alert_topics
    if not topics:
        store.mark_seen(feed_url, entry.entry_id, entry.url)
        return None
    at = article_time(entry.published, seen_at)
    with store.exclusive("stories"):  # two workers with one event from two outlets make one story
        index = _story_index(services)
        report = article_fingerprint(article.title, article.text, classification, at)
        story, is_update, link = _story_for(services, index, article, report, classification, topics, seen_at, at)
        if not is_update and link is None:  # a situation of its own: only on a clear reading
            question = asks(article.title) and not report.incident
            held = question or bool(classification.argued)
            opening = _opening_topics(runtime, classification, story.topics, report.incident, held)
            if not opening:
                store.mark_seen(feed_url, entry.entry_id, entry.url)
                why = ("a headline that asks" if question else "a text that argues" if classification.argued
                       else "close to the threshold")
                event(log, "alert_held", feed=article.source, topics=",".join(topics), title=article.title[:80],
                      note=f"{why}, and no situation of the day to join")
                return None
            story = replace(story, topics=opening)
        recipients, digests = _recipients(services, story.topics)
        messages = _thread_messages(services, index, story, None if is_update else report, recipients, at)
        saved = store.save_story(story, feed_url=feed_url, entry_id=entry.entry_id, messages=messages,
                                 deliver=services.deliver, digests=digests, entry_url=entry.url,
                                 now=services.clock())
        _story_index(services)  # the saved story read back in: a failed save leaves no member behind
    alert = _alert(saved, is_update, tuple(dict.fromkeys(chat for chat, _ in recipients + digests)))
    if is_update:
        metrics.STORY_UPDATES.inc()
    else:
        for topic in story.topics:
            metrics.ALERTS.labels(topic).inc()
    rang = 0 if is_update else sum(1 for m in messages if m.notify and m.stories[0] == story.id)
    event(log, "story_updated" if is_update else "alert_queued", story=story.id, situation=story.situation,
          feed=article.source, topics=",".join(story.topics), sources=len(saved.sources), rings=rang,
          **({"joined": f"{link.reason} {link.weight:g}"} if link else {}), title=article.title[:80])
    if services.announce:
        services.announce(alert, render(alert, _labels(runtime), runtime.config.bot.timezone, _kinds(runtime)))
    if services.on_queued and services.deliver:
        services.on_queued()
    return Outcome(saved, is_update)


def _opening_topics(runtime: Runtime, classification: Classification, topics: tuple[str, ...],
                   incident: bool, held: bool) -> tuple[str, ...]:
    """The topics a story reads clearly enough to open a situation of its own: open_margin points
    above the threshold (the topic's own, else [alerts]). A report of violence that happened
    («انفجار كبير في وسط دمشق»: no column or passing mention reads so) that no topic reads that
    clearly opens on the topics it reaches. A story ``held`` opens none: a headline that asks and
    reports no violence («من هم المرتزقة الروس الغامضون في سوريا؟», an explainer, a guess, a column),
    or a text that argues rather than reports (a column, an analysis: Classification.argued).
    Joining a situation needs the threshold alone."""
    if held:
        return ()
    config = runtime.config

    def margin(topic: str) -> float:
        own = config.topics[topic].open_margin
        return config.alerts.open_margin if own is None else own

    clear = tuple(t for t in topics if classification.topics[t].score - classification.topics[t].threshold >= margin(t))
    return clear or (topics if incident else ())


def _labels(runtime: Runtime) -> dict[str, str]:
    return {name: topic.label for name, topic in runtime.config.topics.items()}


def _kinds(runtime: Runtime) -> dict[str, str | None]:
    return {f.name: f.kind for f in runtime.config.feeds}


def _thread_messages(services: Services, index: StoryIndex, story: StoryRecord, new: Fingerprint | None,
                     recipients: list[Recipient], at: float) -> list[ThreadMessage]:
    """Where the story goes in each instant chat's thread for its situation (alerts/threads.py),
    each message rendered in full; ``new``: the report that opens a new story (None for a story's
    further outlet), read for whether it changes the situation."""
    if not services.deliver:
        return []
    store, runtime = services.store, services.runtime
    config = runtime.config
    policy = RingPolicy(config.alerts.rings, config.alerts.ring_gap)
    known: dict[str, StoryRecord | None] = {story.id: story}  # the stories the messages show, read once

    def record(story_id: str) -> StoryRecord | None:
        if story_id not in known:
            known[story_id] = store.story(story_id)
        return known[story_id]

    situation = story.situation
    title = (record(situation) or story).title

    def text(message: ThreadMessage) -> str:
        alerts = [_alert(r, False, ()) for r in map(record, message.stories) if r is not None]
        return render_thread(alerts, _labels(runtime), config.bot.timezone, _kinds(runtime), part=message.part,
                             notify=message.notify, situation_title=title)

    def fits(message: ThreadMessage) -> bool:
        return visible_length(text(message)) <= TELEGRAM_LIMIT

    messages = []
    for chat, thread_id in recipients:
        chat = store.resolve_chat(chat).chat_id
        thread = store.thread(situation, chat)
        why = None
        if new is not None and thread:
            rung = [members[0] for m in rings(thread) if (members := index.members(m.stories[0]))]
            why = development(new, rung)
        message = place(thread, story.id, at, why is not None, policy, fits, chat_id=chat, thread_id=thread_id,
                        situation=situation, urgent=why == VIOLENCE_AFTER_WORDS)
        messages.append(replace(message, text=text(message)))
    return messages


async def _read_article(services: Services, feed: FeedConfig, entry: FeedEntry) -> Article:
    """The page's body, or the feed's own summary when the page cannot be had or read."""
    extracted: Extracted | None = None
    lang = ""
    if entry.url:
        try:
            response = await services.fetcher.get(entry.url, accept=PAGE_TYPES, trusted=feed.url)
            loop = asyncio.get_running_loop()
            extracted, lang = await loop.run_in_executor(services.pool, _extract, response.content, response.url)
        except FetchError as exc:
            name = "page_refused" if isinstance(exc, FetchRefused) else "page_failed"
            event(log, name, logging.WARNING, feed=feed.name, url=entry.url, error=exc.reason)
    title = entry.title or (extracted.title if extracted else "")
    if extracted and len(extracted.text) >= len(entry.summary):
        text = without_headline(extracted.text, title)  # the feed's headline may differ from the page's
        return Article(entry, telling_headline(title, text), text, lang, source=feed.name, extracted=True)
    return Article(entry, telling_headline(title, entry.summary), entry.summary, lang="", source=feed.name,
                   extracted=False)


def _extract(content: bytes, url: str) -> tuple[Extracted | None, str]:
    """Runs in the process pool: trafilatura and langdetect are the CPU-heavy steps."""
    extracted = extract(content, url)
    return extracted, detect_language(f"{extracted.title}\n{extracted.text}") if extracted else ""


def _story_index(services: Services) -> StoryIndex:
    """The recent stories and their situations: read from the store the first time (after a
    restart too), then the ones any worker created or extended since the last look."""
    kept = services.clock() - 2 * WINDOW_HOURS * 3600
    if services.stories is None:
        zone = ZoneInfo(services.runtime.config.bot.timezone)
        services.stories = StoryIndex(day=lambda moment: datetime.fromtimestamp(moment, zone).date())
    changed = services.store.story_versions(services.story_version, kept)
    for story, (fingerprint, situation) in services.store.fingerprints(sorted(changed)).items():
        services.stories.set_members(story, story_members(fingerprint), situation)
    services.story_version = max(changed.values(), default=services.story_version)
    services.stories.forget_before(kept)
    return services.stories


def _story_for(
    services: Services, index: StoryIndex, article: Article, print_: Fingerprint, classification: Classification,
    topics: tuple[str, ...], seen_at: float, at: float,
) -> tuple[StoryRecord, bool, Link | None]:
    """A new story (in the situation it joins, or one of its own), or the recent one this article
    (its fingerprint ``print_``) reports too, with this outlet added."""
    store = services.store
    hits = [h for t in topics for h in classification.topics[t].hits]
    match = index.find(print_)
    story = store.story(match) if match else None
    source = (article.source, article.entry.url, article.title)
    if story:
        merged_topics = tuple(dict.fromkeys(story.topics + topics))
        members = story_fingerprint(index.members(story.id) + [print_])
        return replace(with_sources(story, source), topics=merged_topics, fingerprint=members), True, None
    link = index.find_situation(print_, reach(article.title, article.text, print_.entities))
    tags = tuple(dict.fromkeys(h.entity.hashtag for h in hits if h.entity and h.entity.type != "state"))[:5]
    offsets = [h.start for h in hits if not h.in_title]
    story_id = hashlib.sha256(f"{article.entry.feed}|{article.entry.entry_id}".encode()).hexdigest()[:12]
    published = article.entry.published or datetime.fromtimestamp(at, timezone.utc)
    story = StoryRecord(
        id=story_id, created_at=services.clock(), published=published.isoformat(), title=article.title,
        url=article.entry.url, source=article.source, summary=summarize(article.title, article.text, offsets),
        topics=topics, tags=tags, lang=article.lang, fingerprint=story_fingerprint([print_]), sources=(source,),
        first_seen=seen_at, situation_id=link.situation if link else story_id,
    )
    return story, False, link


def _recipients(services: Services, topics: tuple[str, ...]) -> tuple[list[Recipient], list[Recipient]]:
    """(instant, digest) recipients as (chat, forum thread): channels first, then private subscribers."""
    wanted = set(topics)
    channels = [c for c in services.runtime.config.channels if wanted & set(c.topics)]
    instant = [(str(c.chat_id), c.thread_id) for c in channels if c.mode == "instant"]
    instant += [(chat, None) for chat in services.store.subscribers(topics)]
    digest = [(str(c.chat_id), c.thread_id) for c in channels if c.mode != "instant"]
    return list(dict.fromkeys(instant)), list(dict.fromkeys(digest))


def forget_old_entries(store: Store, keep_days: int = 14) -> int:
    """Seen entries older than the retention period, and kept articles older than ``keep_days``,
    so the store does not grow forever. Run now and then (the worker: hourly), not after every poll."""
    now = time.time()
    return store.prune_seen(now - SEEN_RETENTION_DAYS * 86400) + store.prune_articles(now - keep_days * 86400)


def flush_digests(services: Services, now: datetime | None = None) -> int:
    """Queue the hourly/daily digest of every channel whose period has ended; returns how many."""
    config, store = services.runtime.config, services.store
    now = now or datetime.fromtimestamp(services.clock(), timezone.utc)
    labels = {name: topic.label for name, topic in config.topics.items()}
    queued = 0
    for channel in config.channels:
        if channel.mode == "instant":
            continue
        start = period_start(channel.mode, now, config.bot.timezone, config.bot.digest_hour)
        stories = store.digest_due(str(channel.chat_id), start.timestamp())
        if not stories:
            continue
        text = render_digest(channel.mode, stories, labels, start, config.bot.timezone)
        digest = f"digest:{channel.mode}:{start.isoformat()}"
        store.enqueue_digest(str(channel.chat_id), channel.thread_id, digest, text, [s.id for s in stories],
                             now.timestamp())
        queued += 1
        event(log, "digest_queued", chat=channel.chat_id, mode=channel.mode, stories=len(stories))
    if queued and services.on_queued and services.deliver:
        services.on_queued()
    return queued


def _alert(story: StoryRecord, is_update: bool, chat_ids: tuple[str, ...]) -> Alert:
    return Alert(
        story_id=story.id, topics=story.topics, title=story.title, url=story.url, source=story.source,
        published=datetime.fromisoformat(story.published), summary=story.summary,
        sources=tuple(Source(*s) for s in story.sources),
        chat_ids=chat_ids, lang=story.lang, tags=story.tags,
        is_update=is_update, situation_id=story.situation,
    )
