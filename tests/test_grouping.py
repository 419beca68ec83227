import json
from dataclasses import replace

import pytest

from classifiers.grouping import SAME_STORY, Fingerprint, article_fingerprint, find_story, places_conflict, same_story_score
from classifiers.topics import classify
from core.runtime import load_runtime
from tests.conftest import FIXTURES

AFP = ("عقد مجلس الأمن الدولي جلسة طارئة مساء الجمعة لبحث التصعيد العسكري في إدلب شمال غرب سوريا. "
       "وقالت وكيلة الأمين العام للشؤون السياسية روزماري ديكارلو إن الهجوم يشكل تهديدا خطيرا للمدنيين. "
       "وطلبت الولايات المتحدة وفرنسا وبريطانيا عقد الاجتماع بعد مقتل 33 جنديا تركيا في غارة جوية. "
       "ودعا المندوب الفرنسي إلى وقف فوري لإطلاق النار في المحافظة.")
EDITED = ("بطلب من واشنطن وباريس ولندن، اجتمع مجلس الأمن الدولي في جلسة طارئة لبحث التصعيد العسكري في إدلب. "
          "وقالت وكيلة الأمين العام للشؤون السياسية روزماري ديكارلو إن الهجوم يشكل تهديدا خطيرا للمدنيين. "
          "وطلبت الولايات المتحدة وفرنسا وبريطانيا عقد الاجتماع بعد مقتل 33 جنديا تركيا في غارة جوية.")
OTHER = ("عقد مجلس الأمن الدولي جلسة مفتوحة لبحث الوضع الإنساني في سوريا وآلية إدخال المساعدات عبر الحدود. "
         "وقدم منسق الشؤون الإنسانية إحاطة حول نقص التمويل وحاجة ملايين السوريين إلى الغذاء والدواء. "
         "ودعا عدد من الأعضاء إلى تمديد التفويض لستة أشهر إضافية.")
HOUR = 3600.0


CLASSIFIER = load_runtime().classifier


def fp(text, title="", at=0.0):
    """The worker's own fingerprint: shipped classifier, watch vocabulary masked."""
    return article_fingerprint(title, text, classify(CLASSIFIER, title, text, "ar"), at)


def test_edited_agency_copy_joins_and_a_different_session_stays_apart():
    first = fp(AFP, "جلسة طارئة لمجلس الأمن بشأن إدلب")
    assert same_story_score(first, fp(EDITED, "مجلس الأمن يبحث التصعيد في إدلب", at=2 * HOUR)) >= SAME_STORY
    assert same_story_score(first, fp(OTHER, "مجلس الأمن يناقش المساعدات", at=5 * 24 * HOUR)) == 0
    assert same_story_score(first, fp(OTHER, "مجلس الأمن يناقش المساعدات", at=HOUR)) < SAME_STORY


def test_headlines_naming_different_places_keep_look_alike_events_apart():
    assert places_conflict(frozenset({"manbij"}), frozenset({"aleppo:اعزاز"}))
    assert places_conflict(frozenset({"libya"}), frozenset({"yemen"}))
    assert not places_conflict(frozenset({"idlib"}), frozenset({"idlib:جسر الشغور"}))  # a town is in its governorate
    assert not places_conflict(frozenset({"idlib"}), frozenset({"idlib_towns:معرشورين"}))
    assert not places_conflict(frozenset(), frozenset({"yemen"}))  # a headline without a place says nothing
    strike, other = fp(AFP, "غارة جوية على بلدة في منبج"), fp(OTHER, "غارة جوية على بلدة في إعزاز", at=HOUR)
    assert strike.places == {"manbij"} and other.places == {"aleppo:اعزاز"}
    assert same_story_score(strike, other) < same_story_score(replace(strike, places=frozenset()), other)


def test_find_story_picks_the_best_recent_match_and_window_applies():
    stories = [("a", fp(OTHER, "مجلس الأمن يناقش المساعدات")), ("b", fp(AFP, "جلسة طارئة"))]
    assert find_story(fp(EDITED, "جلسة طارئة", at=HOUR), stories) == "b"
    assert find_story(fp(EDITED, "جلسة طارئة", at=72 * HOUR), stories) is None


def test_fingerprints_survive_json_and_are_stable():
    print_ = fp(AFP)
    assert Fingerprint.from_json(json.loads(json.dumps(print_.to_json()))) == print_
    assert fp(AFP).sketch == print_.sketch  # crc32, not Python's salted hash


@pytest.mark.parametrize("name", ["articles.jsonl", "holdout.jsonl"])
def test_grouping_quality_on_the_labelled_sets(name):
    path = FIXTURES / "grouping" / name
    if not path.exists():
        pytest.skip(f"{name} not present")
    from devtools.evaluate_grouping import cluster, pairwise

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    precision, recall, _ = pairwise(rows, cluster(load_runtime().classifier, rows, SAME_STORY))
    assert precision >= 0.95 and recall >= 0.85, (precision, recall)
