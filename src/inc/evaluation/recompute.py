"""Metrics recomputed from stored predictions in plain Python (the gate's core profile).

No numpy, scikit-learn or pandas here: ``inc gate`` imports this on untrusted pull requests and
recomputes an evaluation report's headline metric from its ``predictions.json.gz``. Each
function follows scikit-learn's definition (ties, zero-division and empty-group conventions
included) so the two agree to floating-point noise; ``tests/evaluation`` holds sklearn as the
oracle over seeded random inputs.

Conventions shared with the writer (``inc.evaluation.store``):

- binary: ``labels`` are 0/1, ``scores`` the positive class's score, predicted positive when
  ``score >= threshold``;
- multi-class: ``labels`` and ``predicted`` are class indices, ``proba`` one row per label;
- regression: ``labels`` and ``predictions`` are numbers;
- ranking: ``groups`` name each row's query, ``labels`` are graded relevances (> 0 relevant),
  ``scores`` rank rows within a query (higher first; ties keep row order, except ndcg, which
  averages over ties as scikit-learn does).
"""

from __future__ import annotations

import gzip
import json
import math
import operator
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import compress, repeat
from pathlib import Path
from typing import Any

MAX_PREDICTIONS_BYTES = 256 * 1024 * 1024  # decompressed; a larger file is refused, never parsed
_EPS = 2.220446049250313e-16  # numpy.finfo(float64).eps, sklearn's floor for mape
_AT_K = re.compile(r"^(ndcg|map|precision|recall)_at_(\d+)$")


class PredictionsError(ValueError):
    """Stored predictions that are malformed or cannot give the metric."""


# ---------------------------------------------------------------- metric names


_ALIASES = {
    "auc": "roc_auc",
    "roc_auc_ovr": "roc_auc",
    "average_precision": "pr_auc",
    "ap": "pr_auc",
    "f1_score": "f1",
    "acc": "accuracy",
    "neg_rmse": "rmse",
    "root_mean_squared_error": "rmse",
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "mean_absolute_percentage_error": "mape",
    "r2_score": "r2",
}

BINARY_METRICS = ("roc_auc", "pr_auc", "f1", "precision", "recall", "accuracy", "brier")
MULTICLASS_METRICS = (
    "accuracy",
    "f1_macro",
    "f1_micro",
    "f1_weighted",
    "precision_macro",
    "precision_micro",
    "precision_weighted",
    "recall_macro",
    "recall_micro",
    "recall_weighted",
    "roc_auc",
)
REGRESSION_METRICS = ("rmse", "mse", "mae", "mape", "r2")
RANKING_METRICS = ("ndcg_at_K", "map_at_K", "mrr", "precision_at_K", "recall_at_K")
SUPPORTED = {
    "binary": BINARY_METRICS,
    "multiclass": MULTICLASS_METRICS,
    "regression": REGRESSION_METRICS,
    "ranking": RANKING_METRICS,
}


def canonical(name: str, task: str) -> str:
    """The metric's canonical name for ``task`` (``ndcg@10`` -> ``ndcg_at_10``, ``auc`` -> ``roc_auc``).

    Raises ``PredictionsError`` naming the supported metrics when ``name`` cannot be recomputed.
    """
    key = name.strip().lower().replace("@", "_at_").replace("-", "_")
    key = _ALIASES.get(key, key)
    if task == "multiclass" and key in ("f1", "precision", "recall"):
        key += "_macro"
    if task == "ranking":
        if key == "mrr" or _AT_K.match(key):
            return key
    elif key in SUPPORTED.get(task, ()):
        return key
    known = ", ".join(SUPPORTED.get(task, ())) or "none"
    raise PredictionsError(f"metric {name!r} cannot be recomputed for a {task} model (supported: {known})")


# ---------------------------------------------------------------- binary


def _check_binary(labels: Sequence[int]) -> tuple[int, int]:
    positives = sum(1 for y in labels if y == 1)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        raise PredictionsError("AUC needs both classes; the labels hold only one")
    return positives, negatives


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Area under the ROC curve: P(positive outscores negative) + half the ties (the rank-sum formula).

    Counted exactly in integers with C-level bisection over the sorted negative scores.
    """
    positives, negatives = _check_binary(labels)
    pos = list(compress(scores, labels))
    neg = sorted(compress(scores, map(operator.not_, labels)))
    below = sum(map(bisect_left, repeat(neg, positives), pos))
    at_or_below = sum(map(bisect_right, repeat(neg, positives), pos))
    return (below + at_or_below) / 2 / (positives * negatives)


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Average precision (area under precision-recall, sklearn's step sum over distinct scores)."""
    positives, _ = _check_binary(labels)
    order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
    tp = fp = 0
    total = 0.0
    i, n = 0, len(order)
    while i < n:
        value = scores[order[i]]
        before = tp
        while i < n and scores[order[i]] == value:
            if labels[order[i]] == 1:
                tp += 1
            else:
                fp += 1
            i += 1
        total += (tp - before) / positives * (tp / (tp + fp))
    return total


def binary_counts(
    labels: Sequence[int], scores: Sequence[float], threshold: float
) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) with a row predicted positive when its score >= ``threshold``."""
    tp = fp = fn = tn = 0
    for y, s in zip(labels, scores, strict=True):
        if s >= threshold:
            if y == 1:
                tp += 1
            else:
                fp += 1
        elif y == 1:
            fn += 1
        else:
            tn += 1
    return tp, fp, fn, tn


def _div(num: float, den: float) -> float:
    return num / den if den else 0.0


def binary_metric(name: str, labels: Sequence[int], scores: Sequence[float], threshold: float) -> float:
    """One of :data:`BINARY_METRICS` (threshold metrics from counts; zero division gives 0)."""
    if name == "roc_auc":
        return roc_auc(labels, scores)
    if name == "pr_auc":
        return average_precision(labels, scores)
    if name == "brier":
        return math.fsum((s - y) ** 2 for y, s in zip(labels, scores, strict=True)) / len(labels)
    tp, fp, fn, tn = binary_counts(labels, scores, threshold)
    return {
        "f1": lambda: _div(2 * tp, 2 * tp + fp + fn),
        "precision": lambda: _div(tp, tp + fp),
        "recall": lambda: _div(tp, tp + fn),
        "accuracy": lambda: (tp + tn) / len(labels),
    }[name]()


def expected_calibration_error(labels: Sequence[int], scores: Sequence[float], bins: int = 10) -> float:
    """ECE over ``bins`` equal-width bins of the score: sum of |mean label - mean score| x share."""
    sums: dict[int, list[float]] = {}
    for y, s in zip(labels, scores, strict=True):
        b = min(int(s * bins), bins - 1) if s > 0 else 0
        acc = sums.setdefault(b, [0.0, 0.0, 0.0])
        acc[0] += y
        acc[1] += s
        acc[2] += 1
    n = len(labels)
    return math.fsum(abs(a[0] - a[1]) / n for a in sums.values())


# ---------------------------------------------------------------- multi-class


def _class_counts(labels: Sequence[int], predicted: Sequence[int]) -> dict[int, list[int]]:
    """class -> [tp, predicted count, true count] over the classes in labels or predictions."""
    counts: dict[int, list[int]] = {}
    for y, p in zip(labels, predicted, strict=True):
        counts.setdefault(y, [0, 0, 0])[2] += 1
        counts.setdefault(p, [0, 0, 0])[1] += 1
        if y == p:
            counts[y][0] += 1
    return counts


def _averaged(kind: str, average: str, counts: dict[int, list[int]]) -> float:
    def score(tp: int, pred: int, true: int) -> float:
        if kind == "precision":
            return _div(tp, pred)
        if kind == "recall":
            return _div(tp, true)
        return _div(2 * tp, pred + true)

    if average == "micro":
        tp = sum(c[0] for c in counts.values())
        pred = sum(c[1] for c in counts.values())
        true = sum(c[2] for c in counts.values())
        return score(tp, pred, true)
    per_class = [(score(*c), c[2]) for _, c in sorted(counts.items())]
    if average == "macro":
        return math.fsum(v for v, _ in per_class) / len(per_class)
    support = sum(w for _, w in per_class)
    return _div(math.fsum(v * w for v, w in per_class), support)


def multiclass_metric(
    name: str, labels: Sequence[int], predicted: Sequence[int], proba: Sequence[Sequence[float]] | None
) -> float:
    """One of :data:`MULTICLASS_METRICS`; ``roc_auc`` is the one-vs-rest macro average."""
    if name == "accuracy":
        return sum(1 for y, p in zip(labels, predicted, strict=True) if y == p) / len(labels)
    if name == "roc_auc":
        if proba is None:
            raise PredictionsError("one-vs-rest AUC needs the stored class probabilities")
        classes = sorted(set(labels))
        width = len(proba[0]) if proba else 0
        if len(classes) != width or len(classes) < 2:
            raise PredictionsError(
                f"one-vs-rest AUC needs every class in the labels ({len(classes)} of {width} present)"
            )
        aucs = [roc_auc([1 if y == c else 0 for y in labels], [row[c] for row in proba]) for c in classes]
        return math.fsum(aucs) / len(aucs)
    kind, _, average = name.partition("_")
    return _averaged(kind, average, _class_counts(labels, predicted))


# ---------------------------------------------------------------- regression


def regression_metric(name: str, actual: Sequence[float], predicted: Sequence[float]) -> float:
    """One of :data:`REGRESSION_METRICS` (r2 of a constant target: 1 when exact, else 0)."""
    n = len(actual)
    pairs = list(zip(actual, predicted, strict=True))
    if name in ("rmse", "mse"):
        mse = math.fsum((y - p) ** 2 for y, p in pairs) / n
        return math.sqrt(mse) if name == "rmse" else mse
    if name == "mae":
        return math.fsum(abs(y - p) for y, p in pairs) / n
    if name == "mape":
        return math.fsum(abs(y - p) / max(abs(y), _EPS) for y, p in pairs) / n
    mean = math.fsum(actual) / n
    residual = math.fsum((y - p) ** 2 for y, p in pairs)
    total = math.fsum((y - mean) ** 2 for y in actual)
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return 1.0 - residual / total


# ---------------------------------------------------------------- ranking


def _queries(
    groups: Sequence[Any], labels: Sequence[float], scores: Sequence[float]
) -> list[tuple[list[float], list[float]]]:
    by_query: dict[Any, tuple[list[float], list[float]]] = {}
    for g, y, s in zip(groups, labels, scores, strict=True):
        pair = by_query.setdefault(g, ([], []))
        pair[0].append(y)
        pair[1].append(s)
    return list(by_query.values())


def _discount(position: int, k: int) -> float:
    return 1.0 / (math.log(position + 2) / math.log(2)) if position < k else 0.0


def ndcg(labels: Sequence[float], scores: Sequence[float], k: int) -> float:
    """nDCG@k of one query with linear gains, DCG averaged over tied scores (sklearn's ndcg_score)."""
    order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
    dcg, i, n = 0.0, 0, len(order)
    while i < n:
        j = i
        while j + 1 < n and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        gain = math.fsum(labels[order[t]] for t in range(i, j + 1)) / (j - i + 1)
        dcg += gain * math.fsum(_discount(t, k) for t in range(i, j + 1))
        i = j + 1
    ideal = math.fsum(y * _discount(t, k) for t, y in enumerate(sorted(labels, reverse=True)))
    return dcg / ideal if ideal else 0.0


def _ranked_hits(labels: Sequence[float], scores: Sequence[float]) -> list[bool]:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])  # stable: ties keep row order
    return [labels[i] > 0 for i in order]


def query_metric(name: str, labels: Sequence[float], scores: Sequence[float]) -> float:
    """One query's ``ndcg_at_K``, ``map_at_K``, ``precision_at_K``, ``recall_at_K`` or ``mrr``."""
    if name == "mrr":
        hits = _ranked_hits(labels, scores)
        return next((1.0 / (i + 1) for i, hit in enumerate(hits) if hit), 0.0)
    match = _AT_K.match(name)
    if match is None:
        raise PredictionsError(f"unknown ranking metric {name!r}")
    family, k = match[1], int(match[2])
    if family == "ndcg":
        return ndcg(labels, scores, k)
    hits = _ranked_hits(labels, scores)
    relevant = sum(hits)
    top = hits[:k]
    if family == "precision":
        return sum(top) / k
    if family == "recall":
        return _div(sum(top), relevant)
    found, total = 0, 0.0
    for i, hit in enumerate(top):
        if hit:
            found += 1
            total += found / (i + 1)
    return _div(total, min(relevant, k))


def ranking_metric(
    name: str, groups: Sequence[Any], labels: Sequence[float], scores: Sequence[float]
) -> float:
    """Mean of :func:`query_metric` over the queries (every query counts, all-irrelevant ones as 0)."""
    values = [query_metric(name, ys, ss) for ys, ss in _queries(groups, labels, scores)]
    return math.fsum(values) / len(values)


# ---------------------------------------------------------------- stored predictions


def read_predictions(path: Path, limit: int = MAX_PREDICTIONS_BYTES) -> dict[str, Any]:
    """Parse ``predictions.json.gz`` (bounded decompression; JSON without NaN or Infinity)."""
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except (OSError, EOFError) as exc:
        raise PredictionsError(f"{path.name}: not a readable gzip file ({exc})") from exc
    if len(raw) > limit:
        raise PredictionsError(f"{path.name}: more than {limit // (1024 * 1024)} MiB once decompressed")

    def refuse(token: str) -> float:
        raise PredictionsError(f"{path.name}: holds {token}, which is not a number")

    try:
        data = json.loads(raw, parse_constant=refuse)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise PredictionsError(f"{path.name}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise PredictionsError(f"{path.name}: expected a JSON object")
    return data


def _column(data: dict[str, Any], key: str, kinds: tuple[type, ...], what: str) -> list[Any]:
    """A non-empty list whose items are all of ``kinds`` (checked at C speed: type set, finiteness)."""
    values = data.get(key)
    if not isinstance(values, list) or not values:
        raise PredictionsError(f"predictions lack a non-empty {key!r} list")
    if not set(map(type, values)) <= set(kinds):
        raise PredictionsError(f"predictions {key!r} must hold {what} only")
    if float in kinds and not all(map(math.isfinite, values)):
        raise PredictionsError(f"predictions {key!r} must hold {what} only (found NaN or infinity)")
    return values


_NUMBER = (int, float)


def _is_number(v: Any) -> bool:
    return type(v) in _NUMBER and math.isfinite(v)


def _same_length(**columns: list[Any]) -> None:
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name} {n}" for name, n in lengths.items())
        raise PredictionsError(f"stored columns differ in length: {shown}")


def recompute(data: dict[str, Any], metric: str) -> float:
    """The value of ``metric`` over stored predictions ``data`` (as :func:`read_predictions` gives)."""
    task = data.get("task")
    if task not in SUPPORTED:
        raise PredictionsError(f"predictions name an unknown task {task!r}")
    name = canonical(metric, str(task))
    if task == "binary":
        labels = _column(data, "labels", (int,), "0/1 labels")
        if not set(labels) <= {0, 1}:
            raise PredictionsError("predictions 'labels' must hold 0/1 labels only")
        scores = _column(data, "scores", _NUMBER, "finite numbers")
        _same_length(labels=labels, scores=scores)
        threshold = data.get("threshold", 0.5)
        if not _is_number(threshold):
            raise PredictionsError("predictions hold no numeric threshold")
        return binary_metric(name, labels, scores, float(threshold))
    if task == "multiclass":
        labels = _column(data, "labels", (int,), "class indices")
        predicted = _column(data, "predicted", (int,), "class indices")
        if min(labels) < 0 or min(predicted) < 0:
            raise PredictionsError("predictions hold a negative class index")
        proba = data.get("proba")
        if proba is not None:
            width = len(proba[0]) if isinstance(proba, list) and proba and isinstance(proba[0], list) else 0
            if not isinstance(proba, list) or not all(
                isinstance(r, list) and len(r) == width and all(_is_number(v) for v in r) for r in proba
            ):
                raise PredictionsError("predictions 'proba' must be rows of finite numbers of one width")
            _same_length(labels=labels, predicted=predicted, proba=proba)
        _same_length(labels=labels, predicted=predicted)
        return multiclass_metric(name, labels, predicted, proba)
    if task == "regression":
        actual = _column(data, "labels", _NUMBER, "finite numbers")
        predicted = _column(data, "predictions", _NUMBER, "finite numbers")
        _same_length(labels=actual, predictions=predicted)
        return regression_metric(name, actual, predicted)
    groups = _column(data, "groups", (str, int), "query ids (text or integers)")
    labels = _column(data, "labels", _NUMBER, "finite numbers")
    scores = _column(data, "scores", _NUMBER, "finite numbers")
    _same_length(groups=groups, labels=labels, scores=scores)
    return ranking_metric(name, groups, labels, scores)


def agrees(recomputed: float, recorded: float, tolerance: float = 1e-9) -> bool:
    """True when two metric values agree to ``tolerance`` (absolute, or relative above 1)."""
    return abs(recomputed - recorded) <= tolerance * max(1.0, abs(recorded))
