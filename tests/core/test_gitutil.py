"""gitutil on real repositories: subprocess git, batched numbering, failures are errors."""

from __future__ import annotations

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


def test_numbers_from_every_branch_in_two_git_calls(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
