"""Files and folders inc writes get the mode the umask gives, as ``open()`` and ``mkdir`` would."""

from __future__ import annotations

import stat
from pathlib import Path

from inc.fsutil import atomic_write_bytes, atomic_write_text, make_temp_dir
from inc.scaffold import init_workspace, new_increment
from inc.workspace import Workspace
from inc_testing import wrong_modes


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_atomic_writer_gives_the_umask_mode_and_leaves_no_temp_file(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "docs" / "page.md"
    atomic_write_text(target, "one\n")
    assert mode(target) == 0o666 & ~umask
    assert mode(target.parent) == 0o777 & ~umask
    target.chmod(0o600)  # a file an earlier inc wrote 0600: rewriting it gives the umask mode
    atomic_write_bytes(target, b"two\n", fsync=False)
    assert mode(target) == 0o666 & ~umask and target.read_text() == "two\n"
    assert [p.name for p in target.parent.iterdir()] == ["page.md"]


def test_temp_folders_get_the_umask_mode_and_unique_names(tmp_path: Path, umask: int) -> None:
    made = {make_temp_dir(tmp_path, ".staging-") for _ in range(20)}
    assert len(made) == 20
    assert {mode(folder) for folder in made} == {0o777 & ~umask}


def test_init_and_new_write_readable_files(git_repo: Path, umask: int) -> None:
    init_workspace(git_repo)
    new_increment(Workspace.discover(git_repo), "fraud-detection")
    assert mode(git_repo / "inc.yaml") == 0o666 & ~umask
    assert mode(git_repo / ".github/workflows/inc-gate.yml") == 0o666 & ~umask
    assert wrong_modes(git_repo / "increments", umask) == []
