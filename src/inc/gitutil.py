"""The only module that talks to git (through gitpython, imported lazily)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from inc.errors import UserError

if TYPE_CHECKING:
    from git import Repo

_NUMBER_RE = re.compile(r"^(\d{4})-")


def open_repo(path: Path) -> Repo | None:
    """The git repository containing ``path``, or None when it is not in one."""
    try:
        from git import InvalidGitRepositoryError, NoSuchPathError, Repo
    except ImportError:  # git executable missing
        return None
    try:
        return Repo(path, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        return None


def _rel(repo: Repo, path: Path) -> str:
    return path.resolve().relative_to(repo_root(repo)).as_posix()


def numbers_on_branches(repo: Repo, increments_dir: Path) -> set[int]:
    """Increment numbers in ``increments_dir`` on every local and remote-tracking branch."""
    rel = _rel(repo, increments_dir)
    refs = repo.git.for_each_ref("--format=%(refname)", "refs/heads", "refs/remotes").split()
    numbers: set[int] = set()
    for ref in refs:
        if ref.endswith("/HEAD"):
            continue
        try:
            listing = repo.git.ls_tree("--name-only", f"{ref}:{rel}")
        except Exception:  # the branch has no increments folder
            continue
        for name in listing.splitlines():
            match = _NUMBER_RE.match(name)
            if match:
                numbers.add(int(match.group(1)))
    return numbers


def resolve_ref(repo: Repo, ref: str) -> str:
    """The commit sha of ``ref``; an unknown ref is a user error."""
    try:
        return repo.git.rev_parse("--verify", f"{ref}^{{commit}}")
    except Exception as exc:
        raise UserError(f"--base {ref}: not a known git ref in {repo.working_tree_dir}") from exc


def head_commit(repo: Repo) -> str | None:
    """The sha of HEAD, or None in a repository without commits."""
    try:
        return repo.head.commit.hexsha
    except ValueError:
        return None


def is_ancestor(repo: Repo, commit: str, of: str = "HEAD") -> bool:
    """True when ``commit`` is an ancestor of (or equal to) ``of``."""
    try:
        repo.git.merge_base("--is-ancestor", commit, of)
    except Exception:
        return False
    return True


def commits_touching_since(repo: Repo, since: str, paths: list[str]) -> list[str]:
    """Commits after ``since`` (exclusive) up to HEAD that changed any of ``paths``."""
    if not paths:
        return []
    try:
        out = repo.git.rev_list(f"{since}..HEAD", "--", *paths)
    except Exception:
        return []
    return out.split()


def repo_root(repo: Repo) -> Path:
    """The working tree's top folder."""
    return Path(repo.working_tree_dir or ".").resolve()


def changed_paths_under(repo: Repo, base: str, pathspec: str) -> list[str]:
    """Paths under ``pathspec`` (repo-relative) changed in the commits since the merge base of
    ``base`` and HEAD, plus staged changes (what a commit or a PR would contain).

    It never scans the working tree, so its cost follows what changed rather than the size of
    the repository (``inc gate --changed`` on 1,000 increments).
    """
    merge_base = _merge_base(repo, base)
    committed = repo.git.diff("--name-only", "--no-renames", merge_base, "HEAD", "--", pathspec)
    staged = repo.git.diff("--cached", "--name-only", "--no-renames", "--", pathspec)
    return sorted({*committed.splitlines(), *staged.splitlines()})


def _merge_base(repo: Repo, base: str) -> str:
    """The merge base of ``base`` and HEAD; unrelated histories or no commit yet are user errors."""
    base_sha = resolve_ref(repo, base)
    try:
        return str(repo.git.merge_base(base_sha, "HEAD"))
    except Exception as exc:
        raise UserError(
            f"--base {base}: no common ancestor with HEAD in {repo.working_tree_dir} (unrelated "
            "histories, a shallow clone or no commit yet); fetch the full history "
            "(actions/checkout with fetch-depth: 0) or give another --base"
        ) from exc
