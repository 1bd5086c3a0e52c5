"""Gate behaviours the other gate tests left unpinned: each test breaks one thing and checks that
the failure comes from the rule under test (not from an earlier hash or parse error)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from inc.cli import main
from inc.evidence import (
    ExplainSummary,
    PlotRef,
    ReportRef,
    read_run_record,
    sha256_file,
    write_evidence,
    write_run_record,
)
from inc.gate.done import rebuild_docs
from inc.gate.model import IncrementVerdict
from inc.gate.runner import run_gate
from inc.meta import Metric
from inc.scaffold import new_increment
from inc.workspace import Workspace
from inc_testing.gate_evidence import (
    add_waiver,
    commit_all,
    link_reports,
    set_meta,
    write_run,
)


def verdict(ws: Workspace, ref: str = "0001", **options: bool) -> IncrementVerdict:
    return run_gate(Workspace.discover(ws.root), [ref], **options).increments[0]


def failing(v: IncrementVerdict) -> dict[str, str]:
    return {c.id: c.detail for c in v.checks if c.status == "fail"}


def _reseal_loadtest(ready: Path, **changes: object) -> None:
    """Edit the chosen run's load test AND re-link it, so that its hash is intact."""
    path = ready / "reports" / "loadtest-cand1.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))
    link_reports(ready, read_run_record(ready / "runs" / "cand1.json"))


def test_loadtest_with_failed_requests_fails_even_with_intact_hashes(
    workspace: Workspace, ready: Path
) -> None:
    _reseal_loadtest(ready, failures=3)
    rebuild_docs(workspace)
    v = verdict(workspace, strict=True)
    assert set(failing(v)) == {"load_test"}, failing(v)
    assert v.check("load_test").detail.startswith(
        "3 of 500 requests failed (in-process, batch 1, 500 requests)"
    )


def test_loadtest_over_latency_target_fails(workspace: Workspace, ready: Path) -> None:
    _reseal_loadtest(ready, p95_ms=250.0)
    check = verdict(workspace).check("load_test")
    assert check.status == "fail"
    assert check.detail.startswith("p95 250 ms > target 100 ms")
    _reseal_loadtest(ready, p95_ms=100.0)  # the target itself is met (<=)
    assert verdict(workspace).check("load_test").status == "pass"


def test_loadtest_edited_after_linking_fails_on_its_hash(workspace: Workspace, ready: Path) -> None:
    path = ready / "reports" / "loadtest-cand1.json"
    data = json.loads(path.read_text())
    data["p95_ms"] = 1.0  # a better number typed in by hand
    path.write_text(json.dumps(data))
    check = verdict(workspace).check("load_test")
    assert check.status == "fail"
    assert "loadtest-cand1.json sha256 differs from the one in runs/cand1.json" in check.detail
    assert check.evidence == ["increments/0001-fraud-detection/reports/loadtest-cand1.json"]


def test_loadtest_of_another_run_filed_under_the_chosen_one(workspace: Workspace, ready: Path) -> None:
    _reseal_loadtest(ready, run_id="cand2")
    v = verdict(workspace)
    assert "field 'run_id' is 'cand2' but runs/cand1.json has run_id 'cand1'" in v.check("load_test").detail
    staleness = v.check("staleness")
    assert staleness.status == "fail"
    assert "loadtest-cand1.json names run cand2 but is filed under cand1" in staleness.detail


def _rewrite_summary(ready: Path, plots: list[PlotRef], run_id: str = "cand1") -> None:
    folder = ready / "reports" / "explain-cand1"
    summary = ExplainSummary.model_validate_json((folder / "summary.json").read_text())
    write_evidence(folder / "summary.json", summary.model_copy(update={"plots": plots, "run_id": run_id}))
    link_reports(ready, read_run_record(ready / "runs" / "cand1.json"))


def test_summary_listing_a_plot_outside_its_folder_fails(workspace: Workspace, ready: Path) -> None:
    outside = ready / "spec.md"
    _rewrite_summary(ready, [PlotRef(file="../../spec.md", sha256=sha256_file(outside))])
    check = verdict(workspace).check("explainability")
    assert check.status == "fail"
    assert "summary.json lists plot '../../spec.md' outside its folder" in check.detail


def test_missing_plot_and_empty_plot_list_fail(workspace: Workspace, ready: Path) -> None:
    (ready / "reports" / "explain-cand1" / "bar.png").unlink()
    check = verdict(workspace).check("explainability")
    assert check.status == "fail" and "explain-cand1/bar.png is missing" in check.detail
    _rewrite_summary(ready, [])
    check = verdict(workspace).check("explainability")
    assert check.status == "fail" and "lists no plots" in check.detail


def test_summary_of_another_run_fails_explainability(workspace: Workspace, ready: Path) -> None:
    folder = ready / "reports" / "explain-cand1"
    summary = ExplainSummary.model_validate_json((folder / "summary.json").read_text())
    _rewrite_summary(ready, summary.plots, run_id="cand2")
    v = verdict(workspace)
    assert (
        "field 'run_id' is 'cand2' but runs/cand1.json has run_id 'cand1'" in v.check("explainability").detail
    )
    assert "names run cand2 but is filed under cand1" in v.check("staleness").detail


def test_run_record_linking_a_report_outside_the_increment_fails(workspace: Workspace, ready: Path) -> None:
    record = read_run_record(ready / "runs" / "cand1.json")
    secret = workspace.root / "inc.yaml"
    refs = [*record.reports, ReportRef(kind="loadtest", path="../../inc.yaml", sha256=sha256_file(secret))]
    write_run_record(ready / "runs", record.model_copy(update={"reports": refs}))
    check = verdict(workspace).check("load_test")
    assert (
        check.status == "fail" and "run record links '../../inc.yaml' outside the increment" in check.detail
    )


def test_model_tagged_with_another_increment_fails(workspace: Workspace, ready: Path) -> None:
    record = read_run_record(ready / "runs" / "cand1.json")
    write_run_record(ready / "runs", record.model_copy(update={"increment": "0002"}))
    check = verdict(workspace).check("model_versioned")
    assert check.status == "fail" and "is tagged with increment 0002, not 0001" in check.detail


def test_chosen_run_without_a_record_fails_once_and_the_rest_skip(workspace: Workspace, ready: Path) -> None:
    set_meta(ready, chosen_run="ghost")
    v = verdict(workspace)
    root = v.check("experiments")
    assert root.status == "fail" and "chosen run ghost has no record in runs/" in root.detail
    assert "'inc link 0001 ghost'" in root.detail and "inc choose" in root.detail
    for check_id in (
        "baseline",
        "cross_validation",
        "model_versioned",
        "explainability",
        "evaluation",
        "load_test",
        "staleness",
    ):
        check = v.check(check_id)
        assert check.status == "skip", (check_id, check.detail)
        assert check.detail.startswith("skipped: needs experiments"), (check_id, check.detail)
    assert [c.id for c in v.checks if c.status == "fail"] == ["experiments"]


def test_record_whose_run_id_differs_from_its_file_name(workspace: Workspace, ready: Path) -> None:
    record = read_run_record(ready / "runs" / "cand2.json")
    sealed = write_run_record(ready / "runs", record.model_copy(update={"run_id": "cand9"}))
    sealed.rename(ready / "runs" / "cand2.json")
    check = verdict(workspace).check("experiments")
    assert check.status == "fail"
    assert "runs/cand2.json: names run cand9 but the file is cand2.json" in check.detail


def test_chosen_run_without_cv_folds_fails(workspace: Workspace, ready: Path) -> None:
    write_run(ready, "cand1", "candidate", 0.70, folds=None)
    check = verdict(workspace).check("cross_validation")
    assert check.status == "fail" and "has no CV fold scores" in check.detail


def test_error_reduction_margin_mode(workspace: Workspace) -> None:
    """baseline 0.9 -> chosen 0.95: +5.6% relative, but half of the remaining error removed."""
    path = new_increment(workspace, "churn").increment.path
    set_meta(path, metric=Metric(name="roc_auc", goal="maximize", target=0.9), chosen_run="cand")
    write_run(path, "base", "baseline", 0.9)
    write_run(path, "cand", "candidate", 0.95, [0.95] * 5)
    relative = verdict(workspace).check("baseline")
    assert relative.status == "fail" and "+5.6%, needs +20.0%; margin missed" in relative.detail
    set_meta(path, margin_mode="error_reduction")
    reduction = verdict(workspace).check("baseline")
    assert reduction.status == "pass", reduction.detail
    assert "+50.0% error reduction, needs +20.0%" in reduction.detail


def test_minimized_metric_target_and_best_baseline(workspace: Workspace) -> None:
    """For rmse the best baseline is the lowest one, and the target is an upper bound."""
    path = new_increment(workspace, "prices", problem="regression").increment.path
    set_meta(path, metric=Metric(name="rmse", goal="minimize", target=5.0), chosen_run="cand")
    write_run(path, "weak", "baseline", 20.0, metric="rmse")
    write_run(path, "mean", "baseline", 10.0, metric="rmse")
    write_run(path, "cand", "candidate", 6.0, [6.0] * 5, metric="rmse")
    check = verdict(workspace).check("baseline")
    assert check.status == "fail"
    assert "best baseline rmse 10.0000 (run mean), chosen cand 6.0000: +40.0%" in check.detail
    assert "target rmse <= 5.0000 missed" in check.detail and "margin missed" not in check.detail


def test_gate_pick_without_chosen_run_minimizes(workspace: Workspace) -> None:
    path = new_increment(workspace, "prices", problem="regression").increment.path
    set_meta(path, metric=Metric(name="rmse", goal="minimize", target=50.0))
    write_run(path, "base", "baseline", 100.0, metric="rmse")
    write_run(path, "worse", "candidate", 40.0, [40.0] * 5, metric="rmse")
    write_run(path, "better", "candidate", 30.0, [30.0] * 5, metric="rmse")
    detail = verdict(workspace).check("baseline").detail
    assert "chosen better (gate's pick: best candidate) 30" in detail


def test_folder_not_matching_its_id_and_slug_fails_structure(workspace: Workspace, ready: Path) -> None:
    meta = ready / "increment.yaml"
    text = meta.read_text()
    renamed = re.sub(r"""slug: ["']?fraud-detection["']?""", "slug: fraud", text)
    assert renamed != text  # the slug may be written quoted or plain
    meta.write_text(renamed)
    structure = verdict(workspace).check("structure")
    assert structure.status == "fail" and structure.blocking
    assert (
        "folder 0001-fraud-detection does not match id/slug 0001-fraud in increment.yaml" in structure.detail
    )


def test_missing_document_fails_structure(workspace: Workspace, ready: Path) -> None:
    (ready / "tasks.md").unlink()
    v = verdict(workspace)
    assert v.check("structure").status == "fail" and not v.passed
    assert "tasks.md is missing; restore it from the templates" in v.check("structure").detail


def test_tasks_md_without_checklist_fails_tasks(workspace: Workspace, ready: Path) -> None:
    (ready / "tasks.md").write_text("# Tasks\n\nWe will figure it out.\n")
    check = verdict(workspace).check("tasks")
    assert check.status == "fail" and "has no checklist items" in check.detail


def test_active_increment_with_missing_evidence_passes_the_pr_as_progress(
    workspace: Workspace, ready: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """DESIGN 6: for planned/active increments readiness is progress and does not fail the PR."""
    (ready / "reports" / "loadtest-cand1.json").unlink()
    v = verdict(workspace)
    assert v.passed and v.check("load_test").status == "fail" and not v.check("load_test").blocking
    assert (v.ready, v.total) == (16, 17)  # living_docs is skipped before done
    assert main(["-C", str(workspace.root), "gate"]) == 0
    out = capsys.readouterr().out
    assert "0001-fraud-detection (active): PASS, 16/17 ready" in out
    assert "fail (progress)" in out
    assert main(["-C", str(workspace.root), "gate", "--strict"]) == 1
    capsys.readouterr()


def test_waiver_leaves_a_passing_check_passing(workspace: Workspace, ready: Path) -> None:
    add_waiver(ready, "rollback")
    check = verdict(workspace).check("rollback")
    assert check.status == "pass" and "waived" not in check.detail


def test_run_without_git_commit_warns_on_staleness(workspace: Workspace, ready: Path) -> None:
    record = read_run_record(ready / "runs" / "cand1.json")
    write_run_record(ready / "runs", record.model_copy(update={"git_commit": None}))
    check = verdict(workspace).check("staleness")
    assert check.status == "warn" and "records no git commit" in check.detail


def test_training_code_change_after_the_run_makes_evidence_stale(workspace: Workspace, ready: Path) -> None:
    (ready / "train.py").write_text("print('new features')\n")
    commit_all(workspace.root, "change the training script")
    check = verdict(workspace, strict=True).check("staleness")
    assert check.status == "fail" and "changed in 1 commit(s) after the chosen run's commit" in check.detail


def test_training_paths_of_inc_yaml_are_watched(workspace: Workspace, ready: Path) -> None:
    config = workspace.root / "inc.yaml"
    config.write_text(config.read_text() + "training_paths: [src/train]\n")
    commit_all(workspace.root, "watch src/train")
    (workspace.root / "docs.txt").write_text("unrelated\n")
    commit_all(workspace.root, "an unrelated change")
    check = verdict(workspace, strict=True).check("staleness")
    assert check.status == "pass", check.detail
    (workspace.root / "src" / "train").mkdir(parents=True)
    (workspace.root / "src" / "train" / "features.py").write_text("X = 1\n")
    commit_all(workspace.root, "change the feature code")
    check = verdict(workspace, strict=True).check("staleness")
    assert check.status == "fail" and "after the chosen run's commit" in check.detail


@pytest.mark.parametrize("target", ["increment.yaml", "monitoring.yaml"])
def test_yaml_python_tags_are_never_executed(workspace: Workspace, ready: Path, target: str) -> None:
    """DESIGN 6: the gate runs on untrusted PRs and reads YAML with safe_load only."""
    marker = workspace.root / "PWNED"
    path = ready / target
    path.write_text(path.read_text() + f'owned: !!python/object/apply:os.system ["touch {marker}"]\n')
    v = verdict(workspace)
    assert not marker.exists(), "a YAML tag ran a command"
    check = v.check("structure" if target == "increment.yaml" else "monitoring")
    assert check.status == "fail" and target in check.detail, check.detail
