"""Private subscribers talking to the bot through a local Bot API server."""

import asyncio
import time

from alerts.subscribers import build_app, resolve_topic, start_polling, stop_polling
from store import Store
from tests.conftest import TOKEN
from tests.test_delivery import seed

TOPICS = {"security_council": "مجلس الأمن الدولي", "syria_escalation": "تصعيد عسكري في سوريا"}


def converse(store, telegram, commands):
    async def go():
        app = build_app(TOKEN, telegram.base_url, store, lambda: TOPICS)
        assert await start_polling(app)
        for text in commands:
            before = len(telegram.messages("42"))
            telegram.command(42, text)
            deadline = time.time() + 5
            while len(telegram.messages("42")) == before and time.time() < deadline:
                await asyncio.sleep(0.02)
        await stop_polling(app)

    asyncio.run(go())
    return [m.params["text"] for m in telegram.messages("42")]


def test_subscribe_list_latest_and_unsubscribe_in_arabic(tmp_path, telegram):
    store = Store(tmp_path / "db.sqlite3")
    seed(store, {}, "s1")
    replies = converse(store, telegram, ["/start", "/subscribe 1", "/subscribe 1", "/topics", "/latest",
                                         "/subscribe weather", "/unsubscribe security_council"])
    assert len(replies) == 7
    assert replies[0].startswith("مرحباً")
    assert "اشتركت في «مجلس الأمن الدولي»" in replies[1] and "مشترك أصلاً" in replies[2]
    assert "✅ 1. مجلس الأمن الدولي" in replies[3]
    assert "آخر الأخبار" in replies[4] and 'href="http://a"' in replies[4]
    assert "لم أتعرف على الموضوع" in replies[5]
    assert "تم إلغاء اشتراكك" in replies[6]
    assert store.subscriptions("42") == []


def test_subscribers_are_listed_by_topic_and_skipped_when_disabled(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    store.subscribe("42", "security_council")
    store.subscribe("43", "syria_escalation")
    assert store.subscribers(["security_council"]) == ["42"]
    assert store.subscribers(["security_council", "syria_escalation"]) == ["42", "43"]
    store.disable_chat("42", "forbidden: bot was blocked by the user")
    assert store.subscribers(["security_council"]) == []
    store.unsubscribe("42", "security_council")
    assert store.subscribe("42", "security_council")  # coming back re-enables the chat
    assert store.subscribers(["security_council"]) == ["42"]


def test_resolve_topic_by_number_name_or_label():
    assert resolve_topic("2", TOPICS) == "syria_escalation"
    assert resolve_topic("security_council", TOPICS) == "security_council"
    assert resolve_topic("تصعيد عسكري في سوريا", TOPICS) == "syria_escalation"
    assert resolve_topic("3", TOPICS) is None and resolve_topic("", TOPICS) is None
