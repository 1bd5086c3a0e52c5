"""A corpus of planted defects: one honest increment made through the real APIs (MLflow on
SQLite, scikit-learn, SHAP, an in-process load test), copied per test, broken in exactly one
way as a hurried team would, and judged with ``--strict``: exactly the expected check fails,
with the expected words. The honest copy passes, three times in a row.

Kinds covered here: waivers, policy floors, placeholders, typed A/B values, rollback versions,
required tasks, monitoring that can fire, and one root cause, one failure. To add a kind, add
a planting function and a row to ``PLANTINGS``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from inc.gate.runner import run_gate
from inc_testing import git
from inc_testing.gate_evidence import commit_all, replace_section, set_meta
from inc_testing.planted_builder import (
    INC,
    ROOT_DEPENDENTS,
    assert_planted,
    chosen_id,
    docs,
    edit,
    edit_re,
    failing,
    gate,
    inc_dir,
    meta,
    reseal_reports,
    rewrite_json,
    runs_of,
    waive,
    write_policy,
)

pytestmark = pytest.mark.ml

TODAY = dt.date.today()


def spec(root: Path) -> Path:
    return inc_dir(root) / "spec.md"


def plan(root: Path) -> Path:
    return inc_dir(root) / "plan.md"


def ab_line(root: Path, label: str, value: str) -> None:
    """Set one line of the A/B plan (``- Label: value``)."""
    edit_re(plan(root), rf"^- {label}:.*$", f"- {label}: {value}")


def set_rollback(root: Path, text: str) -> None:
    plan(root).write_text(replace_section(plan(root).read_text(), "Rollback plan", text))


def spec_filler(marker: str) -> Callable[[Path], None]:
    def plant(root: Path) -> None:
        edit(
            spec(root),
            "## Deployment considerations\n\n",
            f"## Deployment considerations\n\nOnline, {marker}.\n",
        )

    plant.__name__ = "spec_" + re.sub(r"\W+", "_", marker).strip("_") + f"_{len(marker)}"
    return plant


def _ab_guardrails_gone(root: Path) -> None:
    edit_re(plan(root), r"^- Guardrails:.*\n", "")


# --- waivers (each spoils the waiver of a real failure: the A/B plan names no guardrails) --------


def _spoiled_waiver(name: str, **fields: object) -> Callable[[Path], None]:
    def plant(root: Path) -> None:
        _ab_guardrails_gone(root)
        waive(root, "ab_test", **fields)

    plant.__name__ = name
    return plant


waiver_blank_reason = _spoiled_waiver("waiver_blank_reason", reason="   ")
waiver_short_reason = _spoiled_waiver("waiver_short_reason", reason="fine for now")
waiver_todo_inc_reason = _spoiled_waiver(
    "waiver_todo_inc_reason", reason="TODO(inc): explain why this is acceptable"
)
waiver_tbd_reason = _spoiled_waiver("waiver_tbd_reason", reason="TBD, will write the reason later")
waiver_one_word_reason = _spoiled_waiver("waiver_one_word_reason", reason="accepted-accepted-accepted")
waiver_blank_approver = _spoiled_waiver("waiver_blank_approver", approved_by="  ")
waiver_approved_by_me = _spoiled_waiver("waiver_approved_by_me", approved_by="me")
waiver_approved_by_tbd = _spoiled_waiver("waiver_approved_by_tbd", approved_by="TBD")
waiver_approved_by_owner = _spoiled_waiver("waiver_approved_by_owner", approved_by="ML-Team")
waiver_approved_by_me_dot = _spoiled_waiver("waiver_approved_by_me_dot", approved_by="Me.")
waiver_without_expiry = _spoiled_waiver("waiver_without_expiry", expires=None)
waiver_for_a_year = _spoiled_waiver("waiver_for_a_year", expires=TODAY + dt.timedelta(days=365))
waiver_expired_yesterday = _spoiled_waiver("waiver_expired_yesterday", expires=TODAY - dt.timedelta(days=1))


def waiver_expired_on_a_passing_check(root: Path) -> None:
    waive(root, "tasks", expires=TODAY - dt.timedelta(days=3))


def waiver_past_the_policy_maximum(root: Path) -> None:
    write_policy(root, waiver_max_days=14)
    _ab_guardrails_gone(root)
    waive(root, "ab_test", expires=TODAY + dt.timedelta(days=30))


def waiver_approved_by_the_owner_spelled_otherwise(root: Path) -> None:
    set_meta(inc_dir(root), owner="dana.lee@corp.com")
    _ab_guardrails_gone(root)
    waive(root, "ab_test", approved_by="Dana Lee")


def waiver_when_nobody_owns_the_increment(root: Path) -> None:
    _ab_guardrails_gone(root)
    waive(root, "ab_test")
    set_meta(inc_dir(root), owner="")


# --- policy floors ------------------------------------------------------------------------------


def margin_lowered_below_the_floor(root: Path) -> None:
    write_policy(root, baseline_margin=0.2)
    set_meta(inc_dir(root), baseline_margin=0.04)


def two_folds_declared(root: Path) -> None:
    set_meta(inc_dir(root), cv_min_folds=2)


def workspace_wants_more_folds(root: Path) -> None:
    write_policy(root, cv_min_folds=10)


def workspace_wants_more_candidates(root: Path) -> None:
    write_policy(root, min_candidates=4)  # the honest increment has 3 (the increment's own minimum)


def load_test_of_few_requests(root: Path) -> None:
    from inc.ops.loadtest import LoadTestOptions, run_loadtest
    from inc.workspace import Workspace

    ws = Workspace.discover(root)
    run_loadtest(
        ws,
        ws.find("0001"),
        chosen_id(root),
        root / "data" / "holdout.csv",
        LoadTestOptions(requests=30, warmup=2),
    )


def workspace_wants_longer_load_tests(root: Path) -> None:
    write_policy(root, loadtest_min_requests=1000)


# --- documents: filler and empty sections -------------------------------------------------------


def spec_section_emptied(root: Path) -> None:
    spec(root).write_text(replace_section(spec(root).read_text(), "Baseline comparison plan", ""))


def spec_section_only_a_comment(root: Path) -> None:
    spec(root).write_text(
        replace_section(
            spec(root).read_text(), "Deployment considerations", "<!-- written after the launch -->"
        )
    )


def spec_subsection_emptied(root: Path) -> None:
    edit_re(spec(root), r"^### Output\n(?s:.*?)(?=^### )", "### Output\n\n")


def spec_field_left_blank(root: Path) -> None:
    edit_re(spec(root), r"^- Sources:.*$", "- Sources:")


def spec_field_only_a_dash(root: Path) -> None:
    edit_re(spec(root), r"^- Sources:.*$", "- Sources: -")


def spec_heading_marked_tbd(root: Path) -> None:
    edit(spec(root), "## Deployment considerations\n", "## Deployment considerations (TBD)\n")


def spec_section_only_punctuation(root: Path) -> None:
    spec(root).write_text(replace_section(spec(root).read_text(), "Deployment considerations", "..."))


def plan_section_tbd(root: Path) -> None:
    plan(root).write_text(replace_section(plan(root).read_text(), "Feature engineering approach", "TBD"))


def spec_angle_placeholder(root: Path) -> None:
    edit_re(spec(root), r"^- Volume:.*$", "- Volume: <rows for training, validation and test>")


# --- A/B plan values ----------------------------------------------------------------------------


def ab_split_sums_to_110(root: Path) -> None:
    ab_line(root, "Traffic split", "90/20 control/treatment")


def ab_split_in_words(root: Path) -> None:
    ab_line(root, "Traffic split", "mostly control, some treatment")


def ab_split_one_number(root: Path) -> None:
    ab_line(root, "Traffic split", "10% of cards")


def ab_primary_metric_tbd(root: Path) -> None:
    ab_line(root, "Primary metric", "TBD")


def ab_primary_metric_dash(root: Path) -> None:
    ab_line(root, "Primary metric", "-")


def ab_mde_in_words(root: Path) -> None:
    ab_line(root, "Minimum detectable effect", "small but meaningful")


def ab_duration_open_ended(root: Path) -> None:
    ab_line(root, "Duration", "until the result is significant")


def ab_duration_zero(root: Path) -> None:
    ab_line(root, "Duration", "0 days")


def ab_leftover_placeholder(root: Path) -> None:
    edit_re(plan(root), r"^(- Guardrails:[^\n]*)$", "\\1\n- Stop rule: TBD")


def ab_guardrails_unknown(root: Path) -> None:
    ab_line(root, "Guardrails", "???")


# --- rollback -----------------------------------------------------------------------------------


def rollback_tbd(root: Path) -> None:
    set_rollback(root, "TBD - probably back to v1")


def rollback_to_a_version_that_never_was(root: Path) -> None:
    set_rollback(root, "Trigger: the roc_auc alert. Roll back to 0001-fraud-detection version 7.")


def rollback_to_another_models_version(root: Path) -> None:
    set_rollback(root, "Trigger: the roc_auc alert. Roll back to models:/churn-model/1.")


def rollback_to_the_previous_version(root: Path) -> None:
    set_rollback(root, "Trigger: the roc_auc alert. Roll back to the previous version in the registry.")


# --- tasks --------------------------------------------------------------------------------------


def open_task_deleted(root: Path) -> None:
    edit_re(inc_dir(root) / "tasks.md", r"^- \[x\] T-009 .*\n", "")


def readiness_tasks_deleted(root: Path) -> None:
    edit_re(inc_dir(root) / "tasks.md", r"^## Production readiness\n(?s:.*)", "")


def task_ids_stripped(root: Path) -> None:
    edit(inc_dir(root) / "tasks.md", "- [x] T-010 ", "- [x] ")


# --- monitoring ---------------------------------------------------------------------------------


def monitoring(root: Path) -> Path:
    return inc_dir(root) / "monitoring.yaml"


def alert_below_zero(root: Path) -> None:
    edit(monitoring(root), "alert_below: 0.78", "alert_below: 0.0")


def alert_below_one(root: Path) -> None:
    edit(monitoring(root), "alert_below: 0.78", "alert_below: 1.0")


def alert_above_on_a_maximized_metric(root: Path) -> None:
    edit(monitoring(root), "alert_below: 0.78", "alert_above: 0.7")


def alert_above_the_target(root: Path) -> None:
    edit(monitoring(root), "alert_below: 0.78", "alert_below: 0.95")


def alert_below_nan(root: Path) -> None:
    edit(monitoring(root), "alert_below: 0.78", "alert_below: .nan")


def alert_below_the_best_baseline(root: Path) -> None:
    """Inside roc_auc's range and below the target, but the model would have to fall below the
    rule baseline it beat before anyone is alerted."""
    edit(monitoring(root), "alert_below: 0.78", "alert_below: 0.3")


def labels_a_decade_late(root: Path) -> None:
    edit(monitoring(root), "label_delay_days: 7", "label_delay_days: 3650")


def workspace_wants_labels_within_five_days(root: Path) -> None:
    write_policy(root, label_delay_max_days=5)


def reference_file_missing(root: Path) -> None:
    (root / "data" / "reference.csv").unlink()


def reference_file_changed(root: Path) -> None:
    with (root / "data" / "reference.csv").open("a") as handle:
        handle.write("1,2,3,4\n")


def reference_file_emptied_and_rehashed(root: Path) -> None:
    from inc.evidence import sha256_file

    reference = root / "data" / "reference.csv"
    old = sha256_file(reference)
    reference.write_text("")
    edit(monitoring(root), old, sha256_file(reference))


def reference_outside_the_workspace(root: Path) -> None:
    edit(monitoring(root), "path: data/reference.csv", "path: ../reference.csv")


# --- one root cause, one failure ----------------------------------------------------------------


def chosen_run_unknown(root: Path) -> None:
    set_meta(inc_dir(root), chosen_run="0123456789abcdef")


def chosen_record_deleted(root: Path) -> None:
    (inc_dir(root) / "runs" / f"{chosen_id(root)}.json").unlink()


def other_candidate_record_deleted(root: Path) -> None:
    """Not a root cause of the chosen run: the count of candidates falls short, and says so.

    The tree's record goes (it saved no model; the rollback plan names the logistic's version).
    """
    from inc.evidence import read_run_record

    tree = next(p for p in runs_of(root, "candidate") if read_run_record(p).name == "tree")
    tree.unlink()


def chosen_record_tampered(root: Path) -> None:
    rewrite_json(
        inc_dir(root) / "runs" / f"{chosen_id(root)}.json", lambda data: data["metrics"].update(roc_auc=0.99)
    )


def baseline_chosen(root: Path) -> None:
    from inc.tracking.runs_table import choose
    from inc.workspace import Workspace

    choose(Workspace.discover(root), "0001", runs_of(root, "baseline")[0].stem)


def shap_report_of_another_model(root: Path) -> None:
    run = chosen_id(root)
    summary = inc_dir(root) / "reports" / f"explain-{run}" / "summary.json"
    rewrite_json(
        summary,
        lambda data: [item.update(feature=f"pca_{i}") for i, item in enumerate(data["global_importance"])],
    )
    reseal_reports(root, run)


def done_by_hand(root: Path) -> None:
    set_meta(inc_dir(root), status="done")


Planting = tuple[Callable[[Path], None], str, str]

PLANTINGS: list[Planting] = [
    (waiver_blank_reason, "ab_test", "waiver refused: its reason ''"),
    (waiver_short_reason, "ab_test", "shorter than 15 characters"),
    (waiver_todo_inc_reason, "ab_test", "its reason is a placeholder ('TODO(inc)')"),
    (waiver_tbd_reason, "ab_test", "its reason is a placeholder ('TBD')"),
    (waiver_one_word_reason, "ab_test", "fewer than 3 distinct words"),
    (waiver_blank_approver, "ab_test", "approved_by is blank"),
    (waiver_approved_by_me, "ab_test", "approved_by 'me' names nobody in particular"),
    (waiver_approved_by_tbd, "ab_test", "approved_by 'TBD' names nobody in particular"),
    (waiver_approved_by_owner, "ab_test", "is the increment's owner"),
    (waiver_approved_by_me_dot, "ab_test", "approved_by 'Me.' names nobody in particular"),
    (
        waiver_approved_by_the_owner_spelled_otherwise,
        "ab_test",
        "approved_by 'Dana Lee' is the increment's owner",
    ),
    (waiver_without_expiry, "ab_test", "it has no expires date"),
    (waiver_for_a_year, "ab_test", "more than 90 days ahead"),
    (waiver_expired_yesterday, "ab_test", "waiver expired: it expired on"),
    (waiver_expired_on_a_passing_check, "tasks", "waiver expired: it expired on"),
    (waiver_past_the_policy_maximum, "ab_test", "more than 14 days ahead"),
    (waiver_when_nobody_owns_the_increment, "ab_test", "the increment has no owner"),
    (margin_lowered_below_the_floor, "baseline", "baseline_margin 0.04 is below the workspace floor 0.2"),
    (two_folds_declared, "cross_validation", "cv_min_folds 2 is below the workspace floor 3"),
    (workspace_wants_more_folds, "cross_validation", "cv_min_folds 5 is below the workspace floor 10"),
    # The floor is judged by i13's `candidates` check (it counts candidates), no longer by `experiments`.
    (workspace_wants_more_candidates, "candidates", "min_candidates 3 is below the workspace floor 4"),
    (load_test_of_few_requests, "load_test", "-in-process.json timed 30 requests: fewer than the 200"),
    (workspace_wants_longer_load_tests, "load_test", "timed 250 requests: fewer than the 1000"),
    (spec_filler("TBD"), "spec", "(Deployment considerations) 'TBD'"),
    (spec_filler("tbd"), "spec", "'tbd'"),
    (spec_filler("T.B.D."), "spec", "'T.B.D.'"),
    (spec_filler("TODO decide on batch"), "spec", "'TODO'"),
    (spec_filler("FIXME"), "spec", "'FIXME'"),
    (spec_filler("XXX"), "spec", "'XXX'"),
    (spec_filler("???"), "spec", "'???'"),
    (spec_filler("lorem ipsum dolor"), "spec", "'lorem ipsum'"),
    (spec_filler("N/A"), "spec", "'N/A'"),
    (spec_filler("<...>"), "spec", "'<...>'"),
    (spec_filler("to be determined with ops"), "spec", "'to be determined'"),
    (spec_angle_placeholder, "spec", "'<rows for training, validation and test>'"),
    (spec_section_emptied, "spec", "(Baseline comparison plan) empty"),
    (spec_section_only_a_comment, "spec", "(Deployment considerations) empty"),
    (spec_subsection_emptied, "spec", "(Output) empty"),
    (spec_field_left_blank, "spec", "'Sources: (empty)'"),
    (spec_filler("coming soon"), "spec", "'coming soon'"),
    (spec_field_only_a_dash, "spec", "'Sources: (empty)'"),
    (spec_section_only_punctuation, "spec", "(Deployment considerations) empty"),
    (spec_heading_marked_tbd, "spec", "(Deployment considerations (TBD)) 'TBD'"),
    (plan_section_tbd, "spec", "plan.md:"),
    (ab_split_sums_to_110, "ab_test", "traffic split 90/20 sums to 110, not 100"),
    (ab_split_in_words, "ab_test", "traffic split (as numbers that sum to 100"),
    (ab_split_one_number, "ab_test", "traffic split (as numbers that sum to 100"),
    (ab_primary_metric_tbd, "ab_test", "primary metric ('TBD' is a placeholder)"),
    (ab_primary_metric_dash, "ab_test", "needs: primary metric"),
    (ab_mde_in_words, "ab_test", "minimum detectable effect or sample size as a number"),
    (ab_duration_open_ended, "ab_test", "duration as an amount of time"),
    (ab_guardrails_unknown, "ab_test", "guardrails ('???' is a placeholder)"),
    (ab_duration_zero, "ab_test", "duration as an amount of time"),
    (ab_leftover_placeholder, "ab_test", "still holds a placeholder ('TBD')"),
    (rollback_tbd, "rollback", "still holds a placeholder ('TBD')"),
    (rollback_to_a_version_that_never_was, "rollback", "names 0001-fraud-detection version 7, which no run"),
    (rollback_to_another_models_version, "rollback", "names churn-model version 1, which no run"),
    (rollback_to_the_previous_version, "rollback", "does not name the version to roll back to"),
    (open_task_deleted, "tasks", "missing from tasks.md: T-009"),
    (readiness_tasks_deleted, "tasks", "6 task(s) of the template are missing from tasks.md: T-008, T-009"),
    (task_ids_stripped, "tasks", "missing from tasks.md: T-010"),
    (alert_below_zero, "monitoring", "0 is not strictly inside roc_auc's range (0, 1)"),
    (alert_below_one, "monitoring", "1 is not strictly inside roc_auc's range (0, 1)"),
    (alert_above_on_a_maximized_metric, "monitoring", "so the alert is 'alert_below'"),
    (alert_above_the_target, "monitoring", "0.95 is above the target 0.8"),
    (alert_below_nan, "monitoring", "is not a number an alert can cross"),
    (alert_below_the_best_baseline, "monitoring", "0.3 is at or below"),
    (labels_a_decade_late, "monitoring", "3650 days is longer than the workspace's label_delay_max_days 365"),
    (
        workspace_wants_labels_within_five_days,
        "monitoring",
        "7 days is longer than the workspace's label_delay_max_days 5",
    ),
    (reference_file_missing, "monitoring", "data/reference.csv does not exist"),
    (reference_file_changed, "monitoring", "no longer hashes to the recorded sha256"),
    (reference_outside_the_workspace, "monitoring", "../reference.csv is outside the workspace"),
    (reference_file_emptied_and_rehashed, "monitoring", "data/reference.csv is empty"),
    (
        chosen_run_unknown,
        "experiments",
        "has no record in runs/: link it with 'inc link 0001 0123456789abcdef'",
    ),
    (chosen_record_deleted, "experiments", "has no record in runs/"),
    (other_candidate_record_deleted, "candidates", "2 FINISHED candidate(s) with roc_auc, needs 3"),
    (chosen_record_tampered, "experiments", "sha256 does not match"),
    (
        baseline_chosen,
        "experiments",
        "is a baseline run, not a candidate; choose a candidate with 'inc choose",
    ),
    (
        shap_report_of_another_model,
        "explainability",
        "explains features the chosen model does not take: pca_0",
    ),
    (done_by_hand, "living_docs", "status was set to done by hand: run 'inc done 0001'"),
]
# Plantings after which the docs are left as they were (the defect is that they are stale).
KEEP_DOCS = {"done_by_hand"}
# Root causes whose dependent checks must say "skipped: needs experiments".
ROOTS = {"chosen_run_unknown", "chosen_record_deleted", "chosen_record_tampered", "baseline_chosen"}


def test_the_honest_increment_passes_strict_three_times(repo: Path) -> None:
    for _ in range(3):
        v = gate(repo)
        assert v.passed and failing(v) == [], [(c.id, c.detail) for c in v.checks if c.status != "pass"]
        assert {c.status for c in v.checks} == {"pass"}, [(c.id, c.status, c.detail) for c in v.checks]


@pytest.mark.parametrize(("plant", "check", "needle"), PLANTINGS, ids=[p[0].__name__ for p in PLANTINGS])
def test_planted_defect_fails_exactly_its_check(
    repo: Path, plant: Callable[[Path], None], check: str, needle: str
) -> None:
    assert_planted(
        repo,
        plant,
        check,
        needle,
        rebuild_docs=plant.__name__ not in KEEP_DOCS,
        root_cause=plant.__name__ in ROOTS,
    )


def test_corpus_is_large_enough() -> None:
    assert len(PLANTINGS) >= 60
    assert len({p[0].__name__ for p in PLANTINGS}) == len(PLANTINGS)


def test_a_holding_waiver_accepts_the_failure_in_every_format(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from inc.cli import main

    _ab_guardrails_gone(repo)
    expires = TODAY + dt.timedelta(days=30)
    waive(repo, "ab_test", approved_by="dana.risk", expires=expires)
    waive(repo, "tasks", approved_by="me")  # refused, on a passing check: fails
    docs(repo)
    v = gate(repo)
    assert v.check("ab_test").status == "waived" and failing(v) == ["tasks"]
    outputs = {}
    for fmt in ("text", "json", "markdown", "github", "junit"):
        assert main(["-C", str(repo), "gate", INC, "--strict", "--format", fmt]) == 1
        outputs[fmt] = capsys.readouterr().out
    for fmt, out in outputs.items():
        assert "dana.risk" in out and expires.isoformat() in out, fmt
        assert "approved_by 'me' names nobody in particular" in out, fmt

    checks = {c["id"]: c for c in json.loads(outputs["json"])["increments"][0]["checks"]}
    assert checks["ab_test"]["waiver"] == {
        "reason": "accepted by the risk review of ab_test: the online test covers it",
        "approved_by": "dana.risk",
        "expires": expires.isoformat(),
        "holds": True,
        "problem": None,
    }
    assert checks["tasks"]["status"] == "fail" and checks["tasks"]["waiver"]["holds"] is False


def test_policy_errors_name_the_field(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from inc.cli import main

    write_policy(repo, cv_min_folds=2, waiver_max_dayz=3)
    assert main(["-C", str(repo), "gate"]) == 2
    err = capsys.readouterr().err
    assert "inc.yaml: field 'policy.cv_min_folds'" in err and "greater than or equal to 3" in err
    assert "policy.waiver_max_dayz" in err


def test_rollback_to_an_earlier_increments_version_passes(repo: Path) -> None:
    """A later increment may roll back to the version an earlier increment shipped."""
    from inc.scaffold import new_increment
    from inc.workspace import Workspace

    shipped = meta(repo).model
    later = new_increment(Workspace.discover(repo), "fraud-v2").increment.path
    text = replace_section(
        (later / "plan.md").read_text(),
        "Rollback plan",
        f"Trigger: the roc_auc alert. Roll back to models:/{shipped.name}/{shipped.version}.",
    )
    (later / "plan.md").write_text(text)
    from inc.gate.runner import run_gate

    verdict = run_gate(Workspace.discover(repo), [later.name], strict=True).increments[0]
    assert verdict.check("rollback").status == "pass", verdict.check("rollback").detail
    (later / "plan.md").write_text(text.replace(f"/{shipped.version}.", "/9."))
    verdict = run_gate(Workspace.discover(repo), [later.name], strict=True).increments[0]
    assert verdict.check("rollback").status == "fail"


def test_inc_list_flags_a_duplicated_number(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from inc.cli import main
    from inc.status import list_increments
    from inc.workspace import Workspace

    twin = inc_dir(repo).with_name("0001-churn")
    shutil.copytree(inc_dir(repo), twin)
    edit_re(twin / "increment.yaml", r"^slug: .*$", "slug: churn")  # the slug may be quoted
    rows = list_increments(Workspace.discover(repo))
    assert {r.slug: r.duplicates for r in rows} == {"churn": [INC], "fraud-detection": ["0001-churn"]}
    assert main(["-C", str(repo), "list"]) == 0
    out = capsys.readouterr()
    assert "number 0001 is used by 0001-churn, 0001-fraud-detection" in out.err
    assert "0001 (duplicate)" in out.out


def test_a_reference_given_as_a_uri_warns_that_it_is_not_checked(repo: Path) -> None:
    edit(inc_dir(repo) / "monitoring.yaml", "path: data/reference.csv", "uri: s3://bucket/reference.csv")
    docs(repo)
    v = gate(repo)
    check = v.check("monitoring")
    assert check.status == "warn" and v.passed
    assert "s3://bucket/reference.csv is not fetched, so its sha256 is not checked offline" in check.detail


def test_a_branch_cannot_lower_the_floors_it_is_judged_by(repo: Path) -> None:
    from inc.workspace import Workspace

    write_policy(repo, baseline_margin=0.2)
    commit_all(repo, "policy: a 20% margin floor")
    git(repo, "checkout", "-q", "-b", "hurry")
    edit(repo / "inc.yaml", "baseline_margin: 0.2", "baseline_margin: 0.0")
    set_meta(inc_dir(repo), baseline_margin=0.04)
    docs(repo)
    commit_all(repo, "lower the bar")
    result = run_gate(Workspace.discover(repo), changed=True, base="main", strict=True)
    v = result.increments[0]
    assert failing(v) == ["baseline"], [(c.id, c.detail) for c in v.checks if c.status == "fail"]
    assert "baseline_margin 0.04 is below the workspace floor 0.2" in v.check("baseline").detail
    assert any("policy.baseline_margin is 0 in this branch but 0.2 on main" in n for n in result.notes)
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-edit", "hurry")
    v = gate(repo)  # merged: the lowered floor is the workspace's now, but the spec still states 20%
    assert failing(v) == ["baseline"] and "workspace floor" not in v.check("baseline").detail
    assert "baseline_margin 0.04 is below the 20% spec.md states" in v.check("baseline").detail


def test_a_branch_cannot_drop_required_tasks_by_editing_the_template(repo: Path) -> None:
    from inc.templating import packaged_templates_dir
    from inc.workspace import Workspace

    git(repo, "checkout", "-q", "-b", "hurry")
    (repo / "templates").mkdir(exist_ok=True)
    template = (packaged_templates_dir() / "tasks.md.j2").read_text()
    (repo / "templates" / "tasks.md.j2").write_text(re.sub(r"^- \[ \] T-009 .*\n", "", template, flags=re.M))
    edit_re(inc_dir(repo) / "tasks.md", r"^- \[x\] T-009 .*\n", "")
    docs(repo)
    commit_all(repo, "no load test needed")
    assert gate(repo).passed  # judged by the branch's own template alone
    v = run_gate(Workspace.discover(repo), changed=True, base="main", strict=True).increments[0]
    assert failing(v) == ["tasks"] and "missing from tasks.md: T-009" in v.check("tasks").detail


def test_a_co_owner_cannot_approve(repo: Path) -> None:
    _ab_guardrails_gone(repo)
    set_meta(inc_dir(repo), owner="dana, sam.risk")
    waive(repo, "ab_test", approved_by="Sam Risk")
    docs(repo)
    v = gate(repo)
    assert failing(v) == ["ab_test"] and "is the increment's owner" in v.check("ab_test").detail


def test_waiving_the_root_cause_does_not_pass_what_depends_on_it(repo: Path) -> None:
    chosen_run_unknown(repo)
    waive(repo, "experiments")
    docs(repo)
    v = gate(repo)
    assert v.check("experiments").status == "waived" and not v.passed
    from inc.gate.catalog import CHECK_IDS

    dependents = [check for check in CHECK_IDS if check in ROOT_DEPENDENTS]  # in report order
    assert set(dependents) == ROOT_DEPENDENTS
    assert failing(v) == dependents, [(c.id, c.detail) for c in v.checks]
    assert all(v.check(c).detail.startswith("not judged: the chosen run") for c in dependents)


def test_waiving_model_versioned_does_not_pass_monitoring_unseen(repo: Path) -> None:
    from inc.evidence import read_run_record, write_run_record

    path = inc_dir(repo) / "runs" / f"{chosen_id(repo)}.json"
    write_run_record(path.parent, read_run_record(path).model_copy(update={"model": None}))
    docs(repo)
    v = gate(repo)
    assert failing(v) == ["model_versioned"] and v.check("monitoring").status == "skip"
    assert v.check("monitoring").detail.startswith("skipped: needs model_versioned")
    waive(repo, "model_versioned")
    docs(repo)
    v = gate(repo)
    assert failing(v) == ["monitoring"] and v.check("monitoring").detail.startswith("not judged:")
