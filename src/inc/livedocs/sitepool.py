"""Render the site's pages on every core: markdown to HTML is pure Python and dominates ``docs --html``.

The workers are forks of this process started before the living docs are built: the increments'
own spec/plan/tasks pages go to them at once and are rendered while this process collects the
increments, runs the gate's checks and writes the docs' markdown; those pages follow as soon as
they exist. Pages travel in small chunks, each returning its pages' bytes and the evidence files
they linked; results are merged in the order the chunks were given, so the site is byte-identical
to a serial build. Small sites, one core, a platform without ``fork``, or a process running other
threads (inc used as a library) render serially, in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from types import TracebackType
from typing import Any

MIN_PAGES = 400  # below this, starting workers costs more than it saves
CHUNK = 150  # pages per task: small enough to keep every worker busy to the end

Chunk = list[tuple[str, str]]
Render = Callable[[Chunk], dict[str, bytes]]
_JOB: dict[str, Any] = {}


def _workers(pages: int) -> int:
    import threading

    if pages < MIN_PAGES or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:  # forking a threaded process (a host application) is unsafe
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8, pages // (MIN_PAGES // 2)))


def _run_chunk(chunk: Chunk) -> tuple[dict[str, bytes], dict[str, str]]:
    render, assets = _JOB["render"], _JOB["assets"]
    assets.clear()
    files = render(chunk)
    return files, dict(assets)


class SitePool:
    """``render`` over the chunks given to :meth:`submit`, on forked workers when worth it.

    ``assets`` is the dict ``render`` fills as a side effect; the workers' entries are merged in
    by :meth:`results`. Use as a context manager: the workers stop when the block ends, also on
    an error (a broken increment.yaml found while the workers render).
    """

    def __init__(self, render: Render, assets: dict[str, str], pages: int) -> None:
        self.render = render
        self.assets = assets
        self.workers = _workers(pages)
        self.serial: dict[str, bytes] = {}
        self.pending: list[Any] = []
        self.pool: Any = None
        if self.workers > 1:
            _JOB.update(render=render, assets=assets)  # inherited by the forks, never pickled
            self.pool = multiprocessing.get_context("fork").Pool(self.workers)

    def __enter__(self) -> SitePool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.pool is not None:
            if kind is None:
                self.pool.close()
            else:
                self.pool.terminate()
            self.pool.join()
            self.pool = None
        _JOB.clear()

    def submit(self, items: Chunk) -> None:
        """Queue ``items`` for rendering (serially: render them now)."""
        if self.pool is None:
            self.serial.update(self.render(items))
            return
        size = max(1, min(CHUNK, -(-len(items) // self.workers)))
        for start in range(0, len(items), size):
            self.pending.append(self.pool.apply_async(_run_chunk, (items[start : start + size],)))

    def results(self) -> dict[str, bytes]:
        """Every page submitted: page -> bytes, merged in submission order."""
        files = dict(self.serial)
        for job in self.pending:
            chunk_files, chunk_assets = job.get()
            files.update(chunk_files)
            self.assets.update(chunk_assets)
        self.pending = []
        return files
