"""Article pages: fetched as bytes, body and metadata extracted by trafilatura.

Extraction is CPU work: ``extract`` is a plain function so it can run in a process pool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura

from classifiers.credit import AGENCY

MAX_TEXT_CHARS = 20_000  # far longer than any news story; bounds the classifier's work
HEADLINE_CHARS = 140  # a headline made of a lead's first sentence is cut here, at a word
_DATELINE = re.compile(r"^[^.\n]{0,40}?" + AGENCY.pattern + r"[\s)\]]*[-–—:_]*\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\u061f\n]+\s*")


@dataclass(frozen=True, slots=True)
class Extracted:
    title: str
    text: str
    date: str | None


def extract(html: bytes, url: str) -> Extracted | None:
    """Main text of a page, or None when trafilatura finds no article in it.

    Bytes, not str: trafilatura detects the encoding itself, windows-1256 included.
    """
    document = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        with_metadata=True,
    )
    if document is None or not document.text:
        return None
    title = (document.title or "").strip()
    text = without_headline(document.text.strip(), title)[:MAX_TEXT_CHARS]
    return Extracted(title=title, text=text, date=document.date)


def without_headline(text: str, title: str) -> str:
    """The text without the page's own headline (an <h1> inside <article> is extracted as
    its first line): the classifier reads the first lines as the lead, and a repeated
    headline would push the real lead out of it."""
    first, _, rest = text.partition("\n")
    line, heading = " ".join(first.split()), " ".join(title.split())
    if rest and len(line) >= 10 and (line == heading or heading.startswith(line)):  # "headline | outlet"
        return rest.lstrip()
    return text


def telling_headline(title: str, text: str) -> str:
    """The headline, or the text's first sentence when the headline tells nothing: empty, or a
    bare dateline («نيويورك - أ ش أ», «دمشق _أ.ش.أ», as agency copy is sometimes filed). The
    alert, the classifier and grouping then read what happened, not where it was filed."""
    rest = AGENCY.sub(" ", title)
    if rest != title and len(re.findall(r"[^\W_]+", rest)) <= 1 or not title.strip():
        for sentence in _SENTENCE_END.split(text):
            sentence = " ".join(_DATELINE.sub("", sentence).split())  # «القاهرة (رويترز) - قال...»
            if len(sentence.split()) >= 4:
                return sentence if len(sentence) <= HEADLINE_CHARS else sentence[:HEADLINE_CHARS].rsplit(" ", 1)[0] + "…"
    return title
