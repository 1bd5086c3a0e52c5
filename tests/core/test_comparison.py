"""inc.comparison's pure parts: improvement in both modes, reachability, split fingerprints."""

from __future__ import annotations

import math

import pytest

from inc.comparison import improvement, pct, required_value, split_fingerprint


def test_error_reduction_against_relative() -> None:
    # the example: baseline 0.8, candidate 0.9 on a score bounded by 1
    assert improvement(0.9, 0.8, "maximize", "relative", "accuracy") == pytest.approx(0.125)
    assert improvement(0.9, 0.8, "maximize", "error_reduction", "accuracy") == pytest.approx(0.5)
    # an error metric with a perfect score of 0: both modes agree
    assert (
        improvement(40, 50, "minimize", "relative", "rmse")
        == improvement(40, 50, "minimize", "error_reduction", "rmse")
        == pytest.approx(0.2)
    )
    # no perfect score (calinski_harabasz): error_reduction falls back to relative
    assert improvement(120, 100, "maximize", "error_reduction", "calinski_harabasz") == pytest.approx(0.2)
    assert required_value(0.846, "maximize", 0.2, "error_reduction", "roc_auc") == pytest.approx(0.8768)


def test_zero_negative_and_nan_baselines() -> None:
    assert improvement(0.3, 0.0, "maximize", "relative", "r2") == math.inf
    assert improvement(-0.1, 0.0, "maximize", "relative", "r2") == -math.inf
    assert improvement(0.2, -0.1, "maximize", "relative", "silhouette") == pytest.approx(3.0)
    assert math.isnan(improvement(float("nan"), 0.5, "maximize", "relative", "roc_auc"))
    assert pct(math.nan) == "not a number" and pct(math.inf) == "+inf%" and pct(-0.0) == "+0.0%"


def test_split_fingerprints_pair_only_the_same_splits() -> None:
    from sklearn.model_selection import KFold, StratifiedKFold

    seeded = split_fingerprint(StratifiedKFold(5, shuffle=True, random_state=0))
    assert seeded == split_fingerprint(StratifiedKFold(5, shuffle=True, random_state=0))
    assert seeded != split_fingerprint(StratifiedKFold(5, shuffle=True, random_state=1))
    unseeded = StratifiedKFold(5, shuffle=True)
    assert split_fingerprint(unseeded) != split_fingerprint(unseeded)  # never pairs: the folds differ
    import numpy as np

    x = np.arange(20)
    folds = list(KFold(4).split(x))
    assert split_fingerprint(folds) == split_fingerprint(list(KFold(4).split(x)))
    assert split_fingerprint(folds) != split_fingerprint(
        list(KFold(4, shuffle=True, random_state=0).split(x))
    )
    assert split_fingerprint("my-split-v1") == "my-split-v1" and split_fingerprint(None) is None
