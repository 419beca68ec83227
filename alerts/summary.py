"""Short extractive Arabic summaries: 2-3 sentences chosen by position and watch-term density."""

from __future__ import annotations

import re
from collections.abc import Sequence

from classifiers.normalize import normalize

MAX_CHARS = 450
# Sentence ends: . ! ? ؟ ؛ and the ".," joins scraped text is full of; newlines too.
_SPLIT = re.compile(r"(?<=[.!?؟؛…])[\s,،]+|\n+")
_END = ".!?؟؛…"
_BOILERPLATE = re.compile(
    r"اقرأ أيضا|اقرأ ايضا|إقرأ أيضا|الأكثر قراءة|الاكثر قراءة|اقرأ المزيد|شارك(?:وا)? (?:هذا|الخبر|المقال)|"
    r"تابعونا|تابعوا آخر|للاشتراك|اشترك في|تعليقات?\s*\(?\d|\d+\s*تعليق|حقوق النشر|جميع الحقوق|"
    r"مواضيع ذات صلة|أخبار ذات صلة|المصدر\s*:|Read more|Related",
    re.IGNORECASE,
)
_ARABIC = re.compile(r"[\u0600-\u06FF]")


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs, boilerplate and fragments dropped."""
    out, position = [], 0
    for piece in _SPLIT.split(text):
        start = text.find(piece, position) if piece else position
        position = start + len(piece)
        sentence = piece.strip(" \t-–—•|")
        if len(sentence) < 25 or _BOILERPLATE.search(normalize(sentence)) or _BOILERPLATE.search(sentence):
            continue
        if not _ARABIC.search(sentence):
            continue
        out.append((max(start, 0), sentence if sentence[-1] in _END else sentence + "."))
    return out


def summarize(title: str, text: str, hit_offsets: Sequence[int] = (), limit: int = MAX_CHARS) -> str:
    """Up to three sentences in their original order, at most ``limit`` characters."""
    found = sentences(text)
    title_norm = normalize(title).strip()
    found = [(o, s) for o, s in found if normalize(s).strip() != title_norm]
    if not found:
        return shorten(" ".join(text.split()), limit)
    scored = []
    for rank, (offset, sentence) in enumerate(found):
        density = sum(1 for h in hit_offsets if offset <= h < offset + len(sentence))
        position = 3.0 if rank == 0 else 1.5 if rank == 1 else 1.0 / rank
        scored.append((position + min(density, 4) * 0.75, rank))
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
