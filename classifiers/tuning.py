"""Points and thresholds fitted to labelled articles, proposed back as editable config.

A topic's score is a sum of points, one per place where a rule holds, so it is a linear
model over which rules hold where; a logistic regression (L2-regularised, fitted by
Newton's method: a few dozen features, no library needed) finds those points. The
threshold is chosen on cross-validated scores, so the precision and recall it promises
are those of articles the fit did not see.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from classifiers.topics import MORE_CAP, Classifier, find_rules, read
from core.config import PLACES, Points

FIELDS = (*PLACES, "more")


class Labelled(NamedTuple):
    """An article labelled for one topic, as `tune` and `suggest` read it."""

    title: str
    text: str
    on_topic: bool


@dataclass(frozen=True, slots=True)
class Quality:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Proposal:
    topic: str
    threshold: float
    points: dict[str, Points]  # rule text -> points
    expected: Quality  # cross-validated
    fitted: Quality  # on all the articles, with the rounded points


def features(classifier: Classifier, name: str, title: str, text: str) -> list[float]:
    """Per rule: holds in the headline, lead, body, tail (0/1), and further sentences (0..3)."""
    found = {f.rule.text: f for f in find_rules(classifier, name, read(classifier, title, text))}
    row = []
    for rule, _ in classifier.rules[name]:
        item = found.get(rule.text)
        places = item.places() if item else ()
        row += [1.0 if place in places else 0.0 for place in PLACES]
        row.append(float(min(len(item.sentences) - 1, MORE_CAP)) if item else 0.0)
    return row


def fit(rows: Sequence[Sequence[float]], labels: Sequence[bool], l2: float = 1.0,
        signs: Sequence[int] | None = None, weights: Sequence[float] | None = None) -> list[float]:
    """Logistic regression weights, bias first (not regularised). ``signs`` (+1, -1 or 0
    per feature) keeps evidence meant for a topic from earning negative points and
    counter-evidence from earning positive ones: a weight of the wrong sign is held at
    zero and the rest refitted. ``weights``: how much each article counts (a desk's marks more)."""
    held: set[int] = set()
    while True:
        columns = [i for i in range(len(rows[0])) if i not in held]
        inner = _fit([[row[i] for i in columns] for row in rows], labels, l2, weights)
        fitted = [inner[0]] + [0.0] * len(rows[0])
        for position, column in enumerate(columns):
            fitted[column + 1] = inner[position + 1]
        wrong = {i for i in columns if signs and signs[i] and fitted[i + 1] * signs[i] < 0}
        if not wrong:
            return fitted
        held |= wrong


def _fit(rows: Sequence[Sequence[float]], labels: Sequence[bool], l2: float,
         counts: Sequence[float] | None = None, rounds: int = 25) -> list[float]:
    size = len(rows[0]) + 1
    weights = [0.0] * size
    for _ in range(rounds):
        gradient = [0.0] * size
        hessian = [[0.0] * size for _ in range(size)]
        for n, (row, label) in enumerate(zip(rows, labels)):
            x = [(0, 1.0)] + [(i + 1, v) for i, v in enumerate(row) if v]
            z = sum(weights[i] * v for i, v in x)
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            count = counts[n] if counts else 1.0
            residual, slope = count * (p - (1.0 if label else 0.0)), count * p * (1.0 - p)
            for i, v in x:
                gradient[i] += residual * v
                line = hessian[i]
                for j, u in x:
                    line[j] += slope * v * u
        for i in range(1, size):
            gradient[i] += l2 * weights[i]
            hessian[i][i] += l2
        hessian[0][0] += 1e-9
        step = _solve(hessian, gradient)
        weights = [w - s for w, s in zip(weights, step)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return weights


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gauss-Jordan elimination with partial pivoting; unused features stay at zero."""
    n = len(vector)
    rows = [line[:] + [vector[i]] for i, line in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        if abs(rows[col][col]) < 1e-12:
            continue
        for r in range(n):
            if r != col and rows[r][col]:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col])]
    return [rows[i][n] / rows[i][i] if abs(rows[i][i]) > 1e-12 else 0.0 for i in range(n)]


def quality(scores: Sequence[float], labels: Sequence[bool], threshold: float,
            counts: Sequence[float] | None = None) -> Quality:
    counts = counts or [1.0] * len(scores)
    tp = sum(c for s, y, c in zip(scores, labels, counts) if s >= threshold and y)
    fp = sum(c for s, y, c in zip(scores, labels, counts) if s >= threshold and not y)
    fn = sum(c for s, y, c in zip(scores, labels, counts) if s < threshold and y)
    return Quality(tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def choose_threshold(scores: Sequence[float], labels: Sequence[bool], precision: float | None,
                     counts: Sequence[float] | None = None) -> float:
    """Best F1, or the most recall that keeps ``precision``; between two scores, not on one."""
    ordered = sorted(set(scores))
    cuts = [(a + b) / 2 for a, b in zip(ordered, ordered[1:])] or ordered
    graded = [(quality(scores, labels, cut, counts), cut) for cut in cuts]
    if precision is not None:
        meeting = [(q.recall, q.precision, cut) for q, cut in graded if q.precision >= precision]
        if meeting:
            return max(meeting)[2]
    return max(graded, key=lambda g: (g[0].f1, g[0].precision))[1]


def tune(classifier: Classifier, name: str, articles: Sequence[Labelled], *, folds: int = 5,
         l2: float = 1.0, precision: float | None = None, seed: int = 1,
         counts: Sequence[float] | None = None) -> Proposal:
    """Fit the points of ``name``'s rules to (title, text, label) articles; ``counts``: how much
    each one weighs (a desk's own marks more than the shipped labels)."""
    rows = [features(classifier, name, title, text) for title, text, _ in articles]
    labels = [label for _, _, label in articles]
    counts = list(counts) if counts else [1.0] * len(rows)
    signs = [_sign(points) for _, points in classifier.rules[name] for _ in FIELDS]
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    held_out = [0.0] * len(rows)
    for fold in range(folds):
        test = set(order[fold::folds])
        train = [i for i in order if i not in test]
        weights = fit([rows[i] for i in train], [labels[i] for i in train], l2, signs, [counts[i] for i in train])
        for i in test:
            held_out[i] = _score(weights, rows[i])
    cut = choose_threshold(held_out, labels, precision, counts)
    weights = fit(rows, labels, l2, signs, counts)
    points, rounded = {}, [0.0] + [round(w, 1) for w in weights[1:]]
    for index, (rule, _) in enumerate(classifier.rules[name]):
        values = rounded[1 + index * len(FIELDS) : 1 + (index + 1) * len(FIELDS)]
        points[rule.text] = Points(**dict(zip(FIELDS, values)))
    threshold = round(cut - weights[0], 1)
    fitted = quality([_score(rounded, row) for row in rows], labels, threshold, counts)
    return Proposal(name, threshold, points, quality(held_out, labels, cut, counts), fitted)


def _sign(points: Points) -> int:
    """What the operator meant a rule to be: evidence (+1), counter-evidence (-1) or not yet said (0)."""
    total = sum(getattr(points, field) for field in FIELDS)
    return (total > 0) - (total < 0)


def _score(weights: Sequence[float], row: Sequence[float]) -> float:
    return weights[0] + sum(w * v for w, v in zip(weights[1:], row))


def points_toml(points: Points) -> str:
    """``{ headline = 1.5, lead = 1 }``: zero places left out, as an operator would write it."""
    values = [f"{field} = {getattr(points, field):g}" for field in FIELDS if getattr(points, field)]
    return "{ " + ", ".join(values) + " }" if values else "0"
