"""Telegram's flood limits as sliding windows, so the sender waits instead of being told off."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Window:
    count: int
    seconds: float


GROUP = Window(20, 61.0)  # 20 a minute to one group or channel (with a second to spare)
PRIVATE = Window(1, 1.05)  # about one a second to one private chat
GLOBAL = Window(30, 1.0)  # about 30 a second in all


def is_group(chat_id: str) -> bool:
    """Negative ids and @names are groups or channels; positive ids are private chats."""
    return chat_id.startswith(("-", "@"))


class FloodLimiter:
    def __init__(self, history: Iterable[tuple[str, float]] = ()) -> None:
        self._chats: defaultdict[str, deque[float]] = defaultdict(deque)
        self._all: deque[float] = deque()
        for chat_id, at in history:
            self.record(chat_id, at)

    def record(self, chat_id: str, at: float) -> None:
        self._chats[chat_id].append(at)
        self._all.append(at)

    def ready_at(self, chat_id: str, now: float) -> float:
        """Earliest time a message to ``chat_id`` stays within every window."""
        window = GROUP if is_group(chat_id) else PRIVATE
        return max(now, _free_at(self._chats[chat_id], window, now), _free_at(self._all, GLOBAL, now))


def _free_at(times: deque[float], window: Window, now: float) -> float:
    while times and times[0] <= now - window.seconds:
        times.popleft()
    if len(times) < window.count:
        return now
    return times[-window.count] + window.seconds
