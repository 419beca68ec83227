import json

import pytest

from devtools.agreement import agreement, kappa, main, story_agreement, topic_agreement
from devtools.evaluate_grouping import grade
from tests.conftest import FIXTURES

REAL = FIXTURES / "real"


def test_kappa_discounts_the_agreement_chance_alone_gives():
    labels = {str(i): i < 10 for i in range(100)}  # 10 of 100 are on the topic
    always_no = topic_agreement({i: False for i in labels}, labels)
    assert agreement(always_no) == 0.9 and kappa(always_no) == 0.0 and always_no.recall == 0.0
    one_miss = topic_agreement({i: v and i != "0" for i, v in labels.items()}, labels)
    assert (one_miss.precision, one_miss.recall) == (1.0, 0.9)
    assert kappa(one_miss) == pytest.approx(0.9418, abs=1e-4)


def test_story_agreement_counts_pairs_over_the_articles_both_readings_hold():
    labels = {"a": "strike", "b": "strike", "c": "strike", "d": "veto"}
    second = {"a": "strike", "b": "strike", "c": "reaction", "d": "strike", "e": "strike"}
    # second pairs a-b, a-d, b-d (e is not labelled); labels pair a-b, a-c, b-c
    assert story_agreement(second, labels) == pytest.approx((1 / 3, 1 / 3))


def test_the_second_reading_is_reported_against_the_shipped_labels(capsys):
    assert main([str(REAL / "second_reading" / "topics.jsonl"), str(REAL / "classifier_dev.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "security_council: 450 articles" in out and "syria_escalation: 450 articles" in out


def test_both_story_readings_label_the_same_articles():
    for name in ("days_dev.jsonl", "days_holdout.jsonl"):
        rows = [json.loads(line) for line in (REAL / name).read_text(encoding="utf-8").splitlines()]
        assert {r["id"] for r in rows if r.get("story")} == {r["id"] for r in rows if r.get("story_literal")}, name


def test_grading_follows_the_chosen_story_field():
    rows = [{"id": "a", "story": "s1", "story_literal": "x"}, {"id": "b", "story": "s2", "story_literal": "x"}]
    together = {"a": "1", "b": "1"}
    assert grade(rows, together).precision == 0.0
    assert grade(rows, together, "story_literal").precision == 1.0
