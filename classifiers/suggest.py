"""Cue terms mined from labelled articles, for an operator to accept into config.toml.

A word of headlines and leads that on-topic articles the classifier misses share (or that
its wrong alerts share) is proposed as a cue with the points that move the most articles
the right way, in each half of the articles alike (a word that helps in one half only is
chance: an outlet's name, a date). Every proposal is then measured exactly: the topic is rebuilt with the cue
and its evidence added (alone, or near one of the topic's own cues), the labelled articles
that contain the word are classified again, and the alerts gained and lost are counted.
Nothing is applied: the operator reads the figures and copies what they accept.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from classifiers.grouping import lead_of
from classifiers.normalize import content_words, tokens
from classifiers.topics import Classifier, classify
from classifiers.tuning import Labelled
from core.config import Points, TopicConfig

CUE = "suggested"
POINTS = (1.0, 2.0, 3.0, 4.0)  # the points tried, each way
MIN_ARTICLES = 3  # a word must move this many labelled articles
_ARABIC_WORD = re.compile(r"^[\u0621-\u064A]{3,}$")  # a cue an operator would write: an Arabic word, no digits


@dataclass(frozen=True, slots=True)
class Suggestion:
    rule: str  # the evidence rule: "suggested" or "<cue> ~ suggested"
    term: str  # the word as the articles spell it
    points: Points
    right_gained: int  # on-topic articles that now alert
    wrong_gained: int  # off-topic articles that now alert
    right_lost: int  # on-topic alerts silenced
    wrong_lost: int  # off-topic alerts silenced
    precision: float  # on the labelled articles, with the suggestion
    recall: float

    @property
    def net(self) -> int:
        return self.right_gained + self.wrong_lost - self.wrong_gained - self.right_lost


@dataclass(frozen=True, slots=True)
class Today:
    articles: int
    on_topic: int
    alerts: int
    precision: float
    recall: float


def suggest(classifier: Classifier, rebuild: Callable[[Mapping[str, TopicConfig]], Classifier], name: str,
            articles: Sequence[Labelled], *, top: int = 10) -> tuple[Today, list[Suggestion]]:
    """The topic as it scores the articles today, and the best ``top`` cue suggestions (each
    one moving more articles the right way than the wrong way), best first."""
    topic = classifier.topics[name]
    scores = [classify(classifier, a.title, a.text, detail=False).topics[name].score for a in articles]
    alerting = [s >= topic.threshold for s in scores]
    today = _today(articles, alerting)
    # a cue earns its points at most in the headline and the lead: further articles cannot change
    near = [i for i, score in enumerate(scores) if abs(score - topic.threshold) < 2 * max(POINTS)]
    words = {i: _opening_words(articles[i], topic.lead) for i in near}
    estimated = _estimates(articles, scores, alerting, words, topic.threshold)
    own = {w for terms in topic.cues.values() for term in terms for w in content_words(term.rstrip("*"))}
    ranked = sorted(((net, word, points) for word, (net, points) in estimated.items() if word not in own),
                    key=lambda item: (-item[0], item[1]))
    texts = {i: set(content_words(f"{articles[i].title}\n{articles[i].text}")) for i in near}
    spelled = _spellings([articles[i] for i in near])
    measured: list[Suggestion] = []
    for _, word, points in ranked[: top * 2]:
        reach = 2 * abs(points.headline)
        containing = [i for i, found in texts.items() if word in found and abs(scores[i] - topic.threshold) < reach]
        alone = _measure(rebuild, classifier, name, CUE, spelled[word], points, articles, alerting, containing)
        tried = [alone]
        if alone.right_lost or alone.wrong_gained:  # near one of the topic's cues, it may move only the right ones
            tried += [_measure(rebuild, classifier, name, f"{cue} ~ {CUE}", spelled[word], points, articles, alerting,
                               containing) for cue in topic.cues]
        measured += [found for found in tried if found.net > 0]
    best: dict[str, Suggestion] = {}
    for found in sorted(measured, key=lambda s: (-s.net, s.rule.count("~"), s.term)):
        best.setdefault(found.term, found)  # one rule per word: its best
    return today, list(best.values())[:top]


def _today(articles: Sequence[Labelled], alerting: Sequence[bool]) -> Today:
    right = sum(1 for a, alert in zip(articles, alerting) if alert and a.on_topic)
    alerts, on_topic = sum(alerting), sum(a.on_topic for a in articles)
    return Today(len(articles), on_topic, alerts, right / alerts if alerts else 0.0,
                 right / on_topic if on_topic else 0.0)


def _opening_words(article: Labelled, lead: int) -> tuple[set[str], set[str]]:
    return set(content_words(article.title)), set(content_words(lead_of(article.text, lead)))


def _estimates(articles: Sequence[Labelled], scores: Sequence[float], alerting: Sequence[bool],
               words: dict[int, tuple[set[str], set[str]]], threshold: float) -> dict[str, tuple[int, Points]]:
    """Per word of the articles that could change (``words``: their headline's and lead's), the
    points that move the most articles the right way (net), reckoning that a word earns its
    points once in the headline and once in the lead; kept only when those points help in both
    halves of the articles."""
    holders: dict[str, list[int]] = defaultdict(list)
    for i, (headline, lead) in words.items():
        for word in headline | lead:
            if _ARABIC_WORD.match(word):
                holders[word].append(i)
    best: dict[str, tuple[int, Points]] = {}
    for word, found in holders.items():
        if len(found) < MIN_ARTICLES:
            continue
        for value in (*POINTS, *(-p for p in POINTS)):
            halves = [0, 0]
            for i in found:
                headline, lead = words[i]
                after = scores[i] + value * ((word in headline) + (word in lead)) >= threshold
                if after != alerting[i]:
                    halves[i % 2] += 1 if after == articles[i].on_topic else -1
            net = sum(halves)
            if min(halves) > 0 and net >= MIN_ARTICLES and net > best.get(word, (0, None))[0]:
                best[word] = (net, Points(headline=value, lead=value))
    return best


def _spellings(articles: Sequence[Labelled]) -> dict[str, str]:
    """Each content word as the articles most often spell it bare (no clitic attached)."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for raw in tokens(f"{article.title}\n{lead_of(article.text)}"):
            for word in content_words(raw):
                seen[word][raw] += 1
    return {word: min(forms, key=lambda form: (len(form), -forms[form], form)) for word, forms in seen.items()}


def _measure(rebuild: Callable[[Mapping[str, TopicConfig]], Classifier], classifier: Classifier, name: str,
             rule: str, term: str, points: Points, articles: Sequence[Labelled], alerting: Sequence[bool],
             containing: Sequence[int]) -> Suggestion:
    topic = classifier.topics[name]
    changed = topic.model_copy(update={"cues": {**topic.cues, CUE: (term,)},
                                       "evidence": {**topic.evidence, rule: points}})
    trial = rebuild({**classifier.topics, name: changed})
    counts: Counter[str] = Counter()
    now = list(alerting)
    for i in containing:
        now[i] = classify(trial, articles[i].title, articles[i].text, detail=False).topics[name].alert
        if now[i] != alerting[i]:
            counts[("right" if articles[i].on_topic else "wrong") + ("_gained" if now[i] else "_lost")] += 1
    after = _today(articles, now)
    return Suggestion(rule, term, points, counts["right_gained"], counts["wrong_gained"], counts["right_lost"],
                      counts["wrong_lost"], after.precision, after.recall)
