"""The outbox sender against a local Bot API server speaking real HTTP."""

import asyncio
import json
import logging
import time

from alerts.outbox import Outbox
from alerts.telegram import TelegramSender
from core.logs import RedactingFormatter, redact
from store import Store, StoryRecord
from tests.conftest import TOKEN, first_messages


def seed(store: Store, chats: dict[str, str], story_id: str = "s1") -> None:
    story = StoryRecord(id=story_id, created_at=0, published="2026-01-01T00:00:00+00:00", title="t", url="http://a",
                        source="A", summary="s", topics=("security_council",), tags=(), lang="ar",
                        fingerprint={"s": [], "e": [], "t": [], "p": 0}, sources=(("A", "http://a", "t"),))
    store.save_story(story, feed_url="f", entry_id=story_id, messages=first_messages(story_id, chats),
                     deliver=True)


def deliver(target, telegram, chats, *, prepare=None, max_wait=10.0, stories=1):
    store = Store(target)
    for n in range(stories):
        seed(store, chats, f"s{n}")

    async def go():
        sender = TelegramSender(TOKEN, telegram.base_url, timeout=3)
        outbox = Outbox(store, sender)
        if prepare:
            prepare(outbox)
        left = await outbox.drain(max_wait)
        await sender.close()
        return left

    return store, asyncio.run(go())


def test_delivers_html_once_per_chat(store_target, telegram):
    store, left = deliver(store_target, telegram, {"-1001": "<b>عاجل</b>", "@chan": "<b>عاجل</b>"})
    assert left == 0
    assert [m.params["chat_id"] for m in telegram.messages()] == ["-1001", "@chan"]
    assert telegram.messages()[0].params["parse_mode"] == "HTML"
    assert store.outbox_counts() == {"sent": 2}


def test_retry_after_is_obeyed_exactly(store_target, telegram):
    telegram.fail_next("429", retry_after=2)
    store, left = deliver(store_target, telegram, {"-1001": "x"})
    assert left == 0
    attempts = [r.at for r in telegram.received if r.method == "sendMessage"]
    assert len(telegram.messages()) == 1 and len(attempts) == 1
    row = store._db.one("SELECT attempts, sent_at, created_at FROM outbox")  # noqa: SLF001
    assert row["attempts"] == 2 and row["sent_at"] - row["created_at"] >= 2.0


def test_server_errors_and_dropped_connections_are_retried(store_target, telegram):
    telegram.fail_next("500")
    telegram.fail_next("drop")
    store, left = deliver(store_target, telegram, {"-1001": "x"}, max_wait=20)
    assert left == 0 and len(telegram.messages()) == 1
    assert store._db.value("SELECT attempts FROM outbox") == 3  # noqa: SLF001


def test_forbidden_and_unknown_chats_are_disabled_and_remembered(store_target, telegram, caplog):
    telegram.blocked.add("-1001")
    telegram.unknown.add("@gone")
    with caplog.at_level(logging.ERROR):
        store, left = deliver(store_target, telegram, {"-1001": "x", "@gone": "x", "-1003": "x"})
    assert left == 0
    assert [m.params["chat_id"] for m in telegram.messages()] == ["-1003"]
    assert store.chat("-1001").status == "disabled" and store.chat("@gone").reason == "chat not found"
    assert "chat_disabled" in caplog.text
    seed(store, {"-1001": "y"}, "s2")  # a later alert is not even tried
    before = len(telegram.received)
    asyncio.run(_drain(store, telegram))
    assert len(telegram.received) == before


async def _drain(store, telegram):
    sender = TelegramSender(TOKEN, telegram.base_url, timeout=3)
    await Outbox(store, sender).drain(5)
    await sender.close()


def test_migrated_group_is_followed(store_target, telegram):
    telegram.migrations["-5"] = -1005
    store, left = deliver(store_target, telegram, {"-5": "x"})
    assert left == 0
    assert [m.params["chat_id"] for m in telegram.messages()] == ["-1005"]
    assert store.resolve_chat("-5").chat_id == "-1005"


def test_unparsable_html_is_resent_as_plain_text(store_target, telegram):
    original = telegram._handle  # noqa: SLF001

    def picky(handler):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        handler.rfile = __import__("io").BytesIO(body)
        if b"parse_mode=HTML" in body:
            telegram._error(handler, 400, "Bad Request: can't parse entities: unsupported start tag")  # noqa: SLF001
            return
        original(handler)

    telegram._handle = picky  # noqa: SLF001
    store, left = deliver(store_target, telegram, {"-1001": "<b>عاجل</b> &amp; مهم"})
    assert left == 0
    assert telegram.messages()[0].params["text"] == "عاجل & مهم"


def test_channel_flood_limit_is_kept_without_being_told(store_target):
    from devtools.fake_telegram import FakeTelegram

    with FakeTelegram(enforce_limits=True) as telegram:
        store, left = deliver(store_target, telegram, {"42": "x"}, stories=3)
    assert left == 0
    times = [m.at for m in telegram.messages("42")]
    assert len(times) == 3 and all(b - a >= 1.0 for a, b in zip(times, times[1:]))
    assert not [r for r in telegram.received if r.method != "sendMessage"]


def test_token_is_redacted_from_log_lines_and_tracebacks(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert TOKEN not in redact(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage")
    assert "<token>" in redact("bot123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    formatter = RedactingFormatter("%(message)s")
    try:
        raise RuntimeError(f"failed url /bot{TOKEN}/getMe")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom %s", (TOKEN,), sys.exc_info())
    assert TOKEN not in formatter.format(record)


def test_a_story_gaining_outlets_edits_the_sent_message(store_target, telegram):
    store, left = deliver(store_target, telegram, {"-1001": "v1"})
    sent_id = telegram.messages()[0]
    grown = store.story("s0")
    from dataclasses import replace

    store.save_story(replace(grown, sources=grown.sources + (("B", "http://b", "t"),)), feed_url="g",
                     entry_id="x", messages=first_messages("s0", {"-1001": "v2 أيضاً: B"}), deliver=True)
    store._db.run("UPDATE outbox SET next_attempt_at = 0")  # noqa: SLF001 - skip the coalescing minute
    assert asyncio.run(_drain(store, telegram)) is None
    edits = telegram.edits()
    assert len(edits) == 1 and edits[0].params["text"] == "v2 أيضاً: B"
    assert len(telegram.messages()) == 1 and sent_id.params["text"] == "v1"
    assert store.pending_count() == 0


def test_a_later_message_of_a_thread_goes_silently_as_a_reply_to_the_first(store_target, telegram):
    from dataclasses import replace

    store, _ = deliver(store_target, telegram, {"-1001": "first"})
    later = replace(first_messages("s0", {"-1001": "later"})[0], key="s0#1", part=1, notify=False, reply_to="s0",
                    stories=("s9",))
    store.save_story(store.story("s0"), feed_url="f", entry_id="later", messages=[later], deliver=True)
    asyncio.run(_drain(store, telegram))
    first, reply = telegram.messages("-1001")
    assert first.rings and not reply.rings and reply.params["text"] == "later"
    assert json.loads(reply.params["reply_parameters"])["message_id"] == first.message_id


def test_a_message_too_old_to_edit_is_sent_anew_silently(store_target, telegram):
    store, _ = deliver(store_target, telegram, {"-1001": "v1"})
    store.save_story(store.story("s0"), feed_url="g", entry_id="x", messages=first_messages("s0", {"-1001": "v2"}),
                     deliver=True)
    store._db.run("UPDATE outbox SET next_attempt_at = 0")  # noqa: SLF001

    async def two_days_later():
        sender = TelegramSender(TOKEN, telegram.base_url, timeout=3)
        outbox = Outbox(store, sender, clock=lambda: time.time() + 48 * 3600)
        await outbox.drain(5)
        await sender.close()

    asyncio.run(two_days_later())
    assert not telegram.edits() and [m.params["text"] for m in telegram.messages("-1001")] == ["v1", "v2"]
    old, new = telegram.messages("-1001")
    assert not new.rings and json.loads(new.params["reply_parameters"])["message_id"] == old.message_id
    assert store.pending_count() == 0
