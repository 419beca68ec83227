import json

import pytest

from classifiers.grouping import Fingerprint, find_story, fingerprint, same_story_score
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


def fp(text, title="", entities=("unsc", "idlib"), at=0.0):
    return fingerprint(title, text, entities, at)


def test_edited_agency_copy_joins_and_a_different_session_stays_apart():
    first = fp(AFP, "جلسة طارئة لمجلس الأمن بشأن إدلب")
    assert same_story_score(first, fp(EDITED, "مجلس الأمن يبحث التصعيد في إدلب", at=2 * HOUR)) >= 0.45
    assert same_story_score(first, fp(OTHER, "مجلس الأمن يناقش المساعدات", ("unsc", "syria"), 5 * 24 * HOUR)) == 0
    assert same_story_score(first, fp(OTHER, "مجلس الأمن يناقش المساعدات", ("unsc", "syria"), HOUR)) < 0.45


def test_find_story_picks_the_best_recent_match_and_window_applies():
    stories = [("a", fp(OTHER, "مجلس الأمن يناقش المساعدات", ("unsc", "syria"))), ("b", fp(AFP, "جلسة طارئة"))]
    assert find_story(fp(EDITED, "جلسة طارئة", at=HOUR), stories) == "b"
    assert find_story(fp(EDITED, "جلسة طارئة", at=72 * HOUR), stories) is None


def test_fingerprints_survive_json_and_are_stable():
    print_ = fp(AFP)
    assert Fingerprint.from_json(json.loads(json.dumps(print_.to_json()))) == print_
    assert fp(AFP).sketch == print_.sketch  # crc32, not Python's salted hash


def test_grouping_quality_on_the_labelled_set():
    path = FIXTURES / "grouping" / "articles.jsonl"
    if not path.exists():
        pytest.skip("grouping set not present")
    from core.runtime import load_runtime
    from devtools.evaluate_grouping import cluster, pairwise

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    precision, recall, _ = pairwise(rows, cluster(load_runtime().classifier, rows, 0.45))
    assert precision >= 0.95 and recall >= 0.85, (precision, recall)
