"""Per-topic scores read the way an editor reads a story, each score explained.

A topic names cues (lists of terms and entities) and evidence: cues that occur together
in one sentence (``attack ~ syria - threat``), worth points by where that sentence
stands: the headline and lead say what a story is about, a trailing line does not. A
topic alerts when its points reach the threshold.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from classifiers.commentary import OPENING, argued_reason, commentary_reason, figures_if_argued, marks, signed
from classifiers.events import is_incident
from classifiers.gazetteer import Gazetteer
from classifiers.language import detect_language
from classifiers.matcher import Lexicon, RawHit, Tokens
from classifiers.normalize import normalize
from core.config import CommentarySettings, Points, Rule, TopicConfig
from core.models import Classification, Entity, Evidence, Hit, TopicScore

MORE_CAP = 3  # further sentences that add `more` points
MENTION = "@mention"  # pseudo-topic of the gazetteer's entities that no topic names
MENTION_KEY = (MENTION, "", "")
EXCLUDE = "-exclude"  # pseudo-cue of a topic's exclusions
START = "start"  # built-in cue: the first word of every sentence ("council ~ start": the Council opens it)
PLACE_NAMES = {"headline": "headline", "lead": "lead", "body": "body", "tail": "last lines"}


@dataclass(frozen=True, slots=True)
class Classifier:
    lexicon: Lexicon
    topics: Mapping[str, TopicConfig]
    rules: Mapping[str, tuple[tuple[Rule, Points], ...]]
    languages: tuple[str, ...]
    commentary: ColumnReading | None = None  # texts are read for columns (classifiers/commentary.py)


class ColumnReading(NamedTuple):
    settings: CommentarySettings
    sources: Lexicon  # the words with which news names its source
    days: Lexicon  # and dates what it tells


class Sentence(NamedTuple):
    place: str  # headline, lead, body or tail
    number: int  # 0 for the headline, then 1.. in the text
    in_title: bool
    first: int  # token range in its segment
    last: int


@dataclass(frozen=True, slots=True)
class Found:
    """Where one rule holds in one story: the sentences, in reading order."""

    rule: Rule
    points: Points
    sentences: tuple[Sentence, ...]
    units: tuple[int, ...]  # their indices
    at: dict  # (unit, cue) -> [(hit, in title)], shared by the topic's rules

    def places(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.place for s in self.sentences))

    def raw(self) -> Iterator[tuple[RawHit, bool, str]]:
        """(hit, in title, cue) of the rule's cues in its sentences, in reading order."""
        for unit in self.units:
            for cue in self.rule.cues:
                for hit, in_title in self.at.get((unit, cue), ()):
                    yield hit, in_title, cue


def expand(pattern: str, gazetteer: Gazetteer) -> Iterator[tuple[str, Entity | None]]:
    """(phrase, entity) pairs a pattern stands for: ``@type:T``, ``@entity_id`` or a phrase. An
    ambiguous spelling («دوماً» is "always") stands for an entity marked so."""
    if pattern.startswith("@type:"):
        entities = gazetteer.of_type(pattern[6:])
    elif pattern.startswith("@"):
        entities = tuple(filter(None, [gazetteer.by_id(pattern[1:])]))
    else:
        yield pattern, None
        return
    for entity in entities:
        for alias in gazetteer.aliases[entity.id]:
            yield alias, replace(entity, ambiguous=True) if normalize(alias) in gazetteer.ambiguous else entity


def topic_patterns(topic: TopicConfig) -> set[str]:
    return {p for terms in topic.cues.values() for p in terms} | set(topic.exclude)


def unknown_references(topic: TopicConfig, gazetteer: Gazetteer) -> list[str]:
    """Entity patterns that name no entity (a config error, not a silent miss)."""
    return sorted(p for p in topic_patterns(topic) if p.startswith("@") and not any(expand(p, gazetteer)))


def build_classifier(
    topics: Mapping[str, TopicConfig], gazetteer: Gazetteer, languages: tuple[str, ...] = ("ar",),
    commentary: CommentarySettings | None = None,
) -> Classifier:
    """One lexicon for every topic; a term's key is (topic, cue, pattern) and entity hits
    of any key are the story's mentions, so an entity is matched once per spelling. With
    ``commentary``, a text that reads as a column alerts on nothing."""
    phrases = []
    found = set()
    for name, topic in topics.items():
        keyed = [(name, cue, pattern) for cue, terms in topic.cues.items() for pattern in terms]
        keyed += [(name, EXCLUDE, pattern) for pattern in topic.exclude]
        for key in sorted(set(keyed)):  # sorted: the same order under any hash seed
            for phrase, entity in expand(key[2], gazetteer):
                phrases.append((key, phrase, entity))
                found.add((phrase, entity))
    for entity in gazetteer.entities:  # every entity is found, for grouping, whether a topic weighs it or not
        phrases.extend((MENTION_KEY, alias, named) for alias, named in expand(f"@{entity.id}", gazetteer)
                       if (alias, named) not in found)
    columns = None
    if commentary is not None and not commentary.alert and (commentary.questions or commentary.argued_words
                                                             or commentary.column_labels or commentary.analysis_labels):
        columns = ColumnReading(commentary, _word_lexicon(commentary.sources), _word_lexicon(commentary.days))
    rules = {name: topic.rules for name, topic in topics.items()}
    return Classifier(Lexicon(phrases), dict(topics), rules, tuple(languages), columns)


def _word_lexicon(words: tuple[str, ...]) -> Lexicon:
    return Lexicon((word, word, None) for word in sorted(set(words)))


@dataclass(frozen=True, slots=True)
class Segment:
    in_title: bool
    body: str
    tokens: Tokens
    hits: dict[str, list[RawHit]]  # by topic
    sentences: list[tuple[int, int]]  # token ranges; the headline is one
    starts: list[int]  # first token of each sentence
    placed: dict[tuple[int, int], list[Sentence]] = field(default_factory=dict)  # by (lead, tail), once per story


def read(classifier: Classifier, title: str, text: str) -> list[Segment]:
    """The headline and the text scanned once for every topic: hits by topic, sentences."""
    lexicon = classifier.lexicon
    segments = []
    for in_title, body in ((True, title), (False, text)):
        tokens = lexicon.tokens(body, whole=in_title)  # the headline is one sentence, whatever its punctuation
        by_topic: dict[str, list[RawHit]] = {}
        for raw in lexicon.scan(tokens):
            owner = raw[0][0]
            if owner in by_topic:
                by_topic[owner].append(raw)
            else:
                by_topic[owner] = [raw]
        spans = tokens.sentences
        segments.append(Segment(in_title, body, tokens, by_topic, spans, [first for first, _ in spans]))
    return _without_ambiguous(segments)


def _without_ambiguous(segments: list[Segment]) -> list[Segment]:
    """A spelling that also means something else («دوماً», «القدم», «القصير» of Egypt) names its
    place only when the story names a place in Syria otherwise (another town, «سوريا», «السوريين»)."""
    hits = [raw for segment in segments for found in segment.hits.values() for raw in found if raw[1] is not None]
    if not any(raw[1].ambiguous for raw in hits):
        return segments
    if any(raw[1].type == "place_sy" and not raw[1].ambiguous for raw in hits):
        return segments
    for segment in segments:
        for topic, found in segment.hits.items():
            segment.hits[topic] = [raw for raw in found if raw[1] is None or not raw[1].ambiguous]
    return segments


def sentences(segments: list[Segment], topic: TopicConfig) -> list[Sentence]:
    """The headline, then the text's sentences, each placed: lead, body or tail."""
    title, text = segments
    memo = text.placed.get((topic.lead, topic.tail))
    if memo is not None:
        return memo
    found = [Sentence("headline", 0, True, first, last) for first, last in title.sentences]
    spans = text.sentences
    tail_from = len(spans) - topic.tail if len(spans) > topic.lead + topic.tail else len(spans)
    for number, (first, last) in enumerate(spans):
        place = "lead" if number < topic.lead else "tail" if number >= tail_from else "body"
        found.append(Sentence(place, number + 1, False, first, last))
    text.placed[(topic.lead, topic.tail)] = found
    return found


def find_rules(classifier: Classifier, name: str, segments: list[Segment]) -> list[Found]:
    """Where each of a topic's rules holds (exclusions applied), with the hits that made it hold."""
    topic = classifier.topics[name]
    units = sentences(segments, topic)
    at: dict[tuple[int, str], list[tuple[RawHit, bool]]] = {}  # (unit, cue) -> its hits
    offset = 0  # index of the segment's first unit
    for segment in segments:
        mine = segment.hits.get(name)
        if mine:
            if any(raw[0][1] == EXCLUDE for raw in mine):
                mine = _not_excluded(mine)
            starts, in_title = segment.starts, segment.in_title
            keys = [(offset + bisect_right(starts, raw[2]) - 1, raw[0][1]) for raw in mine]
            for key, raw in zip(keys, mine):
                if key in at:
                    at[key].append((raw, in_title))
                else:
                    at[key] = [(raw, in_title)]
        offset += len(segment.starts)
    with_cue: dict[str, set[int]] = {START: set(range(len(units)))}
    for where, cue in at:
        with_cue.setdefault(cue, set()).add(where)
    found = []
    for rule, points in classifier.rules[name]:
        if any(cue not in with_cue for cue in rule.cues):
            continue
        where = set.intersection(*(with_cue[cue] for cue in rule.cues))
        for cue in rule.absent:
            where -= with_cue.get(cue, set())
        if rule.near:
            where = {i for i in where if _close(rule, at, i, units[i].first, topic.near)}
        if where:
            ordered = tuple(sorted(where))
            found.append(Found(rule, points, tuple(units[i] for i in ordered), ordered, at))
    return found


def _not_excluded(hits: list[RawHit]) -> list[RawHit]:
    """The hits of cue terms left once a topic's excluded phrases are read: a term that overlaps an
    excluded phrase is cancelled, unless it holds the whole phrase."""
    spans = [(first, last) for (_, cue, _), _, first, last in hits if cue == EXCLUDE]
    return [raw for raw in hits if raw[0][1] != EXCLUDE and all(
        raw[3] < first or raw[2] > last or (raw[2] <= first and raw[3] >= last) for first, last in spans)]


def _close(rule: Rule, at: dict, unit: int, start: int, near: int) -> bool:
    """Each ``~`` cue within ``near`` words of the rule's first cue (START: the sentence's first word)."""
    head = rule.cues[0]
    anchor = (start,) if head == START else [raw[2] for raw, _ in at[(unit, head)]]
    for cue in rule.near:
        other = (start,) if cue == START else [raw[2] for raw, _ in at[(unit, cue)]]
        if not any(abs(a - b) <= near for a in anchor for b in other):
            return False
    return True


def points_for(found: Found) -> float:
    points = found.points
    earned = sum(getattr(points, place) for place in found.places())
    return round(earned + points.more * min(len(found.sentences) - 1, MORE_CAP), 3)


def classify(
    classifier: Classifier, title: str, text: str, lang: str | None = None, *, detail: bool = True
) -> Classification:
    """Scores with their evidence. ``detail`` adds what the worker and explain need: entity
    mentions, the hits behind the evidence and its sentences' offsets; bulk scoring
    (classify, evaluate, tune) leaves it out."""
    lang = lang or detect_language(f"{title}\n{text}")
    segments = read(classifier, title, text)
    scores = {name: _score(classifier, name, segments, lang, detail) for name in classifier.topics}
    argued = ""
    if classifier.commentary and any(score.alert for score in scores.values()):
        column, argued = _as_commentary(title, segments[1].tokens, classifier.commentary)
        why = column or argued
        if why:
            scores = {name: replace(score, alert=not column, reasons=(*score.reasons, why)) if score.alert else score
                      for name, score in scores.items()}
    return Classification(lang, scores, tuple(_mentions(segments)) if detail else (), argued)


def _as_commentary(title: str, text: Tokens, columns: ColumnReading) -> tuple[str, str]:
    """(why a story's text reads as a column, which alerts on nothing; why it argues rather than
    reports, which opens no thread), each "" when it does not. A writer's signature or an analysis
    label decides first (commentary.signed). A column asks: how often, then the source words it
    names and where. A text argues when it is long, counts little and names no
    source and no day in its opening, under a headline that reports no violence done. Read only
    for a story that would alert, and cheapest first, so that news pays little for it."""
    settings, words = columns.settings, text.words
    column, analysis = signed(title, text.text, settings)
    if column or analysis:
        return column, analysis
    asked = marks(text.text)
    asks = bool(settings.questions) and asked >= settings.questions
    figures = figures_if_argued(text.text, len(words), settings)
    if figures is not None and is_incident(title):
        figures = None
    if not asks and figures is None:  # most news: no need to read on
        return "", ""
    found = [raw[2] for raw in columns.sources.scan(columns.sources.retoken(text))]
    starts = text.sentences
    opening = starts[OPENING][0] if len(starts) > OPENING else len(words)
    opening_sources = sum(1 for t in found if t < opening)
    if asks and (why := commentary_reason(asked, len(words), len(found), opening_sources, settings)):
        return why, ""
    if figures is None or opening_sources:
        return "", ""
    days = sum(1 for raw in columns.days.scan(columns.days.retoken(text)) if raw[2] < opening)
    return "", argued_reason(len(words), len(found), days, figures, settings) or ""


def _score(classifier: Classifier, name: str, segments: list[Segment], lang: str, detail: bool) -> TopicScore:
    topic = classifier.topics[name]
    evidence, raw = [], {}
    for item in find_rules(classifier, name, segments):
        earned = points_for(item)
        if earned:
            evidence.append(_evidence(item, earned, segments, detail))
            if detail:
                raw.update(dict.fromkeys(item.raw()))
    evidence.sort(key=lambda e: (-abs(e.points), e.rule))  # ties by name: stable across runs
    score = round(sum(e.points for e in evidence), 3)
    reasons = []
    if lang not in classifier.languages:
        reasons.append(f"language {lang!r} is not watched")
    if score < topic.threshold:
        reasons.append(f"score {score:g} is below the threshold {topic.threshold:g} ({topic.threshold - score:.3g} short)")
    hits = sorted((_hit(hit, segments[0 if in_title else 1], cue) for hit, in_title, cue in raw),
                  key=lambda h: (not h.in_title, h.start))
    return TopicScore(name, score, topic.threshold, not reasons, tuple(hits), tuple(evidence), tuple(reasons))


def _evidence(found: Found, earned: float, segments: list[Segment], detail: bool) -> Evidence:
    """The rule's points, where it holds, and the terms that made it hold there."""
    spans = []
    for unit in found.sentences if detail else ():
        start, end = segments[0 if unit.in_title else 1].tokens.span(unit.first, unit.last)
        spans.append((unit.in_title, start, end, PLACE_NAMES[unit.place] + (f" {unit.number}" if unit.number else "")))
    terms = {}
    if detail or earned > 0:  # `matched` lists the terms that counted for a topic
        terms = dict.fromkeys(entity.name if entity else key[2] for (key, entity, _, _), _, _ in found.raw())
    return Evidence(found.rule.text, earned, tuple(PLACE_NAMES[p] for p in found.places()), tuple(spans),
                    tuple(terms))


def _mentions(segments: list[Segment]) -> Iterator[Hit]:
    """Each entity once per spelling and segment, the longest where names overlap at a word:
    grouping needs which, not how often."""
    seen = set()
    for segment in segments:
        longest: dict[int, RawHit] = {}
        for hits in segment.hits.values():
            for raw in hits:
                if raw[1] is not None and (raw[2] not in longest or raw[3] > longest[raw[2]][3]):
                    longest[raw[2]] = raw
        for first in sorted(longest):
            raw = longest[first]
            marker = (raw[1].id, tuple(segment.tokens.words[first : raw[3] + 1]), segment.in_title)
            if marker not in seen:
                seen.add(marker)
                yield _hit(raw, segment, "")


def _hit(raw: RawHit, segment: Segment, cue: str) -> Hit:
    key, entity, first, last = raw
    start, end = segment.tokens.span(first, last)
    return Hit(key[2], segment.body[start:end], start, end, segment.in_title, entity, cue)
