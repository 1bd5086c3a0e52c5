"""Provenance of a run, captured when it starts: the commit, whether the tree was dirty, and a
digest of the training code (DESIGN.md section 0, "Provenance and binding").

The training code is the entry script (when it lies inside the workspace), the code files in the
increment folder and the paths listed under ``code:`` in increment.yaml. The gate recomputes the
same digest from the files now (``code_changes``) without running anything. Git is reached with
plain ``git`` subprocesses; outside a repository the commit is None and nothing is dirty.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from inc.evidence_io import sha256_file
from inc.sha import sha256

if TYPE_CHECKING:
    from inc.evidence import CodeDigest
    from inc.increment import Increment

CODE_SUFFIXES = (".py", ".ipynb", ".sql", ".r", ".R", ".scala", ".sh", ".toml", ".cfg")
MAX_CODE_FILES = 2000
MAX_DIRTY_SHOWN = 20


class Provenance(NamedTuple):
    """Where a run's code came from."""

    commit: str | None
    dirty: bool | None
    dirty_files: list[str]
    code: CodeDigest | None = None

    def warning(self) -> str | None:
        """The warning shown at run start when the run cannot be tied to a commit, else None."""
        if self.commit is None:
            return (
                "this run is not inside a git repository: its code cannot be tied to a commit, "
                "and 'inc gate --strict' / 'inc done' will fail on it; train from a git checkout"
            )
        if self.dirty:
            shown = ", ".join(self.dirty_files[:5]) + (" ..." if len(self.dirty_files) > 5 else "")
            return (
                f"training from uncommitted changes ({shown}): 'inc gate --strict' and 'inc done' "
                "will fail on this run; commit first ('git add -A && git commit'), then rerun"
            )
        return None


def _git(root: Path, *args: str) -> str | None:
    import subprocess  # the tracking side only: the gate imports this module for code_changes

    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def entry_script() -> Path | None:
    """The script the Python process was started with (None in a REPL or under ``python -c``)."""
    main = sys.modules.get("__main__")
    name = getattr(main, "__file__", None)
    if not name:
        return None
    path = Path(name)
    return path.resolve() if path.is_file() else None


def code_files(ws_root: Path, inc: Increment, entry: Path | None = None) -> list[Path]:
    """The training-code files of ``inc``: entry script, code files in its folder, ``code:`` paths."""
    root = ws_root.resolve()
    found: set[Path] = set()
    if entry is not None and entry.is_relative_to(root):
        found.add(entry)
    for path in sorted(inc.path.resolve().iterdir()) if inc.path.is_dir() else []:
        if path.is_file() and path.suffix in CODE_SUFFIXES:
            found.add(path)
    for listed in inc.meta.code:
        target = (root / listed).resolve()
        if not target.is_relative_to(root):
            continue  # outside the workspace: not evidence another machine can check
        if target.is_file():
            found.add(target)
        elif target.is_dir():
            found.update(
                p
                for p in target.rglob("*")
                if p.is_file() and p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts
            )
    return sorted(found)[:MAX_CODE_FILES]


def digest_files(root: Path, files: list[Path]) -> CodeDigest:
    """One sha256 per file (keyed by its workspace-relative path) and one over the listing."""
    from inc.evidence import CodeDigest  # the tracking side: pydantic is loaded there anyway

    root = root.resolve()
    per_file = {path.relative_to(root).as_posix(): sha256_file(path) for path in files}
    total = sha256()
    for name in sorted(per_file):
        total.update(f"{name}\0{per_file[name]}\n".encode())
    return CodeDigest(sha256=total.hexdigest(), files=per_file)


def capture(ws_root: Path, inc: Increment) -> Provenance:
    """Commit, dirty flag (with the changed files) and code digest, at run start.

    Dirty means uncommitted changes to code files (``CODE_SUFFIXES``) tracked anywhere in the
    repository, or training-code files git does not track yet.
    """
    files = code_files(ws_root, inc, entry_script())
    code = digest_files(ws_root, files)
    commit = (_git(ws_root, "rev-parse", "--verify", "-q", "HEAD") or "").strip() or None
    if commit is None:
        return Provenance(None, None, [], code)
    top = Path((_git(ws_root, "rev-parse", "--show-toplevel") or str(ws_root)).strip()).resolve()
    status = _git(top, "status", "--porcelain", "--untracked-files=all", "--no-renames") or ""
    code_names = {path.relative_to(top).as_posix() for path in files if path.is_relative_to(top)}
    dirty: list[str] = []
    for line in status.splitlines():
        flag, name = line[:2], line[3:].strip().strip('"')
        # uncommitted changes to code anywhere in the repository, and untracked training code;
        # an edited README or data file does not make a run's code unknown
        if name in code_names or (flag != "??" and name.endswith(CODE_SUFFIXES)):
            dirty.append(name)
    return Provenance(commit, bool(dirty), dirty[:MAX_DIRTY_SHOWN], code)


def code_changes(ws_root: Path, inc: Increment, recorded: CodeDigest) -> list[str]:
    """Files whose content differs from ``recorded`` now: changed, missing, or new training code."""
    root = ws_root.resolve()
    changed: list[str] = []
    for name, digest in sorted(recorded.files.items()):
        path = root / name
        if not path.is_file():
            changed.append(f"{name} (missing)")
        elif sha256_file(path) != digest:
            changed.append(name)
    for path in code_files(ws_root, inc):
        name = path.relative_to(root).as_posix()
        if name not in recorded.files:
            changed.append(f"{name} (new)")
    return changed
