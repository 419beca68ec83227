"""The credit before a story's first sentence: where it was filed and by whom.

Agency copy and newspapers open with a dateline or a byline: «بيروت - أ ف ب», «بيروت:
«الشرق الأوسط»», «كتب - محمد سعيد:», «باماكو (ا ف ب) -», «دبي، الإمارات العربية
المتحدة (CNN)--», a reporter's name over a blank line. It tells where the reporter sat,
not where the event was: read as the lead, Beirut's dateline makes a report of Homs a
Lebanese story, and an outlet's name or a reporter's becomes a rare word that every piece
of theirs shares. So stories and situations read the text with its credit blanked out.
The classifier reads the text as it comes: its points were fitted with credits in the lead
(read without them, it gained three wrong alerts on the dev sets and no right one).
"""

from __future__ import annotations

import re

_DASH = r"[-–—ـ_]"
# News agencies' tags: «(أ ش أ)», «أ.ف.ب», «- واس», «(رويترز)», «وكالات» (also read by alerts/summary.py
# and fetchers/pages.py for datelines inside a text and in place of a headline).
AGENCY = re.compile(r"(?<![^\W_])(?:أ\s*\.?\s*ش\s*\.?\s*أ|[أا]\s*\.?\s*ف\s*\.?\s*ب|د\s*\.?\s*ب\s*\.?\s*أ|واس|رويترز|"
                    r"وكالات|سانا|قنا|وام|كونا|بترا|بنا|يو بي آي|فرانس برس|الأناضول|CNN|AFP|AP|Reuters)(?![^\W_])",
                    re.IGNORECASE)
# «باماكو (ا ف ب) - », «دبي، الإمارات العربية المتحدة (CNN)-- », «(CNN)-- »: a credit in brackets, then a dash.
INLINE = re.compile(r"[ \t]*(?:[^\s.!?؟()]+[ \t]+){0,5}\([^()\n]{1,25}\)[ \t]*(?:" + _DASH + r"+|:)[ \t]*")
# a line without a sentence's end; a dot inside a name is no end («دمشق - العربية.نت», «أ.ف.ب»)
_LINE = re.compile(r"[ \t]*((?:[^\n.!?؟]|\.(?=[^\s.])){2,70}?)[ \t]*\n")
CREDIT_WORDS = 7  # a line this short can be a credit
NAME_WORDS = 3  # a line this short over a blank line is a reporter's name («وائل محمد»)


def credit_end(text: str) -> int:
    """Where the text's credit ends (0: it opens with its story). Up to three credit lines
    («كتب - مصطفى ياقوت:» then «تصوير - محمد الشيمي:»)."""
    end = 0
    for _ in range(3):
        found = _credit_at(text, end)
        if not found:
            return end
        end = found
    return end


def _credit_at(text: str, start: int) -> int:
    while start < len(text) and text[start] in " \t\n":
        start += 1
    inline = INLINE.match(text, start)
    if inline:
        return inline.end()
    line = _LINE.match(text, start)
    if not line:
        return 0
    words = line.group(1).split()
    marked = bool(re.search(_DASH + r"|:|«", line.group(1))) or bool(AGENCY.fullmatch(line.group(1).strip()))
    if len(words) <= CREDIT_WORDS and marked and _parts_short(line.group(1)):
        return line.end()
    following = text.find("\n", line.end())
    if len(words) <= NAME_WORDS and following > 0 and not text[line.end():following].strip():
        return line.end()
    return 0


def _parts_short(line: str) -> bool:
    """A dateline's parts are a place and a source («القاهرة - أ ش أ», «بيروت: «الحياة»»), or a
    by-word and a name: no part is a clause (a subhead «القاهرة: مرسي يلتقي وزير الدفاع» is)."""
    return all(len(part.split()) <= 4 for part in re.split(_DASH + r"|:", line))


def without_credit(text: str, end: int | None = None) -> str:
    """The text with its credit (ending at ``end``, when already found) blanked: same length, so that
    offsets into it hold, and its line breaks kept, so that the lead (grouping.lead_of) ends where it did."""
    end = credit_end(text) if end is None else end
    return "".join(c if c == "\n" else " " for c in text[:end]) + text[end:] if end else text
