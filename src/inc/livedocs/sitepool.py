"""Render the site's pages on every core: markdown to HTML is pure Python and dominates ``docs --html``.

The pages are split into one chunk per worker; each worker is a fork of this process (it
inherits the parsed workspace, nothing is re-read) and returns its pages' bytes and the
evidence files they linked. The result is merged in page order, so the site is byte-identical
to a serial build. Small sites, one core, a platform without ``fork``, or a process running
other threads (inc used as a library) render serially.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

MIN_PAGES = 400  # below this, starting workers costs more than it saves

Chunk = list[tuple[str, str]]
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


def _run_chunk(index: int) -> tuple[dict[str, bytes], dict[str, str]]:
    render, assets, chunks = _JOB["render"], _JOB["assets"], _JOB["chunks"]
    assets.clear()
    files = render(chunks[index])
    return files, dict(assets)


def render_all(
    items: Chunk, render: Callable[[Chunk], dict[str, bytes]], assets: dict[str, str]
) -> dict[str, bytes]:
    """``render`` over ``items`` (in chunks, in parallel when worth it), merged in order.

    ``assets`` is the dict ``render`` fills as a side effect; the workers' entries are merged in.
    """
    workers = _workers(len(items))
    if workers == 1:
        return render(items)
    size = -(-len(items) // workers)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    _JOB.update(render=render, assets=assets, chunks=chunks)
    try:
        with multiprocessing.get_context("fork").Pool(len(chunks)) as pool:
            results = pool.map(_run_chunk, range(len(chunks)))
    finally:
        _JOB.clear()
    files: dict[str, bytes] = {}
    for chunk_files, chunk_assets in results:
        files.update(chunk_files)
        assets.update(chunk_assets)
    return files
