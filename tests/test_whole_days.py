"""Reading for the event on whole days: spellings that mean something else, commentary, and
a story that only just reaches a threshold."""

import json
import re
from dataclasses import replace

from classifiers.commentary import commentary_reason, marks
from classifiers.gazetteer import parse_gazetteer
from classifiers.topics import build_classifier, classify
from core.config import CommentarySettings, TopicConfig
from core.models import FeedEntry
from fetchers.feeds import parse_feed
from service.pipeline import is_commentary
from service.runtime import load_gazetteer, load_runtime
from tests.conftest import FIXTURES, ROOT, bot_env, real_article, run_bot
from tests.test_backtest import CHANNELS

GAZETTEER, PROBLEMS = parse_gazetteer({"ambiguous": ["القصير"], "entity": [
    {"id": "syria", "type": "place_sy", "name": "سوريا"},
    {"id": "homs_towns", "type": "place_sy", "name": "بلدات ريف حمص", "aliases": ["القصير", "تلبيسة"]},
]})
WAR = build_classifier({"t": TopicConfig(label="t", threshold=3.0, cues={"attack": ["قصف*"], "syria": ["@type:place_sy"]},
                                         evidence={"attack ~ syria": {"headline": 4.0}})}, GAZETTEER)


def test_a_spelling_that_means_something_else_names_its_place_only_beside_syria():
    assert not PROBLEMS
    egypt = classify(WAR, "قصف عشوائي للمراكب في القصير على البحر الأحمر", "", "ar")
    assert not egypt.topics["t"].alert and not [h for h in egypt.mentions if h.entity.id == "homs_towns"]
    syria = classify(WAR, "قصف على القصير في ريف حمص بسوريا", "", "ar")
    assert syria.topics["t"].alert and [h for h in syria.mentions if h.entity.id == "homs_towns"]
    assert classify(WAR, "قصف على تلبيسة", "", "ar").topics["t"].alert  # an unambiguous town names Syria itself
    _, problems = parse_gazetteer({"ambiguous": ["الزبداني"], "entity": [{"id": "x", "type": "place_sy", "name": "س"}]})
    assert problems == ["ambiguous: 'الزبداني' is the spelling of no entity"]


def entry(*sections: str) -> FeedEntry:
    return FeedEntry("f", "1", "http://a/1", "t", "", None, sections)


def test_commentary_is_told_by_the_feed_its_section_or_its_address():
    settings = CommentarySettings()
    assert is_commentary(settings, False, entry("مقالات")) and is_commentary(settings, False, entry("Opinion"))
    assert is_commentary(settings, True, entry()) and not is_commentary(settings, False, entry("عربي ودولي"))
    assert not is_commentary(CommentarySettings(alert=True), True, entry("مقالات"))
    # a section named by one of the words, within a longer name; not a word that merely contains one
    assert is_commentary(settings, False, entry("كتاب اليوم")) and is_commentary(settings, False, entry("opinion-writers"))
    assert is_commentary(settings, False, entry("مقالات الرأي")) and is_commentary(settings, False, entry("Op-Ed"))
    assert not is_commentary(settings, False, entry("articles")) and not is_commentary(settings, False, entry("top-editors"))
    assert not is_commentary(settings, False, entry("كتابات")) and not is_commentary(CommentarySettings(sections=()), False,
                                                                                 entry("مقالات"))
    # or its address files it there (a folder of the path, not the slug)
    at = [replace(entry(), url=url) for url in ("https://www.aljazeera.net/opinions/2023/1/1/syria",
                                                "https://a.example/ar/%D9%85%D9%82%D8%A7%D9%84%D8%A7%D8%AA/123",
                                                "https://a.example/news/opinion-poll-in-syria",
                                                "https://a.example/2018/04/10/article.html")]
    assert [is_commentary(settings, False, e) for e in at] == [True, True, False, False]
    rss = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title><item><title>x</title>'
           '<link>http://a/1</link><category>مقالات</category><category>سوريا</category></item></channel></rss>')
    from core.config import FeedConfig

    [item] = parse_feed(FeedConfig(name="f", url="http://a/feed"), rss.encode(), {}, "http://a/feed")
    assert item.sections == ("مقالات", "سوريا")


# Written in the manner of a Gulf paper's column on the war (the outside judge's Saudi days carry
# several a day in the same feeds as news): violence, Syria and the Council on every line, no event.
COLUMN = ("سوريا بين الفيتو والبراميل",
          "لم يعد مستغرباً أن تستخدم روسيا الفيتو في مجلس الأمن كلما اقترب المجتمع الدولي من إدانة نظام الأسد، فقد "
          "فعلتها مرات عدة منذ بداية الثورة. لكن المستغرب حقاً هو أن يستمر العالم في التعامل مع هذا الفيتو كأنه قدر لا "
          "يرد.\nفي الأسبوع الماضي قصفت طائرات النظام ريف دمشق وريف حلب، وسقط عشرات الضحايا من المدنيين بينهم أطفال "
          "ونساء. فهل تحرك أحد؟ هل عقد مجلس الأمن جلسة طارئة؟ لا شيء من ذلك حدث.\nأعتقد أن المشكلة لم تعد في النظام "
          "وحده، بل في منظومة دولية عاجزة تسمح لدولة واحدة بتعطيل إرادة العالم. وما لم يتغير هذا الواقع فإن الشعب "
          "السوري سيظل يدفع الثمن من دمه!")


def test_the_column_reading_allows_more_sources_only_to_a_text_that_asks_more():
    settings = CommentarySettings()
    assert marks("هل؟ نعم! بنسبة 98? فقط?") == 3  # a «?» after a digit is a lost «٪»
    assert commentary_reason(2, 1000, 5, 0, settings) and not commentary_reason(2, 1000, 6, 0, settings)
    assert not commentary_reason(3, 1000, 5, 1, settings) and not commentary_reason(1, 1000, 0, 0, settings)
    assert commentary_reason(4, 1000, 9, 1, settings) and not commentary_reason(4, 1000, 10, 1, settings)
    assert not commentary_reason(9, 1000, 0, 2, settings)


def test_a_column_is_told_by_its_text_when_its_feed_does_not_file_it_apart():
    runtime = load_runtime(FIXTURES.parent.parent / "config.toml")
    loud = classify(replace(runtime.classifier, commentary=None), *COLUMN, "ar")
    assert set(loud.alert_topics) == {"security_council", "syria_escalation"}
    silent = classify(runtime.classifier, *COLUMN, "ar")
    assert not silent.alert_topics
    assert all("reads as commentary" in s.reasons[-1] for s in silent.topics.values())
    # real texts, read by a topic that takes everything: a column of 21 February 2013 without its
    # byline reads as one; a report that quotes two questions but names its sources is news
    anything = build_classifier({"t": TopicConfig(label="t", threshold=0.5, cues={"x": ["قصف*"]},
                                                  evidence={"start": {"headline": 1.0}})}, GAZETTEER,
                                commentary=CommentarySettings())
    column, news = real_article("eg13-65540e63f8dc"), real_article("pool-BB-middleEast-321-20180410")
    assert not classify(anything, re.sub(r"^.*يكتب:\s*", "", column["title"]), column["text"], "ar").alert_topics
    insistent = real_article("eg13-8aff0d574ab6")  # seven marks: one source in its opening is allowed
    reading = classify(anything, re.sub(r"^.*تكتب:\s*", "", insistent["title"]), insistent["text"], "ar").topics["t"]
    assert not reading.alert and "1 source named" in reading.reasons[-1]
    assert classify(anything, news["title"], news["text"], "ar").alert_topics == ("t",)
    assert classify(replace(anything, commentary=None), column["title"], column["text"], "ar").alert_topics == ("t",)
    off = build_classifier(anything.topics, GAZETTEER, commentary=CommentarySettings(
        questions=0, argued_words=0, column_labels=(), analysis_labels=()))
    assert off.commentary is None and classify(off, column["title"], column["text"], "ar").alert_topics == ("t",)


# A column that neither asks nor exclaims (the outside judge's Saudi papers, whose feeds name no author):
# 120 words or more, no source and no day in its opening, no figure.
ARGUED = ("حلب.. حين يصمت العالم",
          ("تسقط البراميل المتفجرة على أحياء حلب الشرقية وتقتل الأطفال تحت الأنقاض، وتقصف الطائرات الأسواق والمستشفيات "
          "في المدينة المحاصرة. فالبراميل التي تسقط على رؤوس الأطفال هناك لا تفرق بين مقاتل ومدني، والحصار الذي يطبق "
          "على المدينة "
          "يحول الخبز والدواء إلى أحلام بعيدة. إن ما يجري في حلب امتحان لضمير العالم كله، وامتحان لنا نحن العرب "
          "قبل غيرنا، فالصمت على القتل مشاركة فيه، والتفرج على الحصار قبول به. لقد جرب النظام كل أنواع السلاح على "
          "شعبه، وجرب معه حلفاؤه صبر السوريين وصبر العالم، ولم يتغير شيء، لأن الحسابات الكبرى عند القوى الكبرى لا ترى "
          "في المدن الصغيرة إلا أوراقا على طاولة التفاوض. والمطلوب اليوم ليس مؤتمرا آخر ولا قمة جديدة، بل موقف "
          "عربي واضح يضع حدا لهذه المأساة، ويعيد للسوريين حقهم في الحياة الكريمة على أرضهم، بعيدا عن البراميل "
          "والحصار والتهجير. فهل يسمع أحد؟"))


def test_a_text_that_argues_without_asking_is_told_by_its_opening_and_its_figures():
    runtime = load_runtime(FIXTURES.parent.parent / "config.toml")
    reading = classify(runtime.classifier, *ARGUED, "ar")
    assert reading.alert_topics == ("syria_escalation",) and "no source and no day named" in reading.argued
    assert "opens no thread" in reading.topics["syria_escalation"].reasons[-1]
    assert not classify(replace(runtime.classifier, commentary=None), *ARGUED, "ar").argued
    # the same text as news: a dateline and a source in its opening, or a figure every hundred words, or a
    # headline that reports violence done
    dated = ("دمشق - رويترز: قال ناشطون اليوم الاثنين " + ARGUED[1][:200], ARGUED[1][200:])
    assert not classify(runtime.classifier, ARGUED[0], " ".join(dated), "ar").argued
    counted = ARGUED[1].replace("البراميل التي تسقط", "البراميل الـ40 التي تسقط منذ 3 أيام على 2 من أحياء")
    assert not classify(runtime.classifier, ARGUED[0], counted, "ar").argued
    assert not classify(runtime.classifier, "مقتل 12 مدنيا بقصف براميل على حلب", ARGUED[1], "ar").argued
    off = build_classifier(runtime.classifier.topics, GAZETTEER, commentary=CommentarySettings(argued_words=0))
    assert not classify(off, *ARGUED, "ar").argued


def test_a_signed_column_is_silent_and_a_labelled_analysis_opens_no_thread():
    """A writer's signature (a headline «X يكتب:», an opening «بقلم:» or an editorial's «كلمة الرياض»)
    makes a column, whatever its text reads like; an opening «تحليل إخباري» makes an analysis."""
    runtime = load_runtime(FIXTURES.parent.parent / "config.toml")
    # only the signature is read: a text that asks nothing and is too short to argue
    signature = build_classifier(runtime.classifier.topics, load_gazetteer(ROOT / "classifiers" / "entities.toml"),
                                 commentary=CommentarySettings(questions=0, argued_words=0))
    title, text = "مجلس الأمن.. حين تُرفع الأيدي فوق دماء السوريين", (
        "استخدمت روسيا حق النقض (الفيتو) أربع مرات لمنع مجلس الأمن من اتخاذ قرار بشأن سوريا، "
        "وقصفت طائرات النظام أحياء حلب بالبراميل المتفجرة.")
    assert "security_council" in classify(signature, title, text, "ar").alert_topics
    for signed_title, signed_text in ((title, "بقلم: سامي الدخيل\n" + text), (title, "كلمة الرياض\n" + text),
                                      ("سامي الدخيل يكتب: " + title, text), ("كلمة اليوم: " + title, text),
                                      ("رأي.. " + title, text)):
        reading = classify(signature, signed_title, signed_text, "ar")
        assert not reading.alert_topics and "a column" in reading.topics["security_council"].reasons[-1]
    analysis = classify(signature, title, "تحليل إخباري\n" + text, "ar")
    assert analysis.alert_topics and "an analysis" in analysis.argued
    # a sentence that opens with a label's word is no label; a dateline is news
    for opening in ("كلمة السر في معركة حلب هي الطيران والمدفعية وحدها\n", "بيروت - أ ف ب\n"):
        assert classify(signature, title, opening + text, "ar").alert_topics, opening
    assert classify(signature, "الرأي العام: " + title, text, "ar").alert_topics  # public opinion, not a column
    # a real column of 2013, signed in its headline, read by a topic that takes anything shelled
    shelled = {"t": TopicConfig(label="t", threshold=0.5, cues={"x": ["قصف*"]}, evidence={"start": {"headline": 1.0}})}
    column = real_article("eg13-65540e63f8dc")
    assert "يكتب:" in column["title"]
    for labels, alerts in ((CommentarySettings.model_fields["column_labels"].default, ()), ((), ("t",))):
        reading = build_classifier(shelled, GAZETTEER, commentary=CommentarySettings(
            questions=0, argued_words=0, column_labels=labels, analysis_labels=("تحليل",)))
        assert classify(reading, column["title"], column["text"], "ar").alert_topics == alerts


def test_a_text_that_argues_opens_no_thread_but_joins_the_one_it_belongs_to(tmp_path):
    """Alone, the column is held (logged, not sent); after a report of the bombing of Aleppo it joins
    that report's thread, silently."""
    news = {"id": "news", "title": "مقتل 12 مدنيا بقصف براميل متفجرة على أحياء حلب الشرقية",
            "text": "قتل 12 مدنيا اليوم الاثنين بقصف ببراميل متفجرة ألقتها مروحيات على أحياء حلب الشرقية، بحسب الدفاع "
                    "المدني السوري.", "source": "A", "url": "http://a/1", "published": "2026-01-05T10:00:00+00:00"}
    column = {"id": "column", "title": ARGUED[0], "text": ARGUED[1], "source": "B", "url": "http://b/1",
              "published": "2026-01-05T11:00:00+00:00"}
    config = tmp_path / "c.toml"
    config.write_text(CHANNELS, encoding="utf-8")

    def actions(*lines: dict) -> list[dict]:
        day = tmp_path / "day.jsonl"
        day.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
        result = run_bot("backtest", str(day), "--config", str(config), "--json", env=bot_env(tmp_path))
        return [json.loads(line) for line in result.stdout.splitlines()[:-1]]

    assert actions(column) == []
    together = actions(news, column)
    assert [a["notify"] for a in together if "column" in a["ids"]] == [False]
    assert sum(a["notify"] for a in together) == 1


def test_a_column_on_the_war_stays_silent_in_a_replay(tmp_path):
    title = "قصف جوي على ريف إدلب ومقتل مدنيين"
    text = "قصفت طائرات حربية بلدات في ريف إدلب اليوم الاثنين وقتل خمسة مدنيين بحسب الدفاع المدني السوري."
    lines = [{"id": "news", "title": title, "text": text, "source": "A", "url": "http://a/1",
              "published": "2026-01-05T10:00:00+00:00"},
             {"id": "column", "title": title, "text": text, "source": "B", "url": "http://b/1", "category": "مقالات",
              "published": "2026-01-05T11:00:00+00:00"}]
    day = tmp_path / "day.jsonl"
    day.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text(CHANNELS, encoding="utf-8")
    result = run_bot("backtest", str(day), "--config", str(config), "--json", env=bot_env(tmp_path))
    shown = {i for line in result.stdout.splitlines()[:-1] for i in json.loads(line)["ids"]}
    assert shown == {"news"}


def test_a_story_that_only_just_reaches_the_threshold_joins_a_situation_but_opens_none(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(CHANNELS + "\n[alerts]\nopen_margin = 50\n", encoding="utf-8")
    text = "حاصرت قوات النظام السوري بلدات في ريف إدلب اليوم بعد قصف جوي وقتل خمسة مدنيين في غارات."
    day = tmp_path / "day.jsonl"

    def replay(title):
        line = {"id": "alone", "title": title, "text": text, "source": "A", "url": "http://a/1",
                "published": "2026-01-05T10:00:00+00:00"}
        day.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
        return run_bot("backtest", str(day), "--config", str(config), "--json", env=bot_env(tmp_path, LOG_LEVEL="INFO"))

    held = replay("قوات النظام تحاصر بلدات في ريف إدلب")
    assert held.stdout.splitlines()[:-1] == [] and "alert_held" in held.stderr
    # a report of violence that happened opens its situation on the threshold alone
    shown = replay("قصف جوي على ريف إدلب ومقتل مدنيين")
    assert [json.loads(line)["ids"] for line in shown.stdout.splitlines()[:-1]] == [["alone"]]


def test_a_topic_may_ask_its_own_margin_to_open_a_situation(tmp_path):
    """[topics.<name>] open_margin overrides [alerts] open_margin, either way."""
    shipped = (ROOT / "config.toml").read_text(encoding="utf-8")
    topics = shipped[shipped.index("[topics.security_council]"):shipped.index("[[channels]]")]
    line = {"id": "alone", "title": "قوات النظام تحاصر بلدات في ريف إدلب", "source": "A", "url": "http://a/1",
            "text": "حاصرت قوات النظام السوري بلدات في ريف إدلب اليوم بعد قصف جوي وقتل خمسة مدنيين في غارات.",
            "published": "2026-01-05T10:00:00+00:00"}
    day = tmp_path / "day.jsonl"
    day.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    config = tmp_path / "c.toml"

    def shown(alerts: float, own: float) -> bool:
        own_line = f"open_margin = {own}\n"
        text = topics.replace("[topics.syria_escalation]\n", "[topics.syria_escalation]\n" + own_line, 1)
        config.write_text(f"[alerts]\nopen_margin = {alerts}\n\n{text}\n{CHANNELS}", encoding="utf-8")
        result = run_bot("backtest", str(day), "--config", str(config), "--json", env=bot_env(tmp_path))
        return bool(result.stdout.splitlines()[:-1])

    assert not shown(alerts=0, own=50) and shown(alerts=50, own=0)


def test_a_headline_that_asks_joins_a_situation_but_opens_none(tmp_path):
    """An explainer, a guess or a column's question («ماذا يجري في ريف إدلب؟») does not ring a new
    thread, however clearly its text reads on the topic; it is shown in the thread it belongs to."""
    config = tmp_path / "c.toml"
    config.write_text(CHANNELS, encoding="utf-8")
    text = "قصفت طائرات حربية بلدات في ريف إدلب اليوم الاثنين وقتل خمسة مدنيين بحسب الدفاع المدني السوري."
    question = {"id": "question", "title": "ماذا يجري في ريف إدلب؟", "text": text, "source": "B",
                "url": "http://b/1", "published": "2026-01-05T11:00:00+00:00"}
    report = {"id": "report", "title": "قصف جوي على ريف إدلب ومقتل مدنيين", "text": text, "source": "A",
              "url": "http://a/1", "published": "2026-01-05T10:00:00+00:00"}
    day = tmp_path / "day.jsonl"

    def replay(*lines):
        """(the ids shown, the notifications, the log) of a backtest of these lines."""
        day.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
        result = run_bot("backtest", str(day), "--config", str(config), "--json",
                         env=bot_env(tmp_path, LOG_LEVEL="INFO"))
        actions = [json.loads(line) for line in result.stdout.splitlines()[:-1]]
        return {i for a in actions for i in a["ids"]}, sum(a["notify"] for a in actions), result.stderr

    ids, rang, log = replay(question)
    assert (ids, rang) == (set(), 0) and "a headline that asks, and no situation of the day to join" in log
    assert replay(report, question)[:2] == ({"report", "question"}, 1)


def test_explain_shows_a_columns_byline_counting_against_the_topic(tmp_path):
    column = tmp_path / "column.txt"
    column.write_text("أحمد علي يكتب: سوريا والغارات التي لا تنتهي\nبقلم أحمد علي. إن الغارات على إدلب تقتل الأبرياء "
                      "كل يوم، وعلينا أن نسأل أنفسنا عن دورنا.", encoding="utf-8")
    out = run_bot("explain", str(column), env=bot_env(tmp_path)).stdout
    assert "opinion" in out and "【يكتب】" in out


def test_explain_shows_why_a_council_act_building_an_inquiry_is_not_violence(tmp_path):
    """The judge's class: the vote creating the chemical-attack investigation body read as escalation."""
    vote = tmp_path / "vote.txt"
    vote.write_text("مجلس الأمن يصوت على إنشاء آلية تحقيق مشتركة في الهجمات الكيماوية بسوريا\nصوت مجلس الأمن الدولي "
                    "بالإجماع اليوم على قرار ينشئ آلية تحقيق مشتركة لتحديد المسؤولين عن الهجمات بالأسلحة الكيماوية في "
                    "سوريا.", encoding="utf-8")
    out = run_bot("explain", str(vote), env=bot_env(tmp_path)).stdout
    verdict = {line.split(":")[0].strip("│ "): line.rstrip("│ ").endswith("ALERT") for line in out.splitlines()
               if " / threshold " in line}
    assert verdict == {"security_council": True, "syria_escalation": False}
    assert "institution ~ attack - site" in out
    douma = tmp_path / "douma.txt"  # one attack's place: the inquiry is the response to it
    douma.write_text(vote.read_text(encoding="utf-8").replace("في الهجمات الكيماوية بسوريا", "في هجوم دوما الكيماوي")
                     .replace("في سوريا", "في دوما بسوريا"), encoding="utf-8")
    assert "institution ~ attack - site" not in run_bot("explain", str(douma), env=bot_env(tmp_path)).stdout
