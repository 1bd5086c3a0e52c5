"""A digest of everything the living docs are built from, and the cache of the last build.

The docs are deterministic: the same increments, templates and inc code give byte-identical
pages. So a build can remember, under the digest of its inputs, the sha256 of every page it
produced (``.inc-cache/docs.json``, see ``inc.cachedir``). When the inputs hash the same and
every page on disk hashes as remembered, nothing is stale and nothing needs rendering: ``inc
docs`` and ``inc docs --check`` with nothing changed read files and hash them, at a fraction of
the cost of a render (1,000 increments).

The digest reads the content of every text file of each increment (YAML, markdown, JSON, and
anything without a known binary suffix), plus the templates and the inc code's own stamp. The
other files (plots, predictions, reference data) count by name, size, modification and change
time (``st_ctime``, which no tool sets back): the readiness table is the gate's verdict, and the
gate hashes plots, predictions and reference data, so a same-size edit of one must not answer
from the cache. A file outside the increment folders that the verdict reads (monitoring's
reference data, a workspace path) is remembered by the build with the same signature and
compared before the cache is used. A symlink, a special file or an unreadable entry makes the
inputs uncacheable: the build then renders, as without a cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from inc import cachedir, limits

if TYPE_CHECKING:
    from inc.workspace import Workspace

CACHE_FILE = "docs.json"
_BINARY = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".svg",
    ".pdf",
    ".parquet",
    ".csv",
    ".pkl",
    ".joblib",
    ".skops",
    ".bin",
    ".npy",
    ".npz",
    ".zip",
    ".gz",
)


class Uncacheable(Exception):
    """The inputs hold something the digest does not read (a symlink, a device...)."""


def _add_tree(digest: Any, folder: Path, label: str) -> None:
    """Names, and contents of text files, of every regular file under ``folder``, sorted."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise Uncacheable(str(exc)) from exc
    for entry in entries:
        name = f"{label}/{entry.name}"
        if entry.is_symlink():
            raise Uncacheable(name)
        if entry.is_dir(follow_symlinks=False):
            _add_tree(digest, Path(entry.path), name)
        elif entry.is_file(follow_symlinks=False):
            digest.update(f"\0f{name}\0".encode())
            stat = entry.stat(follow_symlinks=False)
            size = stat.st_size
            if entry.name.lower().endswith(_BINARY):
                digest.update(f"{size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}".encode())
            elif size > limits.active().cap("json"):  # over every read cap: the render refuses it
                raise Uncacheable(name)
            else:
                digest.update(_sha256_file(entry.path))
        else:
            raise Uncacheable(name)


def _sha256_file(path: str) -> bytes:
    """sha256 of a file read in blocks (constant memory whatever its size)."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.digest()


def input_digest(ws: Workspace, override_dir: Path, packaged_dir: Path) -> str | None:
    """The digest of the docs' inputs, or None when they cannot be cached."""
    digest = hashlib.sha256()
    layout = [ws.relpath(ws.living_docs_dir), ws.relpath(ws.increments_dir)]
    digest.update(json.dumps([cachedir.code_stamp(), layout]).encode())
    try:
        _add_tree(digest, packaged_dir / "docs", "packaged")
        tasks_template = packaged_dir / "tasks.md.j2"  # the tasks check compares tasks.md with it
        if tasks_template.is_file():
            digest.update(_sha256_file(str(tasks_template)))
        if ws.config_path.is_file():  # its policy floors change the readiness verdict the docs show
            digest.update(_sha256_file(str(ws.config_path)))
        if override_dir.is_dir():
            _add_tree(digest, override_dir, "override")
        for folder in ws.increment_dirs():
            if folder.is_symlink():
                return None
            _add_tree(digest, folder, folder.name)
    except (Uncacheable, OSError):
        return None
    return digest.hexdigest()


def remembered_pages(ws: Workspace, digest: str | None) -> dict[str, str] | None:
    """Page -> sha256 remembered for these inputs, or None (also when a watched file changed)."""
    if digest is None:
        return None
    payload = cachedir.read(ws.root, CACHE_FILE)
    if payload is None or payload.get("digest") != digest:
        return None
    pages, watched = payload.get("pages"), payload.get("watched", {})
    if not isinstance(pages, dict) or not all(isinstance(v, str) for v in pages.values()):
        return None
    if not isinstance(watched, dict) or any(
        signature(ws.root / rel) != known for rel, known in watched.items()
    ):
        return None
    return pages


def remember_pages(
    ws: Workspace,
    digest: str | None,
    pages: dict[str, str],
    watched: dict[str, list[int] | None] | None = None,
) -> None:
    """Store the sha256 of each page built from the inputs with ``digest`` (best effort), with the
    signature of each file outside the increments the build read (``watched``, see ``signature``)."""
    if digest is None:
        return
    hashes = {rel: hashlib.sha256(text.encode("utf-8")).hexdigest() for rel, text in pages.items()}
    cachedir.write(ws.root, CACHE_FILE, {"digest": digest, "pages": hashes, "watched": watched or {}})


def signature(path: Path) -> list[int] | None:
    """Size, modification and change time of the file ``path`` leads to; None when it is not one."""
    try:
        stat = path.stat()
    except (OSError, ValueError):
        return None
    if not S_ISREG(stat.st_mode):
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]


def file_sha256(path: Path) -> str | None:
    """The sha256 of a regular file's bytes, or None when it is missing or not a regular file."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
