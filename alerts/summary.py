"""Short extractive Arabic summaries that add to the headline: 2-3 sentences of the story.

The alert shows the headline in bold just above, so a sentence that restates it is
skipped, and so is every line of a page that is not a sentence of the story: subheads,
related-story links, «شاهد» video captions, and the agency dateline before a lead
(«دبي (CNN)--», «بيروت (رويترز) -»). What is left is chosen by position (the lead
first), the watch terms it holds and the figures it gives (a toll, a date, a number).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from classifiers.credit import AGENCY
from classifiers.normalize import content_words, normalize

MAX_CHARS = 450
RESTATES = 0.8  # content-word overlap with the headline (either way) above which a sentence restates it
PROSE_WORDS = 8  # a line shorter than this that ends no statement is a subhead or a link
# Sentence ends: . ! ? ؟ ؛ and the ".," joins scraped text is full of.
_SPLIT = re.compile(r"(?<=[.!?؟؛…])[\s,،]+")
_END = ".!?؟؛…"
_BOILERPLATE = re.compile(
    r"اقرأ أيضا|اقرأ ايضا|إقرأ أيضا|الأكثر قراءة|الاكثر قراءة|اقرأ المزيد|شارك(?:وا)? (?:هذا|الخبر|المقال)|"
    r"تابعونا|تابعوا آخر|للاشتراك|اشترك في|تعليقات?\s*\(?\d|\d+\s*تعليق|حقوق النشر|جميع الحقوق|"
    r"مواضيع ذات صلة|أخبار ذات صلة|المصدر\s*:|Read more|Related",
    re.IGNORECASE,
)
_CAPTION = re.compile(r"^\W*(?:شاهد|شاهدوا|بالفيديو|فيديو|بالصور|صور|اقرأ|إقرأ|اضغط|انقر)\b")
_DATELINE = re.compile(r"^[^.!؟\n]{0,60}?\(\s*" + AGENCY.pattern + r"\s*\)\s*[-–—:]+\s*", re.IGNORECASE)
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_FIGURE = re.compile(r"\d")


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs of the story's prose: lines that are not prose, datelines,
    boilerplate and fragments left out."""
    out, position = [], 0
    for line in text.split("\n"):
        start, position = position, position + len(line) + 1
        stripped = line.strip()
        if not stripped or not_prose(stripped):
            continue
        dateline = _DATELINE.match(stripped)
        body = stripped[dateline.end():] if dateline else stripped
        offset = start + line.find(body)
        cursor = 0
        for piece in _SPLIT.split(body):
            at = body.find(piece, cursor)
            cursor = at + len(piece)
            sentence = piece.strip(" \t-–—•|")
            if len(sentence) < 25 or not _ARABIC.search(sentence) or _BOILERPLATE.search(sentence) \
                    or _BOILERPLATE.search(normalize(sentence)):
                continue
            out.append((offset + max(at, 0), sentence if sentence[-1] in _END else sentence + "."))
    return out


def not_prose(line: str) -> bool:
    """A subhead, a related-story link («الحرب السورية: من يقاتل من؟») or a video caption:
    not a sentence of the story. A short line is prose only when it ends a statement."""
    return bool(_CAPTION.search(line)) or (len(line.split()) < PROSE_WORDS and not line.endswith((".", "…")))


def restates(sentence: str, title: str) -> bool:
    """Most of the sentence is the headline, or most of the headline is in it: under the
    headline, it wastes the reader's first line."""
    said, head = set(content_words(sentence)), set(content_words(title))
    return bool(said and head) and len(said & head) / min(len(said), len(head)) > RESTATES


def summarize(title: str, text: str, hit_offsets: Sequence[int] = (), limit: int = MAX_CHARS) -> str:
    """Up to three sentences in their original order, at most ``limit`` characters."""
    prose = sentences(text)
    found = [(o, s) for o, s in prose if not restates(s, title)] or prose[1:2] or prose[:1]
    if not found:
        return shorten(" ".join(text.split()), limit)
    scored = []
    for rank, (offset, sentence) in enumerate(found):
        density = sum(1 for h in hit_offsets if offset <= h < offset + len(sentence))
        position = 3.0 if rank == 0 else 1.5 if rank == 1 else 1.0 / rank
        figures = 0.5 if _FIGURE.search(sentence) else 0.0  # a toll, a date, a resolution number
        scored.append((position + min(density, 4) * 0.75 + figures, rank))
    chosen: list[int] = []
    used = 0
    for _, rank in sorted(scored, reverse=True):
        length = len(found[rank][1]) + (1 if chosen else 0)
        if len(chosen) == 3 or (chosen and used + length > limit):
            continue
        chosen.append(rank)
        used += length
    if len(chosen) == 1 and used > limit:
        return shorten(found[chosen[0]][1], limit)
    return " ".join(found[rank][1] for rank in sorted(chosen))


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary, never inside a word, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,،;؛:-") + "…"
