"""git processes started without importing ``subprocess``: ``posix_spawn`` and a poll loop.

Importing ``subprocess`` (with ``selectors``, ``threading``, ``signal`` and ``locale``) costs about
5 ms, more than the git command ``inc new`` runs. :func:`run_git` behaves as
``subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True)``; where there is no
``posix_spawn`` it is exactly that.
"""

from __future__ import annotations

import os
from pathlib import Path

TYPE_CHECKING = False  # typing's flag without importing typing (``inc new`` imports this)
if TYPE_CHECKING:
    from typing import Any


def run_git(cwd: Path, args: list[str], stdin: bytes | None = None) -> Done:
    """Run ``git args`` in ``cwd`` to its end; OSError when git cannot be started there."""
    return _spawn(cwd, args, stdin) if hasattr(os, "posix_spawnp") else _subprocess(cwd, args, stdin)


class Done:
    """What a finished git command returned (the fields of ``subprocess.CompletedProcess`` used here)."""

    def __init__(self, returncode: int, stdout: bytes, stderr: bytes) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


def _subprocess(cwd: Path, args: list[str], stdin: bytes | None) -> Done:
    import subprocess

    done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    return Done(done.returncode, done.stdout, done.stderr)


def _spawn(cwd: Path, args: list[str], stdin: bytes | None) -> Done:
    """``subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True)`` through
    ``posix_spawn`` and a poll loop: importing subprocess (with selectors, threading, signal and
    locale) costs ~5 ms, more than the git command. ``git -C cwd`` stands for ``cwd=``; stdin
    is inherited when ``stdin`` is None, as subprocess does."""
    import select

    if not os.path.isdir(cwd):
        raise FileNotFoundError(2, "No such file or directory", str(cwd))  # as subprocess's cwd=
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    in_r, in_w = os.pipe() if stdin is not None else (-1, -1)
    actions: list[tuple[Any, ...]] = [(os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)]
    if stdin is not None:
        actions.append((os.POSIX_SPAWN_DUP2, in_r, 0))
    try:
        pid = os.posix_spawnp("git", ["git", "-C", str(cwd), *args], os.environ, file_actions=actions)
    except BaseException:
        for fd in (out_r, err_r, in_w):
            if fd >= 0:
                os.close(fd)
        raise
    finally:
        for fd in (out_w, err_w, in_r):
            if fd >= 0:
                os.close(fd)
    try:
        stdout, stderr = _exchange(select, out_r, err_r, in_w, stdin or b"")
    except BaseException:
        os.kill(pid, 9)  # SIGKILL, as subprocess.run kills its child when interrupted
        os.waitpid(pid, 0)
        raise
    return Done(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), stdout, stderr)


def _exchange(select: Any, out_r: int, err_r: int, in_w: int, data: bytes) -> tuple[bytes, bytes]:
    """Write ``data`` to ``in_w`` (when >= 0) while reading ``out_r`` and ``err_r`` to their end;
    every descriptor is closed on return."""
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    poller = select.poll()
    for fd in chunks:
        poller.register(fd, select.POLLIN)
    view = memoryview(data)
    if in_w >= 0:
        poller.register(in_w, select.POLLOUT)
    open_fds = {out_r, err_r} | ({in_w} if in_w >= 0 else set())
    step = getattr(select, "PIPE_BUF", 512)  # a write this size never blocks once POLLOUT says so
    try:
        while open_fds:
            for fd, event in poller.poll():
                if fd == in_w:
                    try:
                        stopped = event & (select.POLLERR | select.POLLHUP)
                        view = view[:0] if stopped else view[os.write(in_w, view[:step]) :]
                    except BrokenPipeError:  # git stopped reading: it says why on stderr
                        view = view[:0]
                    if not view:
                        poller.unregister(in_w)
                        os.close(in_w)
                        open_fds.discard(in_w)
                    continue
                chunk = os.read(fd, 65536)
                if chunk:
                    chunks[fd].append(chunk)
                else:
                    poller.unregister(fd)
                    os.close(fd)
                    open_fds.discard(fd)
    finally:
        for fd in open_fds:
            os.close(fd)
    return b"".join(chunks[out_r]), b"".join(chunks[err_r])
