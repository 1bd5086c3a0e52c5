"""The metrics tables of each problem type, computed with scikit-learn (the reference definitions).

Ranking metrics have no scikit-learn counterpart for map@k, precision@k, recall@k and mrr; they
use :mod:`inc.evaluation.recompute` (the same code the gate runs).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics as skm

from inc.evaluation import recompute as rc
from inc.evaluation.scoring import Scored

CALIBRATION_BINS = 10


def predicted_positive(scored: Scored, threshold: float) -> np.ndarray:
    """0/1 predictions at the operating threshold (positive when score >= threshold)."""
    assert scored.scores is not None
    return (scored.scores >= threshold).astype(int)


def headline(scored: Scored, name: str, threshold: float | None) -> float:
    """The increment's metric on every row, from scikit-learn where it has one."""
    y = scored.labels
    if scored.task == "binary":
        s = scored.scores
        assert s is not None
        if name == "roc_auc":
            return float(skm.roc_auc_score(y, s))
        if name == "pr_auc":
            return float(skm.average_precision_score(y, s))
        if name == "brier":
            return float(skm.brier_score_loss(y, s))
        yp = predicted_positive(scored, threshold if threshold is not None else 0.5)
        fns = {"f1": skm.f1_score, "precision": skm.precision_score, "recall": skm.recall_score}
        if name == "accuracy":
            return float(skm.accuracy_score(y, yp))
        return float(fns[name](y, yp, zero_division=0))
    if scored.task == "multiclass":
        p = scored.predicted
        if name == "accuracy":
            return float(skm.accuracy_score(y, p))
        if name == "roc_auc":
            if scored.proba is None:
                raise rc.PredictionsError("the model has no predict_proba: no one-vs-rest AUC")
            if len(set(y.tolist())) != scored.proba.shape[1]:
                raise rc.PredictionsError("one-vs-rest AUC needs every class of the model in the test set")
            return float(skm.roc_auc_score(y, scored.proba, multi_class="ovr", average="macro"))
        kind, _, average = name.partition("_")
        fn = {"f1": skm.f1_score, "precision": skm.precision_score, "recall": skm.recall_score}[kind]
        return float(fn(y, p, average=average, zero_division=0))
    if scored.task == "regression":
        p = scored.predicted
        return float(
            {
                "rmse": skm.root_mean_squared_error,
                "mse": skm.mean_squared_error,
                "mae": skm.mean_absolute_error,
                "mape": skm.mean_absolute_percentage_error,
                "r2": skm.r2_score,
            }[name](y, p)
        )
    assert scored.groups is not None and scored.scores is not None
    return rc.ranking_metric(name, scored.groups.tolist(), y.tolist(), scored.scores.tolist())


def binary_tables(scored: Scored, threshold: float) -> dict[str, Any]:
    """Metrics at the threshold, confusion matrix (counts and normalised), calibration with Brier."""
    y, s = scored.labels, scored.scores
    assert s is not None
    yp = predicted_positive(scored, threshold)
    counts = skm.confusion_matrix(y, yp, labels=[0, 1])
    metrics = {
        "roc_auc": float(skm.roc_auc_score(y, s)),
        "pr_auc": float(skm.average_precision_score(y, s)),
        "f1": float(skm.f1_score(y, yp, zero_division=0)),
        "precision": float(skm.precision_score(y, yp, zero_division=0)),
        "recall": float(skm.recall_score(y, yp, zero_division=0)),
        "accuracy": float(skm.accuracy_score(y, yp)),
        "prevalence": float(y.mean()),
    }
    out: dict[str, Any] = {"metrics": metrics, "confusion": _confusion(counts, scored.classes)}
    if scored.probabilistic:
        metrics["brier"] = float(skm.brier_score_loss(y, s))
        out["calibration"] = calibration(y, s)
    return out


def _confusion(counts: np.ndarray, labels: list[str]) -> dict[str, Any]:
    totals = counts.sum(axis=1, keepdims=True)
    normalised = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    return {
        "labels": labels,
        "counts": counts.astype(int).tolist(),
        "normalised": [[round(float(v), 6) for v in row] for row in normalised],
    }


def calibration(y: np.ndarray, s: np.ndarray, bins: int = CALIBRATION_BINS) -> dict[str, Any]:
    """Reliability over equal-width score bins, ECE and Brier score."""
    index = np.minimum((s * bins).astype(int), bins - 1).clip(0)
    rows = []
    for b in range(bins):
        mask = index == b
        n = int(mask.sum())
        if n:
            rows.append(
                {
                    "bin": b,
                    "low": b / bins,
                    "high": (b + 1) / bins,
                    "rows": n,
                    "mean_score": float(s[mask].mean()),
                    "fraction_positive": float(y[mask].mean()),
                }
            )
    ece = float(sum(abs(r["fraction_positive"] - r["mean_score"]) * r["rows"] for r in rows) / len(y))
    return {"bins": rows, "ece": ece, "brier": float(skm.brier_score_loss(y, s))}


def multiclass_tables(scored: Scored) -> dict[str, Any]:
    """Per-class precision/recall/F1/support, confusion matrix, averages, one-vs-rest AUC."""
    y, p = scored.labels, scored.predicted
    assert p is not None
    k = len(scored.classes)
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        y, p, labels=list(range(k)), zero_division=0
    )
    per_class = [
        {
            "class": scored.classes[i],
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i in range(k)
    ]
    metrics: dict[str, float] = {"accuracy": float(skm.accuracy_score(y, p))}
    for average in ("macro", "micro", "weighted"):
        fns = (("precision", skm.precision_score), ("recall", skm.recall_score), ("f1", skm.f1_score))
        for kind, fn in fns:
            metrics[f"{kind}_{average}"] = float(fn(y, p, average=average, zero_division=0))
    notes = []
    if scored.proba is not None and len(set(y.tolist())) == k:
        metrics["roc_auc"] = float(skm.roc_auc_score(y, scored.proba, multi_class="ovr", average="macro"))
        for i, row in enumerate(per_class):
            row["roc_auc_ovr"] = float(skm.roc_auc_score((y == i).astype(int), scored.proba[:, i]))
    else:
        notes.append(
            "one-vs-rest ROC AUC not computed: it needs predict_proba and every class in the test set"
        )
    counts = skm.confusion_matrix(y, p, labels=list(range(k)))
    return {
        "metrics": metrics,
        "per_class": per_class,
        "confusion": _confusion(counts, scored.classes),
        "notes": notes,
    }


def regression_tables(scored: Scored) -> dict[str, Any]:
    """rmse/mae/mape/r2 and the error by decile of the target."""
    y, p = scored.labels, scored.predicted
    assert p is not None
    metrics = {name: headline(scored, name, None) for name in ("rmse", "mae", "mape", "r2")}
    edges = np.unique(np.quantile(y, np.linspace(0, 1, 11)))
    index = np.clip(np.searchsorted(edges, y, side="right") - 1, 0, max(len(edges) - 2, 0))
    deciles = []
    for d in sorted(set(index.tolist())):
        mask = index == d
        err = p[mask] - y[mask]
        deciles.append(
            {
                "decile": d + 1,
                "low": float(y[mask].min()),
                "high": float(y[mask].max()),
                "rows": int(mask.sum()),
                "mae": float(np.abs(err).mean()),
                "rmse": float(np.sqrt((err**2).mean())),
                "bias": float(err.mean()),
            }
        )
    return {"metrics": metrics, "deciles": deciles}


def ranking_tables(scored: Scored, ks: list[int]) -> dict[str, Any]:
    """ndcg@k, map@k, precision@k, recall@k for each k, and mrr."""
    assert scored.groups is not None and scored.scores is not None
    groups, y, s = scored.groups.tolist(), scored.labels.tolist(), scored.scores.tolist()
    metrics = {"mrr": rc.ranking_metric("mrr", groups, y, s)}
    at_k = []
    for k in ks:
        row: dict[str, Any] = {"k": k}
        for family in ("ndcg", "map", "precision", "recall"):
            value = rc.ranking_metric(f"{family}_at_{k}", groups, y, s)
            row[family] = value
            metrics[f"{family}_at_{k}"] = value
        at_k.append(row)
    return {"metrics": metrics, "at_k": at_k, "queries": len(set(groups))}
