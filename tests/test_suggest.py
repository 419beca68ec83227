"""suggest: cue words mined from labelled articles, measured exactly before an operator sees them."""

import json

from classifiers.suggest import Labelled, suggest
from classifiers.topics import build_classifier
from core.config import TopicConfig
from tests.conftest import bot_env, run_bot
from tests.test_whole_days import GAZETTEER

TOPIC = TopicConfig(label="t", threshold=3.0, cues={"attack": ["قصف*"], "syria": ["@type:place_sy"]},
                    evidence={"attack ~ syria": {"headline": 4.0}})


def rebuild(topics):
    return build_classifier(topics, GAZETTEER)


# Strikes told with «غارات» the topic does not know yet; columns that mention a shelling in Syria.
MISSED = [Labelled(f"غارات جوية على مدينة {town} في سوريا", "قتل مدنيون في الغارات.", True)
          for town in ("حلب", "درعا", "حماة", "الرقة", "دير الزور", "الحسكة")]
COLUMNS = [Labelled(f"مقال رأي: قصف في سوريا ودرس {n}", "يكتب الكاتب عن الحرب.", False) for n in range(5)]
REPORTS = [Labelled(f"قصف على بلدة {n} في سوريا", "قصفت القوات البلدة.", True) for n in range(5)]
OTHER = [Labelled(f"مباراة كرة قدم رقم {n}", "فاز الفريق.", False) for n in range(10)]


def test_the_words_that_separate_come_with_the_alerts_they_gain_and_lose():
    classifier = rebuild({"t": TOPIC})
    today, found = suggest(classifier, rebuild, "t", MISSED + COLUMNS + REPORTS + OTHER)
    assert (today.alerts, today.on_topic) == (10, 11) and today.precision == 0.5
    by_term = {s.term: s for s in found}
    raids = by_term["غارات"]
    assert raids.points.headline > 0 and raids.right_gained == 6 and raids.wrong_gained == 0 and raids.recall == 1.0
    column = by_term["رأي"]
    assert column.points.headline < 0 and column.wrong_lost == 5 and column.right_lost == 0
    assert "قصف" not in by_term  # already a cue of the topic
    assert all(s.net > 0 for s in found)


def test_the_command_prints_what_to_copy_into_the_config(tmp_path):
    labelled = tmp_path / "labelled.jsonl"
    rows = [{"title": "مجلس الأمن يعقد جلسة طارئة بشأن سوريا اليوم", "text": "", "labels": {"security_council": True}}]
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    done = run_bot("suggest", str(labelled), "--topic", "security_council", "--json", env=bot_env(tmp_path))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["topic"] == "security_council" and report["today"]["articles"] == 1
    bad = run_bot("suggest", str(labelled), "--topic", "nope", env=bot_env(tmp_path))
    assert bad.returncode == 2 and "unknown topic 'nope'" in bad.stderr
    (tmp_path / "broken.jsonl").write_text("{not json\n", encoding="utf-8")
    broken = run_bot("suggest", str(tmp_path / "broken.jsonl"), env=bot_env(tmp_path))
    assert broken.returncode == 1 and "broken.jsonl:1" in broken.stderr
