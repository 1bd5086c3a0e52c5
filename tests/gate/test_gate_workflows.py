"""The gate's CI files: valid against the GitHub schemas check-jsonschema vendors (no network)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from inc.cli import main
from inc.scaffold import init_workspace

REPO = Path(__file__).resolve().parents[2]
CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")


def validate(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "path", [".github/workflows/inc-gate.yml", ".github/workflows/ci.yml", "templates/github/inc-gate.yml"]
)
def test_workflows_match_the_github_workflow_schema(path: str) -> None:
    result = validate("vendor.github-workflows", REPO / path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_composite_action_matches_the_github_action_schema() -> None:
    path = REPO / ".github/actions/inc-gate/action.yml"
    result = validate("vendor.github-actions", path)
    assert result.returncode == 0, result.stdout + result.stderr
    action = yaml.safe_load(path.read_text())
    assert action["runs"]["using"] == "composite"
    scripts = "\n".join(step.get("run", "") for step in action["runs"]["steps"])
    assert "gate --changed --format github" in scripts
    assert "[ml]" not in json.dumps(action)  # core profile only


def test_the_validator_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: pull_request\njobs:\n  gate:\n    steps: [{run: echo}]\n")
    assert validate("vendor.github-workflows", broken).returncode != 0  # runs-on is missing


def test_init_writes_a_valid_workflow_that_runs_the_gate(tmp_path: Path) -> None:
    init_workspace(tmp_path)
    written = tmp_path / ".github/workflows/inc-gate.yml"
    assert validate("vendor.github-workflows", written).returncode == 0
    steps = yaml.safe_load(written.read_text())["jobs"]["gate"]["steps"]
    assert any(step.get("run") == "inc gate --changed --format github" for step in steps)
    assert any(step.get("with", {}).get("fetch-depth") == 0 for step in steps)


def test_init_writes_a_verify_step_that_runs_only_with_a_tracking_secret(tmp_path: Path) -> None:
    import inc

    init_workspace(tmp_path)
    written = tmp_path / ".github/workflows/inc-gate.yml"
    job = yaml.safe_load(written.read_text())["jobs"]["gate"]
    assert job["env"]["MLFLOW_TRACKING_URI"] == "${{ secrets.MLFLOW_TRACKING_URI }}"
    steps = job["steps"]
    gate = next(i for i, step in enumerate(steps) if step.get("run") == "inc gate --changed --format github")
    verify = next(i for i, step in enumerate(steps) if "--verify" in step.get("run", ""))
    install = next(i for i, step in enumerate(steps) if "[ml]" in step.get("run", ""))
    assert gate < install < verify
    assert steps[verify]["run"] == "inc gate --changed --verify --format github"  # the gate step's selection
    for step in (steps[install], steps[verify]):
        assert step["if"] == "env.MLFLOW_TRACKING_URI != ''"
    assert f'"inc-ml[ml]=={inc.__version__}"' in steps[install]["run"]
    assert steps[verify]["env"] == {
        name: "${{ secrets." + name + " }}"
        for name in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN")
    }
    assert all("secrets" not in json.dumps(step) for step in steps if step not in (steps[verify],))


def test_the_readme_names_the_secrets_the_workflow_reads() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The gate in pull requests", 1)[1].split("\n## ", 1)[0]
    for name in (
        "MLFLOW_TRACKING_URI",
        "MLFLOW_TRACKING_USERNAME",
        "MLFLOW_TRACKING_PASSWORD",
        "MLFLOW_TRACKING_TOKEN",
    ):
        assert name in section
        assert name in (REPO / "templates/github/inc-gate.yml").read_text(encoding="utf-8")
    assert "inc gate --changed --verify" in section


def test_pre_commit_hooks_run_gate_and_docs_check() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["inc-gate"]["entry"].startswith("inc gate --changed")
    assert hooks["inc-docs-check"]["entry"] == "inc docs --check"
    for hook in hooks.values():
        assert {"id", "name", "entry", "language"} <= set(hook) and hook["pass_filenames"] is False


def test_schema_gate_is_published(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "gate"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "GateReportModel"
    assert {"passed", "increments"} <= set(schema["required"])
