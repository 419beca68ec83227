"""Private subscribers: /start, /help, /topics, /subscribe, /unsubscribe, /latest, in Arabic;
and the desk's marks on alerts and /missed links (alerts/marks.py).

A python-telegram-bot Application polls for commands; subscriptions live in the store,
and the pipeline adds subscribed private chats to each alert's recipients, so they go
through the same outbox and flood limits as channels.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import NetworkError, TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes

from alerts.marks import DeskHooks, register
from alerts.reachability import Reachability
from alerts.telegram import NO_PREVIEW, MonitoredRequest
from core.logs import event
from store import Store

log = logging.getLogger("alerts.subscribers")
Topics = Callable[[], Mapping[str, str]]  # topic name -> Arabic label, read at each command (hot reload)

HELP = (
    "أرسل لك تنبيهات عن الأخبار العربية المتعلقة بمجلس الأمن الدولي وبالتصعيد العسكري في سوريا.\n\n"
    "/topics — المواضيع المتاحة واشتراكاتك\n"
    "/subscribe رقم_الموضوع — اشترك في موضوع (مثال: ‎/subscribe 1)\n"
    "/unsubscribe رقم_الموضوع — ألغِ الاشتراك\n"
    "/latest — آخر خمسة أخبار\n"
    "/missed رابط — للمحررين: خبر فات البوت\n"
    "/help — هذه الرسالة"
)


def resolve_topic(argument: str, topics: Mapping[str, str]) -> str | None:
    """A topic from its number in /topics, its name or its Arabic label."""
    names = list(topics)
    argument = argument.strip()
    if argument.isdigit() and 1 <= int(argument) <= len(names):
        return names[int(argument) - 1]
    for name, label in topics.items():
        if argument in (name, label):
            return name
    return None


def topics_text(topics: Mapping[str, str], mine: list[str]) -> str:
    lines = ["المواضيع المتاحة:"]
    for number, (name, label) in enumerate(topics.items(), start=1):
        mark = "✅" if name in mine else "▫️"
        lines.append(f"{mark} {number}. {html.escape(label)} (<code>{name}</code>)")
    lines.append("\nللاشتراك: ‎/subscribe رقم_الموضوع")
    return "\n".join(lines)


def build_app(token: str, base_url: str, store: Store, topics: Topics,
              reachability: Reachability | None = None, desk: DeskHooks | None = None) -> Application:
    """Commands over long polling, and (with ``desk``) the alerts' mark buttons and missed links;
    its Bot API calls report outages like the sender's."""
    reachability = reachability or Reachability()
    requests = [MonitoredRequest(reachability, "commands", connection_pool_size=2) for _ in range(2)]
    app = Application.builder().token(token).base_url(base_url).request(requests[0]) \
        .get_updates_request(requests[1]).build()

    async def reply(update: Update, text: str) -> None:
        if update.effective_message:
            await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML,
                                                      link_preview_options=NO_PREVIEW)

    def chat_of(update: Update) -> str:
        return str(update.effective_chat.id) if update.effective_chat else ""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, "مرحباً! " + HELP + "\n\n" + topics_text(topics(), store.subscriptions(chat_of(update))))

    async def help_(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, HELP)

    async def list_topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, topics_text(topics(), store.subscriptions(chat_of(update))))

    async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await _change(update, context, subscribe=True)

    async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await _change(update, context, subscribe=False)

    async def _change(update: Update, context: ContextTypes.DEFAULT_TYPE, subscribe: bool) -> None:
        available = topics()
        topic = resolve_topic(" ".join(context.args or []), available)
        if topic is None:
            await reply(update, "لم أتعرف على الموضوع.\n\n" + topics_text(available, store.subscriptions(chat_of(update))))
            return
        chat, label = chat_of(update), html.escape(available[topic])
        if subscribe:
            changed = store.subscribe(chat, topic)
            text = f"✅ اشتركت في «{label}»." if changed else f"أنت مشترك أصلاً في «{label}»."
        else:
            changed = store.unsubscribe(chat, topic)
            text = f"تم إلغاء اشتراكك في «{label}»." if changed else f"لست مشتركاً في «{label}»."
        event(log, "subscription", chat=chat, topic=topic, action="subscribe" if subscribe else "unsubscribe",
              changed=changed)
        await reply(update, text)

    async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        stories = store.latest_stories(5)
        if not stories:
            await reply(update, "لا أخبار بعد.")
            return
        lines = ["آخر الأخبار:"]
        for story in stories:
            lines.append(f'• <a href="{html.escape(story.url)}">{html.escape(story.title)}</a> — '
                         f"{html.escape(story.source)}")
        await reply(update, "\n".join(lines))

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        event(log, "command_failed", logging.WARNING, error=type(context.error).__name__)

    for name, handler in (("start", start), ("help", help_), ("topics", list_topics), ("subscribe", subscribe),
                          ("unsubscribe", unsubscribe), ("latest", latest)):
        app.add_handler(CommandHandler(name, handler))
    if desk:
        register(app, store, desk)
    app.add_error_handler(on_error)
    return app


async def start_polling(app: Application) -> bool:
    """Start answering commands; False (logged) when Telegram cannot be reached now."""
    try:
        await app.initialize()
        await app.start()
        await app.updater.start_polling(allowed_updates=["message", "callback_query"],
                                        error_callback=_polling_error)
    except TelegramError as exc:
        event(log, "subscriber_bot_unavailable", logging.WARNING, error=type(exc).__name__)
        return False
    event(log, "subscriber_bot_started")
    return True


_told: set[str] = set()  # kinds of getUpdates failure already logged


def _polling_error(error: TelegramError) -> None:
    """getUpdates failed: a network failure is already told (Reachability); anything else once per kind."""
    if isinstance(error, NetworkError):
        return
    kind = type(error).__name__
    if kind not in _told:
        _told.add(kind)
        event(log, "command_polling_failed", logging.WARNING, error=kind, detail=str(error)[:200])


async def stop_polling(app: Application) -> None:
    if app.updater and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
