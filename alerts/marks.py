"""The desk's buttons: every alert can be marked on topic, off topic or wrongly grouped, and an
editor can send a link the bot missed.

In a channel or group only editors' presses count (``[bot] editors``); in a private chat the
subscriber's own marks are kept for them. Each press is answered at once, stored with the
article as the bot read it, and shown on the message's keyboard. The press names only the
mark: which message it is about comes from Telegram itself, so a forged button cannot point
at another alert, and a press Telegram delivers twice is stored once.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from core.logs import event
from store import KeptArticle, Mark, Store

log = logging.getLogger("alerts.marks")
KINDS = {"on": "✓ في الموضوع", "off": "✗ خارج الموضوع", "split": "↔ خبر مختلف"}
PREFIX = "mark:"
_URL = re.compile(r"https?://\S+")
_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass(frozen=True, slots=True)
class DeskHooks:
    """What the buttons need from the running worker (read at each press: config edits apply)."""

    editors: Callable[[], frozenset[int]]
    chat_topics: Callable[[str], tuple[str, ...]]  # the topics a chat receives
    read_link: Callable[[str], Awaitable[tuple[str, KeptArticle, tuple[str, ...]] | None]]  # answer, article, topics
    version: Callable[[], str]  # the config version marks are taken under


def keyboard(counts: dict[str, int] | None = None) -> InlineKeyboardMarkup:
    """The mark buttons, each with its count once it has one («✓ في الموضوع ٢»)."""
    counts = counts or {}
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(label + (f" {str(counts[kind]).translate(_DIGITS)}" if counts.get(kind) else ""),
                             callback_data=PREFIX + kind)
        for kind, label in KINDS.items()]])


def mark_kind(data: str | None) -> str | None:
    """The mark a button press asks for; None for data this bot never put on a button."""
    if not data or not data.startswith(PREFIX):
        return None
    kind = data[len(PREFIX):]
    return kind if kind in KINDS else None


ANSWERS = {
    "new": "شكراً، سُجّل وسمك: {label}",
    "changed": "عُدّل وسمك إلى: {label}",
    "same": "وسمك مسجّل من قبل: {label}",
    "replayed": "وسمك مسجّل من قبل: {label}",
}


def register(app: Application, store: Store, hooks: DeskHooks) -> None:
    """Add the buttons' and missed links' handlers to the command bot."""

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        kind = mark_kind(query.data)
        message = query.message
        if kind is None:
            event(log, "mark_refused", logging.WARNING, reason="unknown button", user=query.from_user.id)
            await query.answer("زر غير معروف: لم يُسجَّل شيء.")
            return
        if message is None or not hasattr(message, "chat"):
            await query.answer("لم تعد هذه الرسالة متاحة.")
            return
        chat_id, user = str(message.chat.id), query.from_user.id
        private = message.chat.type == ChatType.PRIVATE
        is_editor = user in hooks.editors()
        if not private and not is_editor:
            await query.answer("شكراً لك! تُحتسب هنا وسوم المحررين فقط.")
            return
        known = store.alert_message(chat_id, message.message_id)
        if known is None or not known[1]:
            await query.answer("لا أعرف هذا التنبيه (ربما حُذف من السجل)، فلم يُسجَّل شيء.")
            return
        mark = _mark(store, hooks, chat_id, message.message_id, user, kind, is_editor, known[1][0])
        outcome = store.record_mark(mark, callback_id=query.id)
        await query.answer(ANSWERS[outcome].format(label=KINDS[kind]))
        event(log, "alert_marked", chat=chat_id, message_id=message.message_id, user=user, mark=kind,
              outcome=outcome, desk=mark.desk)
        if outcome in ("new", "changed"):
            try:
                await context.bot.edit_message_reply_markup(
                    chat_id=message.chat.id, message_id=message.message_id,
                    reply_markup=keyboard(store.mark_counts(chat_id, message.message_id)))
            except TelegramError as exc:
                event(log, "mark_keyboard_failed", logging.WARNING, chat=chat_id, error=type(exc).__name__)

    async def on_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        found = _URL.search(" ".join(context.args or []) if context.args is not None else (message.text or ""))
        if not found:
            await message.reply_text("أرسل رابط الخبر الذي فات البوت، مثال: ‎/missed https://…")
            return
        user = update.effective_user.id
        if user not in hooks.editors():  # the bot fetches what it is sent: editors only
            await message.reply_text("شكراً لك! يقبل البوت بلاغات الأخبار الفائتة من محرري المكتب فقط.")
            return
        url = found.group().rstrip(").,»\"'")
        reading = await hooks.read_link(url)
        if reading is None:
            await message.reply_text(f"تعذّر جلب الرابط أو قراءته: {url}")
            return
        answer, article, topics = reading
        now = time.time()
        mark = Mark(0, str(message.chat.id), None, user, "missed", True, topics, article.story_id, url,
                    article.title, article.text, article.source, article.published, article.scores,
                    hooks.version(), now, now)
        outcome = store.record_mark(mark)
        note = "سُجّل الخبر تنبيهاً فائتاً." if outcome in ("new", "changed") else "سبق تسجيل هذا الخبر تنبيهاً فائتاً."
        event(log, "miss_reported", user=user, url=url, topics=",".join(topics), outcome=outcome)
        await message.reply_text(f"{answer}\n\n{note}", parse_mode=ParseMode.HTML)

    app.add_handler(CallbackQueryHandler(on_press))
    app.add_handler(CommandHandler("missed", on_link))
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & filters.Regex(_URL) & ~filters.COMMAND,
                                   on_link))


def _mark(store: Store, hooks: DeskHooks, chat_id: str, message_id: int, user: int, kind: str, desk: bool,
          story_id: str) -> Mark:
    """The mark with the article as the bot read it (its first report's kept reading, else the story)."""
    now = time.time()
    story = store.story(story_id)
    if story is None:  # pruned: the mark says only who marked what
        return Mark(0, chat_id, message_id, user, kind, desk, (), story_id, "", "", "", "", None, {}, hooks.version(),
                    now, now)
    kept = store.kept_article(story.url) or KeptArticle(story.url, now, story.published, story.source, story.title,
                                                        story.summary, {}, story_id, hooks.version())
    wanted = set(hooks.chat_topics(chat_id))
    topics = tuple(t for t in story.topics if not wanted or t in wanted)
    return Mark(0, chat_id, message_id, user, kind, desk, topics, story_id, story.url, kept.title, kept.text,
                kept.source, kept.published, kept.scores, kept.config_version, now, now)
