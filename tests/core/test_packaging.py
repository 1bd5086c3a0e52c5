"""Packaging and the promise that the core path stays light."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

import inc
from inc.scaffold import init_workspace

REPO = Path(__file__).resolve().parents[2]
DIST = "inc-ml"  # the index's "inc" is an unrelated project ("install new computer")
_BARE = "in" + "c"  # spelled apart so this file does not match its own scan
# An install of the bare name: a pip/pipx/uv install of it (options before it allowed), an
# `install -q` of it, the name with an extra or a version pin anywhere, and an action input
# (`package:` or `default:`) set to it. The examples are in the parametrized tests below.
BARE_INSTALL = re.compile(
    rf"""(?:pip3?|pipx|uv\s+pip|uv)\s+(?:install|add)(?:\s+-{{1,2}}[\w-]+)*\s+['"]?{_BARE}(?![\w.-])"""
    rf"""|install\s+-q\s+['"]?{_BARE}(?![\w.-])"""
    rf"""|(?<![\w.-]){_BARE}\[[a-z][\w, -]*\]"""
    rf"""|(?<![\w.-]){_BARE}\s*(?:==|>=|~=|<=)\s*\d"""
    rf"""|\b(?:package|default)\s*:\s*['"]?{_BARE}['"]?\s*$""",
    re.MULTILINE,
)


def bare_installs(name: str, text: str) -> list[str]:
    """``file:line: text`` of each line installing the bare name."""
    return [
        f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0).strip()}"
        for m in BARE_INSTALL.finditer(text)
    ]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout (hatchling, no network)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("*.whl"))


def test_wheel_contains_the_templates(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for template in (
        "spec.md.j2",
        "plan.md.j2",
        "tasks.md.j2",
        "increment.yaml.j2",
        "monitoring.yaml.j2",
        "github/inc-gate.yml",
    ):
        assert f"inc/_templates/{template}" in names


def test_the_wheel_is_inc_ml_at_the_package_version(wheel: Path) -> None:
    assert wheel.name.startswith(f"inc_ml-{inc.__version__}-")
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"inc_ml-{inc.__version__}.dist-info/METADATA").decode()
    assert f"Name: {DIST}\n" in metadata and f"Version: {inc.__version__}\n" in metadata


@pytest.mark.parametrize(
    "line",
    [
        f"pip install {_BARE}",
        f"python -m pip install --disable-pip-version-check -q {_BARE}",
        f"pip install '{_BARE}[ml]'",
        f"pip install {_BARE}==0.1.0",
        f'requires = ["{_BARE}>=0.1"]',
        f"    default: {_BARE}",
        f"  package: '{_BARE}'",
        f"uv pip install {_BARE}",
    ],
)
def test_the_scan_catches_a_bare_install(line: str) -> None:
    assert bare_installs("x", line), line


@pytest.mark.parametrize(
    "line",
    [
        f"pip install {DIST}",
        f"pip install '{DIST}[ml]'",
        f'-q "{DIST}==0.1.0"',
        f"default: {DIST}==0.1.0",
        "pip install -q -e '.[ml,dev]'",
        f'assert {_BARE}["checks"][0]',
        f"python -m {_BARE} docs",
    ],
)
def test_the_scan_lets_the_right_name_through(line: str) -> None:
    assert not bare_installs("x", line), line


def test_no_file_in_the_repository_installs_the_bare_name() -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    found: list[str] = []
    for name in listed.stdout.decode().split("\0"):
        path = REPO / name
        if name and path.is_file() and path.stat().st_size < 2_000_000:
            try:
                found += bare_installs(name, path.read_text(encoding="utf-8"))
            except UnicodeDecodeError:
                continue  # PNGs and other binary files
    assert not found, "these install the index's unrelated 'inc'; use inc-ml:\n" + "\n".join(found)


def test_no_file_in_the_wheel_installs_the_bare_name(wheel: Path) -> None:
    found: list[str] = []
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            try:
                found += bare_installs(name, archive.read(name).decode("utf-8"))
            except UnicodeDecodeError:
                continue
    assert not found, "\n".join(found)


def test_init_pins_the_version_that_wrote_the_workflow(tmp_path: Path) -> None:
    init_workspace(tmp_path)
    workflow = yaml.safe_load((tmp_path / ".github/workflows/inc-gate.yml").read_text())
    runs = [step.get("run", "") for step in workflow["jobs"]["gate"]["steps"]]
    install = [run for run in runs if "pip install" in run]
    assert install == [  # the core profile; the ml extra only for the --verify step
        f'python -m pip install --disable-pip-version-check -q "{DIST}=={inc.__version__}"',
        f'python -m pip install --disable-pip-version-check -q "{DIST}[ml]=={inc.__version__}"',
    ]


def test_the_composite_action_defaults_to_this_release() -> None:
    action = yaml.safe_load((REPO / ".github/actions/inc-gate/action.yml").read_text())
    assert action["inputs"]["package"]["default"] == f"{DIST}=={inc.__version__}"


def test_version_and_missing_extra_hint_name_the_distribution() -> None:
    from inc.errors import MissingExtraError

    result = subprocess.run([sys.executable, "-m", "inc", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and inc.__version__ in result.stdout
    assert "pip install 'inc-ml[ml]'" in str(MissingExtraError("mlflow"))


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci/run").read_text()
    command = [line for line in ci.splitlines() if line.startswith("python3 -m venv .venv && ")][-1]
    assert command in readme
