"""gitutil on real repositories: subprocess git, batched numbering, failures are errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inc import gitutil
from inc_testing import git


def _repo(git_repo: Path) -> gitutil.Repo:
    repo = gitutil.open_repo(git_repo / "sub" if (git_repo / "sub").is_dir() else git_repo)
    assert repo is not None
    return repo


def test_open_repo_outside_git_is_none(tmp_path: Path) -> None:
    assert gitutil.open_repo(tmp_path) is None
    assert gitutil.open_repo(tmp_path / "missing") is None


def test_numbers_from_every_branch_in_one_git_call(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (git_repo / "increments" / "0001-a").mkdir(parents=True)
    (git_repo / "increments" / "0001-a" / "x").write_text("x")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "one")
    for n in range(2, 8):
        git(git_repo, "checkout", "-q", "-b", f"b{n}", "main")
        (git_repo / "increments" / f"{n:04d}-b").mkdir()
        (git_repo / "increments" / f"{n:04d}-b" / "x").write_text("x")
        git(git_repo, "add", ".")
        git(git_repo, "commit", "-q", "-m", f"b{n}")
    git(git_repo, "checkout", "-q", "-b", "empty", "main")
    git(git_repo, "rm", "-q", "-r", "increments")
    git(git_repo, "commit", "-q", "-m", "no increments on this branch")
    git(git_repo, "checkout", "-q", "main")
    repo = _repo(git_repo)
    calls: list[list[str]] = []
    real = gitutil._run
    monkeypatch.setattr(gitutil, "_run", lambda cwd, args, **kw: calls.append(args) or real(cwd, args, **kw))
    assert gitutil.numbers_on_branches(repo, git_repo / "increments") == set(range(1, 8))
    assert [c[0] for c in calls] == ["cat-file"]  # the branch names from the ref files
    calls.clear()
    monkeypatch.setenv("GIT_DIR", str(git_repo / ".git"))  # git is asked which branches there are
    monkeypatch.setenv("GIT_WORK_TREE", str(git_repo))
    assert gitutil.numbers_on_branches(repo, git_repo / "increments") == set(range(1, 8))
    assert [c[0] for c in calls] == ["for-each-ref", "cat-file"]


def test_commits_touching_since_raises_on_git_failure(git_repo: Path) -> None:
    repo = _repo(git_repo)
    head = gitutil.head_commit(repo)
    assert head is not None
    assert gitutil.commits_touching_since(repo, head, ["README.md"]) == []
    with pytest.raises(gitutil.GitError, match="rev-list"):
        gitutil.commits_touching_since(repo, "0" * 40, ["README.md"])


def test_is_ancestor(git_repo: Path) -> None:
    repo = _repo(git_repo)
    first = gitutil.head_commit(repo)
    assert first is not None
    (git_repo / "b.txt").write_text("b")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "b")
    assert gitutil.is_ancestor(repo, first)
    assert not gitutil.is_ancestor(repo, "HEAD", first)
    assert not gitutil.is_ancestor(repo, "1" * 40)  # unknown here: not in the history


def test_failure_of_git_itself_is_an_error(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(git_repo)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(gitutil.GitError, match="cannot run git"):
        gitutil.commits_touching_since(repo, "HEAD", ["README.md"])
    with pytest.raises(gitutil.GitError):
        gitutil.is_ancestor(repo, "HEAD")


def test_changed_paths_and_unknown_base(git_repo: Path) -> None:
    repo = _repo(git_repo)
    git(git_repo, "checkout", "-q", "-b", "feature")
    (git_repo / "increments" / "0003-c").mkdir(parents=True)
    (git_repo / "increments" / "0003-c" / "spec.md").write_text("x")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "c")
    assert gitutil.changed_paths_under(repo, "main", "increments/") == ["increments/0003-c/spec.md"]
    from inc.errors import UserError

    with pytest.raises(UserError, match="--base nope"):
        gitutil.changed_paths_under(repo, "nope", "increments/")


def test_changed_paths_in_one_git_call_with_base_moved_on(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changes since the merge base only (not the base's own later commits), plus staged ones."""
    repo = _repo(git_repo)
    git(git_repo, "checkout", "-q", "-b", "feature")
    (git_repo / "increments" / "0003-c").mkdir(parents=True)
    (git_repo / "increments" / "0003-c" / "spec.md").write_text("x")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "c")
    git(git_repo, "checkout", "-q", "main")
    (git_repo / "increments" / "0004-d").mkdir(parents=True)
    (git_repo / "increments" / "0004-d" / "spec.md").write_text("on main after the branch")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "d")
    git(git_repo, "checkout", "-q", "feature")
    (git_repo / "increments" / "0005-e").mkdir(parents=True)
    (git_repo / "increments" / "0005-e" / "spec.md").write_text("staged")
    git(git_repo, "add", ".")
    calls: list[list[str]] = []
    real = gitutil._run
    monkeypatch.setattr(gitutil, "_run", lambda cwd, args, **kw: calls.append(args) or real(cwd, args, **kw))
    assert gitutil.changed_paths_under(repo, "main", "increments/") == [
        "increments/0003-c/spec.md",
        "increments/0005-e/spec.md",
    ]
    assert [c[0] for c in calls] == ["diff"]


def test_changed_paths_with_two_merge_bases_as_git_merge_base_picks(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A criss-cross history has two merge bases: ``diff --merge-base`` refuses it, and the
    answer is the diff against the merge base ``git merge-base`` names, as before."""
    repo = _repo(git_repo)
    for branch in ("a", "b"):
        git(git_repo, "checkout", "-q", "-b", branch, "main")
        (git_repo / f"{branch}.txt").write_text(branch)
        git(git_repo, "add", ".")
        git(git_repo, "commit", "-q", "-m", branch)
    a, b = git(git_repo, "rev-parse", "a").strip(), git(git_repo, "rev-parse", "b").strip()
    git(git_repo, "checkout", "-q", "a")
    git(git_repo, "merge", "-q", "--no-edit", b)
    git(git_repo, "checkout", "-q", "b")
    git(git_repo, "merge", "-q", "--no-edit", a)
    (git_repo / "increments" / "0006-f").mkdir(parents=True)
    (git_repo / "increments" / "0006-f" / "spec.md").write_text("f")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "f")
    first = git(git_repo, "merge-base", "a", "HEAD").strip()
    expected = git(git_repo, "diff", "--cached", "--name-only", "--no-renames", first, "--", ".")
    calls: list[list[str]] = []
    real = gitutil._run
    monkeypatch.setattr(gitutil, "_run", lambda cwd, args, **kw: calls.append(args) or real(cwd, args, **kw))
    assert gitutil.changed_paths_under(repo, "a", ".") == sorted(expected.split())
    assert [c[0] for c in calls] == ["diff", "merge-base", "diff"]
    assert "increments/0006-f/spec.md" in gitutil.changed_paths_under(repo, "a", "increments/")


def test_blobs_at_reads_several_files_of_a_ref_in_one_call(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (git_repo / "docs").mkdir()
    (git_repo / "docs" / "a.txt").write_bytes(b"first\r\nline\n")
    (git_repo / "empty.txt").write_bytes(b"")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "files")
    (git_repo / "docs" / "a.txt").write_text("changed in the working tree only")
    calls: list[list[str]] = []
    real = gitutil._run
    monkeypatch.setattr(gitutil, "_run", lambda cwd, args, **kw: calls.append(args) or real(cwd, args, **kw))
    found = gitutil.blobs_at(git_repo, "HEAD", ["docs/a.txt", "missing.txt", "docs", "empty.txt"])
    assert found == {"docs/a.txt": b"first\r\nline\n", "missing.txt": None, "docs": None, "empty.txt": b""}
    assert [c[0] for c in calls] == ["cat-file"]
    assert gitutil.blobs_at(git_repo, "nope", ["docs/a.txt"]) == {"docs/a.txt": None}
    assert gitutil.blobs_at(git_repo / "docs", "HEAD", ["a.txt"]) == {"a.txt": b"first\r\nline\n"}


def test_a_batch_larger_than_a_pipe_buffer_each_way(git_repo: Path) -> None:
    """Requests and answers over 64 KiB (many branches, big files): written and read at the same
    time, so neither side waits on the other forever."""
    (git_repo / "big.txt").write_bytes(b"0123456789abcdef" * 20_000)  # 320 KB
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "big")
    rels = [f"missing/{i:05d}/{'x' * 30}.txt" for i in range(3000)] + ["big.txt"]  # ~140 KB asked
    found = gitutil.blobs_at(git_repo, "HEAD", rels)
    assert found["big.txt"] == b"0123456789abcdef" * 20_000
    assert sum(value is None for value in found.values()) == 3000


def test_without_posix_spawn_the_same_answers_and_errors(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (git_repo / "increments" / "0004-d").mkdir(parents=True)
    (git_repo / "increments" / "0004-d" / "x").write_text("x")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "d")
    repo = _repo(git_repo)
    spawned = gitutil.numbers_on_branches(repo, git_repo / "increments")
    with pytest.raises(gitutil.GitError) as spawned_error:
        gitutil.commits_touching_since(repo, "0" * 40, ["README.md"])
    monkeypatch.delattr(os, "posix_spawnp")
    assert gitutil.numbers_on_branches(repo, git_repo / "increments") == spawned == {4}
    with pytest.raises(gitutil.GitError) as error:
        gitutil.commits_touching_since(repo, "0" * 40, ["README.md"])
    assert error.value.message == spawned_error.value.message
    assert error.value.stderr and error.value.returncode == spawned_error.value.returncode == 128
    assert gitutil.open_repo(git_repo / "missing") is None
