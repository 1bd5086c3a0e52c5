"""The core profile: the CLI's core commands and the core modules run with no ML library.

Each case runs in a fresh interpreter in which importing an ML library raises ImportError, as
it would in a ``pip install inc-ml`` environment, and checks afterwards that none was loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inc.workspace import Workspace
from inc_testing.docs_evidence import make_increment

HEAVY = ("mlflow", "shap", "sklearn", "pandas", "numpy", "matplotlib", "scipy", "skops")

_PRELUDE = f"""
import importlib.abc, sys
HEAVY = {HEAVY!r}
class _NoML(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HEAVY:
            raise ImportError(f"{{name}} is not installed in the core profile")
        return None
sys.meta_path.insert(0, _NoML())
"""
_EPILOGUE = """
loaded = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
print("LOADED", loaded)
"""

CORE_COMMANDS = [
    ["--help"],
    ["list"],
    ["list", "--format", "json"],
    ["show", "1"],
    ["new", "another-one"],
    ["gate"],
    ["gate", "--strict", "--format", "json"],
    ["gate", "--format", "markdown"],
    ["docs"],
    ["docs", "--check"],
    ["runs", "1"],
    ["monitoring", "check", "1"],
    ["schema", "gate"],
]

CORE_MODULES = [
    "inc",
    "inc.cli",
    "inc.cli.app",
    "inc.gate.runner",
    "inc.livedocs.build",
    "inc.livedocs.html",
    "inc.tracking.experiment",
    "inc.tracking.runs_table",
    "inc.cli.runs",
    "inc.tracking.adapter",
    "inc.ops.monitoring",
    "inc.cli.loadtest",
    "inc.ops.drift",
    "inc.ops.loadtest",
    "inc.ops.http",
    "inc.evaluation",
    "inc.evaluation.recompute",
    "inc.evaluation.schema",
    "inc.evaluation.report",
    "inc.gate.checks.evaluation",
    "inc.cli.evaluate",
    "inc.livedocs.evalview",
    "inc.cli.drift",
    "inc.cli.monitoring",
    "inc.api",
    "inc.ops.monitoring_init",
    "inc.ops.openloop",
    "inc.ops.files",
    "inc.explainability.explainer",
]


def _run(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PRELUDE + code + _EPILOGUE],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )


@pytest.fixture(scope="module")
def evidence_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed workspace with one increment carrying runs, SHAP, load-test and monitoring."""
    from inc.scaffold import init_workspace
    from inc_testing import GIT_ENV, git

    os.environ.update(GIT_ENV)
    root = tmp_path_factory.mktemp("core") / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    init_workspace(root)
    make_increment(Workspace.discover(root), "fraud-detection")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "evidence")
    return root


@pytest.mark.parametrize("args", CORE_COMMANDS, ids=lambda a: " ".join(a))
def test_core_command_runs_without_ml_libraries(args: list[str], evidence_root: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(evidence_root, root, symlinks=True)
    code = f"from inc.cli import main\nrc = main({args!r})\nprint('RC', rc)\n"
    done = _run(code, root)
    assert "RC " in done.stdout, done.stderr  # the command ran to its end, it did not crash on an import
    assert "is not installed in the core profile" not in done.stdout + done.stderr
    assert "LOADED []" in done.stdout, done.stdout


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_ml_library(module: str, tmp_path: Path) -> None:
    done = _run(f"import {module}\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout


ML_COMMANDS = [
    ["explain", "1", "--run", "c0001cand", "--data", "data.csv"],
    ["loadtest", "1", "--run", "c0001cand", "--data", "data.csv"],
    ["drift", "1", "--reference", "data.csv", "--current", "data.csv"],
]


@pytest.mark.parametrize("args", ML_COMMANDS, ids=lambda a: a[0])
def test_ml_command_names_the_extra_in_the_core_profile(
    args: list[str], evidence_root: Path, tmp_path: Path
) -> None:
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(evidence_root, root, symlinks=True)
    (root / "data.csv").write_text("a,b\n1,2\n")
    done = _run(f"from inc.cli import main\nprint('RC', main({args!r}))\n", root)
    assert "RC 2" in done.stdout, done.stdout + done.stderr
    assert "needs the ml extra: pip install 'inc-ml[ml]'" in done.stderr
