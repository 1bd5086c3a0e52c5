"""The CLI over the core: exit codes, JSON outputs, messages (driven with click's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from inc.cli import main
from inc.workspace import Workspace


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for name in ("init", "new", "list", "show", "schema"):
        assert f"  {name} " in out


def test_init_new_list_show_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(tmp_path)
    assert run(["-C", root, "init", "--no-github"], capsys)[0] == 0
    code, out, _ = run(["-C", root, "new", "fraud-detection", "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out) == {
        "id": "0001",
        "slug": "fraud-detection",
        "path": "increments/0001-fraud-detection",
    }
    code, out, _ = run(["-C", root, "list", "--format", "json"], capsys)
    rows = json.loads(out)
    assert code == 0 and len(rows) == 1
    assert {"id", "slug", "title", "status", "path", "tasks_done", "tasks_total", "runs"} <= set(rows[0])
    assert rows[0]["tasks_done"] == 0 and rows[0]["tasks_total"] >= 12
    code, out, _ = run(["-C", root, "show", "fraud-detection"], capsys)
    assert code == 0 and "roc_auc (maximize: higher is better), target 0.85" in out and "T-004" in out


def test_outside_workspace_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["-C", str(tmp_path), "list"], capsys)
    assert code == 2 and "not inside an inc workspace" in err and "inc init" in err


def test_unknown_id_is_exit_2(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["-C", str(workspace.root), "show", "7"], capsys)
    assert code == 2 and "no increment '7'" in err


def test_bad_name_is_exit_2_and_writes_nothing(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["-C", str(workspace.root), "new", "a/../b"], capsys)
    assert code == 2 and "must not contain" in err
    assert workspace.increment_dirs() == []


def test_malformed_increment_yaml_is_exit_2(
    workspace: Workspace, fraud: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (fraud / "increment.yaml").write_text("id: '0001'\nslug: [unclosed\n")
    code, _, err = run(["-C", str(workspace.root), "list"], capsys)
    assert code == 2 and "increment.yaml" in err and "line 2" in err


def test_schema_increment(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema", "increment"], capsys)
    schema = json.loads(out)
    assert code == 0 and "metric" in schema["properties"] and schema["additionalProperties"] is False
    code, _, err = run(["schema", "nope"], capsys)
    assert code == 2 and "unknown schema" in err


def test_clirunner_drives_new(workspace: Workspace) -> None:
    from inc.cli import cli

    result = CliRunner().invoke(cli, ["-C", str(workspace.root), "new", "churn", "--problem", "regression"])
    assert result.exit_code == 0, result.output
    assert "increments/0001-churn/" in result.output
    assert workspace.find("churn").meta.metric.name == "rmse"


def test_fast_help_is_what_click_prints(capsys: pytest.CaptureFixture[str]) -> None:
    from inc.cli import cli

    clicks = CliRunner().invoke(cli, ["--help"], terminal_width=80)
    assert main(["--help"]) == 0
    assert capsys.readouterr().out == clicks.output


def test_show_lists_runs_against_the_baseline_and_names_a_damaged_record(
    workspace: Workspace, fraud: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from inc.evidence import CV, RunRecord, write_run_record

    runs = fraud / "runs"
    for run_id, role, auc in (("base1", "baseline", 0.5), ("cand1", "candidate", 0.8)):
        write_run_record(
            runs,
            RunRecord(
                run_id=run_id,
                increment="0001",
                name=run_id,
                role=role,
                status="FINISHED",
                metrics={"roc_auc": auc},
                cv=CV(metric="roc_auc", folds=[auc - 0.01, auc + 0.01]),
            ),
        )
    (runs / "broken.json").write_text("{not json")
    code, out, _ = run(["-C", str(workspace.root), "show", "1", "--format", "json"], capsys)
    detail = json.loads(out)
    assert code == 0
    by_id = {r["run_id"]: r for r in detail["runs"]}
    assert by_id["cand1"]["metric"] == 0.8 and by_id["cand1"]["cv_folds"] == 2
    assert by_id["cand1"]["delta"] == pytest.approx(0.3)
    assert by_id["cand1"]["cv_std"] == pytest.approx(0.01)
    assert any("broken.json" in p for p in detail["problems"])
