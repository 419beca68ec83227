"""What rings: the thread planner (alerts/threads.py) and the messages it writes."""

from datetime import datetime, timezone

from alerts.message import render_thread, visible_length
from alerts.threads import EDIT_WINDOW, RingPolicy, place
from core.models import Alert, Source

HOUR = 3600.0
POLICY = RingPolicy(rings=2, gap=HOUR)


def step(thread, story, at, develops=False, fits=lambda m: True, policy=POLICY, urgent=False):
    message = place(thread, story, at, develops, policy, fits, chat_id="-1", thread_id=None, situation="s1",
                    urgent=urgent)
    return [m for m in thread if m.key != message.key] + [message], message


def test_the_first_story_rings_and_later_ones_are_added_to_its_message():
    thread, first = step([], "s1", 0)
    assert first.notify and first.part == 0 and first.key == "s1" and first.stories == ("s1",)
    thread, second = step(thread, "s2", 600)
    assert second.key == "s1" and second.stories == ("s1", "s2") and second.changed_story == "s2"
    thread, again = step(thread, "s1", 700)  # a new outlet for a story shown: the same message, edited
    assert again.key == "s1" and again.stories == ("s1", "s2") and len(thread) == 1


def test_a_development_rings_again_within_the_budget_and_gap():
    thread, _ = step([], "s1", 0)
    thread, early = step(thread, "s2", HOUR / 2, develops=True)  # too soon after the first ring
    assert early.key == "s1" and not len(thread) > 1
    thread, vote = step(thread, "s3", 2 * HOUR, develops=True)
    assert vote.notify and vote.part == 1 and vote.reply_to == "s1" and vote.key == "s1#1"
    thread, later = step(thread, "s4", 3 * HOUR)  # the thread goes on in its latest message
    assert later.key == "s1#1" and later.stories == ("s3", "s4")
    thread, over = step(thread, "s5", 9 * HOUR, develops=True)  # budget spent: no third ring
    assert over.key == "s1#1" and over.stories[-1] == "s5"
    assert sum(m.notify for m in thread) == 2


def test_a_strike_after_threats_rings_at_once_but_within_the_budget():
    thread, _ = step([], "threat", 0)
    thread, strike = step(thread, "strike", HOUR / 4, develops=True, urgent=True)  # inside the gap, still rings
    assert strike.notify and strike.key == "s1#1"
    thread, third = step(thread, "another", HOUR / 2, develops=True, urgent=True)  # the budget holds
    assert third.key == "s1#1" and third.stories == ("strike", "another")  # added by an edit
    assert len(thread) == 2 and sum(m.notify for m in thread) == 2


def test_a_full_or_old_message_is_continued_in_a_silent_reply():
    thread, _ = step([], "s1", 0)
    thread, full = step(thread, "s2", 60, fits=lambda m: len(m.stories) < 2)
    assert not full.notify and full.part == 1 and full.reply_to == "s1" and full.stories == ("s2",)
    thread, _ = step([], "s1", 0)
    thread, old = step(thread, "s2", EDIT_WINDOW + 1)  # Telegram no longer edits the first message
    assert not old.notify and old.key == "s1#1"


NAMES = ("الأول", "الثاني", "الثالث", "الرابع")


def alert(n: int, sources: int = 1) -> Alert:
    return Alert(story_id=f"s{n}", topics=("syria_escalation",), title=f"خبر {NAMES[n]}", url=f"http://a/{n}/0",
                 source="A", published=datetime(2026, 1, 1, 12, n, tzinfo=timezone.utc), summary="ملخص الخبر.",
                 sources=tuple(Source(f"O{k}", f"http://a/{n}/{k}", "t") for k in range(sources)), chat_ids=(), lang="ar")


def test_a_thread_message_shows_every_outlet_of_every_story():
    text = render_thread([alert(1, 2), alert(2, 3)], {}, "UTC")
    assert text.startswith("🟠 <b>خبر الثاني</b>") and "🔄 <b>تطورات:</b>" in text
    assert all(f'href="http://a/{n}/{k}"' in text for n, k in ((1, 0), (1, 1), (2, 0), (2, 1), (2, 2)))
    silent = render_thread([alert(3)], {}, "UTC", part=2, notify=False, situation_title="خبر الثاني")
    assert silent.startswith("<i>↩️ تابع: خبر الثاني</i>") and "<b>خبر الرابع</b>" in silent
    assert visible_length("<b>أ</b> &amp; 🔴") == 6  # 🔴 is two UTF-16 units and visible_length(text) < TELEGRAM_LIMIT
