"""Packaging and the promise that the core path stays light."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


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


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci/run").read_text()
    command = [line for line in ci.splitlines() if line.startswith("python3 -m venv .venv && ")][-1]
    assert command in readme
