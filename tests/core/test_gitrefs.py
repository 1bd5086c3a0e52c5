"""Branch names from the ref files: what ``git for-each-ref`` lists, or None (then git is asked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inc import gitrefs, gitutil
from inc_testing import git


def _git_names(folder: Path) -> list[str]:
    out = git(folder, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes")
    return sorted(name for name in out.split() if not name.endswith("/HEAD"))


def _commit_increment(repo: Path, name: str) -> None:
    (repo / "increments" / name).mkdir(parents=True, exist_ok=True)
    (repo / "increments" / name / "x").write_text(name)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", name)


@pytest.fixture
def branches(git_repo: Path) -> Path:
    """Branches loose and packed, nested names, a remote-tracking branch and its HEAD link."""
    _commit_increment(git_repo, "0001-a")
    for n, branch in enumerate(["b2", "team/b3", "team/deep/b4"], start=2):
        git(git_repo, "checkout", "-q", "-b", branch, "main")
        _commit_increment(git_repo, f"{n:04d}-b")
    git(git_repo, "checkout", "-q", "main")
    git(git_repo, "pack-refs", "--all")  # b2 ... packed; the next ones loose
    git(git_repo, "checkout", "-q", "-b", "b5", "main")
    _commit_increment(git_repo, "0005-e")
    git(git_repo, "checkout", "-q", "main")
    sha = git(git_repo, "rev-parse", "b5").strip()
    git(git_repo, "update-ref", "refs/remotes/origin/b6", sha)
    git(git_repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/b6")
    git(git_repo, "update-ref", "refs/tags/v1", sha)  # not a branch
    return git_repo


def test_the_names_git_lists(branches: Path) -> None:
    names = gitrefs.branch_names(str(branches / "increments"))
    assert names == _git_names(branches) and "refs/remotes/origin/b6" in names
    assert gitutil.branch_numbers(branches / "increments") == {1, 2, 3, 4, 5}


def test_a_branch_moved_after_packing_is_read_where_git_reads_it(branches: Path) -> None:
    git(branches, "checkout", "-q", "b2")
    _commit_increment(branches, "0009-moved")  # b2: packed old tip, loose new tip
    git(branches, "checkout", "-q", "main")
    git(branches, "branch", "-q", "-D", "team/b3")  # deleted: gone from packed-refs too
    assert gitrefs.branch_names(str(branches / "increments")) == _git_names(branches)
    assert gitutil.branch_numbers(branches / "increments") == {1, 2, 4, 5, 9}


def test_in_a_worktree(branches: Path, tmp_path: Path) -> None:
    worktree = tmp_path / "wt"
    git(branches, "worktree", "add", "-q", "-b", "wt-branch", str(worktree), "main")
    _commit_increment(worktree, "0007-from-worktree")
    assert gitrefs.branch_names(str(worktree / "increments")) == _git_names(worktree)
    assert gitutil.branch_numbers(worktree / "increments") == {1, 2, 3, 4, 5, 7}
    assert gitutil.branch_numbers(branches / "increments") == {1, 2, 3, 4, 5, 7}


@pytest.mark.parametrize(
    "trouble",
    ["GIT_DIR", "reftable config", "reftable folder", "odd name", "empty .git above", "linked refs"],
)
def test_unclear_cases_ask_git_and_number_the_same(
    branches: Path, monkeypatch: pytest.MonkeyPatch, trouble: str
) -> None:
    folder = branches / "increments"
    if trouble == "GIT_DIR":
        monkeypatch.setenv("GIT_DIR", str(branches / ".git"))
        monkeypatch.setenv("GIT_WORK_TREE", str(branches))
    elif trouble == "reftable config":
        with (branches / ".git" / "config").open("a") as config:
            config.write("[extensions]\n\trefStorage = files\n")
    elif trouble == "reftable folder":
        (branches / ".git" / "reftable").mkdir()
    elif trouble == "odd name":
        (branches / ".git" / "refs" / "heads" / "has space").write_text("0" * 40 + "\n")
    elif trouble == "empty .git above":
        (folder / ".git").mkdir()  # not a repository: git looks further up, so would we
    else:
        (branches / ".git" / "refs" / "heads" / "linked").symlink_to(branches / ".git" / "refs" / "tags")
    assert gitrefs.branch_names(str(folder)) is None
    assert gitutil.branch_numbers(folder) == {1, 2, 3, 4, 5}


def test_outside_a_repository(tmp_path: Path) -> None:
    assert gitrefs.branch_names(str(tmp_path)) is None
    assert gitutil.branch_numbers(tmp_path) is None
