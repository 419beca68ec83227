"""Same-story grouping: near-duplicate text, shared entities and time, against recent stories.

Each story keeps a fingerprint: a bottom-k MinHash sketch of its word 3-shingles (a
stable hash, so it survives restarts), its content words, entity ids, title words, the
places its headline names, and its time. Lightly edited agency copy shares many
shingles; rewritten copy of the same event shares content words, named entities and the
headline's key words; look-alike events (two strikes the same day, two mandate renewals)
share vocabulary but name different places in their headlines.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from classifiers.normalize import TOKEN, clitic_forms, normalize
from core.models import Classification, Hit

SKETCH = 128
SAME_STORY = 0.2  # same_story_score at or above which an article joins a story
PLACE_CONFLICT = 0.3  # factor when both headlines name places and none agree
PLACES = ("place_sy", "place")
WINDOW_HOURS = 48
# Frequent words carry no identity; clitic-stripped forms are compared.
_STOP = frozenset(
    normalize(w)
    for w in """في من على إلى الى عن مع أن إن ان كان كانت قد لقد ما لا لم لن هذا هذه ذلك تلك التي الذي الذين
    وقال قال قالت وأضاف أضاف أكد وأكد أن بعد قبل خلال حيث كما أو ثم بين عند منذ حول ضد لدى أي كل بعض
    غير يوم اليوم أمس الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت وفق بحسب نحو إنه انه هو هي هم
    """.split()
)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    sketch: tuple[int, ...]
    entities: frozenset[str]
    title_words: frozenset[str]
    published: float  # unix seconds
    words: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()  # places named in the headline

    def to_json(self) -> dict:
        return {"s": list(self.sketch), "e": sorted(self.entities), "t": sorted(self.title_words), "p": self.published,
                "w": sorted(self.words), "l": sorted(self.places)}

    @classmethod
    def from_json(cls, data: dict) -> "Fingerprint":
        return cls(tuple(data["s"]), frozenset(data["e"]), frozenset(data["t"]), float(data["p"]),
                   frozenset(data.get("w", ())), frozenset(data.get("l", ())))


def _words(text: str) -> list[str]:
    out = []
    for raw in TOKEN.findall(text):
        forms = clitic_forms(normalize(raw))
        word = min(forms, key=len) if forms else ""
        if len(word) > 1 and word not in _STOP:
            out.append(word)
    return out


def _key_words(text: str) -> str:
    return " ".join(_words(text))


def entity_keys(mentions: Iterable[Hit]) -> frozenset[str]:
    """What identifies an event's actors and places: entity ids, and the town itself for
    gazetteer entries that gather many towns (two strikes on two villages are two events)."""
    keys = set()
    for hit in mentions:
        if hit.entity is None:
            continue
        if hit.entity.id.endswith("_towns"):
            keys.add(f"{hit.entity.id}:{_key_words(hit.surface)}")
        else:
            keys.add(hit.entity.id)
    return frozenset(keys)


def headline_places(mentions: Iterable[Hit]) -> frozenset[str]:
    """Places the headline names, below the country: a governorate's id, or ``id:town``
    for a town listed under it (which the governorate contains)."""
    keys = set()
    for hit in mentions:
        entity = hit.entity
        if entity is None or not hit.in_title or entity.type not in PLACES or entity.id == "syria":
            continue
        surface, name = _key_words(hit.surface), _key_words(entity.name)
        keys.add(entity.id if name and name in surface else f"{entity.id}:{surface}")
    return frozenset(keys)


def fingerprint(
    title: str, text: str, entities: Iterable[str], published: float, places: Iterable[str] = ()
) -> Fingerprint:
    words = _words(f"{title} {text}")
    shingles = {zlib.crc32(" ".join(words[i : i + 3]).encode()) for i in range(max(1, len(words) - 2))}
    return Fingerprint(
        sketch=tuple(sorted(shingles)[:SKETCH]),
        entities=frozenset(entities),
        title_words=frozenset(_words(title)),
        published=published,
        words=frozenset(words),
        places=frozenset(places),
    )


def article_fingerprint(title: str, text: str, classification: Classification, published: float) -> Fingerprint:
    """The fingerprint the worker stores for an article. Content words leave out the
    watch vocabulary (topic terms and gazetteer mentions): every story on these topics
    shares it, so only the rest tells two events apart."""
    mentions = classification.mentions
    matched = {h.surface for h in mentions} | {h.surface for s in classification.topics.values() for h in s.hits}
    vocabulary = set(_words(" ".join(matched)))
    print_ = fingerprint(title, text, entity_keys(mentions), published, headline_places(mentions))
    return replace(print_, words=print_.words - vocabulary)


def resemblance(a: Fingerprint, b: Fingerprint) -> float:
    """Bottom-k estimate of the shingle Jaccard similarity."""
    if not a.sketch or not b.sketch:
        return 0.0
    union = sorted(set(a.sketch) | set(b.sketch))[:SKETCH]
    both = set(a.sketch) & set(b.sketch)
    return sum(1 for h in union if h in both) / len(union)


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _overlap(a: frozenset, b: frozenset) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _region(place: str) -> str:
    return place.split(":")[0].removesuffix("_towns")


def places_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both headlines name places and none of them agree (a town agrees with its governorate)."""
    return bool(a and b) and not any(x == y or _region(x) == y or _region(y) == x for x in a for y in b)


def same_story_score(a: Fingerprint, b: Fingerprint) -> float:
    """0..1: how likely two articles report one event."""
    if abs(a.published - b.published) > WINDOW_HOURS * 3600:
        return 0.0
    text = resemblance(a, b)
    if text >= 0.35:  # the same copy, lightly edited
        return min(1.0, 0.6 + text)
    words = _overlap(a.words, b.words)
    entities = _jaccard(a.entities, b.entities)
    title = _jaccard(a.title_words, b.title_words)
    hours = abs(a.published - b.published) / 3600
    closeness = 1.0 if hours <= 12 else 0.8 if hours <= 24 else 0.6
    score = (0.55 * words + 0.25 * entities + 0.2 * title) * closeness
    if places_conflict(a.places, b.places):
        score *= PLACE_CONFLICT
    return round(score, 4)


def find_story(
    candidate: Fingerprint, stories: Sequence[tuple[str, Fingerprint]], threshold: float = SAME_STORY
) -> str | None:
    """Id of the recent story this article belongs to, or None for a new story."""
    best_id, best = None, threshold
    for story_id, other in stories:
        score = same_story_score(candidate, other)
        if score >= best:
            best_id, best = story_id, score
    return best_id
