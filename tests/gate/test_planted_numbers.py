"""Planted defects of the "Numbers" kind, on the honest increment made through the real APIs.

Each planting breaks one number or date the verdict reads, the way a hurried team or a forger
would: a ledger record edited and resealed with ``write_run_record`` (so its sha256 is valid), a
run that really failed, a report whose latency is not a number, a threshold lowered in
increment.yaml below what the spec states. Exactly the expected check fails, with the expected
words; a value that is not a number always reads "not a number" (never "+nan%").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inc.evidence import RunRecord, read_run_record, write_run_record
from inc.gate.roots import NEEDS_CHOSEN
from inc_testing.gate_evidence import set_meta
from inc_testing.planted_builder import (
    INC,
    assert_planted,
    chosen_id,
    docs,
    edit,
    failing,
    gate,
    inc_dir,
    meta,
    reseal_reports,
    rewrite_json,
    runs_of,
)

pytestmark = pytest.mark.ml

NAN, INF = math.nan, math.inf


def record_path(root: Path, run_id: str) -> Path:
    return inc_dir(root) / "runs" / f"{run_id}.json"


def run_named(root: Path, name: str) -> str:
    """The run id of the honest run called ``name`` (majority, amount-rule, logistic, tree, forest)."""
    return next(
        p.stem for p in inc_dir(root).joinpath("runs").glob("*.json") if read_run_record(p).name == name
    )


def forge(root: Path, run_id: str, change: Callable[[RunRecord], dict[str, Any]]) -> None:
    """Edit a ledger record and reseal it (its sha256 recomputed), as a forger with write access would."""
    path = record_path(root, run_id)
    record = read_run_record(path)
    write_run_record(path.parent, record.model_copy(update=change(record)))


def forge_metric(root: Path, run_id: str, **values: float) -> None:
    forge(root, run_id, lambda r: {"metrics": {**r.metrics, **values}})


def forge_folds(root: Path, run_id: str, folds: list[float], metric: str | None = None) -> None:
    def change(record: RunRecord) -> dict[str, Any]:
        assert record.cv is not None
        cv = record.cv.model_copy(update={"folds": folds, "metric": metric or record.cv.metric})
        return {"cv": cv}

    forge(root, run_id, change)


def sync(root: Path) -> None:
    """The real ``inc sync 0001`` (CLI), against the honest repository's MLflow store."""
    from inc.cli import main

    assert main(["-C", str(root), "sync", "0001"]) == 0


def spec(root: Path) -> Path:
    return inc_dir(root) / "spec.md"


# --- metrics that are not numbers -----------------------------------------------------------------


def candidate_metric_infinity(root: Path) -> None:
    """Another candidate's roc_auc set to Infinity: it would win "best candidate" on every surface."""
    forge_metric(root, run_named(root, "tree"), roc_auc=INF)


def chosen_metric_infinity(root: Path) -> None:
    forge_metric(root, chosen_id(root), roc_auc=INF)


def chosen_metric_nan(root: Path) -> None:
    forge_metric(root, chosen_id(root), roc_auc=NAN)


def baseline_metric_nan_hides_the_rule(root: Path) -> None:
    """The amount rule (the strongest baseline) becomes NaN: the majority's 0.5 would be "best"."""
    forge_metric(root, run_named(root, "amount-rule"), roc_auc=NAN)


def rule_baseline_synced_with_a_nan_metric(root: Path) -> None:
    """The current production rule, scored in a notebook with plain MLflow: its roc_auc came out NaN
    (a fold with one class). `inc sync` links it and leaves the NaN out of the record."""
    import mlflow

    from inc.tracking.adapter import resolve_tracking_uri
    from inc.workspace import Workspace

    mlflow.set_tracking_uri(resolve_tracking_uri(Workspace.discover(root)))
    mlflow.set_experiment(f"inc/{INC}")
    with mlflow.start_run(run_name="current-production-rule") as run:
        mlflow.set_tags({"inc.increment": "0001", "inc.role": "baseline"})
        mlflow.set_tag("mlflow.note.content", "the rule in production today: flag amount > 900")
        mlflow.log_params({"rule": "amount > 900"})
        mlflow.log_metric("roc_auc", NAN)
    sync(root)
    record = read_run_record(record_path(root, run.info.run_id))
    assert "roc_auc" not in record.metrics


def baseline_metric_minus_infinity(root: Path) -> None:
    forge_metric(root, run_named(root, "amount-rule"), roc_auc=-INF)


def chosen_metric_out_of_range(root: Path) -> None:
    """A roc_auc of 1.7 does not exist: the metric catalog bounds it to [0, 1]."""
    forge_metric(root, chosen_id(root), roc_auc=1.7)


def chosen_fold_nan(root: Path) -> None:
    run = chosen_id(root)
    folds = list(read_run_record(record_path(root, run)).cv.folds)  # type: ignore[union-attr]
    forge_folds(root, run, [*folds[:-1], NAN])


def chosen_fold_infinity(root: Path) -> None:
    run = chosen_id(root)
    folds = list(read_run_record(record_path(root, run)).cv.folds)  # type: ignore[union-attr]
    forge_folds(root, run, [INF, *folds[1:]])


def chosen_fold_out_of_range(root: Path) -> None:
    run = chosen_id(root)
    folds = list(read_run_record(record_path(root, run)).cv.folds)  # type: ignore[union-attr]
    forge_folds(root, run, [*folds[:-1], 1.4])


def loadtest_latency_nan(root: Path) -> None:
    run = chosen_id(root)
    for report in (inc_dir(root) / "reports").glob(f"loadtest-{run}*.json"):
        rewrite_json(report, lambda data: data.update(p95_ms=NAN))
    reseal_reports(root, run)


# --- folds of another metric, or that do not give the logged mean and std ------------------------


def folds_of_accuracy(root: Path) -> None:
    """Fold scores of accuracy logged under a roc_auc increment (``log_cv(scores, metric="accuracy")``)."""
    run = chosen_id(root)
    forge_folds(root, run, [0.91, 0.93, 0.9, 0.92, 0.94], metric="accuracy")


def cv_mean_inconsistent(root: Path) -> None:
    forge_metric(root, chosen_id(root), cv_roc_auc_mean=0.995)


def cv_std_inconsistent(root: Path) -> None:
    forge_metric(root, chosen_id(root), cv_roc_auc_std=0.0001)


def two_folds_logged(root: Path) -> None:
    run = chosen_id(root)
    folds = list(read_run_record(record_path(root, run)).cv.folds)  # type: ignore[union-attr]
    forge_folds(root, run, folds[:2])


# --- runs that did not finish ---------------------------------------------------------------------


def _failed_run(root: Path) -> str:
    """A real candidate whose training block raised: MLflow ends it FAILED and the ledger says so."""
    from inc import track_experiment
    from inc.workspace import Workspace

    ws = Workspace.discover(root)
    with (
        pytest.raises(RuntimeError, match="out of memory"),
        track_experiment("boosted", increment="0001", role="candidate", workspace=ws) as exp,
    ):
        exp.log_params({"n_estimators": "500"})
        exp.log_metrics({"roc_auc": 0.999})
        exp.log_note("boosted: crashed half-way through the last fold")
        raise RuntimeError("out of memory")
    return exp.run_id


def failed_run_chosen(root: Path) -> None:
    """``inc choose`` refuses the FAILED run, so the team writes chosen_run by hand."""
    from inc.errors import UserError
    from inc.tracking.runs_table import choose
    from inc.workspace import Workspace

    run = _failed_run(root)
    assert read_run_record(record_path(root, run)).status == "FAILED"
    with pytest.raises(UserError, match="has status FAILED; only a FINISHED run can ship"):
        choose(Workspace.discover(root), "0001", run)
    set_meta(inc_dir(root), chosen_run=run)


def failed_run_picked_by_the_gate(root: Path) -> None:
    """chosen_run emptied: the gate picks the best candidate, and the FAILED run's 0.999 is no candidate."""
    _failed_run(root)
    set_meta(inc_dir(root), chosen_run=None)


def chosen_status_running(root: Path) -> None:
    forge(root, chosen_id(root), lambda r: {"status": "RUNNING", "end_time": None})


def chosen_status_killed(root: Path) -> None:
    forge(root, chosen_id(root), lambda r: {"status": "KILLED"})


# --- dates ----------------------------------------------------------------------------------------


def end_time_in_2099(root: Path) -> None:
    forge(root, chosen_id(root), lambda r: {"end_time": "2099-01-01T00:00:00+00:00"})


def end_before_start(root: Path) -> None:
    def change(record: RunRecord) -> dict[str, Any]:
        assert record.start_time
        start = dt.datetime.fromisoformat(record.start_time)
        return {"end_time": (start - dt.timedelta(hours=3)).isoformat(timespec="seconds")}

    forge(root, chosen_id(root), change)


def baseline_start_in_the_future(root: Path) -> None:
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat(timespec="seconds")
    forge(root, run_named(root, "majority"), lambda r: {"start_time": future, "end_time": future})


def loadtest_created_in_the_future(root: Path) -> None:
    run = chosen_id(root)
    for report in (inc_dir(root) / "reports").glob(f"loadtest-{run}*.json"):
        rewrite_json(report, lambda data: data.update(created="2099-06-01T12:00:00+00:00"))
    reseal_reports(root, run)


# --- thresholds lowered in increment.yaml below the spec's ---------------------------------------


def margin_lowered_below_the_spec(root: Path) -> None:
    """The spec still says "by at least 20%"; increment.yaml now asks 4%."""
    set_meta(inc_dir(root), baseline_margin=0.04)


def target_lowered_below_the_spec(root: Path) -> None:
    """0.72: the amount rule meets it, so the monitoring alert is bounded by the chosen run's
    score instead of the baseline's; only the lowered bar is wrong."""
    set_meta(inc_dir(root), metric=meta(root).metric.model_copy(update={"target": 0.72}))


def latency_target_loosened_in_the_yaml(root: Path) -> None:
    """The spec says p95 under 100 ms; increment.yaml now allows 5 s."""
    set_meta(inc_dir(root), latency_p95_ms=5000.0)


def chosen_metric_raised_over_the_target(root: Path) -> None:
    """Target raised to 0.99 (spec and yaml agree); the chosen run's roc_auc edited to 0.995 and
    resealed, while its folds (mean 0.978) and its stored predictions say otherwise."""
    edit(spec(root), f"{meta(root).metric.target:g}", "0.99", count=-1)
    set_meta(inc_dir(root), metric=meta(root).metric.model_copy(update={"target": 0.99}))
    forge_metric(root, chosen_id(root), roc_auc=0.995)


# --- thresholds that are not numbers ------------------------------------------------------------


def target_nan_in_yaml(root: Path) -> None:
    """``target: .nan`` typed into increment.yaml (YAML's NaN)."""
    edit(inc_dir(root) / "increment.yaml", "target: 0.8}", "target: .nan}")


def margin_nan_in_yaml(root: Path) -> None:
    edit(inc_dir(root) / "increment.yaml", "baseline_margin: 0.2 ", "baseline_margin: .nan ")


def latency_inf_in_yaml(root: Path) -> None:
    """``latency_p95_ms: .inf``: every p95 would be within it."""
    edit(inc_dir(root) / "increment.yaml", "latency_p95_ms: 100 ", "latency_p95_ms: .inf ")


Planting = tuple[Callable[[Path], None], str, str]

PLANTINGS: list[Planting] = [
    (candidate_metric_infinity, "experiments", '("roc_auc"): Infinity is not a number'),
    (chosen_metric_infinity, "experiments", '("roc_auc"): Infinity is not a number'),
    (chosen_metric_nan, "experiments", '("roc_auc"): NaN is not a number'),
    (baseline_metric_nan_hides_the_rule, "experiments", '("roc_auc"): NaN is not a number'),
    (
        rule_baseline_synced_with_a_nan_metric,
        "baseline",
        "(current-production-rule) logs no roc_auc (never logged, or not a number on the tracking server",
    ),
    (baseline_metric_minus_infinity, "experiments", '("roc_auc"): -Infinity is not a number'),
    (chosen_metric_out_of_range, "experiments", "roc_auc 1.7000 is outside roc_auc's range [0, 1]"),
    (chosen_fold_nan, "experiments", '("folds"): NaN is not a number'),
    (chosen_fold_infinity, "experiments", '("folds"): Infinity is not a number'),
    (
        chosen_fold_out_of_range,
        "experiments",
        "a roc_auc fold score 1.4000 is outside roc_auc's range [0, 1]",
    ),
    (loadtest_latency_nan, "load_test", '("p95_ms"): NaN is not a number'),
    (
        folds_of_accuracy,
        "cross_validation",
        "fold scores are of accuracy, not the increment's metric roc_auc",
    ),
    (cv_mean_inconsistent, "cross_validation", "logged cv_roc_auc_mean 0.9950 does not match its folds"),
    (cv_std_inconsistent, "cross_validation", "logged cv_roc_auc_std 0.0001 does not match its folds"),
    (two_folds_logged, "cross_validation", "2 folds of roc_auc, needs >= 5"),
    (failed_run_chosen, "experiments", "has status FAILED: only a FINISHED run can ship"),
    (chosen_status_running, "experiments", "has status RUNNING"),
    (chosen_status_killed, "experiments", "has status KILLED"),
    (end_time_in_2099, "experiments", "end_time 2099-01-01 is in the future"),
    (end_before_start, "experiments", "before it started"),
    (baseline_start_in_the_future, "experiments", "is in the future"),
    (loadtest_created_in_the_future, "staleness", "-in-process.json: created 2099-06-01 is in the future"),
    (margin_lowered_below_the_spec, "baseline", "below the 20% spec.md states"),
    (target_lowered_below_the_spec, "baseline", "below the 0.8 spec.md states"),
    (
        latency_target_loosened_in_the_yaml,
        "load_test",
        "latency_p95_ms 5000 is above the 100 ms spec.md states (0001-fraud-detection/spec.md:",
    ),
    (target_nan_in_yaml, "structure", "field 'metric.target': nan is not a finite number"),
    (margin_nan_in_yaml, "structure", "field 'baseline_margin'"),
    (latency_inf_in_yaml, "load_test", "increment.yaml latency_p95_ms is not a number (.inf)"),
    (
        chosen_metric_raised_over_the_target,
        "evaluation",
        "the run logged roc_auc 0.995 but its stored predictions give 0.9717",
    ),
]
# Root causes whose dependent checks must say "skipped: needs experiments".
ROOTS = {"chosen_metric_infinity", "chosen_metric_nan", "chosen_fold_nan", "chosen_fold_infinity"}
ROOTS |= {"failed_run_chosen", "chosen_status_running", "chosen_status_killed"}
# increment.yaml does not load: `inc docs` refuses it (exit 2), the gate fails `structure`.
NO_DOCS = {"target_nan_in_yaml", "margin_nan_in_yaml"}
# The chosen record loads but its numbers are impossible: what judges the chosen run skips.
NUMBER_ROOTS = {"chosen_metric_out_of_range", "chosen_fold_out_of_range"}


@pytest.mark.parametrize(("plant", "check", "needle"), PLANTINGS, ids=[p[0].__name__ for p in PLANTINGS])
def test_planted_number_fails_exactly_its_check(
    repo: Path, plant: Callable[[Path], None], check: str, needle: str
) -> None:
    name = plant.__name__
    v = assert_planted(repo, plant, check, needle, rebuild_docs=name not in NO_DOCS, root_cause=name in ROOTS)
    if name in NUMBER_ROOTS:
        for name in NEEDS_CHOSEN:
            assert v.check(name).detail.startswith("skipped: needs experiments"), v.check(name)
    for c in v.checks:  # never "target missed, +nan%": a value that is no number says so
        assert "nan%" not in c.detail.lower() and "inf%" not in c.detail.lower(), (c.id, c.detail)
        assert "(nan)" not in c.detail.lower() and "(inf)" not in c.detail.lower(), (c.id, c.detail)


def test_corpus_is_large_enough() -> None:
    assert len(PLANTINGS) >= 14
    assert len({p[0].__name__ for p in PLANTINGS}) == len(PLANTINGS)


def test_a_failed_candidate_is_never_the_gates_pick(repo: Path) -> None:
    forest = chosen_id(repo)
    failed_run_picked_by_the_gate(repo)
    docs(repo)
    v = gate(repo, strict=False)
    baseline = v.check("baseline").detail
    assert f"chosen {forest[:6]}.. (gate's pick: best candidate) 0.9717" in baseline, baseline
    assert failing(v) == [], [(c.id, c.detail) for c in v.checks if c.status == "fail"]
    # the FAILED run is linked, and not counted among the 3 candidates
    assert len(runs_of(repo, "candidate")) == 4
    assert "3 FINISHED candidates with roc_auc" in v.check("candidates").detail


def test_a_lowered_bar_does_not_block_an_active_increment_outside_strict(repo: Path) -> None:
    """Without --strict an active increment's readiness checks do not block; the lowered bar is
    still reported, naming the spec's line."""
    margin_lowered_below_the_spec(repo)
    docs(repo)
    v = gate(repo, strict=False)
    check = v.check("baseline")
    assert check.status == "fail" and not check.blocking and v.passed, check
    assert (
        "baseline_margin 0.04 is below the 20% spec.md states (0001-fraud-detection/spec.md:" in check.detail
    )


def test_a_spec_that_raises_the_bar_with_the_yaml_passes(repo: Path) -> None:
    """Lowering both files together is a reviewed change: nothing to flag."""
    edit(spec(repo), "by at least 20%", "by at least 4%")
    set_meta(inc_dir(repo), baseline_margin=0.04)
    docs(repo)
    assert gate(repo).passed
