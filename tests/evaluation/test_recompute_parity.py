"""The gate's plain-Python metrics equal scikit-learn's on the same predictions (sklearn is the oracle).

Seeded random inputs, many of them with heavy ties (scores rounded to one or two decimals),
tiny sets, extreme imbalance and single-class labels.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from inc.evaluation import recompute as rc

SEEDS = range(40)
TOL = 1e-9


def _close(ours: float, theirs: float) -> None:
    assert math.isclose(ours, float(theirs), rel_tol=TOL, abs_tol=TOL), (ours, theirs)


def _scores(rng: np.random.Generator, n: int) -> np.ndarray:
    raw = rng.random(n)
    return np.round(raw, int(rng.integers(1, 4))) if rng.random() < 0.6 else raw  # ties most of the time


def _binary(seed: int) -> tuple[list[int], list[float]]:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    prevalence = rng.choice([0.02, 0.3, 0.5, 0.9])
    y = (rng.random(n) < prevalence).astype(int)
    y[0], y[-1] = 0, 1  # both classes present
    s = np.clip(_scores(rng, n) + 0.3 * y * rng.random(), 0, 1)
    return y.tolist(), s.tolist()


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_metrics_match_sklearn(seed: int) -> None:
    y, s = _binary(seed)
    threshold = float(np.random.default_rng(seed).choice([0.5, 0.3, 0.0, 1.0, s[len(s) // 2]]))
    yp = [1 if v >= threshold else 0 for v in s]
    _close(rc.binary_metric("roc_auc", y, s, threshold), skm.roc_auc_score(y, s))
    _close(rc.binary_metric("pr_auc", y, s, threshold), skm.average_precision_score(y, s))
    _close(rc.binary_metric("f1", y, s, threshold), skm.f1_score(y, yp, zero_division=0))
    _close(rc.binary_metric("precision", y, s, threshold), skm.precision_score(y, yp, zero_division=0))
    _close(rc.binary_metric("recall", y, s, threshold), skm.recall_score(y, yp, zero_division=0))
    _close(rc.binary_metric("accuracy", y, s, threshold), skm.accuracy_score(y, yp))
    _close(rc.binary_metric("brier", y, s, threshold), skm.brier_score_loss(y, s))


def test_all_tied_scores_give_half_auc() -> None:
    y, s = [0, 1, 0, 1, 1], [0.4] * 5
    _close(rc.roc_auc(y, s), skm.roc_auc_score(y, s))
    _close(rc.average_precision(y, s), skm.average_precision_score(y, s))


@pytest.mark.parametrize("labels", [[1, 1, 1], [0, 0, 0, 0]])
def test_single_class_auc_is_refused_like_sklearn(labels: list[int]) -> None:
    scores = [0.1 * i for i in range(len(labels))]
    with pytest.warns(UndefinedMetricWarning):  # sklearn: undefined, nan
        assert math.isnan(skm.roc_auc_score(labels, scores))
    with pytest.raises(rc.PredictionsError, match="both classes"):
        rc.roc_auc(labels, scores)
    with pytest.raises(rc.PredictionsError, match="both classes"):
        rc.average_precision(labels, scores)


@pytest.mark.parametrize("labels", [[1, 1, 1], [0, 0, 0, 0]])
def test_single_class_threshold_metrics_match_sklearn(labels: list[int]) -> None:
    scores = [0.2, 0.7, 0.9, 0.1][: len(labels)]
    yp = [1 if v >= 0.5 else 0 for v in scores]
    _close(rc.binary_metric("f1", labels, scores, 0.5), skm.f1_score(labels, yp, zero_division=0))
    _close(rc.binary_metric("recall", labels, scores, 0.5), skm.recall_score(labels, yp, zero_division=0))
    _close(rc.binary_metric("accuracy", labels, scores, 0.5), skm.accuracy_score(labels, yp))


def _multiclass(seed: int) -> tuple[list[int], list[int], list[list[float]]]:
    rng = np.random.default_rng(1000 + seed)
    k = int(rng.integers(3, 7))
    n = int(rng.integers(k, 300))
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)  # every class present
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += rng.random() * 2
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    if rng.random() < 0.5:
        proba = np.round(proba, 2)
        proba /= proba.sum(axis=1, keepdims=True)
    pred = proba.argmax(axis=1)
    if rng.random() < 0.3:  # a class never predicted, another never present in predictions
        pred[pred == k - 1] = 0
    return y.tolist(), pred.tolist(), proba.tolist()


@pytest.mark.parametrize("seed", SEEDS)
def test_multiclass_metrics_match_sklearn(seed: int) -> None:
    y, p, proba = _multiclass(seed)
    _close(rc.multiclass_metric("accuracy", y, p, proba), skm.accuracy_score(y, p))
    for kind, fn in (("f1", skm.f1_score), ("precision", skm.precision_score), ("recall", skm.recall_score)):
        for average in ("macro", "micro", "weighted"):
            ours = rc.multiclass_metric(f"{kind}_{average}", y, p, proba)
            _close(ours, fn(y, p, average=average, zero_division=0))
    _close(
        rc.multiclass_metric("roc_auc", y, p, proba),
        skm.roc_auc_score(y, np.array(proba), multi_class="ovr", average="macro"),
    )


def test_multiclass_auc_with_a_class_absent_is_refused() -> None:
    with pytest.raises(rc.PredictionsError, match="every class"):
        rc.multiclass_metric("roc_auc", [0, 1, 0], [0, 1, 1], [[0.5, 0.3, 0.2]] * 3)


@pytest.mark.parametrize("seed", SEEDS)
def test_regression_metrics_match_sklearn(seed: int) -> None:
    rng = np.random.default_rng(2000 + seed)
    n = int(rng.integers(1, 300))
    y = rng.normal(10, 5, n)
    if rng.random() < 0.3:
        y[rng.random(n) < 0.2] = 0.0  # zeros: mape's eps floor
    if rng.random() < 0.2:
        y[:] = 3.0  # a constant target: r2's convention
    pred = y + rng.normal(0, 2, n) if rng.random() < 0.9 else y.copy()
    yl, pl = y.tolist(), pred.tolist()
    _close(rc.regression_metric("rmse", yl, pl), skm.root_mean_squared_error(y, pred))
    _close(rc.regression_metric("mse", yl, pl), skm.mean_squared_error(y, pred))
    _close(rc.regression_metric("mae", yl, pl), skm.mean_absolute_error(y, pred))
    ours, theirs = rc.regression_metric("mape", yl, pl), skm.mean_absolute_percentage_error(y, pred)
    assert math.isclose(ours, theirs, rel_tol=TOL), (ours, theirs)
    if n >= 2:
        _close(rc.regression_metric("r2", yl, pl), skm.r2_score(y, pred))


@pytest.mark.parametrize("seed", SEEDS)
def test_ndcg_matches_sklearn_with_ties(seed: int) -> None:
    rng = np.random.default_rng(3000 + seed)
    queries, per_query = int(rng.integers(1, 20)), int(rng.integers(2, 15))
    relevance = rng.integers(0, 4, (queries, per_query)).astype(float)
    if rng.random() < 0.3:
        relevance[0] = 0.0  # an all-irrelevant query scores 0, as in sklearn
    scores = _scores(rng, queries * per_query).reshape(queries, per_query)
    groups = [f"q{q}" for q in range(queries) for _ in range(per_query)]
    for k in (1, 3, 5, 10, 50):
        ours = rc.ranking_metric(f"ndcg_at_{k}", groups, relevance.ravel().tolist(), scores.ravel().tolist())
        _close(ours, skm.ndcg_score(relevance, scores, k=k))


@pytest.mark.parametrize("seed", SEEDS)
def test_mrr_matches_sklearn_label_ranking_average_precision(seed: int) -> None:
    # With one relevant item per query and no ties, LRAP is exactly the mean reciprocal rank.
    rng = np.random.default_rng(4000 + seed)
    queries, per_query = int(rng.integers(1, 20)), int(rng.integers(2, 15))
    truth = np.zeros((queries, per_query), dtype=int)
    truth[np.arange(queries), rng.integers(0, per_query, queries)] = 1
    scores = rng.random((queries, per_query))
    groups = [q for q in range(queries) for _ in range(per_query)]
    ours = rc.ranking_metric("mrr", groups, truth.ravel().tolist(), scores.ravel().tolist())
    _close(ours, skm.label_ranking_average_precision_score(truth, scores))


def _reference_at_k(family: str, rel: np.ndarray, score: np.ndarray, k: int) -> float:
    """An independent numpy version (sklearn has no precision@k / recall@k / map@k)."""
    hits = (rel[np.argsort(-score, kind="stable")] > 0).astype(float)
    relevant = hits.sum()
    if family == "precision":
        return float(hits[:k].sum() / k)
    if family == "recall":
        return float(hits[:k].sum() / relevant) if relevant else 0.0
    precision_at = np.cumsum(hits[:k]) / np.arange(1, min(k, len(hits)) + 1)
    return float((precision_at * hits[:k]).sum() / min(relevant, k)) if relevant else 0.0


@pytest.mark.parametrize("seed", SEEDS)
def test_precision_recall_map_at_k_match_a_numpy_reference(seed: int) -> None:
    rng = np.random.default_rng(5000 + seed)
    queries, per_query = int(rng.integers(1, 12)), int(rng.integers(1, 12))
    rel = rng.integers(0, 3, (queries, per_query))
    score = _scores(rng, queries * per_query).reshape(queries, per_query)
    groups = [q for q in range(queries) for _ in range(per_query)]
    for family in ("precision", "recall", "map"):
        for k in (1, 3, 10):
            ours = rc.ranking_metric(f"{family}_at_{k}", groups, rel.ravel().tolist(), score.ravel().tolist())
            expected = np.mean([_reference_at_k(family, rel[q], score[q], k) for q in range(queries)])
            _close(ours, expected)


def test_recompute_reads_the_stored_payload() -> None:
    y, s = _binary(7)
    data = {"task": "binary", "labels": y, "scores": s, "threshold": 0.4}
    _close(rc.recompute(data, "AUC"), skm.roc_auc_score(y, s))
    _close(rc.recompute(data, "f1"), skm.f1_score(y, [int(v >= 0.4) for v in s]))
    with pytest.raises(rc.PredictionsError, match="differ in length"):
        rc.recompute({**data, "scores": s[:-1]}, "roc_auc")
    with pytest.raises(rc.PredictionsError, match="cannot be recomputed"):
        rc.recompute(data, "silhouette")
    with pytest.raises(rc.PredictionsError, match="finite numbers"):
        rc.recompute({**data, "scores": [*s[:-1], "0.3"]}, "roc_auc")
