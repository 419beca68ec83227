"""Many Arabic terms at once, in one pass, with clitics allowed on every word.

A word trie keyed by normalised words plays the part of an Aho-Corasick automaton at
word granularity: each text token offers its clitic-stripped forms, and a term word
marked as a stem (``قصف*``) matches any form that starts with it. The trie nodes reached
together after some words form a state, and each distinct word remembers where it leads
from the states it has followed (a DFA built as the texts need it), so a word met again
costs a dictionary look-up.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from itertools import compress
from operator import attrgetter
from typing import NamedTuple

from classifiers.normalize import TOKEN, clitic_forms, normalize, words_apart
from core.models import Entity

_END = re.compile(r"[.!?\n\u061f]")  # sentence ends; \u061f is the Arabic question mark
_END_NOT_DECIMAL = re.compile(r"(?<!\d)\.|\.(?!\d)|[!?\n\u061f]")  # five times slower: only where a 2.5 occurs
_DECIMAL = re.compile(r"\d\.\d")
STEM_KEY = 3  # stems are indexed by their first letters; shorter stems are refused
_START = attrgetter("start")


class _Node:
    __slots__ = ("children", "stems", "terminals")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.stems: dict[str, list[tuple[str, _Node]]] = {}
        self.terminals: list[tuple[str, Entity | None]] = []


class _State:
    """Trie nodes reached together: what they match (once per pattern), and whether a next word can lead on."""

    __slots__ = ("nodes", "terminals", "leads")

    def __init__(self, nodes: tuple[_Node, ...]) -> None:
        self.nodes = nodes
        first: dict[str, Entity | None] = {}  # a pattern at two nodes keeps the first node's entity
        for node in nodes:
            for pattern, entity in node.terminals:
                first.setdefault(pattern, entity)
        self.terminals = tuple(sorted(first.items(), key=lambda item: str(item[0])))  # not in hash-seed order
        self.leads = any(node.children or node.stems for node in nodes)


class _Word(NamedTuple):
    """What one surface form means to the trie, shared by all its occurrences."""

    forms: tuple[str, ...]  # normalised clitic forms
    start: _State | None  # where it leads from the root; None when it starts no term
    after: dict[_State, _State]  # where it leads from the states it has followed, filled in as met


class Tokens:
    """Trie words and text per token, cut into sentences; character spans only when a hit needs them."""

    __slots__ = ("known", "words", "text", "sentences", "_offsets")

    def __init__(self, known: list[_Word], words: list[str], sentences: list[tuple[int, int]], text: str) -> None:
        self.known = known
        self.words = words
        self.sentences = sentences  # (first, last) token of each sentence
        self.text = text
        self._offsets: list[tuple[int, int]] | None = None

    def span(self, first: int, last: int) -> tuple[int, int]:
        if self._offsets is None:  # the same tokens as the sentences hold: ends never fall inside one
            self._offsets = [match.span() for match in TOKEN.finditer(self.text)]
        return self._offsets[first][0], self._offsets[last][1]


def _split(text: str, whole: bool) -> tuple[list[str], list[tuple[int, int]]]:
    """Tokens and sentences: . ! ? ؟ or a line break ends one, except a point between digits (2.5);
    ``whole`` keeps the text one sentence (a headline, whatever its punctuation)."""
    words: list[str] = []
    spans = []
    chunks = (text,) if whole else (_END_NOT_DECIMAL if _DECIMAL.search(text) else _END).split(text)
    for chunk in chunks:
        found = TOKEN.findall(chunk)
        if found:
            spans.append((len(words), len(words) + len(found) - 1))
            words += found
    return words, spans


RawHit = tuple[Hashable, Entity | None, int, int]  # the phrase's key, entity, first and last token (inclusive)


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

    def __init__(self, phrases: Iterable[tuple[Hashable, str, Entity | None]]) -> None:
        self._root = _Node()
        self._cache: dict[str, _Word] = {}
        self._states: dict[tuple[_Node, ...], _State] = {}
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

    def tokens(self, text: str, whole: bool = False) -> Tokens:
        """Tokens with their clitic forms and trie steps, cached per surface form."""
        text = words_apart(text)
        words, sentences = _split(text, whole)
        return Tokens(self._known(words), words, sentences, text)

    def retoken(self, tokens: Tokens) -> Tokens:
        """Tokens another lexicon cut, read by this one: their clitic forms are reused."""
        return Tokens(self._known(tokens.words, tokens.known), tokens.words, tokens.sentences, tokens.text)

    def _known(self, words: list[str], read: list[_Word] | None = None) -> list[_Word]:
        """Each word as this lexicon knows it, learnt the first time (from ``read``'s forms, when given)."""
        cache = self._cache
        if len(cache) > 200_000:
            cache.clear()
        known = list(map(cache.get, words))
        if None in known:  # words met for the first time
            known = [word or self._learn(raw, read[i].forms if read else None)
                     for i, (word, raw) in enumerate(zip(known, words))]
        return known

    def _learn(self, raw: str, forms: tuple[str, ...] | None = None) -> _Word:
        forms = clitic_forms(normalize(raw)) if forms is None else forms
        nodes = self._step((self._root,), forms)
        word = self._cache[raw] = _Word(forms, self._state(nodes) if nodes else None, {})
        return word

    def _state(self, nodes: tuple[_Node, ...]) -> _State:
        """One state per tuple of nodes: words remember their steps by state."""
        state = self._states.get(nodes)
        if state is None:
            state = self._states[nodes] = _State(nodes)
        return state

    @staticmethod
    def _step(nodes: Iterable[_Node], forms: tuple[str, ...]) -> tuple[_Node, ...]:
        """The children of ``nodes`` that one of ``forms`` reaches, in order, each once."""
        found: dict[_Node, None] = {}
        for node in nodes:
            for form in forms:
                child = node.children.get(form)
                if child is not None:
                    found[child] = None
                for stem, child in node.stems.get(form[:STEM_KEY], ()):
                    if form.startswith(stem):
                        found[child] = None
        return tuple(found)

    def _follow(self, state: _State, word: _Word) -> _State:
        """Where ``state`` leads on ``word``, worked out once and kept by the word."""
        following = word.after[state] = self._state(self._step(state.nodes, word.forms))
        return following

    def scan(self, tokens: Tokens) -> list[RawHit]:
        """The longest hit of each pattern at each token, by first token, then in the order found.

        A shorter hit of a pattern at the same token lies inside the longest one, so
        neither scoring nor exclusion needs it.
        """
        words = tokens.known
        count = len(words)
        hits: list[RawHit] = []
        for first in compress(range(count), map(_START, words)):  # most tokens start nothing
            state = words[first].start  # not None: compress() kept the tokens that start a term
            if not state.leads:  # a one-word term and nothing longer: the common case
                hits.extend([(pattern, entity, first, first) for pattern, entity in state.terminals])
                continue
            longest: dict[str, RawHit] = {}
            index = first
            while True:
                for pattern, entity in state.terminals:  # a later token makes a longer hit
                    longest[pattern] = (pattern, entity, first, index)
                index += 1
                if index == count or not state.leads:
                    break
                word = words[index]
                state = word.after.get(state) or self._follow(state, word)
            hits.extend(longest.values())
        return hits
