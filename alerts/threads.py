"""What rings: where a story goes among a chat's messages for its situation.

The first story of a situation in a chat rings. Later stories are added to the latest
message of the thread (an edit, which does not ring); a story that changes the situation
(a Council act, a strike after threats, a new incident with casualties) rings again as
a reply, while the situation's rings stay within the operator's budget and apart by the
configured gap (a strike after threats rings at once: it is the news the threats
foretold). A message that would pass Telegram's 4,096 characters, or that is older than
Telegram lets a bot edit, is continued in a silent reply. Every decision is taken on
the articles' clock, so a replay decides what a live run did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from store import ThreadMessage

EDIT_WINDOW = 47 * 3600.0  # Telegram lets a bot edit its message for 48 hours


@dataclass(frozen=True, slots=True)
class RingPolicy:
    rings: int = 2  # notifications one situation may give a chat (its first included)
    gap: float = 3600.0  # seconds (articles' clock) between two rings of one situation


def message_key(situation: str, part: int) -> str:
    return situation if part == 0 else f"{situation}#{part}"


def rings(thread: Sequence[ThreadMessage]) -> list[ThreadMessage]:
    return [m for m in thread if m.notify]


def place(
    thread: Sequence[ThreadMessage],
    story: str,
    at: float,
    develops: bool,
    policy: RingPolicy,
    fits: Callable[[ThreadMessage], bool],
    *,
    chat_id: str,
    thread_id: int | None,
    situation: str,
    urgent: bool = False,
) -> ThreadMessage:
    """The message (new, or one of ``thread`` updated) that shows ``story`` after its arrival at
    ``at``. ``develops``: the story changes the situation (``urgent``: so much that the gap does
    not hold it back); ``fits``: a message's text stays within Telegram's limit."""

    def opened(notify: bool) -> ThreadMessage:
        part = len(thread)
        return ThreadMessage(message_key(situation, part), chat_id, thread_id, situation, part, notify,
                             thread[0].key if thread else None, (story,), at, changed_story=story)

    def editable(message: ThreadMessage, stories: tuple[str, ...]) -> ThreadMessage | None:
        changed = replace(message, stories=stories, changed_story=story)
        return changed if at - message.opened_at < EDIT_WINDOW and fits(changed) else None

    if not thread:
        return opened(True)
    shown = next((m for m in thread if story in m.stories), None)
    if shown:  # more outlets for a story already shown
        return editable(shown, shown.stories) or opened(False)
    rung = rings(thread)
    last_ring = max((m.opened_at for m in rung), default=float("-inf"))
    if develops and len(rung) < policy.rings and (urgent or at - last_ring >= policy.gap):
        return opened(True)
    return editable(thread[-1], thread[-1].stories + (story,)) or opened(False)
