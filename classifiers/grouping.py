"""Same-story grouping: one story per event, told apart from the day's look-alikes.

An event is who did what, where, when; real coverage says it in the headline and the
lead. An article's fingerprint is therefore its headline and lead as a vector of words
weighted by rarity (IDF learned from real Arabic news: «سوريا» and «قصف» say little, «دوما»
and «فيتو» much), plus what names the event: the countries and places it happens in,
the kind of action in the headline (violence, a Council act, a statement, a meeting, a
decision) and the headline's actor. A new article joins a story when it reads like one
of the story's members (not like an ever-growing union of them) and nothing vetoes it
against any member: different countries or places, a different kind of action, a
different actor speaking, a threat beside the act it threatens, events dated to different
days, ground fighting beside a blast or an air raid. When unsure it stays apart: a split costs one extra alert, a
merge costs a lost one. Near-duplicate copy (one outlet's item filed twice, agency
copy lightly edited) is recognised from the whole text.
"""

from __future__ import annotations

import gzip
import math
import re
import zlib
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from classifiers.credit import credit_end, without_credit
from classifiers.events import CONCEPT, VIOLENCE, concepts, is_incident, tells_casualties
from classifiers.normalize import clitic_forms, content_tokens, content_words, normalize, tokens
from core.models import Classification, Hit

SAME_STORY = 0.5  # similarity at or above which an article joins a story (tuned on real news days)
SAME_INCIDENT = 0.33  # two reports of violence that happened on one day, this alike within INCIDENT_HOURS:
INCIDENT_HOURS = 12  # one incident (a bombing told in five wordings shares its act, place and day, not its words)
SAME_SESSION = 0.35  # two reports of Council acts on one country's file on one day, this alike: one session
OVER_VETO = 0.8  # two reports this alike tell one event whatever a veto reads («يتوعد» and «سيدفعون ثمناً باهظاً»)
COPY = 0.5  # shingle resemblance at or above which two texts are one copy
COPY_CHARS = 1500  # of a text's opening, where copies are compared
WINDOW_HOURS = 36  # an event's reports arrive within about a day
# ...but past the desk's midnight only this close (or a copy of its text, or one incident's reports) do they continue it
OVERNIGHT_HOURS = 2
SKETCH = 64
MEMBERS = 12  # members a story keeps to compare with: its first and its latest
ENTITY_WEIGHT = 1.0  # a name counts as much as its rarest word, whatever its spelling
CONCEPT_WEIGHT = 2.0  # «انفجار» and «تفجير», «قتلى» and «مصرع»: one event concept (classifiers/events.py)
RARITY = Path(__file__).with_name("word_rarity.tsv.gz")
ACTORS = ("person", "org", "state", "armed_group")
PLACES = ("place_sy", "place")
STATES = frozenset({"syria", "damascus", "yemen", "libya", "iraq", "lebanon", "egypt", "sudan", "ukraine",
                    "afghanistan", "somalia", "pakistan", "dprk"})  # places that also name a government
SEATS = {"damascus": "syria"}  # «دمشق تدعو...» is Syria speaking (other capitals are their state's aliases)
BROAD = frozenset({"syria", "syria_regions"})  # too wide to tell two events apart
# Outside forces whose strikes in a country are singular events: all of one day's reports of
# them are one strike and its thread («ضربة ثلاثية», «صواريخ كروز», «مقاتلات تورنادو»), whatever
# place or wording each names («طائرات روسية تقصف تلبيسة», «أولى الضربات الجوية الروسية»). Not the
# forces that fight there every day (the army, Iran's militias); reports of strikes at two places
# stay apart whoever strikes (places_conflict).
FOREIGN_FORCES = frozenset({"usa", "uk", "france", "israel", "turkey", "coalition", "russia"})
ARMED_ACTS = frozenset({"strike", "shelling", "bombing"})  # event concepts of an armed act (not "air": «طائرات»)
RAIDS = frozenset(content_words("غارة غارات"))
AGENT_WORDS = 3  # a force this many words from an armed act, in one clause, is the one acting
# Words of a target between an act and a force named after it: the force is struck («هجوم على قاعدة
# للتحالف», «صواريخ على أهداف إسرائيلية»)
TARGETS = frozenset(normalize(w) for w in ("على", "ضد", "قاعدة", "قواعد", "مواقع", "أهداف", "هدف"))
# A force named as another's backer, leader or seat: «المدعومة من», «بدعم من», «حليفة واشنطن», «ومقره بريطانيا»,
# «التحالف بقيادة الولايات المتحدة» (the coalition strikes)
ASIDES = tuple(normalize(w) for w in ("مدعوم", "بدعم", "حليف", "مقر", "بقيادة", "تقوده", "يقوده"))
# A state named for its land, not its forces: «قرب الحدود التركية», «داخل الأراضي التركية», «جنوب تركيا»
LAND = frozenset(content_words("الحدود الأراضي الأجواء داخل جنوب شمال شرق غرب جنوبي شمالي"))
_CLAUSE = re.compile(r"[.:،؛!?\u061f\n|]|\s-\s")  # what ends a clause or a headline's part («هجوم دوما.. واشنطن»)
# Military commands that speak for a force's strikes, read for them only (as entities they would
# make every Pentagon briefing one actor's story): a text that names one and an armed act tells its strike.
COMMANDS = {word: force for force, words in {"usa": "البنتاغون البنتاجون"}.items() for word in content_words(words)}
# Words of office before a name or a state: «وزير الخارجية العراقي», «المتحدث باسم الكرملين» speak for it
ROLES = frozenset(content_words(
    "وزير وزيرة وزراء الخارجية الدفاع الداخلية رئيس رئيسة الرئيس الحكومة مندوب مندوبة سفير سفيرة المتحدث الناطق "
    "باسم الملك أمير ولي العهد نائب قائد زعيم المبعوث الخاص الأمين العام"))
# A headline that threatens or brandishes an act («تلوح بالفيتو», «يتوعد بالرد») reports another event
# than one that reports the act (the veto cast, the strike made), however alike they read.
THREATS = frozenset(content_words("يهدد تهدد هدد هددت يلوح تلوح لوح لوحت يتوعد تتوعد توعد توعدت"))
# Ground fighting and a blast or an air raid at one place on one day are two incidents («اشتباكات
# في الغوطة», «طائرات حربية تقصف الغوطة»); a report naming both is a toll of the day.
GROUND = frozenset({"clashes", "capture"})
BLASTS = frozenset({"bombing", "air"})
# The day a headline dates its event to («اليوم», «أمس», «الأربعاء») is the outlet's day: Damascus,
# Baghdad and Riyadh are UTC+3 (Cairo +2).
NEWS_DAY_OFFSET = 3 * 3600
_WEEKDAYS = {normalize(word): n for n, word in enumerate(("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت",
                                                           "الأحد"))}
_RELATIVE = {normalize("اليوم"): 0, normalize("أمس"): 1}
_END = re.compile(r"[.!?\n\u061f]+")


# The kind of act a headline reports; two headlines of different kinds report different events.
ACTIONS = {kind: frozenset(content_words(verbs)) for kind, verbs in {
    "violence": "غارة غارات قصف يقصف تقصف قصفت ضربة ضربات هجوم هجمات اشتباكات معارك قتلى مقتل قتيل "
                "تفجير انفجار صواريخ صاروخ يستهدف تستهدف استهداف مجزرة كمين يخطف تخطف خطف اختطاف",
    "council": "مجلس جلسة تصويت فيتو النقض مشروع قرار يصوت اجتماع",
    "statement": "يحذر تحذر حذر يدين تدين يدعو تدعو دعا يطالب تطالب يتهم تتهم ترفض يرفض تنفي ينفي يؤكد "
                 "تؤكد يتوعد تتوعد تهدد يهدد يناشد تناشد ناشد",
    "meeting": "يلتقي تلتقي لقاء قمة زيارة يزور يبحث تبحث اتصال محادثات مفاوضات",
    "decision": "يصدر تصدر مرسوم قرار يعلن تعلن عقوبات تفرض يفرض",
}.items()}


@dataclass(frozen=True, slots=True)
class Rarity:
    documents: int
    frequency: dict[str, int]  # word -> documents it occurs in

    def idf(self, word: str) -> float:
        return math.log((self.documents + 1) / (self.frequency.get(word, 0) + 1)) + 1.0


@lru_cache(maxsize=1)
def rarity() -> Rarity:
    """Document frequencies of real Arabic news (built by devtools.build_rarity), read once."""
    lines = gzip.decompress(RARITY.read_bytes()).decode("utf-8").splitlines()
    documents = int(lines[0].split()[-1])
    frequency = {word: int(count) for word, count in (line.split("\t") for line in lines[1:])}
    return Rarity(documents, frequency)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What identifies the event one article reports."""

    published: float  # unix seconds
    vector: dict[str, float]  # headline (twice) and lead, IDF-weighted, unit length
    sketch: frozenset[int]  # bottom-k of the opening's word 3-shingles
    countries: frozenset[str]  # named in the headline or lead ("syria" for any Syrian place)
    places: frozenset[str]  # the headline's places below the country (id, or id:town)
    actions: frozenset[str]  # kinds of act the headline reports
    actor: str | None  # the entity the headline opens with, or quotes
    entities: frozenset[str]  # entity ids in the headline and lead
    incident: bool = False  # the headline reports violence that happened (classifiers/events.py)
    casualties: bool = False  # the headline tells of dead or wounded
    attackers: frozenset[str] = frozenset()  # outside forces whose strike the headline or lead tells of
    threat: bool = False  # the headline threatens an act (THREATS)
    violence: frozenset[str] = frozenset()  # the kinds of violence the headline names (event concepts)
    told_day: int | None = None  # the day the headline dates its event to (اليوم, أمس, الأربعاء), the outlets' day
    strikers: frozenset[str] = frozenset()  # outside forces the headline (else the lead) tells striking, read closely
    terms: frozenset[str] = field(init=False, repr=False, compare=False)  # the vector's words, for fast overlaps

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", frozenset(self.vector))

    def to_json(self) -> dict:
        return {"t": self.published, "v": sorted(self.vector.items()), "s": sorted(self.sketch),
                "c": sorted(self.countries), "p": sorted(self.places), "a": sorted(self.actions),
                "r": self.actor, "e": sorted(self.entities), "i": self.incident, "k": self.casualties,
                "x": sorted(self.attackers), "h": self.threat, "w": sorted(self.violence), "d": self.told_day,
                "y": sorted(self.strikers)}

    @classmethod
    def from_json(cls, data: dict) -> Fingerprint:
        return cls(float(data["t"]), dict(data["v"]), frozenset(data["s"]), frozenset(data["c"]), frozenset(data["p"]),
                   frozenset(data["a"]), data["r"], frozenset(data["e"]), bool(data.get("i")), bool(data.get("k")),
                   frozenset(data.get("x", ())), bool(data.get("h")), frozenset(data.get("w", ())),
                   data.get("d"), frozenset(data.get("y", ())))


def article_fingerprint(title: str, text: str, classification: Classification, published: float) -> Fingerprint:
    """The fingerprint of one article (``classification`` with its entity mentions)."""
    idf = rarity().idf
    credit = credit_end(text)
    text = without_credit(text, credit)
    lead = lead_of(text)
    mentions = [h for h in classification.mentions if h.in_title or credit <= h.start < len(lead)]
    said_title, said_lead = content_tokens(title), content_tokens(lead)  # cut once, read by every part below
    title_list = [word for _, _, word in said_title if word]
    weights: Counter[str] = Counter()
    for word in title_list:
        weights[word] += 2 * idf(word)
    for _, _, word in said_lead:
        if word:
            weights[word] += idf(word)
    title_concepts = concepts(title)
    for concept in set(title_concepts):
        weights[f"#{concept}"] += 2 * CONCEPT_WEIGHT
    for concept in set(concepts(lead)):
        weights[f"#{concept}"] += CONCEPT_WEIGHT
    for hit in mentions:  # «روسيا» and «الروسي», «إسرائيل» and «العدوان الإسرائيلي»: one name
        weights[f"@{hit.entity.id}"] += ENTITY_WEIGHT * _entity_rarity(hit.entity.name) * (2 if hit.in_title else 1)
    title_words = set(title_list)
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    countries = {h.entity.id for h in mentions if h.entity.type == "place"}
    if any(h.entity.type == "place_sy" for h in mentions):
        countries.add("syria")
    headline = sorted((h for h in mentions if h.in_title), key=lambda h: h.start)
    lead_hits = [h for h in mentions if not h.in_title]
    forces_title = [h for h in headline if h.entity.id not in FOREIGN_FORCES or not _named_apart(title, said_title, h)]
    forces_lead = [h for h in lead_hits if h.entity.id not in FOREIGN_FORCES or not _named_apart(lead, said_lead, h)]
    return Fingerprint(
        published=published,
        vector={word: round(w / norm, 4) for word, w in weights.items()},
        sketch=sketch(text),
        countries=frozenset(countries),
        places=headline_places(headline),
        actions=frozenset(kind for kind, forms in ACTIONS.items() if forms & title_words),
        actor=_actor(title, headline),
        entities=frozenset(h.entity.id for h in mentions),
        incident=is_incident(title),
        casualties=tells_casualties(title),
        attackers=_attackers(said_title, said_lead, forces_title, forces_lead),
        strikers=_striking(title, said_title, forces_title) or _striking(lead, said_lead, forces_lead),
        threat=bool(THREATS & title_words),
        violence=VIOLENCE.intersection(title_concepts),
        told_day=_told_day(title, published),
    )


Said = list[tuple[int, int, str]]  # a text's tokens: span and content word (normalize.content_tokens)


def _attackers(title: Said, lead: Said, headline: list[Hit], lead_hits: list[Hit]) -> frozenset[str]:
    """The outside forces the headline names with an armed act, else those the lead names with one
    («بدء ضربة ثلاثية لسوريا» names its three states in the lead). A wide reading, for the situation
    a strike's reports and answers share; a story reads `strikers` (_striking)."""
    named = {h.entity.id for h in headline if h.entity.id in FOREIGN_FORCES}
    named |= {COMMANDS[word] for _, _, word in title if word in COMMANDS}
    if named:
        return frozenset(named) if _armed(title) else frozenset()
    in_lead = {h.entity.id for h in lead_hits if h.entity.id in FOREIGN_FORCES}
    return frozenset(in_lead) if in_lead and _armed(lead) else frozenset()


def _named_apart(text: str, words: Said, hit: Hit) -> bool:
    """The hit names a state's land (LAND just before it: «قرب الحدود التركية») or another's backer,
    leader or seat (ASIDES: «بقيادة الولايات المتحدة»), not the state acting."""
    first = next((i for i, (_, end, _) in enumerate(words) if end > hit.start), None)
    if first is None:
        return False
    before = next((word for _, _, word in reversed(words[:first]) if word), None)
    return before in LAND or _aside(text, words, first)


def _armed(words: Said) -> list[int]:
    """Where ``words`` name an armed act; not a chemical attack («الهجوم الكيماوي»,
    #هجوم_كيمياوي): the states that answer one are named beside it."""
    said = [i for i, (_, _, word) in enumerate(words) if word]
    return [i for i, after in zip(said, said[1:] + [None])
            if (words[i][2] in RAIDS or CONCEPT.get(words[i][2]) in ARMED_ACTS)
            and (after is None or CONCEPT.get(words[after][2]) != "chemical")]


def _striking(text: str, words: Said, hits: list[Hit]) -> frozenset[str]:
    """The forces of ``hits`` that ``text`` (cut into ``words``) tells striking: a force strikes where it stands beside an
    armed act in one clause («إسرائيل تقصف», «غارات إسرائيلية», «شنت الولايات المتحدة وبريطانيا وفرنسا
    ضربات»), not where it is only named near one («هجوم دوما.. واشنطن تطلب تصويتاً»), is the target
    («هجوم على قاعدة للتحالف») or another state stands between («إسرائيل تتهم إيران بقصف الجولان»).
    Read from the headline, else the lead; a force named apart (_named_apart) is left out before."""

    def span(start: int, end: int) -> tuple[int, int] | None:
        inside = [i for i, (s, e, _) in enumerate(words) if s < end and e > start]
        return (inside[0], inside[-1]) if inside else None

    forces = [(h.start, h.end, h.entity.id) for h in hits if h.entity.id in FOREIGN_FORCES]
    commands = {COMMANDS[word] for _, _, word in words if word in COMMANDS}
    if not forces and not commands:
        return frozenset()
    armed = _armed(words)
    if not armed:
        return frozenset()
    spans: list[tuple[int, int, set[str]]] = []  # forces named one after the other act together
    for start, end, force in sorted(forces):
        if (where := span(start, end)) is None:
            continue
        if spans and where[0] - spans[-1][1] <= 1:  # «الولايات المتحدة وبريطانيا وفرنسا»
            first, last, named = spans.pop()
            spans.append((first, max(where[1], last), named | {force}))
        else:
            spans.append((where[0], where[1], {force}))
    others = [where[0] for h in hits if h.entity.id not in FOREIGN_FORCES and h.entity.type in ACTORS
              and (where := span(h.start, h.end))]  # «إسرائيل تتهم إيران بقصف الجولان»: Iran shelled
    found = set(commands)  # a command speaks of its force's strikes («البنتاغون: ... فشلت بإسقاط أي صاروخ»)
    for first, last, named in spans:
        if any(_beside(text, words, first, last, act) and not any(min(act, first) < i < max(act, last) for i in others)
               for act in armed):
            found |= named
    return frozenset(found)


def _aside(text: str, words: Said, first: int) -> bool:
    """The force is named as another's backer or seat (ASIDES), not as one acting."""
    before = normalize(text[words[max(0, first - 2)][0] : words[first][0]])
    return any(word in before for word in ASIDES)


def _beside(text: str, words: Said, first: int, last: int, act: int) -> bool:
    """An armed act within AGENT_WORDS words of a force's name (words ``first``..``last``), in
    one clause, the force not named as its target («هجوم على قاعدة للتحالف»)."""
    if act < first:
        low, high, gap = act, first, first - act
    else:
        low, high, gap = last, act, act - last
    if gap > AGENT_WORDS or _CLAUSE.search(text, words[low][1], words[high][0]):
        return False
    between = {form for start, end, _ in words[low + 1 : high] for form in clitic_forms(normalize(text[start:end]))}
    return not (act < first and between & TARGETS)


@lru_cache(maxsize=4096)
def _entity_rarity(name: str) -> float:
    """An entity is as rare as the rarest word of its name: Syria says little, Idlib much."""
    return max((rarity().idf(word) for word in content_words(name)), default=1.0)


def sketch(text: str) -> frozenset[int]:
    """Shingles of the story's opening: copies share it, while the related-story links and
    boilerplate at the end of an outlet's pages are shared by unrelated articles."""
    found = content_words(text[:COPY_CHARS])
    shingles = {zlib.crc32(" ".join(found[i : i + 3]).encode()) for i in range(max(1, len(found) - 2))}
    return frozenset(sorted(shingles)[:SKETCH])


def _actor(title: str, headline: list[Hit]) -> str | None:
    """Who the headline is about: the entity it opens with (after words of office: «وزير
    الخارجية العراقي»), or one before its colon ("لافروف: ..."); a place only when it stands for
    a state ("سوريا تدعو...")."""
    colon = title.find(":")
    limit = colon if 0 < colon < 40 else 0
    for hit in headline:
        opens = hit.start <= limit or ROLES.issuperset(content_words(title[: hit.start]))
        if opens and (hit.entity.type in ACTORS or hit.entity.id in STATES):
            return SEATS.get(hit.entity.id, hit.entity.id)
    return None


def headline_places(mentions: Iterable[Hit]) -> frozenset[str]:
    """Places the headline names, below Syria itself, as paths: "idlib", "idlib/maarat",
    "damascus/ghouta/ghouta_towns:دوما" (a town listed under an entity)."""
    keys = set()
    for hit in mentions:
        entity = hit.entity
        if entity is None or not hit.in_title or entity.type not in PLACES or entity.id in BROAD:
            continue
        surface, name = " ".join(content_words(hit.surface)), " ".join(content_words(entity.name))
        path = "/".join((*entity.region, entity.id))
        keys.add(path if name and name in surface else f"{path}:{surface}")
    return frozenset(keys)


def place_path(key: str) -> list[str]:
    return key.replace(":", "/").split("/")


def deepest_places(places: frozenset[str]) -> list[list[str]]:
    """The most specific places named: a governorate named beside one of its towns says nothing more."""
    paths = [place_path(p) for p in places]
    return [p for p in paths if not any(len(q) > len(p) and q[: len(p)] == p for q in paths)]


def places_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both headlines name places and none of them agree; a place agrees with the places
    it contains (Idlib with Maarat al-Numan), two towns of one governorate do not, even when
    both headlines name the governorate too («سراقب في ريف إدلب», «جسر الشغور بريف إدلب»)."""
    def agree(x: list[str], y: list[str]) -> bool:
        shorter = min(len(x), len(y))
        return x[:shorter] == y[:shorter]

    return bool(a and b) and not any(agree(x, y) for x in deepest_places(a) for y in deepest_places(b))


def same_place(a: Fingerprint, b: Fingerprint) -> bool:
    """The two name one place, as precisely (or neither names one): a town and its governorate
    could be two incidents."""
    if not a.places or not b.places:
        return True
    return any(x == y for x in deepest_places(a.places) for y in deepest_places(b.places))


def resemblance(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard similarity of two bottom-k shingle sketches: near 1 for two copies of a text."""
    if not a or not b or a.isdisjoint(b):
        return 0.0
    return len(a & b) / len(a | b)


def veto(a: Fingerprint, b: Fingerprint) -> str | None:
    """Why two articles cannot report one event, or None."""
    if a.countries and b.countries and not a.countries & b.countries:
        return "different countries"
    if places_conflict(a.places, b.places):
        return "different places"
    if a.actions and b.actions and not a.actions & b.actions:
        return "different kinds of act"
    if a.actor and b.actor and a.actor != b.actor and not ("council" in a.actions and "council" in b.actions):
        return "different actors"
    if a.threat != b.threat:
        return "a threat and an act"
    if a.told_day is not None and b.told_day is not None and a.told_day != b.told_day:
        return "different days"  # «حصيلة أمس», «حصيلة اليوم»: two days' tolls
    if a.incident and b.incident and (_fighting_only(a) and _blast_only(b) or _blast_only(a) and _fighting_only(b)):
        return "fighting and a blast"
    return None


def _told_day(title: str, published: float) -> int | None:
    """The day a headline dates its event by («اليوم», «أمس», a weekday: the latest such day up to
    its publication), or None."""
    today = utc_day(published + NEWS_DAY_OFFSET)
    for token in tokens(normalize(title)):
        for form in clitic_forms(token):
            if form in _RELATIVE:
                return today - _RELATIVE[form]
            if form in _WEEKDAYS:  # 1970-01-01, day 0, was a Thursday (3)
                return today - (today + 3 - _WEEKDAYS[form]) % 7
    return None


def _fighting_only(a: Fingerprint) -> bool:
    return bool(a.violence & GROUND) and not a.violence & BLASTS


def _blast_only(a: Fingerprint) -> bool:
    return bool(a.violence & BLASTS) and not a.violence & GROUND


def likeness(a: Fingerprint, b: Fingerprint) -> float:
    """0..1: how alike two reports read (headline and lead); one copy of a text is 1."""
    if not a.sketch.isdisjoint(b.sketch) and resemblance(a.sketch, b.sketch) >= COPY:
        return 1.0
    x, y = a.vector, b.vector
    text = sum([x[word] * y[word] for word in a.terms & b.terms])  # the few shared words, found in C
    shared = len(a.entities & b.entities) / len(a.entities | b.entities) if a.entities or b.entities else 0.0
    return round(min(1.0, text + 0.1 * shared), 4)


def utc_day(moment: float) -> int:
    return int(moment // 86400)


def joins(candidate: Fingerprint, members: list[Fingerprint], threshold: float = SAME_STORY,
          day: Callable[[float], Hashable] = utc_day) -> float:
    """How well ``candidate`` joins a story: its best likeness to a member of the last
    WINDOW_HOURS, or 0 when it falls short or any such member vetoes it (copies, and reports
    OVER_VETO alike, are never vetoed: a veto reads cues, which a rewording can miss).
    Two incidents (reports of violence that happened) of one ``day`` at one place need less
    likeness, and so do two reports of the Council acting on one country's file that day (its
    session, drafts, votes and vetoes are one event, told as «تصويت مرتقب», «فيتو روسي», «فشل»);
    two reports of one outside force's strike that day need none (same_strike). Past the desk's
    midnight (``day``), only a copy, one incident's reports or a report within OVERNIGHT_HOURS
    continue a story: the new day's first report of a thread opens that day's story, and rings."""
    best, scored = 0.0, []
    today = day(candidate.published)
    for member in members:
        apart = abs(candidate.published - member.published)
        if apart > WINDOW_HOURS * 3600:
            continue
        score = likeness(candidate, member)
        same_day = day(member.published) == today
        one_incident = candidate.incident and member.incident and apart <= INCIDENT_HOURS * 3600
        if not same_day and apart > OVERNIGHT_HOURS * 3600 and score < 1.0 and not one_incident:
            continue  # yesterday's statement or session told again today is followed up: a story of the new day
        if one_incident and same_day and score >= SAME_INCIDENT and same_place(candidate, member):
            score = max(score, threshold)
        if (same_day and "council" in candidate.actions and "council" in member.actions and score >= SAME_SESSION
                and candidate.countries & member.countries):
            score = max(score, threshold)
        strike = same_strike(candidate, member, day)
        if strike:
            score = max(score, threshold)
        scored.append((score, member, strike))
        best = max(best, score)
    if best < threshold or any(score < OVER_VETO and not strike and veto(candidate, member)
                               for score, member, strike in scored):
        return 0.0  # most stories fall short, and are not read for vetoes
    return best


def same_strike(a: Fingerprint, b: Fingerprint, day: Callable[[float], Hashable] = utc_day) -> bool:
    """Two reports of one outside force's strike made that day (FOREIGN_FORCES: its reports name
    the force, not always one place: «ضربة ثلاثية», «صواريخ كروز»), at no two different places.
    Neither reads the other's actor or kind of act: the strike is what both report."""
    return (a.incident and b.incident and not a.strikers.isdisjoint(b.strikers) and day(a.published) == day(b.published)
            and abs(a.published - b.published) <= INCIDENT_HOURS * 3600 and not places_conflict(a.places, b.places))


def lead_of(text: str, sentences: int = 2) -> str:
    """The first sentences of a text: the lead, where real reports say what happened."""
    ends = 0
    for match in _END.finditer(text):
        before, after = text[match.start() - 1 : match.start()], text[match.end() : match.end() + 1]
        if match.group() == "." and before.isdigit() and after.isdigit():
            continue  # 2.5
        ends += 1
        if ends == sentences:
            return text[: match.start()]
    return text


def story_fingerprint(members: list[Fingerprint]) -> dict:
    """What the store keeps of a story: its members' fingerprints (first and latest)."""
    kept = members if len(members) <= MEMBERS else members[:1] + members[-(MEMBERS - 1):]
    return {"members": [m.to_json() for m in kept]}


def story_members(data: dict) -> list[Fingerprint]:
    """A stored story's members; a story stored before members were kept has none (it ages out)."""
    return [Fingerprint.from_json(m) for m in data.get("members", ())]
