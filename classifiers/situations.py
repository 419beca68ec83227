"""Situations: the threads a desk follows on a day, made of stories (classifiers/grouping.py).

A situation gathers an incident with its reports, the statements, threats and decisions
that answer it and the Council acts about it; or one Council file's session with what is
said at it and about it. A new story joins the situation of the same day that it is about:

- an *incident* (violence that happened) joins only through another report of it: one of
  the situation's incidents as alike at the same place, or a place the situation names
  below the governorate (a town of the Ghouta offensive): a bombing in Damascus is a new
  thread beside the day's Damascus toll; or as the strike a situation's talks weighed (its
  force's strike weighed or threatened in them, their anchors named in the report);
- a story that tells of an outside force's strike (the US, Israel, Turkey...) joins the day's
  situation where that strike is reported done: its reports and the answers to it;
- any other story joins when it reads like one of the situation's reports (the same event
  told differently), or names a place inside one the situation names, below the governorate;
- anything else (a statement, a threat, a Council act, an analysis) joins when its headline
  and opening paragraphs name the situation's *anchors*, the rare words of its first
  reports' headlines and leads («دوما», «الكيماوي», «التيفور»), with enough weight.

Different countries or places veto, as they do for stories. When unsure it stays apart:
a wrong merge silences a desk's alert, a split costs one notification.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from classifiers.credit import without_credit
from classifiers.events import VIOLENCE, concepts
from classifiers.grouping import (
    BROAD,
    COPY,
    FOREIGN_FORCES,
    INCIDENT_HOURS,
    Fingerprint,
    deepest_places,
    likeness,
    place_path,
    places_conflict,
    rarity,
    same_place,
)
from classifiers.normalize import content_words

SITUATION_HOURS = 24  # a situation's reports this recent (and of the same day) are compared with
SAME_INCIDENT = 0.3  # likeness at which a report is of one of the situation's events
ANCHOR_RARITY = 4.5  # a word of the situation's first headlines and leads this rare is an anchor (IDF)
ANCHOR_EVIDENCE = 12.0  # summed rarity of the anchors a story must name to join
ANCHOR_REPORTS = 2  # the situation's first reports give its anchors
PLACE_DEPTH = 2  # an incident joins on a shared place this deep: an area or a town, not a governorate
OPENING_CHARS = 1500  # of a text, where a story names what it is about
# Event concepts specific enough to anchor a thread whatever the spelling («كيماوي», «كيميائي»), as rare as a word.
CONCEPT_ANCHORS = {"chemical": 6.0, "massacre": 5.0}
ENTITY_ANCHOR = 2.0  # an actor or place the situation's first reports name (Syria itself excepted)
GENERAL_CONCEPT_ANCHOR = 2.0  # violence concepts any thread of the day may share
FRESH_HOURS = 2.0  # a situation this fresh (its latest report) is joined on less evidence: breaking news
FRESH_SHARE = 0.75
VIOLENCE_AFTER_WORDS = "violence after words"  # a development: the strike that threats and talks weighed
# What every war report says, however rare in news at large: never an anchor (a thread is told apart by its
# places, actors and figures, not by «غارات» or «ريف»)
WAR_WORDS = frozenset(content_words(
    "ضربات ضربة المرصد استهدفت غارات فصائل طائرات ريف جوي جوية فجر قتيل قتلى تسيطر يسيطر سيطرة وقع وقوع شنت شن "
    "جراء مقاتلي مقاتلين قتال معارك مسلحين حربية أطلقت استهدف تستهدف إرهابيين إرهابي سكان شرقي غربي جنوبي شمالي "
    "معقل محاصرة صاروخ صاروخية تصعيد استعادة إجلاء حي بلدة خاضعة سقوط داعش رامي الرحمن برس فرانس تلفزيون "
    "براميل مروحيات محيط تفجير مفخخة انتحاري بلدات قرى وحدات غطاء قتلوا "
    # and counting words
    "ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة عشرات عشرين ثلاثين أربعين خمسين مئات"))
VETO = frozenset(content_words("فيتو الفيتو النقض"))  # only the Council's members veto
# Words that weigh a strike in a report's headline or lead: a response, a threat («الرد الدولي», «سنرد»)
RESPONSE = frozenset(content_words("رد ردا الرد سنرد يرد ترد ردود انتقام خيارات يتوعد تتوعد يهدد تهدد"))


@dataclass(frozen=True, slots=True)
class Link:
    """Why a story joins a situation, for logs and explain."""

    situation: str
    reason: str  # "same strike", "same event", "same place", "threat carried out", "anchors"
    weight: float


@dataclass(frozen=True, slots=True)
class Reports:
    """A situation's reports of one day, gathered once for the many new stories checked
    against it: most are turned away by these summaries without reading each report."""

    members: tuple[Fingerprint, ...]
    anchors: dict[str, float]  # the rare words of its first reports
    anchor_words: frozenset[str]  # its keys as a set, so that overlaps are found in C
    first: float  # the earliest and latest report
    last: float
    countries: frozenset[frozenset[str]]  # the countries each report names, when it names one
    headline_places: frozenset[frozenset[str]]  # the places each report's headline names, when it names one
    places: frozenset[str]
    struck: frozenset[str]  # outside forces whose strike a report tells as done
    weighed: frozenset[str]  # outside forces whose strike the reports that are not incidents talk of, or threaten
    peaks: dict[str, float]  # each word's highest weight in any report
    peak_words: frozenset[str]  # its keys as a set
    shingles: frozenset[int]  # every report's copy sketch


def reports(members: Iterable[Fingerprint], anchored: dict[str, float] | None = None) -> Reports:
    """A situation's reports (``anchored``: its anchors, when they come from more of them)."""
    members = tuple(members)
    anchored = anchors(list(members)) if anchored is None else anchored
    peaks: dict[str, float] = {}
    for member in members:
        for word, weight in member.vector.items():
            if weight > peaks.get(word, 0.0):
                peaks[word] = weight
    moments = [m.published for m in members] or [0.0]
    return Reports(
        members=members,
        anchors=anchored,
        anchor_words=frozenset(anchored),
        first=min(moments),
        last=max(moments),
        countries=frozenset(m.countries for m in members if m.countries),
        headline_places=frozenset(m.places for m in members if m.places),
        places=frozenset(p for m in members for p in m.places),
        struck=frozenset(f for m in members if m.incident for f in m.attackers),
        weighed=frozenset(f for m in members if not m.incident for f in _weighing(m)),
        peaks=peaks,
        peak_words=frozenset(peaks),
        shingles=frozenset().union(*(m.sketch for m in members)),
    )


def _may_read_alike(candidate: Fingerprint, thread: Reports) -> bool:
    """Whether any report could read SAME_INCIDENT alike (classifiers/grouping.py likeness): an
    upper bound, each shared word at its highest weight and every entity shared, or a possible copy
    (one shares at least half the candidate's sketch). Most of a day's situations fail it cheaply."""
    own = candidate.sketch
    if own and not own.isdisjoint(thread.shingles) and len(own & thread.shingles) >= COPY * len(own):
        return True
    vector, peaks = candidate.vector, thread.peaks
    bound = sum([vector[word] * peaks[word] for word in candidate.terms & thread.peak_words]) + 0.1
    return bound >= SAME_INCIDENT - 1e-4  # likeness is rounded to four decimals


def reach(title: str, text: str, entities: Iterable[str] = ()) -> frozenset[str]:
    """The words (and event concepts, as #concept, and entities, as @id) a story is read by for
    anchors: its headline and opening paragraphs."""
    opening = f"{title}\n{without_credit(text)[:OPENING_CHARS]}"
    return frozenset(content_words(opening)) | {f"#{c}" for c in concepts(opening)} | {f"@{e}" for e in entities}


def anchors(members: list[Fingerprint]) -> dict[str, float]:
    """The rare words of a situation's first reports' headlines and leads, with their rarity."""
    first = sorted(members, key=lambda m: m.published)[:ANCHOR_REPORTS]
    return {word: weight for member in first for word in member.vector if (weight := _anchor_weight(word))}


def link_keys(member: Fingerprint) -> set[str]:
    """What a report of a situation can be reached by: its rare words, its actors and places
    (deep enough), its specific concepts. A story that shares none of them cannot join it, so
    the index compares a new story only with the situations it shares keys with."""
    keys = {word for word in member.vector
            if _anchor_weight(word) and (word[0] != "#" or word[1:] in CONCEPT_ANCHORS)}  # not any violence
    return keys | _place_keys(member.places) | (_attacker_keys(member) if member.incident else set())


def _attacker_keys(member: Fingerprint) -> set[str]:
    return {"!" + force for force in member.attackers}


@lru_cache(maxsize=1 << 17)
def _anchor_weight(word: str) -> float:
    """How much naming ``word`` (a word, a #concept, an @entity) ties a story to a situation; 0: nothing."""
    kind, name = word[0], word[1:]
    if kind == "#":
        return CONCEPT_ANCHORS.get(name, GENERAL_CONCEPT_ANCHOR if name in VIOLENCE else 0.0)
    if kind == "@":
        return 0.0 if name in BROAD else ENTITY_ANCHOR
    rare = rarity().idf(word)
    return rare if rare >= ANCHOR_RARITY and word not in WAR_WORDS else 0.0


def candidate_keys(candidate: Fingerprint, words: frozenset[str]) -> set[str]:
    """The keys a new story reaches situations by (see link_keys)."""
    return set(words) | set(candidate.vector) | _place_keys(candidate.places) | _attacker_keys(candidate)


def _place_keys(places: Iterable[str]) -> set[str]:
    return {"^" + "/".join(path[:depth]) for place in places for path in [place_path(place)]
            for depth in range(PLACE_DEPTH, len(path) + 1)}


def _within(new: frozenset[str], known: Iterable[str]) -> bool:
    """The most specific places the new story names lie inside ones the situation names, deep enough."""
    if not new:
        return False
    held = [path for path in map(place_path, known) if len(path) >= PLACE_DEPTH]
    return bool(held) and all(any(n[: len(h)] == h for h in held) for n in deepest_places(new))


def _anchored(candidate: Fingerprint, words: frozenset[str], thread: Reports) -> float:
    """The weight of the situation's anchors the story names, when enough (less for a fresh situation), or 0."""
    anchored = thread.anchors
    weight = sum([anchored[word] for word in thread.anchor_words & words])
    if weight < ANCHOR_EVIDENCE * FRESH_SHARE:
        return 0.0
    fresh = min(abs(candidate.published - m.published) for m in thread.members) <= FRESH_HOURS * 3600
    return round(weight, 2) if weight >= ANCHOR_EVIDENCE * (FRESH_SHARE if fresh else 1.0) else 0.0


def situation_link(candidate: Fingerprint, words: frozenset[str], situation: str, thread: Reports) -> Link | None:
    """How ``candidate`` (a new story's first report, ``words`` its reach) joins a situation whose
    reports of the day are ``thread``, or None."""
    window = SITUATION_HOURS * 3600
    if candidate.published - thread.first > window or thread.last - candidate.published > window:
        thread = reports((m for m in thread.members if abs(candidate.published - m.published) <= window),
                         thread.anchors)
        if not thread.members:
            return None

    def likest(among: Iterable[Fingerprint] = thread.members) -> float:
        return max((likeness(candidate, m) for m in among), default=0.0)

    other_country = bool(candidate.countries) and any(candidate.countries.isdisjoint(c) for c in thread.countries)
    if candidate.attackers & thread.struck and not other_country and _struck_then(candidate, thread):
        return Link(situation, "same strike", 100 + likest())  # at any place
    if other_country or (candidate.places and any(places_conflict(candidate.places, p) for p in thread.headline_places)):
        return None

    alike = _may_read_alike(candidate, thread)
    if candidate.incident:  # only through another report of it: the same place, or one as alike
        if _within(candidate.places, thread.places):
            return Link(situation, "same place", 100 + likest())
        like = likest(m for m in thread.members if m.incident and same_place(candidate, m)) if alike else 0.0
        if like >= SAME_INCIDENT:
            return Link(situation, "same event", 100 + like)
        # or as the strike the situation's words weighed: its force's strike talked of there, its anchors named here
        weight = _anchored(candidate, words, thread) if candidate.attackers & thread.weighed else 0.0
        return Link(situation, "threat carried out", weight) if weight else None
    like = likest() if alike else 0.0
    if like >= SAME_INCIDENT:
        return Link(situation, "same event", 100 + like)
    if _within(candidate.places, thread.places):
        return Link(situation, "same place", 100 + (like if alike else likest()))
    weight = _anchored(candidate, words, thread)
    return Link(situation, "anchors", weight) if weight else None


def _struck_then(candidate: Fingerprint, thread: Reports) -> bool:
    """A report of a strike, of the situation's strike when one of its reports of that force's strike is
    within INCIDENT_HOURS: one operation's reports follow each other, while a strike the next night is
    another (Israel's at al-Kiswah, then on the Golan). Words about the strike join it all day."""
    if not candidate.incident:
        return True
    return any(m.incident and not m.attackers.isdisjoint(candidate.attackers)
               and abs(m.published - candidate.published) <= INCIDENT_HOURS * 3600 for m in thread.members)


def _weighing(report: Fingerprint) -> frozenset[str]:
    """The outside forces a report that is not an incident weighs striking: their strike talked of
    («تحسباً لضربة أميركية»), or named beside a threat or a response («ماي وماكرون يناقشان الرد»),
    not named condemning («إسرائيل تدين الهجوم الكيميائي»)."""
    if report.threat or not RESPONSE.isdisjoint(report.terms):
        return report.strikers | FOREIGN_FORCES.intersection(report.entities)
    return report.strikers


def development(story: Fingerprint, rung: list[Fingerprint]) -> str | None:
    """Why a later story of a situation changes it enough to ring again, or None: a Council
    act where none rang yet, violence after threats and statements, a new incident at a
    place none of the rung stories named."""
    if _council_act(story) and not any("council" in r.actions for r in rung):
        return "a Council act"
    if story.incident and not any(r.incident for r in rung):
        return VIOLENCE_AFTER_WORDS
    rung_places = {p for r in rung for p in r.places}
    if story.incident and story.places and not story.places & rung_places:
        return "a new incident elsewhere"
    return None


def _council_act(story: Fingerprint) -> bool:
    """The headline tells of the Council acting (its session, a vote, a veto, its statement), not of
    another actor's words to it («فرنسا تطالب مجلس الأمن بجلسة طارئة»), nor of a parliament's vote
    («كوربين يطالب بتصويت البرلمان»): the Council is named, or a veto."""
    return ("council" in story.actions and ("statement" not in story.actions or story.actor in (None, "unsc"))
            and ("unsc" in story.entities or not VETO.isdisjoint(story.vector)))
