"""Atomic file writes and workspace path safety."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from inc.errors import UserError

_TEMP_ATTEMPTS = 100
T = TypeVar("T")


def atomic_write_bytes(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and a rename.

    A reader sees the old file or the new one, never half of one. The file gets the mode the
    umask gives (0644 under 022), as ``open()`` would. ``fsync=False`` skips the flush to
    disk, for files regenerated at will (living docs, the HTML site: ~3 ms a file).
    """
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
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def pretty_json(data: Any) -> str:
    """Sorted-key, indented JSON with a trailing newline, for committed files."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"


def ensure_inside(root: Path, path: Path) -> Path:
    """Resolve ``path`` and refuse it when it (or a symlink on the way) leads outside ``root``."""
    resolved_root = root.resolve()
    resolved = path.resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise UserError(f"{path}: refusing to write outside the workspace {root}")
    return resolved
