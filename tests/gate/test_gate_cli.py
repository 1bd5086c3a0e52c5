"""``inc gate`` and ``inc done`` through the CLI: selection, exit codes, every output format."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from inc.cli import main
from inc.gate.done import rebuild_docs
from inc.gate.report_schema import GateReportModel
from inc.increment import Increment
from inc.scaffold import new_increment
from inc.workspace import Workspace
from inc_testing.gate_evidence import add_waiver, commit_all, git, set_meta


def run_cli(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    code = main(["-C", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output_follows_the_schema(
    workspace: Workspace, ready: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, workspace.root, "gate", "--format", "json")
    assert code == 0
    data = json.loads(out)
    GateReportModel.model_validate(data)
    inc = data["increments"][0]
    assert data["passed"] is True
    assert {"id", "slug", "status", "passed", "ready", "total", "checks"} <= set(inc)
    assert [c["id"] for c in inc["checks"]][:3] == ["structure", "spec", "tasks"]
    assert {"id", "title", "status", "blocking", "detail", "evidence"} <= set(inc["checks"][0])


def test_blocking_failure_exits_1_and_waiver_shows_everywhere(
    workspace: Workspace, ready: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_meta(ready, status="done", closed=dt.date.today())  # closed by 'inc done'
    plan = ready / "plan.md"
    plan.write_text(plan.read_text().replace("- Guardrails: p95 latency, manual review queue length\n", ""))
    code, out, _ = run_cli(capsys, workspace.root, "gate")
    assert code == 1 and "ab_test" in out and "does not name: guardrails" in out
    add_waiver(ready, "ab_test")
    rebuild_docs(workspace)
    for fmt, needle in (
        ("text", "waived by risk-lead"),
        ("markdown", "waived by risk-lead"),
        ("json", '"approved_by": "risk-lead"'),
        ("junit", "waived: waived by risk-lead"),
        ("github", "::notice file=increments/0001-fraud-detection/plan.md,line="),
    ):
        code, out, _ = run_cli(capsys, workspace.root, "gate", "--format", fmt)
        assert code == 0, (fmt, out)
        assert needle in out, (fmt, out)


def test_github_format_annotates_file_and_line_and_writes_step_summary(
    workspace: Workspace,
    ready: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    set_meta(ready, status="active")
    spec = ready / "spec.md"
    lines = spec.read_text().splitlines()
    lines[10] = "TODO(inc): who receives the score?"
    spec.write_text("\n".join(lines) + "\n")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run_cli(capsys, workspace.root, "gate", "--format", "github")
    assert code == 1
    assert "::error file=increments/0001-fraud-detection/spec.md,line=11,title=inc gate%3A spec::" in out
    text = summary.read_text()
    assert text.startswith("earlier step\n## inc gate: ❌ failed")
    assert "spec.md:11" in text


def test_junit_is_valid_xml_with_a_failure(
    workspace: Workspace, ready: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ready / "tasks.md").write_text((ready / "tasks.md").read_text().replace("- [x] T-001", "- [ ] T-001"))
    rebuild_docs(workspace)
    code, out, _ = run_cli(capsys, workspace.root, "gate", "--strict", "--format", "junit")
    assert code == 1
    root = ET.fromstring(out)
    failures = root.findall(".//testcase/failure")
    assert [f.get("message", "")[:16] for f in failures] == ["1/13 tasks open:"]
    assert root.find("testsuite").get("failures") == "1"  # type: ignore[union-attr]


def test_unknown_id_and_bad_base_exit_2(
    workspace: Workspace, ready: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, workspace.root, "gate", "0042")
    assert code == 2 and "no increment '0042'" in err
    code, _, err = run_cli(capsys, workspace.root, "gate", "--changed", "--base", "no-such-branch")
    assert code == 2 and "--base no-such-branch: not a known git ref" in err


def test_changed_selects_only_increments_changed_on_the_branch(
    workspace: Workspace, ready: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    new_increment(workspace, "churn")
    commit_all(workspace.root, "second increment")
    git(workspace.root, "checkout", "-q", "-b", "feature")
    spec = workspace.root / "increments" / "0002-churn" / "spec.md"
    spec.write_text(spec.read_text() + "\nmore\n")
    commit_all(workspace.root, "touch churn")
    code, out, _ = run_cli(capsys, workspace.root, "gate", "--changed", "--base", "main", "--format", "json")
    assert code == 0
    assert [i["id"] for i in json.loads(out)["increments"]] == ["0002"]
    monkeypatch.setenv("GITHUB_BASE_REF", "main")  # no origin/main here: falls back to main
    code, out, _ = run_cli(capsys, workspace.root, "gate", "--changed", "--format", "json")
    assert [i["id"] for i in json.loads(out)["increments"]] == ["0002"]
    git(workspace.root, "checkout", "-q", "main")
    code, out, _ = run_cli(capsys, workspace.root, "gate", "--changed", "--base", "main")
    assert code == 0 and "no increment changed since the merge base with main" in out


def test_done_closes_on_pass_and_changes_nothing_on_fail(
    workspace: Workspace, ready: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meta_before = (ready / "increment.yaml").read_bytes()
    loadtest = ready / "reports" / "loadtest-cand1.json"
    saved = loadtest.read_bytes()
    loadtest.unlink()
    code, out, err = run_cli(capsys, workspace.root, "done", "1")
    assert code == 1 and "load_test" in out and "not closed" in err
    assert (ready / "increment.yaml").read_bytes() == meta_before
    loadtest.write_bytes(saved)
    code, out, err = run_cli(capsys, workspace.root, "done", "1")
    assert code == 0, out + err
    closed = Increment.load(ready).meta
    assert closed.status == "done" and closed.closed == dt.date.today()
    assert "is done" in out
    docs = workspace.living_docs_dir / "increments" / "0001-fraud-detection.md"
    assert "done" in docs.read_text()
    changelog = (workspace.living_docs_dir / "CHANGELOG.md").read_text()
    assert f"closed {dt.date.today().isoformat()}" in changelog
    code, out, _ = run_cli(capsys, workspace.root, "gate", "1")
    assert code == 0, out


def test_done_blocks_every_check_even_when_planned(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    new_increment(workspace, "churn")
    code, out, _ = run_cli(capsys, workspace.root, "done", "churn", "--format", "json")
    data = json.loads(out)
    assert code == 1
    checks = data["increments"][0]["checks"]
    assert all(c["blocking"] for c in checks)
    assert Increment.load(workspace.root / "increments" / "0001-churn").meta.status == "planned"


def test_duplicated_number_after_a_merge_fails_structure(
    workspace: Workspace, ready: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(workspace.root, "checkout", "-q", "-b", "other")
    twin = workspace.root / "increments" / "0001-churn"
    new = new_increment(workspace, "churn").increment.path
    new.rename(twin)
    meta = twin / "increment.yaml"
    meta.write_text(meta.read_text().replace('id: "0002"', 'id: "0001"'))
    commit_all(workspace.root, "churn on another branch")
    git(workspace.root, "checkout", "-q", "main")
    git(workspace.root, "merge", "-q", "--no-edit", "other")
    code, out, _ = run_cli(capsys, workspace.root, "gate", "0001-fraud-detection", "--format", "json")
    structure = json.loads(out)["increments"][0]["checks"][0]
    assert code == 1 and structure["status"] == "fail"
    assert "number 0001 is also used by 0001-churn" in structure["detail"]


STUB = "raise ImportError('blocked for the test: the gate must not import this')\n"


def test_gate_runs_with_ml_libraries_unimportable(workspace: Workspace, ready: Path, tmp_path: Path) -> None:
    stubs = tmp_path / "stubs"
    for name in ("mlflow", "shap", "sklearn", "pandas", "numpy", "matplotlib", "scipy"):
        (stubs / name).mkdir(parents=True)
        (stubs / name / "__init__.py").write_text(STUB)
    path = os.pathsep.join(p for p in (str(stubs), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "NO_COLOR": "1"}  # the stubs first, then this checkout
    probe = "import sys, inc.cli; rc = inc.cli.main(sys.argv[1:]); sys.exit(rc)"
    result = subprocess.run(
        [sys.executable, "-c", probe, "-C", str(workspace.root), "gate", "--strict", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    statuses = {c["id"]: c["status"] for c in data["increments"][0]["checks"]}
    assert statuses["explainability"] == "pass" and statuses["load_test"] == "pass"
    assert statuses["evaluation"] == "pass"  # the metric recomputed without numpy or sklearn
    check = subprocess.run(
        [sys.executable, "-c", "import mlflow"], capture_output=True, text=True, env=env, check=False
    )
    assert "blocked for the test" in check.stderr  # the stubs really are in the way
    verify = subprocess.run(
        [sys.executable, "-c", probe, "-C", str(workspace.root), "gate", "--verify"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert verify.returncode == 2 and "pip install 'inc-ml[ml]'" in verify.stderr


def test_changed_against_head_sees_staged_work(
    workspace: Workspace, ready: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the pre-commit hook runs: ``inc gate --changed --base HEAD`` (staged changes)."""
    (ready / "notes.md").write_text("scratch\n")
    code, out, _ = run_cli(capsys, workspace.root, "gate", "--changed", "--base", "HEAD", "--format", "json")
    assert code == 0 and json.loads(out)["increments"] == []  # not staged: not part of the commit
    git(workspace.root, "add", str(ready / "notes.md"))
    code, out, _ = run_cli(capsys, workspace.root, "gate", "--changed", "--base", "HEAD", "--format", "json")
    assert [i["id"] for i in json.loads(out)["increments"]] == ["0001"]
