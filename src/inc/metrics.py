"""The metric catalog: each known metric's direction, range, scale and aliases (core: no ML import).

``inc new`` fills ``metric.goal`` from it (an unknown metric needs ``--goal``); the comparison
module reads a metric's range to judge whether a margin can be met and how fold spread is
measured; the gate accepts fold scores logged under any alias of the increment's metric.
"""

from __future__ import annotations

import math
import re
from typing import Literal, NamedTuple

Goal = Literal["maximize", "minimize"]
Scale = Literal["absolute", "relative"]
INF = math.inf


class MetricInfo(NamedTuple):
    """One metric: which way is better, its range, and how its spread over folds is judged.

    ``scale`` is ``absolute`` when the metric is unit-free on a fixed range (a fold std of 0.05
    means the same thing everywhere) and ``relative`` when it carries the target's units (rmse,
    mae): there the spread is judged as a coefficient of variation.
    """

    name: str
    goal: Goal
    low: float
    high: float
    scale: Scale
    family: str
    needs_proba: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def perfect(self) -> float | None:
        """The best value the metric can take (None when unbounded in the goal's direction)."""
        value = self.high if self.goal == "maximize" else self.low
        return None if math.isinf(value) else value

    @property
    def range_text(self) -> str:
        """The range as ``[0, 1]``, ``[0, inf)`` or ``(-inf, 1]``."""
        low = "(-inf" if math.isinf(self.low) else f"[{self.low:g}"
        high = "inf)" if math.isinf(self.high) else f"{self.high:g}]"
        return f"{low}, {high}"


def _m(
    name: str,
    goal: Goal,
    low: float,
    high: float,
    scale: Scale,
    family: str,
    *aliases: str,
    proba: bool = False,
) -> MetricInfo:
    return MetricInfo(name, goal, low, high, scale, family, proba, aliases)


_MAX: Goal = "maximize"
_MIN: Goal = "minimize"
_C, _R, _K, _U = "classification", "regression", "ranking", "clustering"

_BASE: tuple[MetricInfo, ...] = (
    # classification
    _m("accuracy", _MAX, 0, 1, "absolute", _C, "acc", "accuracy_score"),
    _m("balanced_accuracy", _MAX, 0, 1, "absolute", _C, "balanced_accuracy_score"),
    _m("precision", _MAX, 0, 1, "absolute", _C, "precision_score"),
    _m("recall", _MAX, 0, 1, "absolute", _C, "recall_score", "sensitivity", "tpr"),
    _m("f1", _MAX, 0, 1, "absolute", _C, "f1_score", "f1_binary"),
    _m("roc_auc", _MAX, 0, 1, "absolute", _C, "auc", "roc_auc_score", "auroc", proba=True),
    _m("roc_auc_ovr", _MAX, 0, 1, "absolute", _C, "roc_auc_ovr_weighted", proba=True),
    _m("roc_auc_ovo", _MAX, 0, 1, "absolute", _C, "roc_auc_ovo_weighted", proba=True),
    _m(
        "pr_auc",
        _MAX,
        0,
        1,
        "absolute",
        _C,
        "average_precision",
        "average_precision_score",
        "auprc",
        proba=True,
    ),
    _m("log_loss", _MIN, 0, INF, "relative", _C, "logloss", "neg_log_loss", "cross_entropy", proba=True),
    _m("brier_score", _MIN, 0, 1, "absolute", _C, "brier", "brier_score_loss", "neg_brier_score", proba=True),
    _m("mcc", _MAX, -1, 1, "absolute", _C, "matthews_corrcoef", "matthews_corr"),
    _m("cohen_kappa", _MAX, -1, 1, "absolute", _C, "kappa", "cohen_kappa_score"),
    _m("hamming_loss", _MIN, 0, 1, "absolute", _C, "hamming"),
    _m("error_rate", _MIN, 0, 1, "absolute", _C, "error", "misclassification_rate", "zero_one_loss"),
    _m("ece", _MIN, 0, 1, "absolute", _C, "expected_calibration_error", proba=True),
    # regression
    _m("rmse", _MIN, 0, INF, "relative", _R, "root_mean_squared_error", "neg_root_mean_squared_error"),
    _m("mse", _MIN, 0, INF, "relative", _R, "mean_squared_error", "neg_mean_squared_error"),
    _m("mae", _MIN, 0, INF, "relative", _R, "mean_absolute_error", "neg_mean_absolute_error"),
    _m(
        "mape",
        _MIN,
        0,
        INF,
        "relative",
        _R,
        "mean_absolute_percentage_error",
        "neg_mean_absolute_percentage_error",
    ),
    _m("smape", _MIN, 0, 2, "absolute", _R, "symmetric_mean_absolute_percentage_error"),
    _m("medae", _MIN, 0, INF, "relative", _R, "median_absolute_error", "neg_median_absolute_error"),
    _m("r2", _MAX, -INF, 1, "absolute", _R, "r2_score", "r_squared", "rsquared"),
    _m("explained_variance", _MAX, -INF, 1, "absolute", _R, "explained_variance_score"),
    _m(
        "rmsle",
        _MIN,
        0,
        INF,
        "relative",
        _R,
        "root_mean_squared_log_error",
        "neg_root_mean_squared_log_error",
    ),
    _m("msle", _MIN, 0, INF, "relative", _R, "mean_squared_log_error", "neg_mean_squared_log_error"),
    _m("pinball", _MIN, 0, INF, "relative", _R, "pinball_loss", "mean_pinball_loss", "quantile_loss"),
    # ranking (the @k forms are matched by pattern below, e.g. ndcg@10, ndcg_at_10)
    _m("ndcg", _MAX, 0, 1, "absolute", _K, "ndcg_score"),
    _m("map", _MAX, 0, 1, "absolute", _K, "mean_average_precision"),
    _m("mrr", _MAX, 0, 1, "absolute", _K, "mean_reciprocal_rank"),
    # clustering
    _m("silhouette", _MAX, -1, 1, "absolute", _U, "silhouette_score"),
    _m("davies_bouldin", _MIN, 0, INF, "relative", _U, "davies_bouldin_score", "db_index"),
    _m("calinski_harabasz", _MAX, 0, INF, "relative", _U, "calinski_harabasz_score", "ch_index"),
)

_AVERAGED = ("precision", "recall", "f1")
_AVERAGES = ("macro", "micro", "weighted", "samples")
_AT_K = {
    "ndcg": "ndcg",
    "map": "map",
    "precision": "precision",
    "recall": "recall",
    "mrr": "mrr",
    "hit_rate": "hit_rate",
    "hitrate": "hit_rate",
}
_AT_K_RE = re.compile(r"^(?P<base>[a-z_]+?)(?:@|_at_|_at|@_)(?P<k>\d+)$")


def _averaged() -> tuple[MetricInfo, ...]:
    return tuple(
        MetricInfo(f"{base}_{avg}", "maximize", 0, 1, "absolute", _C, False, (f"{base}_score_{avg}",))
        for base in _AVERAGED
        for avg in _AVERAGES
    )


CATALOG: tuple[MetricInfo, ...] = _BASE + _averaged()
_BY_KEY: dict[str, MetricInfo] = {}
for _info in CATALOG:
    for _alias in (_info.name, *_info.aliases):
        _BY_KEY[_alias] = _info


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def _at_k(key: str) -> MetricInfo | None:
    match = _AT_K_RE.match(key)
    if match is None or match["base"] not in _AT_K:
        return None
    base = _AT_K[match["base"]]
    return MetricInfo(
        f"{base}@{match['k']}", "maximize", 0, 1, "absolute", _K, False, (f"{base}_at_{match['k']}",)
    )


def lookup(name: str) -> MetricInfo | None:
    """The catalog entry of ``name`` or one of its aliases (case-insensitive; ``ndcg@10`` forms too)."""
    key = _key(name)
    return _BY_KEY.get(key) or _at_k(key)


def goal_of(name: str) -> Goal | None:
    """Which way ``name`` is better, or None for a metric the catalog does not know."""
    info = lookup(name)
    return info.goal if info else None


def same_metric(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` name the same metric (equal, or aliases in the catalog)."""
    if _key(a) == _key(b):
        return True
    first, second = lookup(a), lookup(b)
    return first is not None and second is not None and first.name == second.name


def known_names(family: str | None = None) -> list[str]:
    """Canonical names in the catalog (of one family when given), in catalog order."""
    return [m.name for m in CATALOG if family is None or m.family == family]
