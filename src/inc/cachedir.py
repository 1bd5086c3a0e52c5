"""The workspace's local cache folder ``.inc-cache/``: git-ignored, atomic, never trusted over content.

What goes in it is derived data keyed by digests of the content it was derived from (a cache
entry is used only when the files hash as they did); losing it costs time, never a result.

- **git-ignored by itself**: the folder holds a ``.gitignore`` with ``*`` (as pytest's and
  ruff's caches do), so nothing in it is committed and the repository's .gitignore is untouched.
- **bound to this folder**: each file records the device and inode of the cache folder it was
  written in. A cache file committed into a repository anyway (``git add -f``) and checked out
  elsewhere names another folder and is ignored, so a pull request cannot plant entries.
- **atomic**: written through a temp file and a rename; a damaged file reads as no cache.
- **optional**: any problem reading or writing it (read-only checkout, a symlink leading
  outside the workspace, a full disk) is ignored and the command computes from the files.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False  # typing's flag without importing typing (``inc list`` imports this)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

CACHE_DIR = ".inc-cache"
_FORMAT = 1


def _binding(folder: Path) -> list[int]:
    stat = folder.stat()
    return [stat.st_dev, stat.st_ino]


def read(root: Path, name: str) -> dict[str, Any] | None:
    """The cache file ``name`` of the workspace at ``root``, or None (missing, foreign, damaged)."""
    folder = root / CACHE_DIR
    try:
        if folder.is_symlink():
            return None
        data = json.loads((folder / name).read_bytes())
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return None
        if data.get("bound_to") != _binding(folder):
            return None
    except (OSError, ValueError):
        return None
    payload = data.get("payload")
    return payload if isinstance(payload, dict) else None


def write(root: Path, name: str, payload: dict[str, Any]) -> bool:
    """Store ``payload`` as the cache file ``name``; False when the cache cannot be written."""
    from inc.fsutil import atomic_write_bytes

    folder = root / CACHE_DIR
    try:
        if folder.is_symlink():
            return False
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.is_file():
            atomic_write_bytes(ignore, b"# inc's local cache: never committed\n*\n", fsync=False)
        data = {"format": _FORMAT, "bound_to": _binding(folder), "payload": payload}
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        atomic_write_bytes(folder / name, text.encode("utf-8"), fsync=False)
    except OSError:
        return False
    return True


def code_stamp() -> list[Any]:
    """What identifies the running inc code: its version and each module's size and mtime.

    Cached results derived by inc's code are keyed by this as well, so an upgrade or an edited
    checkout never reuses what older code computed.
    """
    import inc

    files: list[list[Any]] = []
    folders = [(os.path.dirname(inc.__file__), "")]
    while folders:  # os.scandir: one listing per folder, no path joins per file
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        folders.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.name.endswith((".py", ".json", ".j2")):
                    stat = entry.stat()
                    files.append([prefix + entry.name, stat.st_size, stat.st_mtime_ns])
    return [getattr(inc, "__version__", ""), sorted(files)]
