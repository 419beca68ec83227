"""tune: points fitted to labelled articles, proposed as config an operator can read and edit."""

import json

from classifiers.gazetteer import parse_gazetteer
from classifiers.topics import build_classifier, classify
from classifiers.tuning import tune
from core.config import TopicConfig
from service.runtime import load_runtime
from tests.conftest import bot_env, run_bot

GAZETTEER, _ = parse_gazetteer({"entity": [{"id": "idlib", "type": "place_sy", "name": "إدلب"}]})
TOPIC = {"label": "t", "threshold": 1.0, "near": 4,
         "cues": {"attack": ["قصف*"], "syria": ["@type:place_sy"], "talk": ["محادثات"]},
         "evidence": {"attack ~ syria": 1.0, "talk": -1.0}}
STRIKE = ("قصف على إدلب", "قصفت طائرات بلدات في إدلب صباح اليوم.")
TALKS = ("محادثات حول إدلب", "بدأت محادثات جديدة حول إدلب في جنيف.")
BOTH = ("محادثات وقصف", "استمرت محادثات جنيف. وقصفت طائرات إدلب.")  # talks in the news, and a strike: on topic
QUIET = ("طقس إدلب", "أمطار غزيرة في إدلب اليوم.")


def articles() -> list[tuple[str, str, bool]]:
    return [(*STRIKE, True)] * 20 + [(*BOTH, True)] * 10 + [(*TALKS, False)] * 20 + [(*QUIET, False)] * 20


def test_tune_separates_what_the_labels_separate():
    classifier = build_classifier({"t": TopicConfig(**TOPIC)}, GAZETTEER)
    proposal = tune(classifier, "t", articles())
    assert proposal.expected.precision == proposal.expected.recall == 1.0
    assert proposal.fitted.precision == proposal.fitted.recall == 1.0
    strike = proposal.points["attack ~ syria"]
    assert strike.headline > 0 and strike.lead > 0
    tuned = build_classifier({"t": TopicConfig(**{**TOPIC, "threshold": proposal.threshold,
                                                 "evidence": proposal.points})}, GAZETTEER)
    assert [classify(tuned, *a[:2], "ar").topics["t"].alert for a in (STRIKE, BOTH, TALKS, QUIET)] == \
           [True, True, False, False]


def test_counter_evidence_never_earns_positive_points():
    """Talks appear only with violence here, so a free fit would reward them; the operator said they count against."""
    classifier = build_classifier({"t": TopicConfig(**TOPIC)}, GAZETTEER)
    talks_with_violence = [(*BOTH, True)] * 30 + [(*QUIET, False)] * 30
    proposal = tune(classifier, "t", talks_with_violence)
    talk = proposal.points["talk"]
    assert max(talk.headline, talk.lead, talk.body, talk.tail, talk.more) <= 0


def test_tune_command_proposes_and_writes_points_keeping_the_operators_comments(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(
        '[topics.t]\nlabel = "t"\nthreshold = 1  # points to alert\nnear = 4\n\n'
        '[topics.t.cues]\nattack = ["قصف*"]\nsyria = ["@type:place_sy"]\ntalk = ["محادثات"]\n\n'
        '# what counts\n[topics.t.evidence]\n"attack ~ syria" = 1  # violence in Syria\n"talk" = -1\n',
        encoding="utf-8")
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("\n".join(json.dumps({"title": t, "text": x, "labels": {"t": y}}, ensure_ascii=False)
                                  for t, x, y in articles()), encoding="utf-8")
    env = bot_env(tmp_path)
    proposed = run_bot("tune", str(labelled), "--config", str(config), env=env)
    assert proposed.returncode == 0, proposed.stderr
    assert "expected on unseen articles (5-fold): precision 1.000, recall 1.000" in proposed.stdout
    assert config.read_text(encoding="utf-8").count("= 1") == 2  # nothing written without --write
    written = run_bot("tune", str(labelled), "--config", str(config), "--write", env=env)
    assert written.returncode == 0, written.stderr
    text = config.read_text(encoding="utf-8")
    assert "# what counts" in text and "# violence in Syria" in text and "# points to alert" in text
    assert '"attack ~ syria" = { headline = ' in text
    runtime = load_runtime(config)
    assert runtime.config.topics["t"].evidence["attack ~ syria"].lead > 0
    assert runtime.config.topics["t"].threshold != 1


def test_tune_says_what_is_wrong_with_its_input(tmp_path):
    env = bot_env(tmp_path)
    missing = run_bot("tune", str(tmp_path / "none.jsonl"), env=env)
    assert missing.returncode == 1 and "cannot read labelled articles" in missing.stderr
    one_sided = tmp_path / "one.jsonl"
    one_sided.write_text(json.dumps({"title": "x", "text": "y", "labels": {"security_council": False}}) + "\n",
                         encoding="utf-8")
    result = run_bot("tune", str(one_sided), "--topic", "security_council", env=env)
    assert result.returncode == 1 and "needs articles labelled both ways" in result.stderr
