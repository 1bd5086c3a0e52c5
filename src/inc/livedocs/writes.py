"""Write many generated files (living-docs pages, the HTML site): atomic per file, one check per folder.

Each file is written under a new temporary name in its own folder, then renamed over the target,
as ``inc.fsutil.atomic_write_bytes`` does: a rename within one folder replaces the target in one
step, so a reader (a reviewer's editor, ``git add``, a web server) sees the old file or the new
one, never half of one. No fsync, as before: these files are regenerated from the increments at
will, so a page a power cut damages is one that ``inc docs --check`` reports and ``inc docs``
writes again, and flushing 2,000 pages to disk would cost seconds. A build killed between the
write and the rename leaves a ``.<name>.<random>.tmp`` file, which ``fsutil.sweep_temp_files``
removes on a later build.

What differs from calling ``atomic_write_bytes`` per file is the bookkeeping: a folder is checked
once (it must resolve inside ``root`` and outside ``.git``), opened, and every file operation in it
is relative to that open folder (``dir_fd``). A symlink swapped in for the folder after the check
cannot redirect a write, and no path is resolved again per file (that was a third of the time of
writing 2,000 pages).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

from inc.fsutil import atomic_write_bytes, ensure_inside

_TEMP_ATTEMPTS = 100
_NO_LINKS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_LINKS
_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NO_LINKS


def write_files(root: Path, files: Iterable[tuple[Path, bytes]]) -> None:
    """Write each ``(path, data)`` atomically; every folder must resolve inside ``root``.

    Missing folders are created (mode from the umask). A folder leading outside ``root`` or into
    ``.git`` raises ``UserError`` before anything is written in it.
    """
    by_folder: dict[Path, list[tuple[str, bytes]]] = {}
    for path, data in files:
        by_folder.setdefault(path.parent, []).append((path.name, data))
    if not _dir_fd_supported():
        for folder, entries in by_folder.items():
            ensure_inside(root, folder)
            for name, data in entries:
                atomic_write_bytes(folder / name, data, fsync=False)
        return
    for folder, entries in by_folder.items():
        resolved = ensure_inside(root, folder)
        resolved.mkdir(parents=True, exist_ok=True)
        handle = os.open(resolved, _FOLDER)
        try:
            for name, data in entries:
                _replace(handle, name, data)
        finally:
            os.close(handle)


def _dir_fd_supported() -> bool:
    return {os.open, os.rename, os.unlink} <= os.supports_dir_fd


def _replace(folder: int, name: str, data: bytes) -> None:
    """Write ``data`` to a new temporary file in the open ``folder``, then rename it to ``name``."""
    if not name or "/" in name or name in (".", ".."):
        raise ValueError(f"not a file name: {name!r}")
    tmp, handle = _new_temp(folder, name)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
        os.rename(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=folder)
        raise


def _new_temp(folder: int, name: str) -> tuple[str, int]:
    """A new file ``.<name>.<random>.tmp`` in ``folder`` (mode 0666 less the umask), opened."""
    for _ in range(_TEMP_ATTEMPTS):
        tmp = f".{name}.{os.urandom(6).hex()}.tmp"
        try:
            return tmp, os.open(tmp, _CREATE, 0o666, dir_fd=folder)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name for {name!r}")
