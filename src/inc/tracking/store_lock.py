"""Serialise the first use of an embedded (SQLite) MLflow store across processes.

MLflow creates and migrates the store's schema the first time a process opens it. Four
trainings started at once on a fresh workspace would run that migration four times in parallel
(alembic errors, and a store left half-migrated for every later run). The first open therefore
happens under an exclusive ``flock`` on the database file itself: SQLite locks with POSIX
``fcntl`` record locks, which are independent of ``flock``, and an empty file is a valid empty
SQLite database, so no extra lock file is left in the workspace.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def sqlite_path(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI (None for a server or another database)."""
    if not uri.startswith("sqlite:///"):
        return None
    raw = uri[len("sqlite:///") :].split("?", 1)[0]
    if not raw or raw == ":memory:":
        return None
    return Path(raw)


@contextmanager
def first_open_lock(uri: str) -> Iterator[None]:
    """Hold an exclusive lock on the SQLite file of ``uri`` (nothing for other stores)."""
    path = sqlite_path(uri)
    try:
        import fcntl
    except ImportError:  # Windows: no flock; MLflow's own retries are all there is
        path = None
    if path is None or not path.parent.is_dir():
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
