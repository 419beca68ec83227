"""A column told from its text, for outlets whose feeds do not file columns apart.

News names where it comes from in its first sentences (a speaker's verb, an agency, a
source) and keeps doing so; a column argues in its own voice, asks and exclaims. Measured
on the real corpora (the columns known by their «يكتب:» bylines, read without them): 2
marks with no source in the opening and under 6 source words per 1,000, or 4 marks with
at most one there and under 10, hold 25 of 53 columns and 70 of 13,285 other articles;
of the 899 other articles that alert, they silence one (a press review labelled on topic).
"""

from __future__ import annotations

from core.config import CommentarySettings

OPENING = 2  # sentences in which news names its source
RHETORIC = 5 / 3  # how much more a text that asks twice as often may name sources


def commentary_reason(asked: int, words: int, sources: int, opening_sources: int,
                      settings: CommentarySettings) -> str | None:
    """Why a text that asks or exclaims ``asked`` times (``marks``), ``words`` long, naming
    ``sources`` source words, ``opening_sources`` of them in its opening, reads as a column, or
    None when it reads as news. A text that asks twice as often may name one source in its
    opening and RHETORIC times the rate."""
    rate = 1000 * sources / max(words, 1)
    insistent = asked >= 2 * settings.questions
    if asked < settings.questions or opening_sources > (1 if insistent else 0):
        return None
    if rate >= settings.source_rate * (RHETORIC if insistent else 1.0):
        return None
    opening = f"{opening_sources} source" if opening_sources else "no source"
    return (f"reads as commentary ([commentary]): {asked} question or exclamation marks, {opening} named in its "
            f"first {OPENING} sentences, {rate:.1f} source words per 1,000")


def marks(text: str) -> int:
    """Questions and exclamations: «؟», «!», and «?» after a letter (after a digit it is often a
    sign lost to a mis-decoded page: «98?» for «98٪»)."""
    count = text.count("؟") + text.count("!")
    at = text.find("?")
    while at != -1:
        count += at > 0 and text[at - 1].isalpha()
        at = text.find("?", at + 1)
    return count
