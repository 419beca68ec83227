"""Arabic normalisation, one function for texts and configured terms alike."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DELETE = (
    [chr(c) for c in range(0x064B, 0x0660)]  # harakat, shadda, sukun, maddah/hamza marks
    + ["\u0670", "\u0640"]  # dagger alef, tatweel
    + [chr(c) for c in range(0x06D6, 0x06EE)]  # Quranic annotation marks
    + ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff", "\u00ad"]
    + [chr(c) for c in range(0x202A, 0x202F)]  # embeddings and overrides
    + [chr(c) for c in range(0x2066, 0x206A)]  # isolates
)

_MAP = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ئ": "ي", "ؤ": "و", "ة": "ه", "ۀ": "ه", "ہ": "ه", "ک": "ك",
    "،": ",", "؛": ";", "؟": "?", "٪": "%", "٫": ".", "٬": ",", "۔": ".",
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
}
_MAP.update({chr(0x0660 + d): str(d) for d in range(10)})  # Arabic-Indic digits
_MAP.update({chr(0x06F0 + d): str(d) for d in range(10)})  # Persian digits

_TABLE = str.maketrans({**{c: None for c in _DELETE}, **_MAP})
_NEEDS_NFKC = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")  # presentation forms


def normalize(text: str) -> str:
    """Fold the spelling variants Arabic news uses for one word into one form."""
    if _NEEDS_NFKC.search(text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_TABLE).casefold()


# A token is a run of letters/digits; marks inside a word (harakat, tatweel, ZWNJ) stay in it.
TOKEN = re.compile(r"[\w\u0640\u064B-\u065F\u0670\u06D6-\u06ED\u200c\u200d]+")


def words_apart(text: str) -> str:
    """The text with its underscores read as spaces: Al Arabiya tags names in its copy
    (#مجلس_الأمن, #النظام_السوري). Length is kept, so spans in it are spans in the text."""
    return text.replace("_", " ") if "_" in text else text


def tokens(text: str) -> list[str]:
    """The text's tokens (TOKEN), an underscore parting two words."""
    return TOKEN.findall(words_apart(text))


_CONJ = "وف"
_PREP = "بكلس"
_PREFIXES = frozenset(_CONJ + _PREP + "ا")  # a word can lose a clitic or the article only when it starts with one


def clitic_forms(word: str) -> tuple[str, ...]:
    """The word and what it may be once proclitics (و ف ب ك ل س) and the article are removed.

    A configured term written with the article (الأمن) needs the article in the text
    (or its ل+ال contraction لل); one written without it (غارة) matches either. The
    alef of the accusative tanween (اجتماعاً طارئاً, often written without its mark) is
    dropped as well.
    """
    if word[:1] not in _PREFIXES and not word.endswith("ا"):  # most words: nothing to strip
        return (word,) if len(word) >= 2 else ()
    forms = {word}
    bases = [word]
    if len(word) > 3 and word[0] in _CONJ:
        bases.append(word[1:])
    for base in list(bases):
        if len(base) > 4 and base.startswith("لل"):
            forms.update(("ال" + base[2:], base[2:]))
        if len(base) > 3 and base[0] in _PREP:
            bases.append(base[1:])
    for base in bases:
        forms.add(base)
        if len(base) > 4 and base.startswith("ال"):
            forms.add(base[2:])
    forms.update([f[:-1] for f in forms if len(f) > 3 and f.endswith("ا")])
    return tuple(sorted(f for f in forms if len(f) >= 2))  # sorted: the same order under any hash seed


_FUNCTION_WORDS = frozenset(
    normalize(w)
    for w in """في من على إلى الى عن مع أن إن ان كان كانت قد لقد ما لا لم لن هذا هذه ذلك تلك التي الذي الذين
    وقال قال قالت وأضاف أضاف أكد وأكد أن بعد قبل خلال حيث كما أو ثم بين عند منذ حول ضد لدى أي كل بعض
    غير يوم اليوم أمس الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت وفق بحسب نحو إنه انه هو هي هم
    """.split()
)


def content_words(text: str) -> list[str]:
    """Content words, clitics and article stripped: what two rewrites of one report share."""
    return [word for word in map(_content_word, tokens(text)) if word]


def content_tokens(text: str) -> list[tuple[int, int, str]]:
    """Each token's span and content word ("" for a function word): for how far apart words stand."""
    return [(m.start(), m.end(), _content_word(m.group())) for m in TOKEN.finditer(words_apart(text))]


@lru_cache(maxsize=100_000)
def _content_word(raw: str) -> str:
    """A token's shortest clitic form, or "" for a function word or a letter."""
    forms = clitic_forms(normalize(raw))
    word = min(forms, key=len) if forms else ""
    return word if len(word) > 1 and word not in _FUNCTION_WORDS else ""
