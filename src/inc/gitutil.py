"""The only module that talks to git: ``git`` subprocesses, one per question (no GitPython).

Importing GitPython costs more than the command it would run, so every call here is a plain
``git`` subprocess, started with ``posix_spawn`` where there is one (importing ``subprocess``
costs more than the git command does). A git command that fails raises :class:`GitError`
(naming the command and git's own message); callers decide what a failure means, and none of
them reads it as "no change".
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from inc.errors import UserError
from inc.gitproc import Done, run_git

_NUMBER_RE = re.compile(rb"^(\d{4})-")
_NOT_A_COMMIT = ("not a valid commit", "bad object", "not a valid object", "unknown revision")


class GitError(UserError):
    """A git command failed (exit status other than the ones the caller expects)."""

    def __init__(self, message: str, returncode: int = 128, stderr: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


class Repo:
    """A git working tree, known by its top folder (read-only; a plain class, not a dataclass:
    ``dataclasses`` imports ``inspect`` and ``ast``, ~9 ms of a command that needs neither)."""

    __slots__ = ("root",)
    root: Path

    def __init__(self, root: Path) -> None:
        object.__setattr__(self, "root", root)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Repo is read-only: cannot set {name}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Repo) and other.__class__ is self.__class__ and other.root == self.root

    def __hash__(self) -> int:
        return hash((self.root,))

    def __repr__(self) -> str:
        return f"Repo(root={self.root!r})"

    @property
    def working_tree_dir(self) -> str:
        """The top folder as text (the name GitPython used)."""
        return str(self.root)


def _run(cwd: Path, args: list[str], stdin: bytes | None = None, ok: tuple[int, ...] = (0,)) -> Done:
    """Run ``git args`` in ``cwd``; an exit status outside ``ok`` raises :class:`GitError`."""
    try:
        done = run_git(cwd, args, stdin)
    except OSError as exc:  # git missing, or cwd gone
        raise GitError(f"git {args[0]}: cannot run git ({exc.strerror or exc})") from exc
    if done.returncode not in ok:
        err = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(
            f"git {' '.join(args[:2])} failed in {cwd}: {err or f'exit {done.returncode}'}",
            done.returncode,
            err,
        )
    return done


def _text(repo: Repo, *args: str) -> str:
    return _run(repo.root, list(args)).stdout.decode("utf-8", "replace").strip()


def open_repo(path: Path) -> Repo | None:
    """The git repository containing ``path``, or None when it is not in one (or git is missing)."""
    try:
        done = _run(path, ["rev-parse", "--show-toplevel"], ok=(0, 128))
    except GitError:
        return None
    top = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode != 0 or not top:  # not a repository, or a bare one
        return None
    return Repo(Path(top).resolve())


def _branch_tips(folder: Path) -> set[str] | None:
    """Commits at the tip of every local and remote-tracking branch (one ``for-each-ref``).

    None when ``folder`` is not in a git repository.
    """
    done = _run(
        folder,
        ["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads", "refs/remotes"],
        ok=(0, 128),
    )
    if done.returncode == 128:
        return None
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    return {line.split(" ", 1)[0] for line in lines if line and not line.endswith("/HEAD")}


def tree_entry_names(folder: Path, commits: set[str]) -> set[bytes]:
    """Names in ``folder`` (an existing folder of the working tree) in each commit's tree: one
    ``git cat-file --batch`` for all of them. A commit (or ref name) without that folder, or
    that names nothing, contributes nothing.
    """
    if not commits:
        return set()
    request = "".join(f"{sha}:./\n" for sha in sorted(commits)).encode("utf-8")  # ./ = this folder
    out = _run(folder, ["cat-file", "--batch"], stdin=request).stdout
    names: set[bytes] = set()
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) != 3:  # "<request> missing" / "ambiguous": no such folder on that branch
            continue
        oid, kind, size = header[0], header[1], int(header[2])
        body = out[pos : pos + size]
        pos += size + 1  # the body is followed by a newline
        if kind == b"tree":
            names.update(_tree_names(body, len(oid) // 2))
    return names


def blobs_at(folder: Path, ref: str, rels: list[str]) -> dict[str, bytes | None]:
    """The content of each of ``rels`` (paths relative to ``folder``) as committed at ``ref``, in
    one ``git cat-file --batch``: None for a path that is not a file there, and for every path
    when ``ref`` is unknown, ``folder`` is not in a repository or git cannot run.
    """
    found: dict[str, bytes | None] = dict.fromkeys(rels)
    if not rels or any("\n" in item for item in (ref, *rels)):
        return found
    request = "".join(f"{ref}:./{rel}\n" for rel in rels).encode("utf-8")  # ./ = relative to folder
    try:
        out = _run(folder, ["cat-file", "--batch"], stdin=request).stdout
    except GitError:
        return found
    pos = 0
    for rel in rels:
        end = out.find(b"\n", pos)
        if end < 0:
            break
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) != 3 or not header[2].isdigit():  # "<request> missing" / "ambiguous"
            continue
        size = int(header[2])
        if header[1] == b"blob":
            found[rel] = out[pos : pos + size]
        pos += size + 1  # the body is followed by a newline
    return found


def _tree_names(body: bytes, oid_bytes: int) -> list[bytes]:
    """Entry names of a raw tree object (``<mode> <name>\\0<binary oid>`` repeated)."""
    names = []
    pos = 0
    while pos < len(body):
        space = body.index(b" ", pos)
        nul = body.index(b"\0", space)
        names.append(body[space + 1 : nul])
        pos = nul + 1 + oid_bytes
    return names


def branch_numbers(increments_dir: Path) -> set[int] | None:
    """Increment numbers in ``increments_dir`` on every local and remote-tracking branch, or None
    when the folder is not in a git repository (or git is not installed).

    One ``cat-file --batch`` reading the folder at every branch whatever their number, the names
    read from the repository's ref files (``inc.gitrefs``); when those are not plainly readable,
    or git refuses them, ``for-each-ref`` lists the tips first (two subprocesses).
    """
    from inc import gitrefs

    names = gitrefs.branch_names(str(increments_dir))
    if names:
        try:
            return _numbers(tree_entry_names(increments_dir, set(names)))
        except GitError:
            pass  # git's own listing decides (and names what is wrong)
    try:
        tips = _branch_tips(increments_dir)
    except GitError as exc:
        if "cannot run git" in exc.message:
            return None
        raise
    if tips is None:
        return None
    return _numbers(tree_entry_names(increments_dir, tips))


def _numbers(names: set[bytes]) -> set[int]:
    return {int(match.group(1)) for name in names if (match := _NUMBER_RE.match(name))}


def numbers_on_branches(repo: Repo, increments_dir: Path) -> set[int]:
    """Increment numbers in ``increments_dir`` (inside ``repo``) on every branch."""
    return branch_numbers(increments_dir) or set()


def resolve_ref(repo: Repo, ref: str) -> str:
    """The commit sha of ``ref``; an unknown ref is a user error."""
    try:
        return _text(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError as exc:
        raise UserError(f"--base {ref}: not a known git ref in {repo.working_tree_dir}") from exc


def head_commit(repo: Repo) -> str | None:
    """The sha of HEAD, or None in a repository without commits."""
    try:
        return _text(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}") or None
    except GitError:  # exit 1: HEAD names no commit yet
        return None


def is_ancestor(repo: Repo, commit: str, of: str = "HEAD") -> bool:
    """True when ``commit`` is an ancestor of (or equal to) ``of``.

    A commit this repository does not know is not an ancestor; any other git failure raises
    :class:`GitError`.
    """
    try:
        done = _run(repo.root, ["merge-base", "--is-ancestor", commit, of], ok=(0, 1))
    except GitError as exc:
        if any(marker in exc.stderr.lower() for marker in _NOT_A_COMMIT):
            return False
        raise
    return done.returncode == 0


def commits_touching_since(repo: Repo, since: str, paths: list[str]) -> list[str]:
    """Commits after ``since`` (exclusive) up to HEAD that changed any of ``paths``, newest first.

    A git failure raises :class:`GitError`: it is never read as "nothing changed".
    """
    if not paths:
        return []
    return _text(repo, "rev-list", f"{since}..HEAD", "--", *paths).split()


def repo_root(repo: Repo) -> Path:
    """The working tree's top folder."""
    return repo.root


def changed_paths_under(repo: Repo, base: str, pathspec: str) -> list[str]:
    """Paths under ``pathspec`` (repo-relative) changed in the commits since the merge base of
    ``base`` and HEAD, plus staged changes (what a commit or a PR would contain).

    One diff of the index against the merge base covers both. It never scans the working tree,
    so its cost follows what changed rather than the size of the repository (``inc gate
    --changed`` on 1,000 increments). One git call (``diff --merge-base``); when that fails (an
    unknown ref, several or no merge bases, a git older than 2.30) the merge base is asked for
    on its own, which names the problem or finds the first merge base as before.
    """
    diff = ["diff", "--cached", "--name-only", "--no-renames"]
    try:
        out = _text(repo, *diff, "--merge-base", f"{base}^{{commit}}", "--", pathspec)
    except GitError:
        out = _text(repo, *diff, _merge_base(repo, base), "--", pathspec)
    return sorted(set(out.splitlines()) - {""})


def _merge_base(repo: Repo, base: str) -> str:
    """The merge base of ``base`` and HEAD; an unknown ref, unrelated histories or no commit yet
    are user errors."""
    try:
        return _text(repo, "merge-base", f"{base}^{{commit}}", "HEAD")
    except GitError as exc:
        resolve_ref(repo, base)  # raises "not a known git ref" when that is the problem
        raise UserError(
            f"--base {base}: no common ancestor with HEAD in {repo.working_tree_dir} (unrelated "
            "histories, a shallow clone or no commit yet); fetch the full history "
            "(actions/checkout with fetch-depth: 0) or give another --base"
        ) from exc


def is_tracked(repo: Repo, path: Path) -> bool:
    """True when git tracks ``path`` in ``repo`` (committed or staged); False outside the repo."""
    done = _run(repo.root, ["ls-files", "--error-unmatch", "--", str(path)], ok=(0, 1, 128))
    return done.returncode == 0


def files_changed_since(repo: Repo, since: str, paths: list[str]) -> list[str]:
    """Repo-relative files among ``paths`` that differ between ``since`` and HEAD, sorted."""
    if not paths:
        return []
    out = _text(repo, "diff", "--name-only", "--no-renames", since, "HEAD", "--", *paths)
    return sorted(set(out.splitlines()) - {""})


def commit_time(repo: Repo, commit: str) -> dt.datetime | None:
    """When ``commit`` was committed (its committer date), or None for a commit git does not know."""
    try:
        text = _text(repo, "show", "-s", "--format=%cI", f"{commit}^{{commit}}")
    except GitError:
        return None
    return dt.datetime.fromisoformat(text.strip()) if text.strip() else None
