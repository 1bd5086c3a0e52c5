"""Fixtures of the hostile-input suite (see hostile_helpers for the capped runner)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inc.scaffold import init_workspace, new_increment
from inc_testing import git
from inc_testing.hostile import Hostile, tree_digest


@pytest.fixture
def hostile(tmp_path: Path) -> Hostile:
    """Workspace ``ws/`` (git, committed, increment 0001-fraud) and ``outside/`` with notes."""
    root = tmp_path / "ws"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    init_workspace(root)
    outside = tmp_path / "outside"
    (outside / "notes").mkdir(parents=True)
    (outside / "notes" / "0001-fraud.md").write_text("my private notes\n")
    (outside / "increment" / "runs").mkdir(parents=True)
    (outside / "secret.txt").write_text("TOP-SECRET-VALUE\n")
    from inc.workspace import Workspace

    inc = new_increment(Workspace.discover(root), "fraud").increment.path
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    probe = Hostile(root, outside, inc, {})
    probe.before = tree_digest(outside)
    return probe
