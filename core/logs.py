"""Structured logging, one event per line (key=value, or JSON with LOG_FORMAT=json), with the
bot token masked everywhere."""

from __future__ import annotations

import json
import logging
import os
import re
import sys

_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")


def redact(text: str) -> str:
    """Mask anything shaped like a bot token, plus the configured token itself."""
    token = os.environ.get("TELEGRAM_BOT_TOKEN")
    if token:
        text = text.replace(token, "<token>")
    return _TOKEN.sub("<token>", text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return redact(super().formatException(ei))


class JsonFormatter(RedactingFormatter):
    """One JSON object per line, for log shippers: time, level, logger, event and its fields."""

    def format(self, record: logging.LogRecord) -> str:
        data = {"time": self.formatTime(record), "level": record.levelname, "logger": record.name}
        fields = getattr(record, "fields", None)
        if fields is not None:
            data.update(event=record.event_name, **{k: v if isinstance(v, (int, float, bool)) or v is None else str(v)
                                                     for k, v in fields.items()})
        else:
            data["message"] = record.getMessage()
        if record.exc_info:
            data["traceback"] = self.formatException(record.exc_info)
        return redact(json.dumps(data, ensure_ascii=False))


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields: object) -> None:
    """Log ``name key=value ...``; values with spaces are quoted."""
    parts = [name]
    for key, value in fields.items():
        text = str(value)
        if not text or any(c.isspace() for c in text) or '"' in text:
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        parts.append(f"{key}={text}")
    logger.log(level, " ".join(parts), extra={"event_name": name, "fields": fields})


def setup_logging(level: str | None = None) -> None:
    """Called by the CLI only, never at import time."""
    handler = logging.StreamHandler(sys.stderr)
    if os.environ.get("LOG_FORMAT", "").lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("LOG_LEVEL", "INFO"))
    # httpx/httpcore log request URLs, and Bot API URLs carry the token.
    # APScheduler logs every job added or run, and each feed re-adds its job after a poll.
    for noisy in ("httpx", "httpcore", "apscheduler", "telegram.ext"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # python-telegram-bot logs a traceback for every non-JSON 5xx; outbox logs its own line.
    logging.getLogger("telegram.request").setLevel(logging.CRITICAL)
