"""The gate's ML judgement: numbers that are not numbers, folds, stability, minimums, reachability.

Each test plants one defect in the passing ``ready`` increment (or builds a small one) and checks
the check that must catch it, with the words a user acts on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inc.evidence import CV, RunRecord, read_run_record, write_run_record
from inc.gate.model import IncrementVerdict
from inc.gate.runner import run_gate
from inc.meta import Metric
from inc.scaffold import new_increment
from inc.workspace import Workspace
from inc_testing.gate_evidence import add_waiver, link_reports, set_meta, write_run


def verdict(ws: Workspace, ref: str = "0001") -> IncrementVerdict:
    return run_gate(Workspace.discover(ws.root), [ref]).increments[0]


def _update(inc: Path, run_id: str, **changes: object) -> RunRecord:
    record = read_run_record(inc / "runs" / f"{run_id}.json")
    updated = record.model_copy(update=changes)
    write_run_record(inc / "runs", updated)
    return updated


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_chosen_metric_not_a_number_fails_never_nan_percent(
    workspace: Workspace, ready: Path, bad: float
) -> None:
    _update(ready, "cand1", metrics={"roc_auc": bad})
    v = verdict(workspace)
    # The ledger reader refuses a non-finite number (one root cause, named once with the fix);
    # what needs the chosen run skips, and nothing prints "nan%".
    experiments = v.check("experiments")
    assert experiments.status == "fail"
    assert "runs/cand1.json" in experiments.detail and "is not a number JSON allows" in experiments.detail
    assert "'inc link 0001 cand1'" in experiments.detail
    baseline = v.check("baseline")
    assert baseline.status == "skip" and "skipped: needs experiments" in baseline.detail
    assert "nan%" not in baseline.detail


def test_nan_baseline_does_not_hide_a_stronger_one(workspace: Workspace, ready: Path) -> None:
    write_run(ready, "base2", "baseline", float("nan"))
    v = verdict(workspace)
    # The record does not load (a non-finite number), so it cannot pass unseen as a weak baseline.
    experiments = v.check("experiments")
    assert experiments.status == "fail"
    assert "runs/base2.json" in experiments.detail and "is not a number JSON allows" in experiments.detail


def test_nan_fold_fails(workspace: Workspace, ready: Path) -> None:
    _update(ready, "cand1", cv=CV(metric="roc_auc", folds=[0.7, float("nan"), 0.7, 0.7, 0.7]))
    v = verdict(workspace)
    experiments = v.check("experiments")
    assert experiments.status == "fail"
    assert "runs/cand1.json" in experiments.detail and "NaN is not a number JSON allows" in experiments.detail
    assert v.check("cross_validation").status != "pass"


def test_folds_of_another_metric_fail_and_an_alias_passes(workspace: Workspace, ready: Path) -> None:
    _update(ready, "cand1", cv=CV(metric="accuracy", folds=[0.9] * 5))
    cv = verdict(workspace).check("cross_validation")
    assert (
        cv.status == "fail" and "fold scores are of accuracy, not the increment's metric roc_auc" in cv.detail
    )
    _update(ready, "cand1", cv=CV(metric="auc", folds=[0.7, 0.71, 0.69, 0.7, 0.72]))
    assert verdict(workspace).check("cross_validation").status == "pass"


def test_logged_cv_mean_must_match_the_folds(workspace: Workspace, ready: Path) -> None:
    _update(ready, "cand1", metrics={"roc_auc": 0.7, "cv_roc_auc_mean": 0.9, "cv_roc_auc_std": 0.01})
    cv = verdict(workspace).check("cross_validation")
    assert (
        cv.status == "fail" and "logged cv_roc_auc_mean 0.9000 does not match its folds (0.7000)" in cv.detail
    )


def test_a_failed_run_cannot_ship_nor_be_picked(workspace: Workspace, ready: Path) -> None:
    _update(ready, "cand1", status="FAILED")
    v = verdict(workspace)
    experiments = v.check("experiments")
    assert experiments.status == "fail"
    assert "chosen run cand1 has status FAILED: only a FINISHED run can ship" in experiments.detail
    assert "'inc choose 0001 RUN_ID'" in experiments.detail and "broken" not in experiments.detail
    baseline = v.check("baseline")
    assert baseline.status == "skip"
    assert baseline.detail == "skipped: needs experiments (the chosen run cand1 has status FAILED)"
    set_meta(ready, chosen_run=None, model=None)
    picked = verdict(workspace).check("baseline").detail
    assert "chosen cand2 (gate's pick: best candidate)" in picked  # cand1 (0.70, FAILED) is passed over
    candidates = verdict(workspace).check("candidates")
    assert candidates.status == "fail" and "2 FINISHED candidate(s)" in candidates.detail
    assert "1 more not FINISHED" in candidates.detail


@pytest.mark.parametrize(
    ("start", "end", "needle"),
    [
        ("2099-01-01T00:00:00+00:00", "2099-01-01T00:05:00+00:00", "start_time 2099-01-01 is in the future"),
        (
            "2026-01-02T00:00:00+00:00",
            "2026-01-01T00:00:00+00:00",
            "ended (2026-01-01T00:00:00+00:00) before it",
        ),
        ("yesterday", None, "is not an ISO date"),
    ],
)
def test_impossible_dates_fail(
    workspace: Workspace, ready: Path, start: str, end: str | None, needle: str
) -> None:
    _update(ready, "base1", start_time=start, end_time=end)
    experiments = verdict(workspace).check("experiments")
    assert experiments.status == "fail" and needle in experiments.detail


def test_a_chosen_baseline_is_named_as_such(workspace: Workspace, ready: Path) -> None:
    set_meta(ready, chosen_run="base1", model=None)
    v = verdict(workspace)
    experiments = v.check("experiments")
    assert experiments.status == "fail"
    assert "chosen_run base1 is a baseline run, not a candidate" in experiments.detail
    assert "'inc choose 0001 RUN_ID'" in experiments.detail
    baseline = v.check("baseline")
    assert (
        baseline.status == "skip"
        and "skipped: needs experiments (the chosen run base1 is a baseline)" in baseline.detail
    )


def test_min_candidates_and_its_waiver(workspace: Workspace, ready: Path) -> None:
    (ready / "runs" / "cand3.json").unlink()
    check = verdict(workspace).check("candidates")
    assert check.status == "fail" and "2 FINISHED candidate(s) with roc_auc" in check.detail
    assert "needs 3 (min_candidates)" in check.detail
    set_meta(ready, min_candidates=2)
    assert verdict(workspace).check("candidates").status == "pass"
    set_meta(ready, min_candidates=3)
    add_waiver(ready, "candidates")
    assert verdict(workspace).check("candidates").status == "waived"


def test_dummy_only_baselines_fail_with_what_to_add(workspace: Workspace, ready: Path) -> None:
    _update(
        ready, "base1", name="baseline-majority", params={"strategy": "most_frequent"}, note="majority class"
    )
    check = verdict(workspace).check("nontrivial_baseline")
    assert check.status == "fail"
    assert (
        "only trivial baselines (baseline-majority): add a rule, a heuristic or the current" in check.detail
    )
    write_run(ready, "rule", "baseline", 0.55)
    _update(ready, "rule", name="amount-rule", params={"threshold": "900"}, note="flag large amounts")
    assert verdict(workspace).check("nontrivial_baseline").status == "pass"


@pytest.mark.parametrize(
    ("name", "params", "note", "trivial"),
    [
        ("baseline-stratified", {"strategy": "stratified"}, "", True),
        ("b1", {"strategy": "mean"}, "", True),
        ("b1", {}, "predict the median", True),
        ("popularity", {"k": "10"}, "", True),
        ("current-system", {"strategy": "most_frequent"}, "", False),  # named as the current system wins
        ("b1", {"threshold": "900"}, "the heuristic ops use today", False),
        ("logistic", {"C": "1.0", "max_iter": "200"}, "a plain logistic regression", False),
    ],
)
def test_what_counts_as_trivial(name: str, params: dict[str, str], note: str, trivial: bool) -> None:
    from inc.gate.checks.runs import is_trivial

    record = RunRecord(
        run_id="r1", increment="0001", name=name, role="baseline", status="FINISHED", params=params, note=note
    )
    assert is_trivial(record) is trivial


def test_unreachable_relative_margin_names_error_reduction(workspace: Workspace, ready: Path) -> None:
    """The issue's case: a rule at 0.846 roc_auc; +20% relative needs 1.015."""
    write_run(ready, "rule", "baseline", 0.846)
    _update(ready, "cand1", metrics={"roc_auc": 0.9})
    set_meta(ready, metric=Metric(name="roc_auc", goal="maximize", target=0.85))
    baseline = verdict(workspace).check("baseline")
    assert baseline.status == "fail"
    assert (
        "the margin cannot be met: 20% relative over 0.8460 needs roc_auc 1.0152, beyond the metric's range"
        in baseline.detail
    )
    assert "set 'margin_mode: error_reduction' in increment.yaml" in baseline.detail
    set_meta(ready, margin_mode="error_reduction")
    assert verdict(workspace).check("baseline").status == "pass"  # 0.9 closes 35% of the remaining error


def _folds(inc: Path, run_id: str, folds: list[float], splits: str | None) -> None:
    record = read_run_record(inc / "runs" / f"{run_id}.json")
    cv = CV(metric="roc_auc", folds=folds, splits=splits)
    _update(
        inc, run_id, cv=cv, metrics={**record.metrics, "cv_roc_auc_mean": cv.mean, "cv_roc_auc_std": cv.std}
    )


def test_paired_folds_are_reported_and_a_disagreement_warns(workspace: Workspace, ready: Path) -> None:
    _folds(ready, "base1", [0.5, 0.52, 0.48, 0.5, 0.5], "splitter:abc")
    _folds(ready, "cand1", [0.69, 0.71, 0.70, 0.72, 0.68], "splitter:abc")
    baseline = verdict(workspace).check("baseline")
    assert baseline.status == "pass"
    assert (
        "on 5 paired folds: CV means 0.7000 vs 0.5000 (+40.0%), per-fold difference +0.2000"
        in baseline.detail
    )
    assert "better on 5/5" in baseline.detail
    # the hold-out says +40%, the folds only +4%: the gate warns, naming both
    _folds(ready, "cand1", [0.52, 0.53, 0.5, 0.51, 0.54], "splitter:abc")
    disagree = verdict(workspace).check("baseline")
    assert disagree.status == "warn" and "+40.0%" in disagree.detail and "(+4.0%)" in disagree.detail
    assert "the two disagree" in disagree.detail
    # other splits: no pairing
    _folds(ready, "base1", [0.5] * 5, "splitter:other")
    assert "paired folds" not in verdict(workspace).check("baseline").detail


def test_regression_folds_under_ten_percent_cv_are_stable(workspace: Workspace) -> None:
    """rmse 53.7 ± 1.9 (CV 3.5%) used to be "unstable" because 1.9 > 0.1."""
    path = new_increment(workspace, "diabetes", problem="regression", target=60.0).increment.path
    write_run(path, "mean", "baseline", 75.0, metric="rmse")
    folds = [51.5, 55.9, 53.7, 52.0, 55.4]
    write_run(path, "gbm", "candidate", 53.7, folds, metric="rmse")
    set_meta(path, chosen_run="gbm")
    cv = verdict(workspace).check("cross_validation")
    assert cv.status == "pass", cv.detail
    write_run(path, "gbm", "candidate", 53.7, [40.0, 70.0, 53.7, 45.0, 60.0], metric="rmse")
    unstable = verdict(workspace).check("cross_validation")
    assert unstable.status == "warn" and "(10% of the mean)" in unstable.detail


def test_bounded_score_std_009_warns_and_cv_max_std_overrides(workspace: Workspace, ready: Path) -> None:
    _folds(ready, "cand1", [0.55, 0.75, 0.62, 0.8, 0.78], None)  # std ~0.095
    cv = verdict(workspace).check("cross_validation")
    assert cv.status == "warn" and "std over 0.0500 (0.05 for a bounded score)" in cv.detail
    set_meta(ready, cv_max_std=0.1)
    assert verdict(workspace).check("cross_validation").status == "pass"


def test_goal_that_contradicts_the_catalog_fails(workspace: Workspace, ready: Path) -> None:
    set_meta(ready, metric=Metric(name="roc_auc", goal="minimize", target=0.6))
    baseline = verdict(workspace).check("baseline")
    assert (
        baseline.status == "fail"
        and "roc_auc is maximized (higher is better): fix metric.goal" in baseline.detail
    )


def test_nan_latency_fails_load_test(workspace: Workspace, ready: Path) -> None:
    import json

    path = ready / "reports" / "loadtest-cand1.json"
    data = json.loads(path.read_text())
    data["p95_ms"] = float("nan")
    path.write_text(json.dumps(data))
    link_reports(
        ready, read_run_record(ready / "runs" / "cand1.json")
    )  # re-linked: the hash is not the catch
    load = verdict(workspace).check("load_test")
    assert load.status == "fail"
    assert "loadtest-cand1.json" in load.detail and "NaN is not a number JSON allows" in load.detail
