"""Seeded bootstrap intervals and metrics by slice, through one weighted metric per family.

A bootstrap replicate is the same rows with multinomial counts as weights, and a slice is a 0/1
weight, so one vectorised ``weighted`` function serves both; sorting happens once per report,
which keeps 200 replicates of an AUC on 100,000 rows to about a second.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from inc.evaluation import recompute as rc
from inc.evaluation.schema import SliceRow
from inc.evaluation.scoring import Scored

REPLICATES = 200
SEED = 0
MIN_SLICE_ROWS = 20
MAX_SLICE_VALUES = 20
LOWER_IS_BETTER = {"rmse", "mse", "mae", "mape", "brier"}


class Weighted:
    """The headline metric under row weights (bootstrap counts or slice masks)."""

    def __init__(self, scored: Scored, name: str, threshold: float | None) -> None:
        self.scored, self.name = scored, name
        self.threshold = 0.5 if threshold is None else threshold
        self._prepared: dict[str, Any] = {}

    def _sorted_groups(self, scores: np.ndarray, key: str) -> tuple[np.ndarray, np.ndarray]:
        if key not in self._prepared:
            order = np.argsort(scores, kind="mergesort")
            ordered = scores[order]
            group = np.cumsum(np.r_[True, ordered[1:] != ordered[:-1]]) - 1
            self._prepared[key] = (order, group)
        return self._prepared[key]

    def _auc(self, positive: np.ndarray, scores: np.ndarray, w: np.ndarray, key: str) -> float | None:
        order, group = self._sorted_groups(scores, key)
        wo, po = w[order], positive[order]
        pos = np.bincount(group, weights=wo * po)
        neg = np.bincount(group, weights=wo * (1 - po))
        total_pos, total_neg = pos.sum(), neg.sum()
        if total_pos == 0 or total_neg == 0:
            return None
        below = np.cumsum(neg) - neg
        return float((pos * (below + 0.5 * neg)).sum() / (total_pos * total_neg))

    def _ap(self, positive: np.ndarray, scores: np.ndarray, w: np.ndarray) -> float | None:
        order, group = self._sorted_groups(-scores, "ap")
        wo, po = w[order], positive[order]
        tp = np.bincount(group, weights=wo * po)
        fp = np.bincount(group, weights=wo * (1 - po))
        total = tp.sum()
        if total == 0:
            return None
        ctp, cfp = np.cumsum(tp), np.cumsum(fp)
        precision = np.divide(ctp, ctp + cfp, out=np.zeros_like(ctp), where=(ctp + cfp) > 0)
        return float((tp / total * precision).sum())

    def _binary(self, w: np.ndarray) -> float | None:
        y, s = self.scored.labels.astype(float), self.scored.scores
        assert s is not None
        if self.name == "roc_auc":
            return self._auc(y, s, w, "auc")
        if self.name == "pr_auc":
            return self._ap(y, s, w)
        if self.name == "brier":
            return float(np.average((s - y) ** 2, weights=w))
        hit = (s >= self.threshold).astype(float)
        tp, fp = float((w * hit * y).sum()), float((w * hit * (1 - y)).sum())
        fn, tn = float((w * (1 - hit) * y).sum()), float((w * (1 - hit) * (1 - y)).sum())
        div = rc._div
        return {
            "f1": div(2 * tp, 2 * tp + fp + fn),
            "precision": div(tp, tp + fp),
            "recall": div(tp, tp + fn),
            "accuracy": div(tp + tn, tp + fp + fn + tn),
        }[self.name]

    def _multiclass(self, w: np.ndarray) -> float | None:
        y, p = self.scored.labels, self.scored.predicted
        assert p is not None
        if self.name == "roc_auc":
            proba = self.scored.proba
            assert proba is not None
            aucs = [
                self._auc((y == c).astype(float), proba[:, c], w, f"auc{c}") for c in range(proba.shape[1])
            ]
            defined = [a for a in aucs if a is not None]
            return None if len(defined) < len(aucs) else float(np.mean(defined))
        if self.name == "accuracy":
            return float((w * (y == p)).sum() / w.sum())
        k = len(self.scored.classes)
        tp = np.bincount(y[y == p], weights=w[y == p], minlength=k)
        predicted = np.bincount(p, weights=w, minlength=k)
        true = np.bincount(y, weights=w, minlength=k)
        counts = {c: [tp[c], predicted[c], true[c]] for c in range(k) if predicted[c] or true[c]}
        kind, _, average = self.name.partition("_")
        return rc._averaged(kind, average, counts)

    def _regression(self, w: np.ndarray) -> float | None:
        y, p = self.scored.labels, self.scored.predicted
        assert p is not None
        if self.name in ("rmse", "mse"):
            mse = float(np.average((y - p) ** 2, weights=w))
            return math.sqrt(mse) if self.name == "rmse" else mse
        if self.name == "mae":
            return float(np.average(np.abs(y - p), weights=w))
        if self.name == "mape":
            return float(np.average(np.abs(y - p) / np.maximum(np.abs(y), rc._EPS), weights=w))
        mean = np.average(y, weights=w)
        total = float((w * (y - mean) ** 2).sum())
        residual = float((w * (y - p) ** 2).sum())
        return (1.0 if residual == 0 else 0.0) if total == 0 else 1.0 - residual / total

    def __call__(self, w: np.ndarray) -> float | None:
        """The metric with row weights ``w`` (None where it is undefined, e.g. one class only)."""
        if w.sum() == 0:
            return None
        task = self.scored.task
        if task == "binary":
            return self._binary(w)
        if task == "multiclass":
            return self._multiclass(w)
        return self._regression(w)


def _per_query(scored: Scored, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Ranking: (query id per row, metric per query), queries in first-seen order."""
    assert scored.groups is not None and scored.scores is not None
    groups = scored.groups.tolist()
    queries = list(dict.fromkeys(groups))
    values = np.array(
        [
            rc.query_metric(name, ys, ss)
            for ys, ss in rc._queries(groups, scored.labels.tolist(), scored.scores.tolist())
        ]
    )
    return np.array(queries), values


def bootstrap(
    scored: Scored, name: str, threshold: float | None, replicates: int = REPLICATES, seed: int = SEED
) -> list[float]:
    """Seeded percentile bootstrap 95% interval of the metric (queries resampled for ranking)."""
    rng = np.random.default_rng(seed)
    values: list[float] = []
    if scored.task == "ranking":
        _, per_query = _per_query(scored, name)
        q = len(per_query)
        for _ in range(replicates):
            values.append(float(per_query[rng.integers(0, q, q)].mean()))
    else:
        fn = Weighted(scored, name, threshold)
        n = len(scored)
        for _ in range(replicates):
            value = fn(np.bincount(rng.integers(0, n, n), minlength=n).astype(float))
            if value is not None:
                values.append(value)
    if not values:
        return []
    low, high = np.percentile(values, [2.5, 97.5])
    return [float(low), float(high)]


def slice_values(column: Any) -> tuple[np.ndarray, list[str]]:
    """Each row's slice label; numbers with many distinct values become quartile bins."""
    values = np.asarray(column.to_numpy() if hasattr(column, "to_numpy") else column, dtype=object)
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values.tolist())
    distinct = list(dict.fromkeys(values.tolist()))
    if numeric and len(distinct) > MAX_SLICE_VALUES:
        numbers = values.astype(float)
        edges = np.unique(np.quantile(numbers, [0, 0.25, 0.5, 0.75, 1]))
        index = np.clip(np.searchsorted(edges, numbers, side="right") - 1, 0, len(edges) - 2)
        names = [
            f"[{edges[i]:.4g}, {edges[i + 1]:.4g}{']' if i == len(edges) - 2 else ')'}"
            for i in range(len(edges) - 1)
        ]
        labels = np.array([names[i] for i in index], dtype=object)
        return labels, [names[i] for i in sorted(set(index.tolist()))]
    labels = np.array(["(missing)" if v is None or v != v else str(v) for v in values.tolist()], dtype=object)
    return labels, sorted(set(labels.tolist()))


def slice_table(scored: Scored, name: str, threshold: float | None, slices: dict[str, Any]) -> list[SliceRow]:
    """The metric on each value of each slice column (undefined values stay None)."""
    rows: list[SliceRow] = []
    fn = Weighted(scored, name, threshold) if scored.task != "ranking" else None
    for column, raw in slices.items():
        labels, values = slice_values(raw)
        for value in values:
            mask = labels == value
            n = int(mask.sum())
            if fn is not None:
                metric = fn(mask.astype(float))
            else:
                assert scored.groups is not None and scored.scores is not None
                metric = rc.ranking_metric(
                    name,
                    scored.groups[mask].tolist(),
                    scored.labels[mask].tolist(),
                    scored.scores[mask].tolist(),
                )
            rows.append(SliceRow(column=column, value=value, rows=n, metric=metric))
    return rows


def worst_slice(rows: list[SliceRow], name: str, min_rows: int = MIN_SLICE_ROWS) -> SliceRow | None:
    """The slice with the worst metric among those with enough rows (ties: first column/value)."""
    usable = [r for r in rows if r.metric is not None and r.rows >= min_rows]
    if not usable:
        return None
    sign = 1.0 if name in LOWER_IS_BETTER else -1.0
    return max(usable, key=lambda r: sign * (r.metric or 0.0))


def stratified_sample(scored: Scored, cap: int, seed: int = SEED) -> np.ndarray | None:
    """Row indices of a seeded stratified sample of at most ``cap`` rows (None: keep every row).

    Classes (or target deciles for regression) keep their share; ranking keeps whole queries.
    """
    n = len(scored)
    if n <= cap:
        return None
    rng = np.random.default_rng(seed)
    if scored.task == "ranking":
        assert scored.groups is not None
        queries = np.array(list(dict.fromkeys(scored.groups.tolist())))
        rng.shuffle(queries)
        keep: set[str] = set()
        total = 0
        sizes = dict(zip(*np.unique(scored.groups, return_counts=True), strict=True))
        for q in queries.tolist():
            if total + sizes[q] > cap and keep:
                break
            keep.add(q)
            total += int(sizes[q])
        return np.flatnonzero(np.isin(scored.groups, list(keep)))
    if scored.task == "regression":
        edges = np.quantile(scored.labels, np.linspace(0, 1, 11)[1:-1])
        strata = np.searchsorted(edges, scored.labels)
    else:
        strata = scored.labels
    chosen = []
    for stratum in np.unique(strata):
        members = np.flatnonzero(strata == stratum)
        take = max(1, round(len(members) * cap / n))
        chosen.append(rng.choice(members, size=min(take, len(members)), replace=False))
    picked = np.concatenate(chosen)
    if len(picked) > cap:  # rounding up small strata overshot: trim at random, not by position
        picked = rng.choice(picked, size=cap, replace=False)
    return np.sort(picked)
