"""Drift statistics between a reference and a current sample of one feature.

Imported only by ``inc.ops.drift`` inside its functions: numpy and scipy live here.
Every statistic is a distance (larger = more drift):

- PSI over the reference's quantile bins (numeric) or the union of categories (categorical),
  each proportion clipped at ``EPS`` so an empty bin does not give infinity;
- the two-sample KS statistic and p-value (numeric);
- Wasserstein distance divided by the reference standard deviation (numeric);
- chi-square on the 2 x k table of counts, reported with Cramér's V (0..1);
- Jensen-Shannon distance, base 2 (0..1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

EPS = 1e-4
DEFAULT_BINS = 10
KS_EXACT_N = 10_000  # scipy's own switch from the exact to the asymptotic p-value


@dataclass
class FeatureStats:
    """Every statistic computed for one feature."""

    kind: str
    n_reference: int
    n_current: int
    psi: float
    chi2_stat: float
    chi2_pvalue: float
    cramers_v: float
    jensen_shannon: float
    ks_stat: float | None = None
    ks_pvalue: float | None = None
    wasserstein: float | None = None

    def value(self, method: str) -> float | None:
        """The statistic a monitoring method names."""
        return {
            "psi": self.psi,
            "ks": self.ks_stat,
            "wasserstein": self.wasserstein,
            "chi2": self.cramers_v,
            "jensen_shannon": self.jensen_shannon,
        }[method]


def psi(ref_counts: Any, cur_counts: Any) -> float:
    """Population stability index of two count vectors over the same bins."""
    ref = np.clip(ref_counts / max(ref_counts.sum(), 1), EPS, None)
    cur = np.clip(cur_counts / max(cur_counts.sum(), 1), EPS, None)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def _chi2(ref_counts: Any, cur_counts: Any) -> tuple[float, float, float]:
    keep = (ref_counts + cur_counts) > 0
    table = np.vstack([ref_counts[keep], cur_counts[keep]])
    if table.shape[1] < 2 or table[0].sum() == 0 or table[1].sum() == 0:
        return 0.0, 1.0, 0.0
    stat, pvalue, _, _ = stats.chi2_contingency(table, correction=False)
    cramers_v = math.sqrt(float(stat) / float(table.sum()))
    return float(stat), float(pvalue), min(cramers_v, 1.0)


def _js(ref_counts: Any, cur_counts: Any) -> float:
    if ref_counts.sum() == 0 or cur_counts.sum() == 0:
        return 0.0
    value = jensenshannon(ref_counts, cur_counts, base=2)
    return 0.0 if math.isnan(value) else float(value)


def quantile_edges(ref_sorted: Any, bins: int = DEFAULT_BINS) -> Any:
    """Inner bin edges at the reference's quantiles (ties merged); ``ref_sorted`` has no NaN."""
    if ref_sorted.size == 0:
        return np.empty(0)
    inner = np.quantile(ref_sorted, np.linspace(0, 1, bins + 1)[1:-1])
    return np.unique(inner)


def _binned(values_sorted: Any, edges: Any, missing: int) -> Any:
    """Counts per bin (value in bin k when edges[k-1] <= value < edges[k]), then the missing."""
    below = np.searchsorted(values_sorted, edges, side="left")
    counts = np.diff(np.concatenate(([0], below, [values_sorted.size])))
    return np.append(counts, missing).astype(float)  # missing values are a bin of their own


def ks_sorted(ref_sorted: Any, cur_sorted: Any) -> tuple[float, float]:
    """Two-sample KS statistic and two-sided p-value of two sorted arrays (scipy's method:
    exact up to ``KS_EXACT_N`` values, else the asymptotic ``kstwo`` distribution)."""
    n1, n2 = ref_sorted.size, cur_sorted.size
    if max(n1, n2) <= KS_EXACT_N:
        result = stats.ks_2samp(ref_sorted, cur_sorted)
        return float(result.statistic), float(result.pvalue)
    d = 0.0
    for points in (ref_sorted, cur_sorted):
        cdf_ref = np.searchsorted(ref_sorted, points, side="right") / n1
        cdf_cur = np.searchsorted(cur_sorted, points, side="right") / n2
        d = max(d, float(np.abs(cdf_ref - cdf_cur).max()))
    m, n = max(n1, n2), min(n1, n2)
    pvalue = float(stats.kstwo.sf(d, round(m * n / (m + n))))
    return d, min(max(pvalue, 0.0), 1.0)


def numeric_stats(
    ref: Any, cur: Any, bins: int = DEFAULT_BINS, methods: frozenset[str] = frozenset()
) -> FeatureStats:
    """PSI, KS and the binned statistics of two float arrays; Wasserstein when asked for.

    Each side is sorted once; bin counts and the KS statistic then come from binary searches.
    """
    ref_nan, cur_nan = np.isnan(ref), np.isnan(cur)
    ref_sorted, cur_sorted = np.sort(ref[~ref_nan]), np.sort(cur[~cur_nan])
    edges = quantile_edges(ref_sorted, bins)
    ref_counts = _binned(ref_sorted, edges, int(ref_nan.sum()))
    cur_counts = _binned(cur_sorted, edges, int(cur_nan.sum()))
    ks_stat: float | None = None
    ks_p: float | None = None
    wasserstein = None
    if ref_sorted.size and cur_sorted.size:
        ks_stat, ks_p = ks_sorted(ref_sorted, cur_sorted)
        if "wasserstein" in methods:
            scale = float(np.std(ref_sorted)) or 1.0
            wasserstein = float(stats.wasserstein_distance(ref_sorted, cur_sorted)) / scale
    return _count_stats(
        "numeric",
        ref_counts,
        cur_counts,
        int(ref.size),
        int(cur.size),
        ks_stat=ks_stat,
        ks_pvalue=ks_p,
        wasserstein=wasserstein,
    )


def _frequencies(series: Any) -> Any:
    """Counts per category, keyed by the category's text (missing values as ``<missing>``)."""
    import pandas as pd

    counts = series.value_counts(dropna=False)
    counts.index = pd.Index(["<missing>" if pd.isna(key) else str(key) for key in counts.index])
    return counts.groupby(level=0).sum()


def categorical_stats(ref: Any, cur: Any) -> FeatureStats:
    """PSI, chi-square and Jensen-Shannon over category frequencies of two pandas Series."""
    ref_freq, cur_freq = _frequencies(ref), _frequencies(cur)
    categories = sorted(set(ref_freq.index) | set(cur_freq.index))
    ref_counts = ref_freq.reindex(categories, fill_value=0).to_numpy(dtype=float)
    cur_counts = cur_freq.reindex(categories, fill_value=0).to_numpy(dtype=float)
    return _count_stats("categorical", ref_counts, cur_counts, int(ref.size), int(cur.size))


def _count_stats(
    kind: str, ref_counts: Any, cur_counts: Any, n_ref: int, n_cur: int, **extra: float | None
) -> FeatureStats:
    """The statistics every kind of feature gets from its bin (or category) counts."""
    chi2_stat, chi2_p, cramers_v = _chi2(ref_counts, cur_counts)
    return FeatureStats(
        kind=kind,
        n_reference=n_ref,
        n_current=n_cur,
        psi=psi(ref_counts, cur_counts),
        chi2_stat=chi2_stat,
        chi2_pvalue=chi2_p,
        cramers_v=cramers_v,
        jensen_shannon=_js(ref_counts, cur_counts),
        **extra,
    )


def is_numeric(series: Any) -> bool:
    """True for numeric, non-boolean pandas columns."""
    from pandas.api import types

    return bool(types.is_numeric_dtype(series) and not types.is_bool_dtype(series))


def as_float(series: Any) -> Any:
    """A pandas column as a float64 numpy array, missing values as NaN."""
    return series.to_numpy(dtype="float64", na_value=np.nan)
