"""Startup cost of the core commands against a bare ``python -c pass``.

Run: .venv/bin/python bench/startup.py [--repeat N]
Prints the median wall time of each command and its ratio to the baseline
(DESIGN.md section 8: --help within 2.5x, list and show within 5x).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_seconds(cmd: list[str], cwd: Path, repeat: int) -> float:
    """Median wall time of running ``cmd`` ``repeat`` times (after one warm-up)."""
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_workspace(root: Path, count: int) -> None:
    """A git workspace with ``count`` increments."""
    from inc.scaffold import init_workspace, new_increment
    from inc.workspace import Workspace

    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    init_workspace(root)
    ws = Workspace.discover(root)
    for i in range(count):
        new_increment(ws, f"model-{i}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    inc = str(Path(sys.executable).with_name("inc"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_workspace(root, 20)
        base = median_seconds([sys.executable, "-c", "pass"], root, args.repeat)
        print(f"python -c pass            {base * 1000:7.1f} ms  1.00x")
        budgets = {"--help": 2.5, "list": 5.0, "show": 5.0}
        for label, cmd in (
            ("inc --help", [inc, "--help"]),
            ("inc list (20 increments)", [inc, "list"]),
            ("inc show 7", [inc, "show", "7"]),
        ):
            seconds = median_seconds(cmd, root, args.repeat)
            budget = budgets[cmd[1]]
            verdict = "ok" if seconds / base <= budget else "OVER"
            print(f"{label:25} {seconds * 1000:7.1f} ms  {seconds / base:4.2f}x  (budget {budget}x: {verdict})")


if __name__ == "__main__":
    main()
