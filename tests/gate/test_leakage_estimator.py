"""The row sketch and the overlap estimator of the ``leakage`` check, on generated data.

Sketches are made by ``inc.tracking.fingerprint`` (what ``exp.log_dataset`` records, training
sketches widened as at the end of a run); the estimate must fall within its documented error
(three standard errors at the true share), be exactly 0 on disjoint data, and stay below the
failing line on honest splits of data whose rows repeat.
"""

from __future__ import annotations

from typing import Any

import pytest

from inc.evidence import DatasetFingerprint
from inc.gate.checks.leakage import Overlap, _pair, estimate_overlap
from inc.tracking.fingerprint import fingerprint, for_run, widen_training

pytest.importorskip("pandas")

SHARE = 0.01  # the default policy.leakage_share


def _continuous(rows: int, seed: int) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, rows).round(2),
            "hour": rng.integers(0, 24, rows),
            "risk": rng.random(rows),
        }
    )


def _logged(train: Any, test: Any) -> tuple[DatasetFingerprint, DatasetFingerprint]:
    """Fingerprints as a run records them (``exp.log_dataset``, then the run's end)."""
    train_fp, wide = for_run(train, "train")
    test_fp, _ = for_run(test, "test")
    assert wide is not None and train_fp.context == "training" and test_fp.context == "evaluation"
    logged = widen_training([train_fp, test_fp], {"train": wide})
    return logged[0], logged[1]


def _overlap(train: Any, test: Any) -> Overlap:
    train_fp, test_fp = _logged(train, test)
    assert train_fp.sketch is not None and test_fp.sketch is not None
    found = estimate_overlap(train_fp.sketch, test_fp.sketch)
    assert found is not None
    return found


def _with_copies(train: Any, test: Any, share: float, seed: int) -> Any:
    """``test`` with ``share`` of its rows replaced by rows copied from ``train``."""
    import pandas as pd

    copies = round(share * len(test))
    return pd.concat([test.iloc[copies:], train.sample(copies, random_state=seed)], ignore_index=True)


@pytest.mark.parametrize("ratio", [1, 4, 10])
@pytest.mark.parametrize("share", [0.0, 0.005, 0.02, 0.10])
def test_the_estimate_falls_within_its_documented_error(ratio: int, share: float) -> None:
    test_rows = 2000
    train = _continuous(test_rows * ratio, seed=ratio)
    test = _with_copies(train, _continuous(test_rows, seed=100 + ratio), share, seed=7)
    found = _overlap(train, test)
    assert abs(found.share - share) <= found.error(share) + 1e-12, (found, share)
    assert found.honest == 0 and found.allowance == 0
    if share == 0:
        assert found.share == 0  # disjoint rows never collide: no false leak on honest continuous data
    # the widened training sketch compares (almost) all of test's 256 sampled rows up to 4x
    assert found.compared >= (240 if ratio <= 4 else 80), found


def test_the_documented_error_covers_the_truth_in_repeated_draws() -> None:
    """Three standard errors cover the true share in about 99.7% of draws (here 200 draws)."""
    import pandas as pd

    outside, estimates = 0, []
    for seed in range(200):
        train = _continuous(4000, seed=10_000 + seed)
        test = pd.concat([_continuous(950, seed=20_000 + seed), train.iloc[:50]], ignore_index=True)
        found = _overlap(train, test)
        estimates.append(found.share)
        outside += abs(found.share - 0.05) > found.error(0.05)
    assert outside <= 4, outside  # 0.6 expected
    assert abs(sum(estimates) / len(estimates) - 0.05) < 0.005  # unbiased


def test_a_small_test_set_is_compared_exactly() -> None:
    train = _continuous(900, seed=1)  # fewer distinct rows than a training sketch holds
    test = _with_copies(train, _continuous(200, seed=2), 0.05, seed=3)
    found = _overlap(train, test)
    assert found.exact and found.compared == 200 and found.error() == 0
    assert found.share == pytest.approx(0.05)


def test_rows_compare_whatever_the_column_order_or_the_number_type() -> None:
    train = _continuous(500, seed=1)
    test = train.iloc[::-1][["risk", "amount", "hour"]].astype({"hour": "float64"})
    train_fp, test_fp = _logged(train, test)
    assert train_fp.sha256 != test_fp.sha256
    assert _overlap(train, test).share == 1.0


def test_an_array_and_its_frame_hash_rows_alike_in_the_same_column_order() -> None:
    frame = _continuous(300, seed=4)[["amount", "hour", "risk"]]  # names already in sorted order
    as_frame, as_array = fingerprint(frame, "a").sketch, fingerprint(frame.to_numpy(), "b").sketch
    assert as_frame is not None and as_array is not None and as_frame.hashes == as_array.hashes


def test_the_target_is_part_of_the_row() -> None:
    import numpy as np

    features = _continuous(300, seed=5)
    labelled = features.assign(label=np.arange(300) % 2)
    relabelled = features.assign(label=1 - np.arange(300) % 2)
    assert _overlap(labelled, labelled.iloc[:100]).share == 1.0
    assert _overlap(labelled, relabelled.iloc[:100]).share == 0.0  # same features, other labels
    assert _overlap(features, features.iloc[:100]).share == 1.0


def _low_cardinality(rows: int, seed: int) -> Any:
    """Survey-like data: 3 answers of 3 levels and a yes/no, 54 possible rows."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "q1": rng.integers(0, 3, rows),
            "q2": rng.integers(0, 3, rows),
            "q3": rng.choice(["low", "mid", "high"], rows, p=[0.6, 0.3, 0.1]),
            "member": rng.random(rows) < 0.3,
        }
    )


def _mixed(rows: int, seed: int) -> Any:
    """Continuous rows, a third of them replaced by rows from a pool of 300 repeated ones."""
    import numpy as np

    frame = _continuous(rows, seed)
    pool = _continuous(300, seed + 1000)
    rng = np.random.default_rng(seed)
    picked = rng.random(rows) < 0.33
    frame.loc[picked, :] = pool.iloc[rng.integers(0, 300, int(picked.sum()))].to_numpy()
    return frame


def _split(frame: Any, seed: int, test_share: float = 0.2) -> tuple[Any, Any]:
    shuffled = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    cut = int(len(frame) * (1 - test_share))
    return shuffled.iloc[:cut], shuffled.iloc[cut:]


@pytest.mark.parametrize("make", [_low_cardinality, _mixed])
@pytest.mark.parametrize("seed", range(8))
def test_honest_splits_of_data_with_repeated_rows_pass(make: Any, seed: int) -> None:
    train, test = _split(make(5000, seed), seed)
    found = _overlap(train, test)
    assert found.share > 0.1  # honest splits of such data share many rows...
    assert found.honest > 0.1
    assert found.excess <= SHARE + found.allowance, found  # ...and the check does not fail them
    kind, detail = _pair(*_logged(train, test), SHARE)
    assert kind == "ok" and "train repeats" in detail, detail


def test_a_large_leak_into_data_with_repeated_rows_still_fails() -> None:
    train, test = _split(_mixed(5000, 3), 3)
    leaked = _with_copies(train, test, 0.4, seed=1)
    found = _overlap(train, leaked)
    assert found.excess > SHARE + found.allowance, found
    kind, detail = _pair(*_logged(train, leaked), SHARE)
    assert kind == "fail" and "expected from train's own repeated rows" in detail


def test_counts_weigh_repeated_test_rows() -> None:
    train = _continuous(1000, seed=8)
    fresh = _continuous(100, seed=9)
    import pandas as pd

    # one train row repeated 100 times in a test set of 200 rows: half of test's rows are in train
    test = pd.concat([fresh, pd.concat([train.iloc[[0]]] * 100)], ignore_index=True)
    found = _overlap(train, test)
    assert found.exact and found.share == pytest.approx(0.5)


def test_sketches_of_different_methods_are_not_compared() -> None:
    train_fp, test_fp = _logged(_continuous(100, 1), _continuous(50, 2))
    assert test_fp.sketch is not None and train_fp.sketch is not None
    other = test_fp.model_copy(update={"sketch": test_fp.sketch.model_copy(update={"method": "minhash-v9"})})
    assert estimate_overlap(train_fp.sketch, other.sketch) is None  # type: ignore[arg-type]
    kind, detail = _pair(train_fp, other, SHARE)
    assert kind == "unjudged" and "sketched differently" in detail


def test_oversampling_train_does_not_hide_a_leak_when_test_rows_do_not_repeat() -> None:
    import pandas as pd

    train, test = _split(_continuous(5000, 3), 3)
    oversampled = pd.concat([train, train.sample(2000, random_state=1)], ignore_index=True)
    honest = _overlap(oversampled, test)
    assert honest.share == 0 and honest.honest == 0  # test's own rows do not repeat: nothing expected
    leaked = _overlap(oversampled, _with_copies(train, test, 0.05, seed=1))
    assert leaked.excess > SHARE + leaked.allowance, leaked


def test_a_test_set_cast_to_float32_is_named_not_passed() -> None:
    train = _continuous(400, 1)
    test = train.iloc[:100].astype({"risk": "float32"})
    found = _overlap(train, test)
    assert found.share == 0  # float32 values are other numbers: the rows no longer match...
    kind, detail = _pair(*_logged(train, test), SHARE)
    assert kind == "unjudged"  # ...so --strict refuses the pair, naming the cast
    assert "risk is float64 in 'train', float32 in 'test'" in detail


def test_an_empty_test_set_is_not_evidence() -> None:
    train = _continuous(100, 1)
    kind, detail = _pair(*_logged(train, train.iloc[:0]), SHARE)
    assert kind == "unjudged" and "'test' has no rows" in detail
