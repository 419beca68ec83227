"""Sending through python-telegram-bot, with Telegram's answers mapped to what to do next."""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from alerts.marks import keyboard
from alerts.reachability import Reachability
from core.errors import ChatUnavailable, DeliveryError, DeliveryRetry

BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: int | None
    chat_id: str  # may differ from the row's chat after a migration


@dataclass(frozen=True, slots=True)
class Delivery:
    """How one message goes out: in a forum thread, as an edit, silently, as a reply."""

    thread_id: int | None = None
    edit: int | None = None
    notify: bool = True
    reply_to: int | None = None
    buttons: dict[str, int] | None = None  # an alert's mark buttons, with their counts (alerts/marks.py)


class ChatMoved(DeliveryError):
    def __init__(self, new_chat_id: str) -> None:
        super().__init__(f"group upgraded to supergroup {new_chat_id}")
        self.new_chat_id = new_chat_id


def backoff(attempts: int) -> float:
    """Exponential, capped, with full jitter in its upper half."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(attempts, 20))
    return ceiling * random.uniform(0.5, 1.0)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def plain_text(html_text: str) -> str:
    """Fallback when Telegram cannot parse our HTML: tags out, entities back to characters."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


class MonitoredRequest(HTTPXRequest):
    """python-telegram-bot's HTTP client, reporting every call's outcome to ``reachability``:
    a connection that fails or a 5xx answer is an outage, any other answer ends one."""

    def __init__(self, reachability: Reachability, where: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.reachability, self.where = reachability, where

    async def do_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            status, payload = await super().do_request(*args, **kwargs)
        except NetworkError as exc:  # TimedOut included
            self.reachability.down(self.where, exc)
            raise
        if status >= 500:
            self.reachability.down(self.where, NetworkError(f"HTTP {status}"))
        else:
            self.reachability.up()
        return status, payload


class TelegramSender:
    def __init__(self, token: str, base_url: str, timeout: float = 20.0,
                 reachability: Reachability | None = None) -> None:
        # Opt in to python-telegram-bot's future timedelta durations (no deprecation warning).
        os.environ.setdefault("PTB_TIMEDELTA", "1")
        self.reachability = reachability or Reachability()
        request = MonitoredRequest(self.reachability, "sender", connection_pool_size=4, read_timeout=timeout,
                                   write_timeout=timeout, connect_timeout=min(timeout, 10.0))
        self._bot = Bot(token=token, base_url=base_url, request=request)

    async def close(self) -> None:
        await self._bot.shutdown()

    async def send(self, chat_id: str, text: str, thread_id: int | None, attempts: int,
                   edit_message_id: int | None = None, notify: bool = True, reply_to: int | None = None,
                   buttons: dict[str, int] | None = None) -> Sent:
        """Send (or edit) once; raise DeliveryRetry, ChatUnavailable or ChatMoved otherwise.
        ``notify=False`` arrives silently; ``reply_to`` answers that message (sent anyway if it is gone);
        ``buttons``: the mark buttons go with it (an edit without them would take them away)."""
        how = Delivery(thread_id, edit_message_id, notify, reply_to, buttons)
        try:
            return await self._deliver(chat_id, text, how, ParseMode.HTML)
        except BadRequest as exc:
            message = str(exc).lower()
            if "parse entities" in message:
                return await self._guarded(chat_id, plain_text(text), how, attempts)
            raise self._translate(exc, attempts) from None
        except (RetryAfter, Forbidden, ChatMigrated, TimedOut, NetworkError, InvalidToken) as exc:
            raise self._translate(exc, attempts) from None

    async def _guarded(self, chat_id: str, text: str, how: Delivery, attempts: int) -> Sent:
        try:
            return await self._deliver(chat_id, text, how, None)
        except (BadRequest, RetryAfter, Forbidden, ChatMigrated, TimedOut, NetworkError, InvalidToken) as exc:
            raise self._translate(exc, attempts) from None

    async def _deliver(self, chat_id: str, text: str, how: Delivery, parse_mode: str | None) -> Sent:
        target: int | str = int(chat_id) if re.fullmatch(r"-?\d+", chat_id) else chat_id
        markup = keyboard(how.buttons) if how.buttons is not None else None
        if how.edit:
            try:
                result = await self._bot.edit_message_text(
                    text, chat_id=target, message_id=how.edit, parse_mode=parse_mode, link_preview_options=NO_PREVIEW,
                    reply_markup=markup,
                )
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return Sent(how.edit, chat_id)
                raise
            message_id = result.message_id if hasattr(result, "message_id") else how.edit
            return Sent(message_id, chat_id)
        reply = ReplyParameters(how.reply_to, allow_sending_without_reply=True) if how.reply_to else None
        message = await self._bot.send_message(
            target, text, parse_mode=parse_mode, message_thread_id=how.thread_id, link_preview_options=NO_PREVIEW,
            disable_notification=not how.notify, reply_parameters=reply, reply_markup=markup,
        )
        return Sent(message.message_id, chat_id)

    @staticmethod
    def _translate(exc: Exception, attempts: int) -> DeliveryError:
        if isinstance(exc, RetryAfter):
            wait = _seconds(exc.retry_after)
            return DeliveryRetry(f"flood control: retry after {wait:g}s", wait)
        if isinstance(exc, ChatMigrated):
            return ChatMoved(str(exc.new_chat_id))
        if isinstance(exc, Forbidden):
            return ChatUnavailable(f"forbidden: {exc}")
        if isinstance(exc, BadRequest):
            text = str(exc).lower()
            if "chat not found" in text or "chat_not_found" in text:
                return ChatUnavailable("chat not found")
            if "message to edit not found" in text:
                return DeliveryError(f"edit impossible: {exc}")
            return DeliveryError(f"bad request: {exc}")
        if isinstance(exc, InvalidToken):
            return DeliveryRetry("the bot token was rejected (401): check TELEGRAM_BOT_TOKEN", BACKOFF_CAP)
        return DeliveryRetry(f"{type(exc).__name__}: {exc}", backoff(attempts), unreachable=True)
