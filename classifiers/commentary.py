"""A column told from its text, for outlets whose feeds do not file columns apart.

News names where it comes from in its first sentences (a speaker's verb, an agency, a
source) and keeps doing so; a column argues in its own voice, asks and exclaims. Measured
on the 2013 Egyptian days (columns known by their «يكتب:» bylines, read without them):
2 marks, no source in the opening and under 6 source words per 1,000 hold 17 of 45
columns and 32 of 9,550 other articles; of the 906 articles of the three real corpora
that alert, it silences one (a press review labelled on topic).
"""

from __future__ import annotations

import re

from core.config import CommentarySettings

OPENING = 2  # sentences in which news names its source
# a question or an exclamation: «؟», «!», or «?» after a letter (after a digit it is often a sign lost
# to a mis-decoded page: «98?» for «98٪»)
MARKS = re.compile(r"[؟!]|(?<=[^\W\d_])\?")


def commentary_reason(text: str, words: int, sources: int, opening_sources: int,
                      settings: CommentarySettings) -> str | None:
    """Why ``text`` (``words`` long, naming ``sources`` source words, ``opening_sources`` of them
    in its opening) reads as a column, or None when it reads as news or is not read."""
    if settings.alert or not settings.questions or opening_sources:
        return None
    asked = len(MARKS.findall(text))
    rate = 1000 * sources / max(words, 1)
    if asked < settings.questions or rate >= settings.source_rate:
        return None
    return (f"reads as commentary ([commentary]): {asked} question or exclamation marks, no source named in its "
            f"first {OPENING} sentences, {rate:.1f} source words per 1,000 (news: {settings.source_rate:g})")
