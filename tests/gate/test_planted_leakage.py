"""Planted leakage: the honest increment's chosen model retrained as a hurried team would, with
its test data leaking train rows, judged with ``--strict``; exactly ``leakage`` fails.

Each planting goes through the real APIs: ``inc.track_experiment`` (``exp.log_dataset`` on the
embedded MLflow store) trains and logs a new forest, ``inc choose`` picks it, and its SHAP,
evaluation and load-test reports are made again for it, so every other check still passes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inc.evidence import read_run_record, write_run_record
from inc.workspace import Workspace
from inc_testing.gate_evidence import commit_all
from inc_testing.planted_builder import (
    OWNER,
    _data,
    assert_planted,
    chosen_id,
    docs,
    failing,
    gate,
    inc_dir,
    make_reports,
    waive,
    write_policy,
)

pytestmark = pytest.mark.ml

Logged = list[tuple[Any, str, str | None]]  # (data, name, context) as passed to exp.log_dataset


def retrain(root: Path, test: tuple[Any, Any], logged: Callable[[Any, Any], Logged]) -> str:
    """Retrain the chosen forest, score it on ``test`` (features, labels), log ``logged(train_x,
    test_x)`` datasets, choose it and make its reports again; commit. Returns the new run id."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from inc import track_experiment
    from inc.tracking.runs_table import choose

    ws = Workspace.discover(root)
    train_x, _, train_y, _ = _data()
    test_x, test_y = test
    model = RandomForestClassifier(n_estimators=15, max_depth=4, random_state=0)
    splits = StratifiedKFold(5, shuffle=True, random_state=0)
    folds = cross_val_score(model, train_x, train_y, cv=splits, scoring="roc_auc")
    model.fit(train_x, train_y)
    score = float(roc_auc_score(test_y, model.predict_proba(test_x)[:, 1]))
    with track_experiment("forest-again", increment="0001", role="candidate", workspace=ws) as exp:
        exp.log_params(model.get_params())
        exp.log_metrics({"roc_auc": score})
        exp.log_cv([float(f) for f in folds], metric="roc_auc")
        for data, name, context in logged(train_x, test_x):
            exp.log_dataset(data, name, context)
        exp.save_model(model, input_example=train_x[:5])
        exp.log_note("forest-again: the chosen forest, retrained in a hurry")
    run_id = exp.run_id
    choose(ws, "0001", run_id)
    make_reports(ws, model, (train_x, test_x, train_y, test_y), run_id, log_artifacts=False)
    commit_all(root, "retrained")
    return run_id


def _honest_test() -> tuple[Any, Any]:
    _, test_x, _, test_y = _data()
    return test_x, test_y


def _both(train_x: Any, test_x: Any) -> Logged:
    return [(train_x, "train", None), (test_x, "test", None)]


def _with_train_rows(share: float) -> tuple[Any, Any]:
    """The honest test set with ``share`` of its rows replaced by training rows (with their labels)."""
    import numpy as np
    import pandas as pd

    train_x, test_x, train_y, test_y = _data()
    copies = round(share * len(test_x))
    picked = np.random.default_rng(3).choice(len(train_x), copies, replace=False)
    features = pd.concat([test_x.iloc[copies:], train_x.iloc[picked]])
    labels = np.concatenate([test_y[copies:], train_y[picked]])
    return features, labels


def _shuffled_train() -> tuple[Any, Any]:
    train_x, _, train_y, _ = _data()
    order = train_x.sample(frac=1.0, random_state=1).index
    positions = [train_x.index.get_loc(i) for i in order]
    return train_x.loc[order], train_y[positions]


# --- the plantings --------------------------------------------------------------------------


def evaluated_on_the_training_set(root: Path) -> None:
    train_x, _, train_y, _ = _data()
    retrain(root, (train_x, train_y), _both)


def five_percent_of_test_rows_from_train(root: Path) -> None:
    retrain(root, _with_train_rows(0.05), _both)


def shuffled_copy_of_train_as_test(root: Path) -> None:
    retrain(root, _shuffled_train(), _both)


def train_with_columns_reordered_as_test(root: Path) -> None:
    train_x, _, train_y, _ = _data()
    retrain(
        root, (train_x, train_y), lambda tx, _: [(tx, "train", None), (tx[tx.columns[::-1]], "test", None)]
    )


def train_with_a_column_renamed_as_test(root: Path) -> None:
    train_x, _, train_y, _ = _data()
    renamed = train_x.rename(columns={"amount": "amount_eur"})
    retrain(root, (train_x, train_y), lambda tx, _: [(tx, "train", None), (renamed, "test", None)])


def renamed_columns_hide_the_rows(root: Path) -> None:
    """Every column renamed so their order changes: rows no longer compare, which --strict refuses."""
    test_x, test_y = _with_train_rows(0.05)
    renamed = test_x.rename(columns=lambda c: f"z_{c}" if c != "hour" else "a_hour")
    retrain(root, (test_x, test_y), lambda tx, _: [(tx, "train", None), (renamed, "test", None)])


def only_train_logged(root: Path) -> None:
    retrain(root, _honest_test(), lambda tx, _: [(tx, "train", None)])


def leaky_test_set_logged_with_training_context(root: Path) -> None:
    retrain(root, _with_train_rows(0.05), lambda tx, te: [(tx, "train", None), (te, "test", "training")])


def leaky_test_set_logged_under_a_training_name(root: Path) -> None:
    retrain(root, _with_train_rows(0.05), lambda tx, te: [(tx, "train", None), (te, "train_holdout", None)])


def leaky_test_set_cast_to_float32(root: Path) -> None:
    """The 5% leak, test logged as float32 (as fed to a network): its rows no longer hash alike."""
    test_x, test_y = _with_train_rows(0.05)
    retrain(
        root, (test_x, test_y), lambda tx, _: [(tx, "train", None), (test_x.astype("float32"), "test", None)]
    )


def oversampled_train_with_a_leak(root: Path) -> None:
    """Train logged after random oversampling (rows repeated), test with 5% of train's rows."""
    import pandas as pd

    def logged(train_x: Any, test_x: Any) -> Logged:
        oversampled = pd.concat([train_x, train_x.sample(150, random_state=2)])
        return [(oversampled, "train", None), (test_x, "test", None)]

    retrain(root, _with_train_rows(0.05), logged)


def evaluated_on_train_but_the_test_set_logged(root: Path) -> None:
    """The metric and evaluation report come from the training rows; the honest test set is logged."""
    train_x, test_x, train_y, _ = _data()
    retrain(root, (train_x, train_y), lambda tx, _: [(tx, "train", None), (test_x, "test", None)])


PLANTINGS: list[tuple[Callable[[Path], None], str]] = [
    (evaluated_on_the_training_set, "'test' and 'train' are the same data (sha256"),
    (five_percent_of_test_rows_from_train, "of 'test' rows are also in 'train'"),
    (
        shuffled_copy_of_train_as_test,
        "an estimated 100.0% (over 98.8% at 95%, 256 distinct test rows compared)",
    ),
    (train_with_columns_reordered_as_test, "an estimated 100.0%"),
    (train_with_a_column_renamed_as_test, "an estimated 100.0%"),
    (renamed_columns_hide_the_rows, "have different columns (only in 'train': account_age, amount"),
    (only_train_logged, "logged no test (evaluation) dataset"),
    (leaky_test_set_logged_with_training_context, "logged no test (evaluation) dataset"),
    (leaky_test_set_logged_under_a_training_name, 'exp.log_dataset(X_test, "test")'),
    (leaky_test_set_cast_to_float32, "amount is float64 in 'train', float32 in 'test'"),
    (oversampled_train_with_a_leak, "of 'test' rows are also in 'train'"),
    (
        evaluated_on_train_but_the_test_set_logged,
        "scored 350 rows, as many as 'train', but no logged test set",
    ),
]


@pytest.mark.parametrize(("plant", "needle"), PLANTINGS, ids=[p.__name__ for p, _ in PLANTINGS])
def test_planted_leakage_fails_leakage(repo: Path, plant: Callable[[Path], None], needle: str) -> None:
    assert_planted(repo, plant, "leakage", needle)


def test_the_honest_split_passes_with_its_estimate(repo: Path) -> None:
    v = gate(repo)
    assert v.passed, [(c.id, c.detail) for c in v.checks if c.status == "fail"]
    detail = v.check("leakage").detail
    assert v.check("leakage").status == "pass"
    assert detail.startswith(
        "0.0% (exact, all 150 distinct test rows compared) of 'test' rows also in 'train'"
    )


def test_an_honest_retrain_passes(repo: Path) -> None:
    retrain(repo, _honest_test(), _both)
    docs(repo)
    assert gate(repo).passed


def test_a_leak_below_the_policy_share_passes_and_a_stricter_policy_fails_it(repo: Path) -> None:
    retrain(repo, _with_train_rows(0.02), _both)  # 3 of 150 test rows come from train
    write_policy(repo, leakage_share=0.05)
    docs(repo)
    v = gate(repo)
    assert v.passed and "2.0% (exact" in v.check("leakage").detail
    policy = (repo / "inc.yaml").read_text().replace("leakage_share: 0.05", "leakage_share: 0.0")
    (repo / "inc.yaml").write_text(policy)
    docs(repo)
    v = gate(repo)
    assert failing(v) == ["leakage"], v.check("living_docs").detail
    assert "more than the 0.0% allowed" in v.check("leakage").detail


def test_a_waiver_on_leakage_holds(repo: Path) -> None:
    def plant(root: Path) -> None:
        five_percent_of_test_rows_from_train(root)
        waive(root, "leakage", reason="duplicated card-present transactions are expected in both sets")

    plant(repo)
    docs(repo)
    v = gate(repo)
    assert v.passed and v.check("leakage").status == "waived"
    assert "of 'test' rows are also in 'train'" in v.check("leakage").detail


def test_a_waiver_on_leakage_approved_by_the_owner_is_refused(repo: Path) -> None:
    def plant(root: Path) -> None:
        five_percent_of_test_rows_from_train(root)
        waive(root, "leakage", approved_by=OWNER)

    assert_planted(repo, plant, "leakage", "is the increment's owner")


def test_a_record_without_sketches_is_judged_by_hash_only(repo: Path) -> None:
    path = inc_dir(repo) / "runs" / f"{chosen_id(repo)}.json"
    record = read_run_record(path)
    old = [d.model_copy(update={"sketch": None}) for d in record.datasets]
    write_run_record(path.parent, record.model_copy(update={"datasets": old}))
    docs(repo)
    v = gate(repo)
    assert v.passed and v.check("leakage").status == "warn"
    assert (
        "'test' has no row sketch" in v.check("leakage").detail
        or "'train' has no row sketch" in v.check("leakage").detail
    )


def test_no_train_test_pair_only_warns_without_strict(repo: Path) -> None:
    only_train_logged(repo)
    docs(repo)
    v = gate(repo, strict=False)
    assert v.check("leakage").status == "warn" and not v.check("leakage").blocking
