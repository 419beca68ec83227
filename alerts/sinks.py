"""Where alerts are shown besides Telegram: the console (no token, --dry-run) and a JSONL file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from alerts.telegram import plain_text
from core.models import Alert


def print_alert(alert: Alert, text: str, as_json: bool = False, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    if as_json:
        stream.write(json.dumps(alert.to_json(), ensure_ascii=False) + "\n")
    else:
        header = "تحديث" if alert.is_update else "تنبيه"
        chats = ", ".join(alert.chat_ids) or "(no channel subscribed)"
        thread = f" (ضمن {alert.situation_id})" if alert.situation_id and alert.situation_id != alert.story_id else ""
        stream.write(f"──── {header} {alert.story_id}{thread} → {chats}\n{plain_text(text)}\n\n")
    stream.flush()


def append_jsonl(path: Path, alert: Alert) -> None:
    """One JSON object per line, flushed at once so a crash never leaves half a line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(alert.to_json(), ensure_ascii=False) + "\n")
