"""Unit tests per check, on evidence written with the inc.evidence writers in real git repos."""

from __future__ import annotations

import json
from pathlib import Path

from inc.evidence import read_run_record
from inc.gate.done import rebuild_docs
from inc.gate.model import IncrementVerdict
from inc.gate.runner import run_gate
from inc.meta import Metric, ModelRef
from inc.scaffold import new_increment
from inc.workspace import Workspace
from inc_testing.gate_evidence import (
    add_waiver,
    commit_all,
    link_reports,
    replace_section,
    set_meta,
    write_loadtest,
    write_run,
)


def verdict(ws: Workspace, ref: str = "0001", **options: bool) -> IncrementVerdict:
    result = run_gate(Workspace.discover(ws.root), [ref], **options)
    return result.increments[0]


def not_passing(v: IncrementVerdict) -> dict[str, str]:
    return {c.id: c.status for c in v.checks if c.status not in ("pass", "skip")}


def test_ready_increment_passes_every_check(workspace: Workspace, ready: Path) -> None:
    v = verdict(workspace, strict=True)
    assert not_passing(v) == {}, [(c.id, c.detail) for c in v.checks if c.status != "pass"]
    assert v.passed and v.ready == v.total
    assert (
        "best baseline roc_auc 0.5000 (run base1), chosen cand1 0.7000: +40.0%, needs +20.0%"
        in v.check("baseline").detail
    )


def test_fresh_increment_passes_structure_and_reports_progress(workspace: Workspace) -> None:
    new_increment(workspace, "churn")
    v = verdict(workspace)
    assert v.passed
    assert v.check("structure").status == "pass" and v.check("structure").blocking
    assert v.check("spec").status == "fail" and not v.check("spec").blocking
    assert v.ready < v.total


def test_spec_blocks_once_active(workspace: Workspace) -> None:
    path = new_increment(workspace, "churn").increment.path
    set_meta(path, status="active")
    v = verdict(workspace)
    spec = v.check("spec")
    assert not v.passed and spec.status == "fail" and spec.blocking
    assert spec.evidence[0] == "increments/0001-churn/spec.md:11"
    assert "spec.md:11 (Problem definition)" in spec.detail
    assert not v.check("tasks").blocking  # readiness stays progress until done


def test_readiness_blocks_when_done(workspace: Workspace, ready: Path) -> None:
    set_meta(ready, status="done")
    (ready / "tasks.md").write_text((ready / "tasks.md").read_text().replace("- [x] T-013", "- [ ] T-013"))
    v = verdict(workspace)
    tasks = v.check("tasks")
    assert tasks.blocking and tasks.status == "fail" and not v.passed
    assert "1/13 tasks open: T-013" in tasks.detail
    line = next(
        n for n, text in enumerate((ready / "tasks.md").read_text().splitlines(), 1) if "T-013" in text
    )
    assert tasks.evidence == [f"increments/0001-fraud-detection/tasks.md:{line}"]


def test_invalid_increment_yaml_fails_structure_naming_file_and_field(
    workspace: Workspace, ready: Path
) -> None:
    meta = ready / "increment.yaml"
    meta.write_text(meta.read_text().replace("cv_min_folds: 5", "cv_min_folds: five"))
    v = verdict(workspace)
    structure = v.check("structure")
    assert structure.status == "fail" and not v.passed
    assert "increments/0001-fraud-detection/increment.yaml: field 'cv_min_folds'" in structure.detail
    assert all(c.status == "skip" for c in v.checks[1:])


def test_missing_section_fails_structure(workspace: Workspace, ready: Path) -> None:
    plan = ready / "plan.md"
    plan.write_text(plan.read_text().replace("## Monitoring", "## Observability"))
    structure = verdict(workspace).check("structure")
    assert structure.status == "fail"
    assert "plan.md lacks the section(s): Monitoring" in structure.detail


def test_malformed_run_record_fails_experiments_naming_the_file(workspace: Workspace, ready: Path) -> None:
    (ready / "runs" / "cand2.json").write_text('{"run_id": "cand2", ')
    v = verdict(workspace)
    experiments = v.check("experiments")
    assert experiments.status == "fail"
    assert experiments.detail.startswith(
        "increments/0001-fraud-detection/runs/cand2.json: line 1: not valid JSON"
    )
    assert experiments.evidence == ["increments/0001-fraud-detection/runs/cand2.json"]


def test_malformed_loadtest_fails_load_test_not_crash(workspace: Workspace, ready: Path) -> None:
    path = ready / "reports" / "loadtest-cand1.json"
    data = json.loads(path.read_text())
    data["p95_ms"] = "fast"
    path.write_text(json.dumps(data))
    load_test = verdict(workspace).check("load_test")
    assert load_test.status == "fail"
    assert "loadtest-cand1.json" in load_test.detail and "p95_ms" in load_test.detail


def test_candidate_without_note_fails_experiments(workspace: Workspace, ready: Path) -> None:
    for name in ("cand1", "cand2", "cand3"):
        path = ready / "runs" / f"{name}.json"
        from inc.evidence import read_run_record, write_run_record

        record = read_run_record(path)
        write_run_record(ready / "runs", record.model_copy(update={"note": ""}))
    experiments = verdict(workspace).check("experiments")
    assert experiments.status == "fail" and "lacks note" in experiments.detail


def test_gate_picks_best_candidate_without_chosen_run(workspace: Workspace, ready: Path) -> None:
    set_meta(ready, chosen_run=None)
    baseline = verdict(workspace).check("baseline")
    assert baseline.status == "pass"
    assert "chosen cand1 (gate's pick: best candidate)" in baseline.detail


def test_minimized_metric_margin_direction(workspace: Workspace) -> None:
    path = new_increment(workspace, "prices", problem="regression").increment.path
    write_run(path, "base", "baseline", 10.0, metric="rmse")
    write_run(path, "cand", "candidate", 9.0, [9.0] * 5, metric="rmse")
    set_meta(path, chosen_run="cand")
    assert "no target for rmse" in verdict(workspace).check("baseline").detail  # no default for an error
    set_meta(path, metric=Metric(name="rmse", goal="minimize", target=9.5))
    baseline = verdict(workspace).check("baseline")
    assert baseline.status == "fail"
    assert (
        "best baseline rmse 10.0000 (run base), chosen cand 9.0000: +10.0%, needs +20.0%" in baseline.detail
    )


def test_model_version_mismatch_with_increment_yaml(workspace: Workspace, ready: Path) -> None:
    set_meta(ready, model=ModelRef(name="0001-fraud-detection", version="7"))
    check = verdict(workspace).check("model_versioned")
    assert (
        check.status == "fail" and "v7 differs from the chosen run's 0001-fraud-detection v1" in check.detail
    )


def test_unregistered_model_fails_model_versioned(workspace: Workspace, ready: Path) -> None:
    write_run(ready, "cand1", "candidate", 0.70, [0.7] * 5, registered=False)
    check = verdict(workspace).check("model_versioned")
    assert check.status == "fail" and "is not registered" in check.detail


def test_loadtest_failures_fail(workspace: Workspace, ready: Path) -> None:
    path = ready / "reports" / "loadtest-cand1.json"
    data = json.loads(path.read_text())
    data["failures"] = 3
    path.write_text(json.dumps(data))
    link_reports(
        ready, read_run_record(ready / "runs" / "cand1.json")
    )  # hashes match: only failures are wrong
    check = verdict(workspace).check("load_test")
    assert check.status == "fail"
    assert check.detail.startswith("3 of 500 requests failed"), check.detail


def test_staleness_warns_on_spec_change_and_fails_with_strict(workspace: Workspace, ready: Path) -> None:
    spec = ready / "spec.md"
    spec.write_text(spec.read_text() + "\nA late change of the success criteria.\n")
    commit_all(workspace.root, "change spec after the runs")
    assert verdict(workspace).check("staleness").status == "warn"
    strict = verdict(workspace, strict=True).check("staleness")
    assert strict.status == "fail" and "after the chosen run's commit" in strict.detail


def test_staleness_fails_when_commit_not_in_history(workspace: Workspace, ready: Path) -> None:
    write_run(ready, "cand1", "candidate", 0.70, [0.7] * 5, commit="0" * 40)
    check = verdict(workspace).check("staleness")
    assert check.status == "fail" and "not in HEAD's history" in check.detail


def test_staleness_fails_when_reports_are_for_another_run(workspace: Workspace, ready: Path) -> None:
    write_loadtest(ready, "cand2")
    (ready / "reports" / "loadtest-cand1.json").unlink()
    v = verdict(workspace)
    assert v.check("staleness").status == "fail"
    assert "loadtest evidence is for run(s) cand2, not the chosen cand1" in v.check("staleness").detail
    assert v.check("load_test").status == "fail"


def test_waiver_applies_to_a_warning(workspace: Workspace, ready: Path) -> None:
    write_run(ready, "cand1", "candidate", 0.70, [0.3, 0.9, 0.5, 0.8, 0.7])
    assert verdict(workspace).check("cross_validation").status == "warn"
    add_waiver(ready, "cross_validation")
    check = verdict(workspace).check("cross_validation")
    assert check.status == "waived" and check.waiver is not None
    assert "waived by risk-lead: accepted risk for cross_validation (was: 5 folds" in check.detail


def test_rollback_without_version(workspace: Workspace, ready: Path) -> None:
    plan = ready / "plan.md"
    plan.write_text(replace_section(plan.read_text(), "Rollback plan", "Roll back to the previous model.\n"))
    check = verdict(workspace).check("rollback")
    assert check.status == "fail" and "does not name the version" in check.detail


def test_living_docs_stale_after_a_change(workspace: Workspace, ready: Path) -> None:
    write_run(ready, "cand3", "candidate", 0.64, [0.64] * 5)
    check = verdict(workspace, strict=True).check("living_docs")
    assert check.status == "fail" and check.blocking
    assert "living-docs/increments/0001-fraud-detection.md" in check.detail
    assert not verdict(workspace, strict=True).passed
    rebuild_docs(workspace)
    assert verdict(workspace, strict=True).check("living_docs").status == "pass"


def test_symlink_leading_outside_is_refused_not_read(
    workspace: Workspace, ready: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"token": "do-not-print"}')
    (ready / "runs" / "leak.json").symlink_to(secret)
    v = verdict(workspace)
    structure = v.check("structure")
    assert structure.status == "fail" and "runs/leak.json" in structure.detail
    assert "do-not-print" not in " ".join(c.detail for c in v.checks)
