"""Atomic file writes and workspace path safety."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from inc.errors import UserError


def atomic_write_bytes(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and a rename.

    A reader sees the old file or the new one, never half of one. ``fsync=False`` skips the
    flush to disk, for files regenerated at will (living docs, the HTML site: ~3 ms a file).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
