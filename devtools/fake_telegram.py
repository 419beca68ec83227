"""A Bot API server on 127.0.0.1 that records what the bot sends and answers like Telegram.

Failures are scripted per test: flood control (429 with retry_after), 5xx with an HTML
body, dropped connections, blocked chats (403), unknown chats (400), group migration,
and, optionally, Telegram's own flood limits enforced from the messages it received.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

from devtools.loopback import Loopback, QuietHandler


@dataclass
class Received:
    method: str
    token: str
    params: dict
    at: float = field(default_factory=time.time)
    message_id: int | None = None  # the message sent or edited

    @property
    def rings(self) -> bool:
        """A sendMessage without disable_notification rings the subscriber's phone; edits never do."""
        return self.method == "sendMessage" and str(self.params.get("disable_notification", "")).lower() not in (
            "true", "1")


class FakeTelegram(Loopback):
    def __init__(self, port: int = 0, enforce_limits: bool = False) -> None:
        self.received: list[Received] = []
        self.failures: deque[tuple] = deque()  # scripted answers for the next requests
        self.blocked: set[str] = set()
        self.unknown: set[str] = set()
        self.migrations: dict[str, int] = {}
        self.enforce_limits = enforce_limits
        self.refused = 0  # sends answered 429 because a flood limit was crossed
        self.unreachable = False  # an outage: every request's connection is dropped unanswered
        self.updates: list[dict] = []  # what getUpdates hands out, by update_id
        self.conflicts = 0  # long polls ended by another one (Telegram answers 409 Conflict)
        self._poll = 0  # the getUpdates being served: Telegram serves one long poll per bot at a time
        self._lock = threading.Lock()
        self._next_id = 1
        server = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802
                server._handle(self)

            do_GET = do_POST  # noqa: N815

        self._serve(Handler, port)

    @property
    def base_url(self) -> str:
        """In python-telegram-bot's base_url form (the token is appended)."""
        return f"http://127.0.0.1:{self.port}/bot"

    # ----------------------------------------------------------- scripting
    def fail_next(self, kind: str, count: int = 1, retry_after: int = 1) -> None:
        """kind: '429', '500', 'drop' (close the connection without answering)."""
        for _ in range(count):
            self.failures.append((kind, retry_after))

    def command(self, chat_id: int, text: str) -> None:
        """Queue a private-chat command (e.g. "/subscribe 1") for the bot's getUpdates."""
        self.text(chat_id, text, entities=[{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}])

    def text(self, chat_id: int, text: str, user_id: int | None = None, entities: list[dict] | None = None) -> None:
        """Queue a private-chat message (a link, or with ``entities`` a command) for getUpdates."""
        with self._lock:
            number = len(self.updates) + 1
            message = {"message_id": 1000 + number, "date": int(time.time()), "text": text,
                       "chat": {"id": chat_id, "type": "private", "first_name": "U"},
                       "from": {"id": user_id or chat_id, "is_bot": False, "first_name": "U"}}
            if entities:
                message["entities"] = entities
            self.updates.append({"update_id": number, "message": message})

    def press(self, chat_id: int | str, message_id: int, user_id: int, data: str, callback_id: str | None = None,
              chat_type: str = "channel") -> str:
        """Queue a press of an inline button on a message, as Telegram hands it to getUpdates;
        returns the callback query's id (give it again to replay the very same press)."""
        with self._lock:
            number = len(self.updates) + 1
            callback_id = callback_id or f"cb{number}"
            self.updates.append({
                "update_id": number,
                "callback_query": {
                    "id": callback_id, "chat_instance": "1", "data": data,
                    "from": {"id": user_id, "is_bot": False, "first_name": "E"},
                    "message": {"message_id": message_id, "date": int(time.time()), "text": "…",
                                "chat": {"id": int(chat_id), "type": chat_type, "title": "c"}},
                },
            })
            return callback_id

    def calls(self, method: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.method == method]

    def messages(self, chat_id: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.method == "sendMessage"
                    and (chat_id is None or str(r.params.get("chat_id")) == str(chat_id))]

    def edits(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.method == "editMessageText"]

    def shown(self, chat_id: str) -> dict[int, str]:
        """Each message of a chat as its subscribers see it now: its latest text, by message id."""
        with self._lock:
            return {r.message_id: r.params.get("text", "") for r in self.received
                    if r.method in ("sendMessage", "editMessageText") and str(r.params.get("chat_id")) == str(chat_id)}

    # ------------------------------------------------------------ serving
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = handler.path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            return self._answer(handler, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, method = parts[0][3:], parts[1]
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if len(raw) < length:  # the client died mid-request (kill -9): Telegram never sees it
            handler.close_connection = True
            return None
        params = self._params(handler.headers.get("Content-Type", ""), raw)
        with self._lock:
            scripted = self.failures.popleft() if self.failures and method != "getMe" else None
        if self.unreachable:
            scripted = ("drop", 0)
        if scripted:
            kind, retry_after = scripted
            if kind == "drop":
                handler.close_connection = True
                handler.connection.shutdown(2)
                return None
            if kind == "500":
                body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
                handler.send_response(502)
                handler.send_header("Content-Type", "text/html")
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)
                return None
            return self._error(handler, 429, f"Too Many Requests: retry after {retry_after}",
                               {"retry_after": retry_after})
        chat = str(params.get("chat_id", ""))
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            deadline = time.time() + min(float(params.get("timeout") or 0), 0.3)
            with self._lock:
                self._poll += 1
                mine = self._poll
            while True:
                with self._lock:
                    ended = self._poll != mine
                    pending = [u for u in self.updates if u["update_id"] >= offset]
                if ended and _gone(handler):  # its client left (a stopping bot): nobody to tell
                    handler.close_connection = True
                    return None
                if ended:
                    with self._lock:
                        self.conflicts += 1
                    return self._error(handler, 409, "Conflict: terminated by other getUpdates request; "
                                                     "make sure that only one bot instance is running")
                if pending or time.time() >= deadline:
                    return self._ok(handler, pending)
                time.sleep(0.02)
        if method == "getMe":
            return self._ok(handler, {"id": 1, "is_bot": True, "first_name": "Test", "username": "test_bot"})
        if chat in self.blocked:
            return self._error(handler, 403, "Forbidden: bot was blocked by the user")
        if chat in self.unknown:
            return self._error(handler, 400, "Bad Request: chat not found")
        if chat in self.migrations:
            return self._error(handler, 400, "Bad Request: group chat was upgraded to a supergroup chat",
                               {"migrate_to_chat_id": self.migrations[chat]})
        if method in ("sendMessage", "editMessageText"):
            with self._lock:
                if method == "sendMessage" and self.enforce_limits:
                    wait = self._flood_wait(chat)
                    if wait:
                        self.refused += 1
                        return self._error(handler, 429, f"Too Many Requests: retry after {wait}",
                                           {"retry_after": wait})
                message_id = int(params.get("message_id") or 0) or self._next_id
                self.received.append(Received(method, token, params, message_id=message_id))
                self._next_id += 1
            chat_id = int(chat) if chat.lstrip("-").isdigit() else -1001
            return self._ok(handler, {"message_id": message_id, "date": int(time.time()),
                                      "chat": {"id": chat_id, "type": "channel"}, "text": params.get("text", "")})
        with self._lock:
            self.received.append(Received(method, token, params))
        return self._ok(handler, True)

    def _flood_wait(self, chat: str) -> int:
        now = time.time()
        mine = [r.at for r in self.received if r.method == "sendMessage" and str(r.params.get("chat_id")) == chat]
        group = chat.startswith(("-", "@"))
        window, count = (60.0, 20) if group else (1.0, 1)
        recent = [t for t in mine if t > now - window]
        if len(recent) >= count:
            return max(1, int(recent[-count] + window - now) + 1)
        return 0

    @staticmethod
    def _params(ctype: str, raw: bytes) -> dict:
        if not raw:
            return {}
        if "json" in ctype:
            return json.loads(raw)
        if "multipart" in ctype:
            return _multipart(ctype, raw)
        return {k: v[0] for k, v in parse_qs(raw.decode()).items()}

    def _ok(self, handler: BaseHTTPRequestHandler, result: object) -> None:
        self._answer(handler, 200, {"ok": True, "result": result})

    def _error(self, handler: BaseHTTPRequestHandler, code: int, description: str, parameters: dict | None = None):
        body = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        self._answer(handler, code, body)

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


def _multipart(ctype: str, raw: bytes) -> dict:
    from email.parser import BytesParser
    from email.policy import default

    message = BytesParser(policy=default).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + raw)
    return {part.get_param("name", header="content-disposition"): part.get_content() for part in message.iter_parts()}


def _gone(handler: BaseHTTPRequestHandler) -> bool:
    """The client closed its connection while waiting for the answer."""
    connection = handler.connection
    if not select.select([connection], [], [], 0)[0]:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True
