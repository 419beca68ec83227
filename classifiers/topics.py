"""Per-topic scores from matched terms and entities, each score explained.

A topic alerts when its score reaches the threshold, every group has a match (and is
near the group it must be near), and enough distinct patterns matched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from classifiers.gazetteer import Gazetteer
from classifiers.language import detect_language
from classifiers.matcher import Lexicon, RawHit, Tokens
from core.config import TopicConfig
from core.models import Classification, Entity, Hit, TopicScore

REPEAT_BONUS = 0.25  # each further occurrence adds a quarter of the weight...
REPEAT_CAP = 4  # ...up to four times
TITLE = 0  # segment index of the headline, which is near everything in the story
MENTION = "@mention"  # pseudo-pattern under which every gazetteer entity is matched


@dataclass(frozen=True, slots=True)
class Classifier:
    lexicon: Lexicon
    topics: Mapping[str, TopicConfig]
    languages: tuple[str, ...]


def expand(pattern: str, gazetteer: Gazetteer) -> Iterator[tuple[str, Entity | None]]:
    """(phrase, entity) pairs a pattern stands for: ``@type:T``, ``@entity_id`` or a phrase."""
    if pattern.startswith("@type:"):
        for entity in gazetteer.of_type(pattern[6:]):
            for alias in gazetteer.aliases[entity.id]:
                yield alias, entity
    elif pattern.startswith("@"):
        entity = gazetteer.by_id(pattern[1:])
        if entity:
            for alias in gazetteer.aliases[entity.id]:
                yield alias, entity
    else:
        yield pattern, None


def topic_patterns(topic: TopicConfig) -> set[str]:
    patterns = set(topic.terms) | set(topic.exclude)
    for group in topic.groups:
        patterns.update(group.any)
    return patterns


def unknown_references(topic: TopicConfig, gazetteer: Gazetteer) -> list[str]:
    """Entity patterns that name no entity (a config error, not a silent miss)."""
    return sorted(p for p in topic_patterns(topic) if p.startswith("@") and not any(expand(p, gazetteer)))


def build_classifier(
    topics: Mapping[str, TopicConfig], gazetteer: Gazetteer, languages: tuple[str, ...] = ("ar",)
) -> Classifier:
    phrases = []
    for topic in topics.values():
        for pattern in sorted(topic_patterns(topic)):  # sorted: the same order under any hash seed
            phrases.extend((pattern, phrase, entity) for phrase, entity in expand(pattern, gazetteer))
    for entity in gazetteer.entities:  # every entity is found, for grouping, whether a topic weighs it or not
        phrases.extend((MENTION, alias, entity) for alias in gazetteer.aliases[entity.id])
    return Classifier(Lexicon(phrases), dict(topics), tuple(languages))


def classify(classifier: Classifier, title: str, text: str, lang: str | None = None) -> Classification:
    lang = lang or detect_language(f"{title}\n{text}")
    lexicon = classifier.lexicon
    segments = []
    for in_title, body in ((True, title), (False, text)):
        tokens = lexicon.tokens(body)
        segments.append((in_title, body, tokens, lexicon.scan(tokens)))
    scores = {
        name: _score(name, topic, segments, lang in classifier.languages, lang)
        for name, topic in classifier.topics.items()
    }
    mentions = tuple(_mentions(segments))
    return Classification(lang, scores, mentions)


def _score(name: str, topic: TopicConfig, segments: list, lang_ok: bool, lang: str) -> TopicScore:
    excluded = set(topic.exclude)
    terms, grouped = topic.terms, _grouped(topic)
    hits: list[tuple[Hit, int, int]] = []  # hit, segment index, token index; in text order, as scanned
    for seg_index, (in_title, body, tokens, raw_hits) in enumerate(segments):
        blocked = [(first, last) for pattern, _, first, last in raw_hits if pattern in excluded]
        for raw in raw_hits:
            pattern, _, first, last = raw
            if pattern not in terms and pattern not in grouped:
                continue
            if blocked and any(b_first <= last and first <= b_last for b_first, b_last in blocked):
                continue
            hits.append((_hit(raw, body, tokens, in_title), seg_index, first))

    by_pattern: dict[str, list[Hit]] = defaultdict(list)  # one hit per place: scan keeps the longest
    for hit, _, _ in hits:
        by_pattern[hit.pattern].append(hit)
    contributions = []
    for pattern, found in by_pattern.items():
        weight = terms.get(pattern, 0.0)
        if not weight:
            continue
        boost = topic.title_boost if any(h.in_title for h in found) else 1.0
        repeats = min(len(found) - 1, REPEAT_CAP)
        contributions.append((pattern, round(weight * boost * (1 + REPEAT_BONUS * repeats), 3)))
    contributions.sort(key=lambda c: (-c[1], c[0]))  # ties by name: stable across runs
    score = round(sum(points for _, points in contributions), 3)

    reasons = []
    if not lang_ok:
        reasons.append(f"language {lang!r} is not watched")
    if score < topic.threshold:
        reasons.append(f"score {score:g} is below the threshold {topic.threshold:g} ({topic.threshold - score:.3g} short)")
    distinct = sum(1 for _, points in contributions if points > 0)
    if distinct < topic.min_distinct:
        reasons.append(f"{distinct} distinct matches, {topic.min_distinct} needed")
    reasons.extend(_group_reasons(topic, hits))
    return TopicScore(
        topic=name,
        score=score,
        threshold=topic.threshold,
        alert=not reasons,
        hits=tuple(h for h, _, _ in hits),
        contributions=tuple(contributions),
        reasons=tuple(reasons),
    )


def _mentions(segments: list) -> Iterator[Hit]:
    """Each entity once per spelling and segment: grouping needs which, not how often."""
    seen = set()
    for in_title, body, tokens, raw_hits in segments:
        for raw in raw_hits:
            pattern, entity, first, last = raw
            if pattern != MENTION:
                continue
            key = (entity.id, tuple(tokens.words[first : last + 1]), in_title)
            if key not in seen:
                seen.add(key)
                yield _hit(raw, body, tokens, in_title)


def _grouped(topic: TopicConfig) -> frozenset[str]:
    return frozenset(p for group in topic.groups for p in group.any)


def _group_reasons(topic: TopicConfig, hits: list[tuple[Hit, int, int]]) -> list[str]:
    positions: dict[str, list[tuple[int, int]]] = {}
    for group in topic.groups:
        wanted = set(group.any)
        positions[group.name] = [(seg, tok) for hit, seg, tok in hits if hit.pattern in wanted]
    reasons = []
    for group in topic.groups:
        mine = positions[group.name]
        if not mine:
            reasons.append(f"group {group.name!r} has no match")
        elif group.near:
            theirs = positions[group.near]
            close = any(
                TITLE in (s1, s2) or (s1 == s2 and abs(t1 - t2) <= topic.proximity)
                for s1, t1 in mine
                for s2, t2 in theirs
            )
            if theirs and not close:
                reasons.append(f"group {group.name!r} is not within {topic.proximity} words of {group.near!r}")
    return reasons


def _hit(raw: RawHit, body: str, tokens: Tokens, in_title: bool) -> Hit:
    pattern, entity, first, last = raw
    start, end = tokens.span(first, last)
    return Hit(pattern, body[start:end], start, end, in_title, entity)
