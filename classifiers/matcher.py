"""Many Arabic terms at once, in one pass, with clitics allowed on every word.

A word trie keyed by normalised words plays the part of an Aho-Corasick automaton at
word granularity: each text token offers its clitic-stripped forms, and a term word
marked as a stem (``قصف*``) matches any form that starts with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import accumulate
from dataclasses import dataclass

from classifiers.normalize import TOKEN, clitic_forms, normalize
from core.models import Entity

_PIECES = re.compile(f"({TOKEN.pattern})")  # split() keeps the tokens between the separators
STEM_KEY = 3  # stems are indexed by their first letters; shorter stems are refused


class _Node:
    __slots__ = ("children", "stems", "terminals")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.stems: dict[str, list[tuple[str, _Node]]] = {}
        self.terminals: list[tuple[str, Entity | None]] = []


class Tokens:
    """(clitic forms, first trie steps) and text per token; character spans only when a hit needs them."""

    __slots__ = ("known", "words", "text", "_pieces", "_offsets")

    def __init__(self, known: list[tuple[tuple[str, ...], tuple[_Node, ...]]], pieces: list[str], text: str) -> None:
        self.known = known
        self.words = pieces[1::2]
        self.text = text
        self._pieces = pieces  # separator, token, separator, token, ..., separator
        self._offsets: list[int] | None = None

    def span(self, first: int, last: int) -> tuple[int, int]:
        if self._offsets is None:  # piece ends, summed in C: token k spans offsets[2k]..offsets[2k+1]
            self._offsets = list(accumulate(map(len, self._pieces)))
        return self._offsets[2 * first], self._offsets[2 * last + 1]


@dataclass(frozen=True, slots=True)
class RawHit:
    pattern: str
    entity: Entity | None
    first: int  # token indexes, inclusive
    last: int


def phrase_words(phrase: str) -> list[tuple[str, bool]]:
    """Normalised words of a configured phrase, each with its stem flag."""
    words = []
    for raw in normalize(phrase).split():
        stem = raw.endswith("*")
        word = "".join(TOKEN.findall(raw.rstrip("*")))
        if word:
            words.append((word, stem))
    return words


def unmatchable(phrase: str) -> str | None:
    """Why ``phrase`` can never match after normalisation, or None."""
    words = phrase_words(phrase)
    if not words:
        return "nothing left after normalisation"
    for word, stem in words:
        if stem and len(word) < STEM_KEY:
            return f"stem {word!r} is shorter than {STEM_KEY} letters"
        if len(word) < 2:
            return f"word {word!r} is shorter than 2 letters"
    return None


class Lexicon:
    """Compiled once per config; ``scan`` is the hot path."""

    def __init__(self, phrases: Iterable[tuple[str, str, Entity | None]]) -> None:
        self._root = _Node()
        self._cache: dict[str, tuple[tuple[str, ...], tuple[_Node, ...]]] = {}
        self.size = 0
        for pattern, phrase, entity in phrases:
            self._add(pattern, phrase, entity)

    def _add(self, pattern: str, phrase: str, entity: Entity | None) -> None:
        words = phrase_words(phrase)
        if not words or unmatchable(phrase):
            return
        node = self._root
        for word, stem in words:
            if stem:
                bucket = node.stems.setdefault(word[:STEM_KEY], [])
                for existing, child in bucket:
                    if existing == word:
                        node = child
                        break
                else:
                    child = _Node()
                    bucket.append((word, child))
                    node = child
            else:
                node = node.children.setdefault(word, _Node())
        if (pattern, entity) not in node.terminals:
            node.terminals.append((pattern, entity))
            self.size += 1

    def tokens(self, text: str) -> Tokens:
        """Tokens with their clitic forms and first trie steps, cached per surface form."""
        cache = self._cache
        if len(cache) > 200_000:
            cache.clear()
        pieces = _PIECES.split(text)
        get = cache.get
        return Tokens([get(raw) or self._learn(raw) for raw in pieces[1::2]], pieces, text)

    def _learn(self, raw: str) -> tuple[tuple[str, ...], tuple[_Node, ...]]:
        forms = clitic_forms(normalize(raw))
        entry = self._cache[raw] = (forms, self._step(self._root, forms))
        return entry

    @staticmethod
    def _step(node: _Node, forms: tuple[str, ...]) -> tuple[_Node, ...]:
        found: dict[int, _Node] = {}
        for form in forms:
            child = node.children.get(form)
            if child is not None:
                found[id(child)] = child
            for stem, child in node.stems.get(form[:STEM_KEY], ()):
                if form.startswith(stem):
                    found[id(child)] = child
        return tuple(found.values())

    def scan(self, tokens: Tokens) -> list[RawHit]:
        hits: dict[tuple, RawHit] = {}
        known = tokens.known
        count = len(known)
        starts = [i for i, entry in enumerate(known) if entry[1]]  # most tokens start nothing
        for first in starts:
            advanced = known[first][1]
            index = first
            while advanced:
                for node in advanced:
                    for pattern, entity in node.terminals:
                        key = (pattern, entity.id if entity else None, first, index)
                        hits.setdefault(key, RawHit(pattern, entity, first, index))
                index += 1
                if index >= count:
                    break
                forms = known[index][0]
                nxt: dict[int, _Node] = {}
                for node in advanced:
                    if node.children or node.stems:
                        for child in self._step(node, forms):
                            nxt[id(child)] = child
                advanced = tuple(nxt.values())
        return list(hits.values())
