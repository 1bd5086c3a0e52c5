"""Packaging and the promise that the core path stays light."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("mlflow", "shap", "sklearn", "pandas", "numpy", "matplotlib", "scipy")


def test_wheel_contains_the_templates(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True,
    )
    wheel = next(tmp_path.glob("inc-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for template in ("spec.md.j2", "plan.md.j2", "tasks.md.j2", "increment.yaml.j2", "monitoring.yaml.j2"):
        assert f"inc/_templates/{template}" in names


@pytest.mark.parametrize("args", [["--help"], ["list"], ["new", "x"], ["show", "1"]])
def test_core_commands_import_no_ml_library(args: list[str], workspace_root: Path) -> None:
    code = (
        "import sys; from inc.cli import main; rc = main(sys.argv[1:]); "
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]; "
        "print('HEAVY', heavy); sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=workspace_root,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout


@pytest.fixture
def workspace_root(git_repo: Path) -> Path:
    from inc.scaffold import init_workspace, new_increment
    from inc.workspace import Workspace

    init_workspace(git_repo)
    new_increment(Workspace.discover(git_repo), "first")
    return git_repo


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci/run").read_text()
    command = [line for line in ci.splitlines() if line.startswith("python3 -m venv .venv && ")][-1]
    assert command in readme
