"""Many generated files written at once: atomic per file, nothing outside the root, no leftovers."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from inc.errors import UserError
from inc.livedocs import writes
from inc.livedocs.writes import write_files


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def test_files_are_written_and_replaced_with_the_umask_mode(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "docs" / "increments").mkdir(parents=True)
    old = root / "docs" / "increments" / "0001-a.md"
    old.write_bytes(b"old page\n")
    write_files(
        root,
        [
            (old, b"new page\n"),
            (root / "docs" / "runbooks" / "0001-a.md", b"runbook\n"),  # folder created
            (root / "docs" / "README.md", b"index\n"),
        ],
    )
    assert old.read_bytes() == b"new page\n"
    assert (root / "docs" / "runbooks" / "0001-a.md").read_bytes() == b"runbook\n"
    assert (root / "docs" / "README.md").read_bytes() == b"index\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(old.stat().st_mode) == 0o666 & ~umask
    assert _leftovers(root) == []


def test_a_folder_leading_outside_the_root_is_refused_before_writing(tmp_path: Path) -> None:
    root, outside = tmp_path / "ws", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "docs").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UserError, match="outside the workspace"):
        write_files(root, [(root / "docs" / "page.md", b"x")])
    assert list(outside.iterdir()) == []


def test_a_folder_inside_git_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / ".git").mkdir(parents=True)
    with pytest.raises(UserError, match="inside"):
        write_files(root, [(root / ".git" / "hooks" / "pre-commit", b"#!/bin/sh\n")])
    assert not (root / ".git" / "hooks").exists()


def test_a_page_that_is_a_symlink_is_replaced_not_followed(tmp_path: Path) -> None:
    root, secret = tmp_path / "ws", tmp_path / "secret.txt"
    (root / "docs").mkdir(parents=True)
    secret.write_text("keep me\n")
    (root / "docs" / "page.md").symlink_to(secret)
    write_files(root, [(root / "docs" / "page.md", b"page\n")])
    assert secret.read_text() == "keep me\n"
    page = root / "docs" / "page.md"
    assert not page.is_symlink() and page.read_bytes() == b"page\n"


def test_a_failed_write_keeps_the_old_page_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    (root / "docs").mkdir(parents=True)
    page = root / "docs" / "page.md"
    page.write_bytes(b"old\n")

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writes.os, "write", full)
    with pytest.raises(OSError, match="No space"):
        write_files(root, [(page, b"new\n")])
    monkeypatch.undo()
    assert page.read_bytes() == b"old\n"
    assert _leftovers(root) == []


def test_without_dir_fd_support_the_per_file_writer_gives_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    monkeypatch.setattr(writes, "_dir_fd_supported", lambda: False)
    write_files(root, [(root / "docs" / "a.md", b"a\n"), (root / "docs" / "sub" / "b.md", b"b\n")])
    assert (root / "docs" / "a.md").read_bytes() == b"a\n"
    assert (root / "docs" / "sub" / "b.md").read_bytes() == b"b\n"
    (root / "link").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(UserError, match="outside the workspace"):
        write_files(root, [(root / "link" / "x.md", b"x")])
