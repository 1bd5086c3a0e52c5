"""`inc demo` end to end on the embedded store, and the gate passing for the right reasons."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from inc.cli import main
from inc.evidence import read_run_record
from inc.workspace import Workspace

pytest.importorskip("mlflow")
pytest.importorskip("shap")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One real demo run through the CLI; its folder and what it printed."""
    import contextlib
    import io

    folder = tmp_path_factory.mktemp("demo") / "work"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["demo", str(folder)])
    assert code == 0, out.getvalue()[-3000:]
    return folder, out.getvalue()


def _gate_json(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["-C", str(root), "gate", "--strict", "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_demo_prints_each_step_with_figures(demo_dir: tuple[Path, str]) -> None:
    _, printed = demo_dir
    for step in (
        "init and new",
        "3 baselines and 3 candidates",
        "SHAP report (tree explainer)",
        "load test",
        "monitoring configured",
        "inc done",
        "living docs and static site",
    ):
        assert step in printed
    assert "passed the gate" in printed and "p95" in printed and "CV 0." in printed


def test_demo_leaves_a_closed_increment_with_real_evidence(
    demo_dir: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = demo_dir
    ws = Workspace.discover(root)
    inc = ws.find("fraud-detection")
    assert inc.meta.status == "done" and inc.meta.chosen_run and inc.meta.model
    records = [read_run_record(p) for p in inc.run_paths()]
    assert sorted(r.role for r in records) == ["baseline"] * 3 + ["candidate"] * 3
    assert all(r.cv is not None and len(r.cv.folds) == 5 for r in records)
    assert (inc.reports_dir / f"explain-{inc.meta.chosen_run}" / "summary.json").is_file()
    load = json.loads((inc.reports_dir / f"loadtest-{inc.meta.chosen_run}-in-process.json").read_text())
    # the load test was judged against the target the spec states, with warm-up and enough requests
    assert load["target_p95_ms"] == inc.meta.latency_p95_ms and load["passed"]
    assert f"p95 under {inc.meta.latency_p95_ms:g} ms" in inc.read_doc("spec.md")
    assert load["requests"] >= 200 and load["warmup"] > 0
    assert (root / "site" / "index.html").is_file()
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
        ).stdout
        == ""
    )  # everything committed
    code, report = _gate_json(root, capsys)
    assert code == 0 and report["passed"]
    assert {c["status"] for c in report["increments"][0]["checks"]} == {"pass"}
    assert main(["-C", str(root), "docs", "--check"]) == 0


def test_removing_the_baselines_fails_the_gate(
    demo_dir: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "copy"
    shutil.copytree(demo_dir[0], root, symlinks=True)
    inc = Workspace.discover(root).find("1")
    for path in inc.run_paths():
        if read_run_record(path).role == "baseline":
            path.unlink()
    code, report = _gate_json(root, capsys)
    assert code == 1 and not report["passed"]
    failed = {c["id"]: c["detail"] for c in report["increments"][0]["checks"] if c["status"] == "fail"}
    assert "baseline" in failed and "baseline" in failed["baseline"].lower()
