"""What a headline reports, read from its words: the kind of event, whether it happened.

Reports of one event say it in different words («انفجار» and «تفجير», «قتلى» and «مصرع»);
the concepts below fold such words into one token, so two rewrites of one report share
it. A headline reports an *incident* when it tells violence that happened, not one that
is threatened, weighed or condemned («تحسباً لضربة», «يدين الهجوم»), and not an actor's
words («ترامب: ...»): an incident at a new place is a new thread for a desk, a statement
about one belongs to that incident's thread.
"""

from __future__ import annotations

import re

from classifiers.normalize import clitic_forms, content_tokens, content_words, normalize

_CONCEPTS = {
    "bombing": "انفجار انفجارات تفجير تفجيرات مفخخة مفخخ ملغومة ملغوم انتحاري انتحارية عبوة ناسفة",
    "air": "غارة غارات غارتين طيران مقاتلات طائرات حربية جوية جوي",
    "strike": "ضربة ضربات ضربتين ضرب يضرب تضرب صاروخية صواريخ صاروخ صاروخين كروز عدوان هجوم هجمات",
    "shelling": "قصف يقصف تقصف قصفت قذائف قذيفة قذيفتين هاون مدفعي مدفعية براميل",
    "clashes": "اشتباكات اشتباك معارك معركة مواجهات كمين",
    "capture": "يسيطر تسيطر سيطرة يستولي يستولون استولى تحرير يحرر استعادة يستعيد سقوط سقطت يأسر يأسرون",
    "chemical": "كيماوي كيماوية كيميائي كيميائية كيمياوي كيمياوية غاز سام الكلور",
    "casualties": "قتلى قتيل قتيلا مقتل مصرع ضحايا شهداء شهيدا شهيد جرحى جريحا إصابة حصيلة يقتل تقتل",
    "massacre": "مجزرة مذبحة إعدام اعدام جثث جثة",
    "vote": "تصويت يصوت مشروع قرار فيتو النقض يتبنى تبنى اعتمد يعتمد",
    "session": "جلسة اجتماع مشاورات إحاطة يجتمع طارئة",
    "condemn": "يدين تدين أدان إدانة يندد تندد",
    "warn": "يحذر تحذر حذر يتوعد تتوعد يهدد تهدد تهديد",
}
CONCEPT: dict[str, str] = {}
for _name, _words in _CONCEPTS.items():
    # content_words reads «كيماوي» bare as «يماوي» and «الكيماوي» as «كيماوي»: a concept takes both keys. Making
    # them one key in content_words itself was measured and left out: it moved every story's likeness.
    for _raw in _words.split():
        for _word in content_words(f"{_raw} ال{_raw}"):
            CONCEPT.setdefault(_word, _name)

VIOLENCE = frozenset({"bombing", "air", "strike", "shelling", "clashes", "capture", "chemical", "casualties",
                      "massacre"})
# Concepts that tell violence happened: a chemical weapon named is not an attack made («مفتشو الأسلحة
# الكيماوية», «الضربات استهدفت مواقع كيماوية»); «هجوم كيماوي» is one by its «هجوم».
HAPPENED = VIOLENCE - {"chemical"}
# Words that make violence in a headline threatened, weighed, denied or reacted to, not reported.
_NOT_HAPPENED = frozenset(content_words(
    "تحسبا تحسباً يجب سنرد سيرد يهدد تهدد يتوعد تتوعد خيارات يدرس تدرس محتمل محتملة رد ردا الرد ينفي تنفي "
    "يدين تدين يندد تندد يطالب تطالب يدعو تدعو تحذر يحذر حذر حذرت هدد هددت توعد توعدت إدانة يتهم تتهم اتهم اتهمت اتهام "
    "يؤيد تؤيد أيد أيدت تأييد يرحب ترحب رحب رحبت ترحيب يشيد تشيد "
    # ruled out, or investigated: «ميركل تستبعد المشاركة في ضربات», «محققون في طريقهم للتحقيق في هجوم دوما»;
    # a carrier's voyage («حاملة الطائرات "ترومان" تبحر نحو المتوسط»)
    "يستبعد تستبعد استبعد استبعدت تحقيق التحقيق يحقق محققين محققون مفتشين مفتشو مفتشي حاملة حاملات"))
_AFTER = frozenset(normalize(w) for w in ("بعد", "عقب", "إثر", "غداة", "قبل"))  # «عقب الهجوم»: the act is past
# «مواجهة دبلوماسية في مجلس الأمن حول الضربات», «خلاف بشأن الهجوم»: the violence is what is talked about
# («معارك حول المطار»: «حول» before a place is "around", and the battle is reported)
_ABOUT = frozenset(normalize(w) for w in ("حول", "بشأن", "إزاء", "حيال"))
_PARTS = re.compile(r"\.\.+|…")  # a headline's parts: «غارات على دوما.. وموسكو تنفي»
_ASKED = re.compile(r"[^\W\d_][\"'»”)]*\s*\?")  # a «?» after a word, not a sign lost in decoding («98?»)
# «لافروف: ...» an actor's words; not a colon in a headline's second part («انفجارات تهز دمشق.. والتلفزيون السوري: ...»)
_SPEAKER = re.compile(r"^(?:(?!\.\.)[^:]){2,40}:")
# ...unless the one named before the colon is where a report comes from, not an actor speaking: a monitor, a
# source, witnesses («المرصد السوري: انفجار يهز ريف حلب», «مصادر: قاذفات B1 شاركت بالضربات»).
_SOURCES = frozenset(content_words(
    "المرصد مرصد مصدر مصادر ناشطون ناشطين شهود مسعفون التنسيق حقوقية المدني "
    "الخوذ وكالة مراسل"))


def concepts(text: str) -> list[str]:
    """The event concepts a text's words name, in reading order."""
    return [CONCEPT[word] for word in content_words(text) if word in CONCEPT]


def is_incident(title: str) -> bool:
    """The headline reports violence that happened (not a threat of it, nor someone's words about
    it, nor what followed it: «بعد الضربات.. سوريون يحتشدون»); or its first part does: «غارات روسية
    على ريفي حماة وإدلب... و«الأطلسي» يحذّر موسكو» reports the raids, whatever NATO says."""
    first = _PARTS.split(title, maxsplit=1)
    return _reports_violence(title) or (len(first) > 1 and _reports_violence(first[0]))


def _reports_violence(title: str) -> bool:
    words = content_tokens(title)
    if _NOT_HAPPENED.intersection(word for _, _, word in words) or _speaking(title):
        return False
    after = -9  # the last «بعد»: the two words after it name what came before the news
    about = -9  # the last «حول»: the word after it is what is talked about
    for i, (start, end, word) in enumerate(words):
        forms = clitic_forms(normalize(title[start:end]))
        if not _AFTER.isdisjoint(forms):  # «بعد», «وبعد»
            after = i
        elif not _ABOUT.isdisjoint(forms):
            about = i
        elif CONCEPT.get(word) in HAPPENED and i - after > 2 and i - about > 1:
            return True
    return False


def _speaking(title: str) -> bool:
    """The headline gives an actor's words («لافروف: ...»), not a report from a source."""
    said = _SPEAKER.match(normalize(title))
    return bool(said) and _SOURCES.isdisjoint(content_words(said.group(0)))


def asks(title: str) -> bool:
    """The headline asks a question («؟», or «?» after a word): it reports no event of its own."""
    return "؟" in title or _ASKED.search(title) is not None


def tells_casualties(title: str) -> bool:
    return any(CONCEPT.get(word) in ("casualties", "massacre") for word in content_words(title))
