"""Helpers shared by the test folders (on the path through pytest's ``pythonpath = tests``)."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` with a fixed identity; returns stdout."""
    result = subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env={**os.environ, **GIT_ENV}
    )
    return result.stdout.strip()


def drop_leaked_mlflow_run() -> str | None:
    """The id of the MLflow run still active in this thread (None if none), cleared locally.

    Clears MLflow's active-run stack without a request, since the store may be gone. Does not
    import mlflow: a test process that never loaded it has no run to leak.
    """
    if "mlflow" not in sys.modules:
        return None
    from mlflow.tracking import fluent

    active = fluent.active_run()
    if active is None:
        return None
    fluent._active_run_stack.get().clear()
    fluent.MLFLOW_RUN_ID.unset()
    return str(active.info.run_id)


def wrong_modes(root: Path, mask: int) -> list[str]:
    """Every file under ``root`` (itself included) not 0666 & ~mask, every folder not 0777 & ~mask."""
    wrong = []
    for path in sorted([root, *root.rglob("*")]):
        want = (0o777 if path.is_dir() else 0o666) & ~mask
        got = stat.S_IMODE(path.stat().st_mode)
        if got != want:
            wrong.append(f"{path.relative_to(root.parent)}: {oct(got)}, expected {oct(want)}")
    return wrong


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 300) -> None:
    """Wait until ``url``/health answers 200; fail with the server's log if it exits or stalls."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-3000:]}")
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server did not come up in {timeout}s: {log.read_text()[-3000:]}")


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started with ``start_new_session=True`` and every process it spawned."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
