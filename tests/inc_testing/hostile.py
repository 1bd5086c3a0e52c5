"""Helpers of the hostile-input suite: every probe runs the real ``inc`` CLI in a subprocess under a time cap and
an address-space cap, measures its own peak RSS (``os.wait4``), and checks that nothing outside
the workspace changed (a sibling folder's tree is snapshotted before and after).

The budgets the issue sets are 10 s and 300 MB for the gate; the tests allow 5x the time (the
machine is shared) and the memory as is (memory does not depend on load).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from inc.scaffold import new_increment
from inc_testing import git

TIME_CAP_S = 50.0  # 5x the 10 s budget
MEMORY_CAP = 1 << 30  # RLIMIT_AS of every probe: 1 GB
RSS_BUDGET_MB = 300.0
INC = shutil.which("inc") or str(Path(os.sys.executable).parent / "inc")


@dataclass
class Probe:
    """What one capped ``inc`` run did."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float

    @property
    def output(self) -> str:
        """stdout and stderr together."""
        return self.stdout + self.stderr

    def assert_named_failure(self, *needles: str, codes: tuple[int, ...] = (1, 2)) -> None:
        """Exit 1 or 2 (never 3, never a hang), within budget, mentioning every needle."""
        assert self.returncode in codes, f"exit {self.returncode} for {self.args}:\n{self.output[-3000:]}"
        assert "Traceback" not in self.output, self.output[-3000:]
        for needle in needles:
            assert needle in self.output, f"{needle!r} not in:\n{self.output[-3000:]}"
        self.assert_within_budget()

    def assert_within_budget(self) -> None:
        """Under the time cap and the memory budget."""
        assert self.seconds < TIME_CAP_S, f"{self.args}: {self.seconds:.1f} s"
        assert self.peak_rss_mb < RSS_BUDGET_MB, f"{self.args}: peak RSS {self.peak_rss_mb:.0f} MB"


# The probe is a grandchild forked by a small wrapper: ru_maxrss survives fork and exec, so a
# child forked straight from the (large) test process would report the test's own size.
_CAPPED_EXEC = (
    "import os, resource, sys; cap = int(sys.argv[1]); "
    "resource.setrlimit(resource.RLIMIT_AS, (cap, cap)); pid = os.fork()\n"
    "if pid == 0: os.execv(sys.argv[3], sys.argv[3:])\n"
    "_, status, usage = os.wait4(pid, 0); open(sys.argv[2], 'w').write(str(usage.ru_maxrss)); "
    "sys.exit(os.waitstatus_to_exitcode(status) % 256)"
)


def run_capped(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Probe:
    """Run ``inc *args`` in ``cwd`` under the caps; returns what happened (killed at the time cap)."""
    full_env = {**os.environ, **(env or {})}
    out_path, err_path = cwd.parent / ".probe.out", cwd.parent / ".probe.err"
    rss_path = cwd.parent / ".probe.rss"
    start = time.monotonic()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        # No preexec_fn: with one, subprocess forks the (large) test process, and Linux keeps the
        # pre-exec peak in ru_maxrss. A tiny exec wrapper sets the cap instead (spawned by vfork).
        proc = subprocess.Popen(
            [sys.executable, "-c", _CAPPED_EXEC, str(MEMORY_CAP), str(rss_path), INC, *args],
            cwd=cwd,
            env=full_env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
        timer = threading.Timer(TIME_CAP_S + 10, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    probe = Probe(
        args,
        proc.returncode,
        out_path.read_text(errors="replace"),
        err_path.read_text(errors="replace"),
        seconds,
        int(rss_path.read_text() or 0) / 1024 if rss_path.exists() else usage.ru_maxrss / 1024,
    )
    out_path.unlink()
    err_path.unlink()
    return probe


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 (or 'dir'/'link:<target>') of everything under ``folder``."""
    found: dict[str, str] = {}
    for current, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = Path(current) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[rel] = f"link:{os.readlink(path)}"
            elif path.is_dir():
                found[rel] = "dir"
            else:
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@dataclass
class Hostile:
    """A committed workspace with one increment, and a sibling folder that must stay untouched."""

    root: Path
    outside: Path
    inc: Path
    before: dict[str, str]

    def run(self, *args: str, env: dict[str, str] | None = None) -> Probe:
        """``inc *args`` in the workspace, capped."""
        return run_capped(list(args), self.root, env)

    def new(self, name: str) -> Path:
        """Another increment folder."""
        from inc.workspace import Workspace

        return new_increment(Workspace.discover(self.root), name).increment.path

    def mark_done(self, inc: Path | None = None) -> None:
        """Set ``status: done`` (every check blocks, as on a pull request closing it)."""
        meta = (inc or self.inc) / "increment.yaml"
        meta.write_text(meta.read_text().replace("status: planned", "status: done"))

    def commit(self, message: str = "change") -> None:
        """Stage everything and commit."""
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--allow-empty", "-m", message)

    def assert_outside_untouched(self) -> None:
        """No file of the sibling folder changed, appeared or disappeared."""
        assert tree_digest(self.outside) == self.before
