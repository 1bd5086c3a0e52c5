"""Checked increment.yaml data remembered by content hash, for ``inc list`` and ``inc show``.

Parsing YAML is most of what ``inc list`` does per increment. This cache maps an increment
folder to the sha256 of its increment.yaml bytes and the data those bytes gave once they passed
the fast structural check (``inc.fastcheck``). A file is always read; its data comes from the
cache only when its bytes hash as remembered, so an edit (or a file changed behind inc's back
with the same size and time) is parsed and checked again. Only data that passed the check is
stored, and only under the code stamp of the inc that checked it. The file lives in the
workspace's ``.inc-cache/`` (``inc.cachedir``: git-ignored, bound to its folder, atomic).
The gate does not use it: it validates every file with the models. ``inc list`` also keeps
each tasks.md's task counts here, keyed the same way by the sha256 of its text.
"""

from __future__ import annotations

from inc import cachedir
from inc.sha import sha256

TYPE_CHECKING = False  # typing's flag without importing typing (``inc list`` imports this)
if TYPE_CHECKING:
    from typing import Any

CACHE_FILE = "meta.json"


def _encode(value: Any) -> Any:
    import datetime as dt

    if type(value) is dt.date:
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    return value


_PLAIN = (str, int, float, bool, type(None))


def _decode(value: Any) -> Any:
    kind = type(value)  # JSON gives exactly dict, list, str, int, float, bool or None
    if kind is dict:
        if len(value) == 1 and "$date" in value:
            try:  # datetime's C half: the class ``datetime.date`` is, without datetime.py (~1 ms)
                from _datetime import date
            except ImportError:  # pragma: no cover - an interpreter without the C module
                from datetime import date

            return date.fromisoformat(value["$date"])
        return {key: item if type(item) in _PLAIN else _decode(item) for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _PLAIN else _decode(item) for item in value]
    return value


MAX_BYTES = 1 << 20  # larger files are not cached (and are for the YAML reader to refuse)


def digest(data: bytes) -> str:
    """The key of a file's content."""
    return sha256(data).hexdigest()


def file_digest(path: Any) -> str | None:
    """The key of a regular file's content, or None (missing, special, too large, unreadable, or
    a symlink: that is read through ``inc.limits`` every time, which refuses one leading outside
    the workspace; a cached answer would skip that check).

    Read with plain ``os.read`` calls sized by the file (``handle.read(MAX_BYTES + 1)`` allocated
    a megabyte per file: half of what ``inc list`` spent per increment).
    """
    import os
    import stat

    from inc.limits import READ_FLAGS, read_fd

    try:
        fd = os.open(path, READ_FLAGS | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        data = read_fd(fd, info.st_size, MAX_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    return digest(data) if len(data) <= MAX_BYTES else None


class MetaCache:
    """The remembered data of one workspace's increment.yaml files (loaded once per command)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.stamp = sha256(repr(cachedir.code_stamp()).encode()).hexdigest()
        payload = cachedir.read(root, CACHE_FILE) or {}
        entries = payload.get("entries") if payload.get("stamp") == self.stamp else None
        self.entries: dict[str, Any] = entries if isinstance(entries, dict) else {}
        tasks = payload.get("tasks") if entries is not None else None
        self.tasks: dict[str, Any] = tasks if isinstance(tasks, dict) else {}
        self.changed = False
        self.seen: set[str] = set()

    def get(self, name: str, content_digest: str) -> dict[str, Any] | None:
        """The checked data of folder ``name`` when its increment.yaml hashes as remembered."""
        self.seen.add(name)
        entry = self.entries.get(name)
        if not isinstance(entry, list) or len(entry) != 2 or entry[0] != content_digest:
            return None
        try:
            data = _decode(entry[1])
        except (TypeError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, name: str, content_digest: str, data: dict[str, Any]) -> None:
        """Remember the checked ``data`` of folder ``name``."""
        self.entries[name] = [content_digest, _encode(data)]
        self.changed = True

    def task_counts(self, name: str, content_digest: str) -> tuple[int, int] | None:
        """(ticked, all) checklist items of folder ``name``'s tasks.md when it hashes as remembered."""
        entry = self.tasks.get(name)
        if not isinstance(entry, list) or len(entry) != 3 or entry[0] != content_digest:
            return None
        done, total = entry[1], entry[2]
        if type(done) is not int or type(total) is not int or not 0 <= done <= total:
            return None
        return done, total

    def put_task_counts(self, name: str, content_digest: str, counts: tuple[int, int]) -> None:
        """Remember the task counts of folder ``name``'s tasks.md."""
        self.tasks[name] = [content_digest, *counts]
        self.changed = True

    def save(self, prune: bool = False) -> None:
        """Write the cache when something new was remembered (best effort); ``prune`` forgets the
        folders not asked about (after reading every increment)."""
        if prune and (set(self.entries) | set(self.tasks)) - self.seen:
            self.entries = {name: entry for name, entry in self.entries.items() if name in self.seen}
            self.tasks = {name: entry for name, entry in self.tasks.items() if name in self.seen}
            self.changed = True
        if self.changed:
            payload = {"stamp": self.stamp, "entries": self.entries, "tasks": self.tasks}
            cachedir.write(self.root, CACHE_FILE, payload)
            self.changed = False
