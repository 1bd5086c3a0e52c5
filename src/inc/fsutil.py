"""Atomic file writes and workspace path safety."""

from __future__ import annotations

import os
import time

from inc.errors import UserError

TYPE_CHECKING = False  # typing's flag without importing typing (every command imports this)
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any, TypeVar

    T = TypeVar("T")

_TEMP_ATTEMPTS = 100


def atomic_write_bytes(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and a rename.

    A reader sees the old file or the new one, never half of one. The file gets the mode the
    umask gives (0644 under 022), as ``open()`` would. ``fsync=False`` skips the flush to
    disk, for files regenerated at will (living docs, the HTML site: ~3 ms a file).
    """
    guard_write(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _new_temp_file(path.parent, f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def make_temp_dir(parent: Path, prefix: str) -> Path:
    """A new, uniquely named folder in ``parent`` with the mode the umask gives (0755 under 022).

    ``tempfile.mkdtemp`` always makes 0700 folders, which other users (a web server, a docs
    bot) cannot read once the folder is renamed into place.
    """
    return _unique(parent, prefix, "", _new_dir)


def _new_dir(folder: Path) -> Path:
    folder.mkdir(0o777)
    return folder


def _new_temp_file(folder: Path, prefix: str) -> tuple[int, Path]:
    """Create and open a new, uniquely named file; mode 0666 less the umask (mkstemp's is 0600)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    return _unique(folder, prefix, ".tmp", lambda tmp: (os.open(tmp, flags, 0o666), tmp))


def _unique(parent: Path, prefix: str, suffix: str, create: Callable[[Path], T]) -> T:
    """``create(path)`` on the first random name in ``parent`` that does not exist yet."""
    for _ in range(_TEMP_ATTEMPTS):
        try:
            return create(parent / f"{prefix}{os.urandom(6).hex()}{suffix}")
        except FileExistsError:
            continue
    raise FileExistsError(f"{parent}: no free temporary name starting {prefix!r}")


def atomic_write_text(path: Path, text: str) -> None:
    """Atomically write UTF-8 text with LF line endings."""
    atomic_write_bytes(path, text.encode("utf-8"))


def same_bytes(path: Path, data: bytes) -> bool:
    """True when ``path`` is a file holding exactly ``data`` (False when it is missing)."""
    try:
        return path.read_bytes() == data
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return False


def canonical_json(data: Any) -> str:
    """Sorted-key, compact JSON used for hashing."""
    import json

    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def pretty_json(data: Any) -> str:
    """Sorted-key, indented JSON with a trailing newline, for committed files."""
    import json

    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"


def ensure_inside(root: Path, path: Path) -> Path:
    """Resolve ``path`` and refuse it when it (or a symlink on the way) leads outside ``root``.

    Inside ``root/.git`` is refused too: inc never writes into git's own folder.
    """
    resolved_root = root.resolve()
    resolved = path.resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise UserError(f"{path}: refusing to write outside the workspace {root}")
    git_dir = resolved_root / ".git"
    if resolved == git_dir or git_dir in resolved.parents:
        raise UserError(f"{path}: refusing to write inside {git_dir}")
    return resolved


def _workspace_root() -> Path | None:
    from inc import limits

    root: Path | None = limits._STATE["root"]
    return root


def guard_write(path: Path) -> None:
    """Refuse a write or delete of ``path`` when it is nominally inside the loaded workspace but
    its folder resolves outside it (a symlink on the way) or into ``.git``.

    Paths outside the workspace by name (``--html /tmp/site``, the CI step summary) are the
    user's explicit choice and are not checked here.
    """
    root = _workspace_root()
    if root is None:
        return
    real_root = str(root)
    nominal = os.path.abspath(path)
    real_parent = os.path.realpath(os.path.dirname(nominal))
    named_inside = _under(nominal, real_root) or _under(nominal, os.path.abspath(root))
    if not named_inside and not _under(real_parent + os.sep, real_root):
        return
    if not _under(real_parent + os.sep, real_root):
        raise UserError(f"{path}: refusing to write outside the workspace {root}")
    git_dir = os.path.join(real_root, ".git")
    final = os.path.join(real_parent, os.path.basename(nominal))
    if final in (real_root, git_dir) or _under(final, git_dir):
        raise UserError(f"{path}: refusing to write inside {git_dir}")


def _under(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def safe_unlink(path: Path, root: Path) -> bool:
    """Delete the file ``path`` only when it, resolved, is inside ``root`` and outside ``.git``.

    The file itself must be a regular file, not a symlink (a symlink is removed, never followed).
    Returns False (nothing deleted) when the path leads outside.
    """
    try:
        folder = ensure_inside(root, path.parent)
    except UserError:
        return False
    target = folder / path.name
    if not target.is_symlink() and not target.is_file():
        return False
    target.unlink()
    return True


OWNER_FILE = "owner"
LEFTOVER_SECONDS = 300


def mark_owner(folder: Path) -> None:
    """Record this process (host and pid) as the owner of a claim folder."""
    (folder / OWNER_FILE).write_text(f"{_hostname()} {os.getpid()}\n", encoding="ascii")


def _hostname() -> str:
    """``socket.gethostname()``, read from ``uname`` where there is one (importing socket costs
    ~3 ms of every ``inc new``; both ask the kernel for the same node name)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


def owner_gone(folder: Path) -> bool:
    """True when the process recorded by ``mark_owner`` ran on this host and no longer exists.

    A claim without an owner file yet (the owner is between mkdir and writing it) is kept.
    """
    try:
        host, pid = (folder / OWNER_FILE).read_text(encoding="ascii").split()
        number = int(pid)
    except (OSError, ValueError):
        return False
    if host != _hostname():
        return False
    try:
        os.kill(number, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def sweep_temp_files(folder: Path, older_than: float = LEFTOVER_SECONDS) -> list[Path]:
    """Remove ``.*.tmp`` files an atomic write left in ``folder`` (recursively) when killed.

    Only files older than ``older_than`` seconds go: a younger one may be another process's
    write in progress. Returns what was removed.
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    now = time.time()
    for path in folder.rglob(".*.tmp"):
        try:
            if path.is_file() and not path.is_symlink() and now - path.stat().st_mtime > older_than:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue
    return removed
