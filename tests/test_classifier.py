import functools
import json
import subprocess
import sys

import pytest

from classifiers import language
from classifiers.gazetteer import parse_gazetteer
from classifiers.language import detect_language
from classifiers.topics import build_classifier, classify
from core.config import TopicConfig
from service.runtime import load_runtime
from tests.conftest import FIXTURES, ROOT, SEEDS, bot_env, real_article, run_bot

GAZETTEER, _ = parse_gazetteer({"entity": [
    {"id": "unsc", "type": "org", "name": "مجلس الأمن", "aliases": ["مجلس الأمن الدولي"]},
    {"id": "idlib", "type": "place_sy", "name": "إدلب", "aliases": ["معرة النعمان"]},
    {"id": "yemen", "type": "place", "name": "اليمن", "aliases": ["تعز"]},
]})
PAD = "وأضاف المصدر أن الأمور تسير كما هو معروف. " * 3  # sentences that hold nothing


def tiny(**fields) -> object:
    topic = TopicConfig(label="t", **{"threshold": 1.0, "cues": {"council": ["@unsc"]},
                                      "evidence": {"council": 2.0}, **fields})
    return build_classifier({"t": topic}, GAZETTEER)


def war(**points) -> object:
    """Violence near a Syrian place, and violence elsewhere as counter-evidence."""
    return tiny(threshold=3.0, near=3, cues={"attack": ["قصف*", "غارة"], "syria": ["@type:place_sy"],
                                             "elsewhere": ["@type:place"]},
                evidence={"attack ~ syria": points or {"headline": 4.0, "lead": 3.0, "body": 1.0, "more": 0.5},
                          "attack ~ elsewhere - syria": -5.0})


@pytest.fixture(scope="module")
def shipped():
    return load_runtime(ROOT / "config.toml").classifier


@pytest.mark.parametrize("text", ["ومجلس الأمن", "لمجلس الأمن الدولي", "فبمجلس الأمن", "مَجلِسُ الأَمنِ", "مـجـلـس الامن",
                                  "#مجلس_الأمن"])
def test_phrases_match_through_clitics_and_spelling(text):
    result = classify(tiny(), "", f"قال دبلوماسيون {text} اليوم", "ar")
    assert result.topics["t"].alert, text


def test_unrelated_words_do_not_match():
    result = classify(tiny(), "", "مجلس النواب ناقش الأمن الغذائي", "ar")
    assert not result.topics["t"].evidence and not result.topics["t"].alert


def test_stems_match_suffixed_forms_only_when_marked():
    clf = tiny(cues={"attack": ["قصف*", "غارة"]}, evidence={"attack": 1.0})
    hits = classify(clf, "", "قصفت الطائرات والقصف استمر وغاراتها", "ar").topics["t"].hits
    assert [h.surface for h in hits] == ["قصفت", "والقصف"]


def test_exclusions_cancel_overlapping_matches():
    clf = tiny(exclude=("مجلس الأمن القومي",))
    assert not classify(clf, "", "اجتمع مجلس الأمن القومي الأمريكي", "ar").topics["t"].alert
    assert classify(clf, "", "اجتمع مجلس الأمن الدولي", "ar").topics["t"].alert


def test_an_excluded_phrase_cancels_the_terms_inside_it_not_one_that_holds_it():
    """A ceasefire is no gunfire: «إطلاق نار» inside «وقف إطلاق النار» is cancelled; the truce reading,
    which holds the whole phrase, is kept."""
    clf = tiny(exclude=("وقف إطلاق النار",), cues={"fire": ["إطلاق نار"], "truce": ["وقف إطلاق النار"]},
               evidence={"fire": 2.0, "truce": 0.5})
    ceasefire = classify(clf, "", "بدأ سريان وقف إطلاق النار في المدينة", "ar").topics["t"]
    assert [e.rule for e in ceasefire.evidence] == ["truce"]
    assert classify(clf, "", "تبادل الطرفان إطلاق النار في المدينة", "ar").topics["t"].alert


def test_a_ceasefire_is_no_gunfire_but_a_ceasefire_broken_is_fighting(shipped):
    def attacks(title: str, text: str) -> list[str]:
        reading = classify(shipped, title, text, "ar").topics["syria_escalation"]
        return [e.rule for e in reading.evidence if e.rule.startswith("attack ~ syria")]

    assert not attacks("بدء سريان وقف إطلاق النار في الزبداني وريف إدلب",
                       "بدأ صباح اليوم سريان وقف إطلاق النار في الزبداني وبلدات ريف إدلب لمدة 48 ساعة.")
    assert attacks("خروقات لوقف إطلاق النار في الغوطة الشرقية",
                   "سجلت خروقات لوقف إطلاق النار في عدة بلدات بالغوطة الشرقية صباح اليوم.")


def test_cues_count_together_only_in_one_sentence_and_near_each_other():
    clf = war()
    same = classify(clf, "", "قصفت طائرات معرة النعمان فجراً.", "ar").topics["t"]
    apart = classify(clf, "", "قصفت طائرات مواقع. وفي معرة النعمان يسود الهدوء.", "ar").topics["t"]
    far = classify(clf, "", "قصفت طائرات مواقع عديدة في مناطق كثيرة شمال معرة النعمان.", "ar").topics["t"]
    assert same.alert and same.evidence[0].rule == "attack ~ syria" and same.evidence[0].places == ("lead",)
    assert not apart.evidence and not far.evidence  # different sentences; more than `near` (3) words apart


def test_where_a_sentence_stands_sets_its_points_and_further_sentences_add_more():
    clf = war()
    strike = "قصفت طائرات معرة النعمان."
    assert classify(clf, strike, "", "ar").topics["t"].score == 4.0  # headline
    assert classify(clf, "", strike, "ar").topics["t"].score == 3.0  # lead
    trailing = classify(clf, "", PAD + strike + PAD, "ar").topics["t"]
    assert trailing.score == 1.0 and not trailing.alert  # body: a passing mention does not alert
    assert trailing.reasons == ("score 1 is below the threshold 3 (2 short)",)
    repeated = classify(clf, "", PAD + (strike + " ") * 6 + PAD, "ar").topics["t"]
    assert repeated.score == 1.0 + 3 * 0.5  # `more` counts up to three further sentences
    both = classify(clf, strike, strike, "ar").topics["t"]
    assert both.score == 4.0 + 3.0 + 0.5 and both.evidence[0].places == ("headline", "lead")


def test_last_lines_are_their_own_place():
    clf = war(tail=0.25, body=1.0)
    strike = "قصفت طائرات معرة النعمان."
    result = classify(clf, "", PAD * 2 + strike, "ar").topics["t"]
    assert result.score == 0.25 and result.evidence[0].places == ("last lines",)


def test_counter_evidence_keeps_violence_elsewhere_out():
    clf = war()
    result = classify(clf, "غارة على تعز", "قصفت طائرات التحالف مواقع في تعز.", "ar").topics["t"]
    assert not result.alert and result.score < 0
    (against,) = result.evidence
    assert against.rule == "attack ~ elsewhere - syria" and against.points == -5.0 and "اليمن" in against.terms


def test_built_in_start_cue_marks_a_sentence_opening():
    clf = tiny(near=2, evidence={"council ~ start": 3.0})
    assert classify(clf, "", "عقد مجلس الأمن جلسة طارئة.", "ar").topics["t"].alert
    assert not classify(clf, "", "قال سفير دولة عربية كبرى أمس إن مجلس الأمن عاجز.", "ar").topics["t"].alert


def test_rules_are_read_and_checked_against_the_cues():
    with pytest.raises(ValueError, match="unknown cue 'syira' \\(did you mean 'syria'\\?\\)"):
        TopicConfig(label="t", threshold=1, cues={"syria": ["سوريا"]}, evidence={"attack ~ syira": 1.0})
    with pytest.raises(ValueError, match="must start with a cue name"):
        TopicConfig(label="t", threshold=1, cues={"syria": ["سوريا"]}, evidence={"- syria": 1.0})
    topic = TopicConfig(label="t", threshold=1, cues={"a": ["x"], "b": ["y"], "c": ["z"]},
                        evidence={"a ~ b +  c - b": {"lead": 2}})
    ((rule, points),) = topic.rules
    assert (rule.text, rule.cues, rule.near, rule.absent) == ("a ~ b + c - b", ("a", "b", "c"), ("b",), ("b",))
    assert (points.headline, points.lead) == (0.0, 2.0)


def test_language_gate_is_cheap_for_arabic_and_asks_langdetect_otherwise():
    assert detect_language("عقد مجلس الأمن الدولي جلسة طارئة لبحث التطورات في سوريا") == "ar"
    assert detect_language("The Security Council met in an emergency session on Syria today.") == "en"
    assert detect_language("شورای امنیت سازمان ملل متحد امروز جلسه‌ای اضطراری درباره سوریه برگزار کرد") == "fa"
    assert detect_language("!!") == "und"


def test_an_arabic_text_with_a_persian_name_skips_langdetect(monkeypatch):
    """Loading langdetect's profiles costs ~0.4 s: not for a Persian byline in an Arabic op-ed (real CNN Arabic lead)."""
    monkeypatch.setattr(language, "_detector_ready", lambda: pytest.fail("langdetect consulted"))
    assert detect_language("هذا المقال بقلم کاملیا انتخابی فرد، والآراء الواردة أدناه تعبر عن رأي الكاتبة، ولا تعكس "
                           "بالضرورة وجهة نظر شبكة سي ان ان. بومبيو يتحدث عن ثلاثة مطالب من إيران خلال زيارته إلى "
                           "السعودية، وقال إن على طهران أن تسحب قواتها من سوريا وأن توقف دعمها للميليشيات") == "ar"


def test_non_arabic_text_never_alerts(shipped):
    result = classify(shipped, "Security Council", "مجلس الأمن الدولي جلسة طارئة", "en")
    assert not any(t.alert for t in result.topics.values())
    assert "language 'en' is not watched" in result.topics["security_council"].reasons


def test_bulk_scoring_gives_the_same_scores_without_the_detail(shipped):
    rows = _rows(FIXTURES / "real" / "classifier_holdout.jsonl")[:60]
    for row in rows:
        full, lean = (classify(shipped, row["title"], row["text"], "ar", detail=d) for d in (True, False))
        assert {n: (t.score, t.alert, t.matched) for n, t in full.topics.items()} == \
               {n: (t.score, t.alert, t.matched) for n, t in lean.topics.items()}
        assert not lean.mentions and not any(t.hits for t in lean.topics.values())


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds not present")
def test_seed_articles_alert_on_both_topics(shipped):
    for path in sorted(SEEDS.glob("*.txt")):
        title, _, text = path.read_text(encoding="utf-8").partition("\n")
        result = classify(shipped, title, text)
        assert result.alert_topics == ("security_council", "syria_escalation"), path.name


def _rows(*paths):
    return [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line]


@functools.cache
def _pool() -> dict[str, dict]:
    """The dev pool by id, read once for the tests that take an article from it."""
    return {r["id"]: r for r in _rows(FIXTURES / "real" / "classifier_dev.jsonl")}


def _pool_article(article_id: str) -> dict:
    return _pool()[article_id]


def _quality(clf, rows):
    stats = {}
    for topic in ("security_council", "syria_escalation"):
        tp = fp = fn = 0
        for row in rows:
            got = classify(clf, row["title"], row["text"], detail=False).topics[topic].alert
            want = row["labels"][topic]
            tp += got and want
            fp += got and not want
            fn += want and not got
        stats[topic] = (tp / max(tp + fp, 1), tp / max(tp + fn, 1))
    return stats


# The real holdout (never tuned on) at its measured figures, less a small margin: a
# change that makes the classifier worse on real news fails here. See README, Quality.
# (Measured 0.86 / 0.79 and 0.84 / 0.82 since 14 April and 11 September 2018 became dev days.)
REAL_FLOORS = {"security_council": (0.80, 0.72), "syria_escalation": (0.80, 0.78)}


def test_quality_on_the_real_holdout(shipped):
    rows = _rows(FIXTURES / "real" / "classifier_holdout.jsonl", FIXTURES / "real" / "days_holdout.jsonl")
    for topic, (precision, recall) in _quality(shipped, rows).items():
        floor = REAL_FLOORS[topic]
        assert precision >= floor[0] and recall >= floor[1], (topic, precision, recall)


def test_the_war_s_earlier_names_and_a_foiled_attack(shipped):
    """Names of 2012-2015 place a story in Syria when nothing else does; a foiled attack did not
    happen (a real report of 6 March 2013: Turkish intelligence foiling attacks on the opposition)."""
    militia = classify(shipped, "الشبيحة يقتلون عائلة كاملة في قرية البيضا",
                       "قتل مسلحون من الشبيحة عائلة من تسعة أفراد في قرية البيضا اليوم، وأحرقوا منازل في القرية.", "ar")
    assert militia.alert_topics == ("syria_escalation",)
    foiled = real_article("eg13-0f966de8b5c0")
    assert not foiled["labels"]["syria_escalation"]
    reading = classify(shipped, foiled["title"], foiled["text"], "ar").topics["syria_escalation"]
    violence = [e for e in reading.evidence if e.rule.startswith("attack ~ syria")]
    assert not reading.alert and not any("headline" in e.places for e in violence)


def test_violence_in_a_neighbours_own_land_is_not_syria_s_unless_the_fighting_is(shipped):
    """Syrian soldiers killed in Iraq (a real report of 6 March 2013) are not fighting in Syria, though
    the sentence names Syria; shells of a battle in Idlib falling in Turkey are (the 2013 reading)."""
    iraq = real_article("eg13-f55189827285")
    assert not iraq["labels"]["syria_escalation"]
    assert "syria_escalation" not in classify(shipped, iraq["title"], iraq["text"], "ar").alert_topics
    spill = classify(shipped, "قذائف من سوريا تسقط في الأراضي التركية",
                     "سقطت قذائف أطلقت خلال اشتباكات بين الجيش السوري ومقاتلي المعارضة في ريف إدلب على قرية حدودية في "
                     "الأراضي التركية، ما أدى إلى إصابة ثلاثة مدنيين.", "ar")
    assert spill.alert_topics == ("syria_escalation",)


def test_an_outside_states_strike_headlined_on_the_state_is_placed_in_syria_by_its_lead(shipped):
    """The outside judge's 2015 miss: Turkey's strikes on ISIS told under a headline about Turkey."""
    title = "تركيا تقصف «داعش» للمرة الأولى بعد هجوم كلس"
    lead = ("قصفت مقاتلات تركية من طراز إف-16 فجر أمس ثلاثة مواقع لتنظيم داعش في قرية حوار النهر السورية المقابلة "
            "لولاية كلس، غداة هجوم للتنظيم على مخفر حدودي قتل فيه جندي تركي.")
    assert classify(shipped, title, lead, "ar").alert_topics == ("syria_escalation",)
    iraq = classify(shipped, "الطيران التركي يقصف مواقع «الكردستاني» شمال العراق",
                    "قصفت مقاتلات تركية ليل الأحد مواقع لحزب العمال الكردستاني في جبال قنديل شمال العراق.", "ar")
    assert not iraq.alert_topics


def test_a_strike_with_its_toll_at_a_town_of_syria_counts_below_a_headline_about_its_force(shipped):
    """The judge's other 2015 miss: the strike is told in the body, under a headline about a 'safe zone'."""
    title = "«المنطقة الآمنة» على المحك.. مقاتلات روسية تقصف قرب الحدود التركية"
    text = ("أنطاكيا - اليوم\nباتت فكرة «المنطقة الآمنة» التي سعت أنقرة لإقامتها في الشمال أمام اختبار صعب، بعد أن "
            "وصلت الغارات الروسية، أمس، إلى مناطق لا تبعد أكثر من عشرين كيلومتراً عن الحدود التركية في ريف إدلب الغربي.\n"
            "وقال مصدر في الدفاع المدني إن طائرات حربية يُعتقد أنها روسية شنت صباح أمس أربع غارات على محيط جسر الشغور "
            "وقرى في ريفها الغربي القريب من لواء إسكندرون، مما أدى إلى مقتل خمسة مدنيين بينهم طفلان.\n"
            "وفي بلدة الريحانية التركية المقابلة، قال سكان إنهم سمعوا دوي انفجارات قوية من الجانب الآخر من الحدود.\n"
            "وكانت أنقرة قد طالبت مراراً بإقامة منطقة خالية من «داعش» ومحمية من الطيران بين جرابلس وأعزاز، لكن مراقبين "
            "يرون أن دخول الطيران الروسي إلى الأجواء السورية «أغلق عملياً الباب أمام هذا المشروع».")
    assert classify(shipped, title, text, "ar").alert_topics == ("syria_escalation",)
    background = text.replace("صباح أمس", "في 2014")  # a toll of years past is background
    assert not classify(shipped, title, background, "ar").alert_topics


def test_a_killing_the_lead_tells_as_a_crime_is_no_conflict_violence(shipped):
    """The headline reads like violence in Syria; the lead's cause (a traffic quarrel) makes it a crime."""
    crime = classify(shipped, "ابن عم الأسد يقتل ضابطا في اللاذقية",
                     "أقدم سليمان هلال الأسد، ابن عم رئيس النظام السوري بشار الأسد، على قتل العقيد في القوات الجوية حسان "
                     "الشيخ أمام أطفاله في اللاذقية بسبب خلاف على أولوية المرور.", "ar")
    assert not crime.alert_topics
    other_words = classify(shipped, "غضب في اللاذقية بعد مقتل عقيد على يد سليمان الأسد",
                           "أقدم سليمان الأسد، ابن عم الرئيس السوري، على قتل عقيد في اللاذقية إثر خلاف على أفضلية "
                           "المرور.", "ar")
    assert not other_words.alert_topics
    rhetoric = classify(shipped, "الائتلاف يحمل «عصابة الأسد» مسؤولية قصف حي الوعر بحمص",
                        "قتل 12 مدنيا في قصف لقوات النظام على حي الوعر في حمص اليوم.", "ar")
    assert rhetoric.alert_topics == ("syria_escalation",)  # «عصابة» there is rhetoric, not a crime's cause


def test_a_preview_of_the_inquiry_vote_is_the_council_s_story_not_the_attacks_it_recalls(shipped):
    """The judge's 2015 class (resolution 2235): a headline about the body built, a body that recalls the chlorine
    attacks it will name; and the other wordings of what the body does («تسمية مستخدمي الكلور»)."""
    title = "مجلس الأمن يصوّت اليوم على آلية لتحديد المسؤولين عن الهجمات الكيماوية في سورية"
    text = ("نيويورك - «الحياة»\nيصوّت مجلس الأمن اليوم على مشروع قرار ينشئ «آلية تحقيق مشتركة» بين الأمم المتحدة ومنظمة "
            "حظر الأسلحة الكيماوية لتحديد المسؤولين عن استخدام غاز الكلور سلاحاً في سورية.\n"
            "ويأتي التحرك بعد أن أكدت بعثة تقصي الحقائق استخدام الكلور «بشكل منهجي ومتكرر» في قرى شمال سورية.\n"
            "وتتهم المعارضة والدول الغربية النظام بإلقاء براميل محشوة بالكلور من المروحيات، وهو ما تنفيه دمشق.")
    assert classify(shipped, title, text, "ar").alert_topics == ("security_council",)
    title = "مجلس الأمن يقترب من تسمية مستخدمي الكلور في سورية"
    assert "syria_escalation" not in classify(shipped, title, text, "ar").alert_topics


def test_a_state_welcoming_the_council_s_resolution_is_a_council_story(shipped):
    """A statement about the Council's act of the day: «رحب ... بقرار مجلس الأمن» is no resolution cited as background."""
    title = "المعلمي: قرار مجلس الأمن خطوة نحو محاسبة نظام الأسد على جرائمه الكيماوية"
    text = ("نيويورك - واس\nرحب مندوب المملكة العربية السعودية الدائم لدى الأمم المتحدة السفير عبدالله بن يحيى المعلمي "
            "بقرار مجلس الأمن الدولي رقم 2235 القاضي بإنشاء آلية تحقيق مشتركة لتحديد المسؤولين عن استخدام الأسلحة "
            "الكيماوية في سوريا.\nوقال السفير المعلمي إن القرار «خطوة مهمة وإن جاءت متأخرة» نحو محاسبة من ارتكبوا "
            "هذه الجرائم بحق الشعب السوري.")
    assert classify(shipped, title, text, "ar").alert_topics == ("security_council",)


def test_airlines_rerouting_for_fear_of_strikes_report_no_violence(shipped):
    """Strikes feared («خشية ضربات») by airlines («شركات طيران», bare): travel news, not violence."""
    title = "شركات طيران تعدل مساراتها فوق شرق المتوسط خشية ضربات في سوريا"
    text = ("باريس (أ ف ب) - عدلت عدة شركات طيران مسارات رحلاتها فوق شرق البحر الأبيض المتوسط، بعد تحذير أصدرته المنظمة الأوروبية لسلامة الملاحة الجوية \"يوروكونترول\" من احتمال شن ضربات جوية على سوريا خلال 72 ساعة.\n"
            "ويأتي ذلك في وقت يلوح فيه الرئيس الأمريكي دونالد ترامب بتوجيه ضربة عسكرية ردا على هجوم كيميائي مفترض في مدينة دوما قرب دمشق.")
    assert not classify(shipped, title, text, "ar").alert_topics


def test_council_acts_that_name_fighting_without_reporting_it(shipped):
    """«فض الاشتباك» is the 1974 disengagement (UNDOF's name), not clashes: its mandate renewed is a Council act;
    so is a letter that justifies strikes as self-defence (one of the outside judge's 2015 classes)."""
    undof = classify(shipped, "مجلس الأمن يمدد مهمة قوة الأندوف في الجولان ستة أشهر",
                     "مدد مجلس الأمن الدولي أمس بالإجماع مهمة قوة الأمم المتحدة لمراقبة فض الاشتباك في هضبة الجولان "
                     "ستة أشهر، معربا عن قلقه من استمرار الأنشطة العسكرية في المنطقة الفاصلة.", "ar")
    assert undof.alert_topics == ("security_council",)
    letter = classify(shipped, "تركيا تبلغ مجلس الأمن: ضرباتنا في سوريا دفاع عن النفس",
                      "وجهت تركيا رسالة إلى مجلس الأمن الدولي أكدت فيها أن الضربات التي تنفذها ضد تنظيم داعش في سوريا "
                      "تستند إلى المادة 51 من ميثاق الأمم المتحدة التي تكفل حق الدفاع عن النفس.", "ar")
    assert letter.alert_topics == ("security_council",)  # a strike's justification is no report of one


@pytest.mark.parametrize("name", ["dev.jsonl", "holdout.jsonl"])
def test_the_texts_written_for_the_project_still_hold(shipped, name):
    """Two-sentence texts, one behaviour each (modern vocabulary, hard negatives): unit tests, not the figure."""
    for topic, (precision, recall) in _quality(shipped, _rows(FIXTURES / "classifier" / name)).items():
        assert precision >= 0.9 and recall >= 0.85, (name, topic, precision, recall)


def test_classify_stops_quietly_when_its_reader_leaves(tmp_path):
    """`classify < many.jsonl | head -1`: no traceback once the pipe closes."""
    lines = (ROOT / "tests" / "fixtures" / "classifier" / "dev.jsonl").read_text(encoding="utf-8").splitlines() * 40
    many = tmp_path / "many.jsonl"
    many.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with many.open("rb") as stdin:
        process = subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "classify"], stdin=stdin,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=bot_env(tmp_path), cwd=ROOT)
    assert process.stdout.readline().startswith(b'{"id"')
    process.stdout.close()
    assert process.wait(timeout=120) == 141
    assert b"Traceback" not in process.stderr.read()


def test_classify_output_does_not_depend_on_the_hash_seed(tmp_path):
    lines = (ROOT / "tests" / "fixtures" / "classifier" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    outputs = {run_bot("classify", env=bot_env(tmp_path, PYTHONHASHSEED=str(seed)), stdin="\n".join(lines)).stdout
               for seed in (1, 2, 3)}
    assert len(outputs) == 1 and len(next(iter(outputs)).splitlines()) == len(lines)


def test_a_syria_story_telling_of_an_urgent_council_meeting_called_is_a_council_story(shipped):
    """A real roundup of 14 April 2018 (dev): the allies' reactions to the Western strikes, one of whose
    sentences says Russia called an urgent Council meeting. One body sentence naming the Council with
    an event is not enough on its own (background lines read so too); a session called at once is."""
    row = real_article("pool-FR-internationalNews-730-20180414")
    assert row["labels"]["security_council"]
    reading = classify(shipped, row["title"], row["text"], "ar")
    assert "security_council" in reading.alert_topics
    assert any(e.rule == "council ~ urgent" for e in reading.topics["security_council"].evidence)


def test_a_general_assembly_session_headlined_as_such_is_not_a_council_story(shipped):
    """A real report of 8 June 2018 (dev): the General Assembly's emergency session on Gaza, the US veto in
    the Council recalled below it. The headline tells of the Assembly, so the Council's words count less;
    a headline that names both is still read for the Council."""
    row = _pool_article("pool-SK-middleEast-2253-20180608")
    assert not row["labels"]["security_council"]
    reading = classify(shipped, row["title"], row["text"], "ar")
    assert "security_council" not in reading.alert_topics
    assert any(e.rule == "assembly - council" for e in reading.topics["security_council"].evidence)
    both = classify(shipped, "بعد الفيتو الأمريكي في مجلس الأمن.. الجمعية العامة تجتمع حول غزة", row["text"], "ar")
    assert not any(e.rule == "assembly - council" for e in both.topics["security_council"].evidence)
    assert both.topics["security_council"].score > reading.topics["security_council"].score


def test_a_reaction_to_an_attack_the_lead_places_in_syria_is_on_topic(shipped):
    """A real report of 14 April 2018 (dev): Hamas condemning the Western strikes, its lead placing them in
    Damascus: diplomacy tied to one attack. Condemning an attack elsewhere stays off topic."""
    row = real_article("pool-AL-internationalNews-936-20180414")
    assert row["labels"]["syria_escalation"]
    reading = classify(shipped, row["title"], row["text"], "ar")
    assert "syria_escalation" in reading.alert_topics
    assert any(e.rule == "reaction ~ attack - threat" for e in reading.topics["syria_escalation"].evidence)
    elsewhere = classify(shipped, "السعودية تدين الهجوم الانتحاري في طرابلس",
                         "أدانت المملكة العربية السعودية الهجوم الانتحاري الذي استهدف مقر المفوضية العليا للانتخابات في "
                         "العاصمة الليبية طرابلس اليوم وأسفر عن مقتل 12 شخصا.", "ar")
    assert not elsewhere.alert_topics


def test_air_defences_engaging_a_hostile_target_is_no_goal_scored(shipped):
    """A real report of 11 August 2018 (dev), the Syrian state media's formula: «الدفاعات الجوية تتصدى لهدف
    معاد». «هدف» is a football goal in the `civil` cue; «هدف معاد» is a hostile target."""
    row = _pool_article("pool-CN-middleEast-1177-20180811")
    assert row["labels"]["syria_escalation"]
    reading = classify(shipped, row["title"], row["text"], "ar")
    assert "syria_escalation" in reading.alert_topics
    goal = classify(shipped, "هدف قاتل يمنح الجيش السوري لقب الدوري في دمشق",
                    "سجل مهاجم نادي الجيش السوري هدفا في الدقيقة الأخيرة من المباراة على ملعب العباسيين في دمشق.", "ar")
    assert not goal.alert_topics


def test_syria_condemning_an_attack_elsewhere_is_the_speaker_not_the_place(shipped):
    """The Syrian foreign ministry's daily statements (SANA is a shipped feed): Syria condemning a strike
    on Gaza names Syria as the speaker; condemning a bombing in Damascus still places the attack in Syria."""
    gaza = classify(shipped, "سوريا تدين العدوان الإسرائيلي على غزة",
                    "أدانت وزارة الخارجية والمغتربين السورية اليوم العدوان الإسرائيلي المتواصل على قطاع غزة، ودعت "
                    "المجتمع الدولي إلى وقف المجازر بحق الشعب الفلسطيني.", "ar")
    assert "syria_escalation" not in gaza.alert_topics
    damascus = classify(shipped, "سوريا تدين التفجير الإرهابي في حي الميدان بدمشق",
                        "أدانت سوريا التفجير الإرهابي الذي استهدف حي الميدان في دمشق صباح اليوم وأسفر عن مقتل 12 مدنيا.",
                        "ar")
    assert "syria_escalation" in damascus.alert_topics
