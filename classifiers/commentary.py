"""A column told from its text, for outlets whose feeds do not file columns apart.

News names where it comes from in its first sentences (a speaker's verb, an agency, a
source) and keeps doing so; a column argues in its own voice, asks and exclaims. Measured
on the real corpora (the columns known by their «يكتب:» bylines, read without them): 2
marks with no source in the opening and under 6 source words per 1,000, or 4 marks with
at most one there and under 10, hold 25 of 53 columns and 70 of 13,285 other articles;
of the 899 other articles that alert, they silence one (a press review labelled on topic).

A column that neither asks nor exclaims still argues: it names no source and no day in its
opening, few sources anywhere and few figures (a toll, a date, a vote count). So does an analysis,
which LABELING.md counts with the event it is about: a text read so (from 120 words, under a
headline that reports no violence done) opens no thread of its own and joins, silently, the one
it belongs to. On the dev corpora it holds none of the 694 articles labelled on a topic, 5 of the
39 byline columns (19 more ask) and 83 of the 7,054 other articles, the unsigned columns of Al
Arabiya's feeds among them.

A writer may also sign the text: a headline «علي بريشة يكتب: ...» («رأي.. بشار جرار يكتب لـCNN:»),
an opening line «بقلم: سامي الدخيل» or an editorial's «كلمة الرياض»; a paper may label an analysis
«تحليل إخباري». Of the 59 real articles so signed (by their headlines), 57 are labelled on neither
topic; the other two, signed CNN columns of the 2018 holdout pool, on one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from classifiers.normalize import normalize
from core.config import CommentarySettings

OPENING = 2  # sentences in which news names its source
RHETORIC = 5 / 3  # how much more a text that asks twice as often may name sources
FEW_FIGURES = 1.0  # figures per 100 words under which a text counts nothing it reports
_FIGURE = re.compile(r"\d+")  # a figure: a run of digits (Arabic-Indic ones are read as digits too)


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


def figures_if_argued(text: str, words: int, settings: CommentarySettings) -> int | None:
    """The figures of a text long enough to argue that counts too little to report, or None: the
    cheap half of the reading, done before its sources are looked for."""
    if not settings.argued_words or words < settings.argued_words:
        return None
    figures = len(_FIGURE.findall(text))
    return figures if 100 * figures < FEW_FIGURES * words else None


def argued_reason(words: int, sources: int, opening_days: int, figures: int,
                  settings: CommentarySettings) -> str | None:
    """Why a text that counts little (``figures_if_argued``) and names no source in its opening,
    ``sources`` of them anywhere and ``opening_days`` day words in its opening, argues rather than
    reports, or None."""
    rate = 1000 * sources / max(words, 1)
    if opening_days or rate >= settings.source_rate:
        return None
    return (f"argues rather than reports ([commentary]), so it opens no thread of its own: {words} words with no "
            f"source and no day named in its first {OPENING} sentences, {rate:.1f} source words per 1,000, "
            f"{100 * figures / words:.1f} figures per 100")


LABEL_WORDS = 6  # an opening line this short, ended by a line break, can be a byline or a label
_OPENING = re.compile(r"\s*([^\n]{2,80})(\n?)")
# a column label heading a headline is followed by its colon or two dots: «رأي: ...», «رأي.. ...», «كلمة اليوم: ...»
# («الرأي العام: ...» is public opinion)
_KICKER = re.compile(r"\s*(?::|\.\.)")
# «علي بريشة يكتب: ...», «رأي.. بشار جرار يكتب لـCNN: ...», «... يكتب عن اعتداء الفحيص بالأردن: ...»
_WRITES = re.compile(r"^[^:؟?!\n]{0,60}?(?<!\w)(?:يكتب|تكتب)(?:\s+(?:ل|عن)[^:\n]{0,40})?\s*:")


def signed(title: str, text: str, settings: CommentarySettings) -> tuple[str, str]:
    """(why the text is a signed column, why it is a labelled analysis), each "" when it is not:
    its headline says a writer writes («X يكتب:») or opens with a column label and a colon («رأي:»,
    «كلمة اليوم:»), or its opening line starts with one of the settings' column or analysis labels
    (no column labels: no signature is read). On an opening line, a one-word label
    counts only on a short line of its own: «كلمة الرياض» signs a text, «كلمة السر في معركة
    حلب...» opens a sentence."""
    if settings.column_labels and _WRITES.match(title):
        return f"a column ([commentary]): its headline is signed «{title.split(':')[0].strip()}:»", ""
    head = normalize(title).strip()
    if (label := names_pattern(settings.column_labels).match(head)) and _KICKER.match(head, label.end()):
        shown = re.split(r":|\.\.", title, maxsplit=1)[0].strip()
        return f"a column ([commentary]): its headline is labelled «{shown}»", ""
    line = _OPENING.match(text)
    if not line:
        return "", ""
    opening, label = normalize(line.group(1)), f"«{line.group(1).strip()}»"
    own_line = bool(line.group(2)) and len(line.group(1).split()) <= LABEL_WORDS
    columns = settings.column_labels if own_line else tuple(n for n in settings.column_labels if " " in n.strip())
    if names_pattern(columns).match(opening):
        return f"a column ([commentary]): its opening signs it {label}", ""
    if own_line and names_pattern(settings.analysis_labels).match(opening):
        return "", f"an analysis ([commentary]), so it opens no thread of its own: its opening labels it {label}"
    return "", ""


@lru_cache(maxsize=8)
def names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the names (normalised, lower case), each as whole words: a feed's opinion section
    («مقالات الرأي», "opinion-writers"), a label that opens a text («كلمة الرياض»). Built once per
    config; read normalised text with it."""
    terms = sorted({normalize(n).strip().lower() for n in names if n.strip()}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, terms)) + r")(?!\w)" if terms else r"(?!)")


def marks(text: str) -> int:
    """Questions and exclamations: «؟», «!», and «?» after a letter (after a digit it is often a
    sign lost to a mis-decoded page: «98?» for «98٪»)."""
    count = text.count("؟") + text.count("!")
    at = text.find("?")
    while at != -1:
        count += at > 0 and text[at - 1].isalpha()
        at = text.find("?", at + 1)
    return count
