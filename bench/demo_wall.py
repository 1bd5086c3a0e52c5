"""Wall time of `inc demo`, on the machine as it is and with CPU-bound processes beside it.

Run: .venv/bin/python bench/demo_wall.py [--hogs 2] [--skip-idle]
Each demo runs in a fresh temporary folder (a subprocess, as a user would start it). The
"loaded" run starts ``--hogs`` processes spinning ``while 1: pass`` for its whole length and
stops them afterwards. Prints the wall time, the demo's verdict, its load-test p95 against the
spec's target, and the load average before and after, for each run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_demo(hogs: int) -> dict[str, object]:
    """One `inc demo` with ``hogs`` CPU-bound processes running beside it."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(hogs)]
    folder = Path(tempfile.mkdtemp(prefix="inc-demo-bench-")) / "demo"
    load_before = os.getloadavg()[0]
    try:
        start = time.perf_counter()
        # the console script, from a folder outside any git checkout, as a user starts it (MLflow
        # tags a run with the commit of the repository its entry point lives in)
        done = subprocess.run(
            [str(Path(sys.executable).with_name("inc")), "demo", str(folder)],
            cwd=folder.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - start
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    reports = sorted(folder.glob("increments/*/reports/loadtest-*.json"))
    load = json.loads(reports[0].read_text()) if reports else {}
    return {
        "hogs": hogs,
        "wall_s": round(wall, 1),
        "exit": done.returncode,
        "p95_ms": load.get("p95_ms"),
        "target_p95_ms": load.get("target_p95_ms"),
        "load_before": round(load_before, 1),
        "load_after": round(os.getloadavg()[0], 1),
        "tail": done.stdout.strip().splitlines()[-4:] if done.returncode else [],
    }


def main() -> None:
    """Run the demo as the machine is, then loaded, and print both."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hogs", type=int, default=2, help="CPU-bound processes beside the loaded run")
    parser.add_argument("--skip-idle", action="store_true", help="only the loaded run")
    args = parser.parse_args()
    plan = ([] if args.skip_idle else [0]) + [args.hogs]
    results = [run_demo(hogs) for hogs in plan]
    for result in results:
        p95 = (
            f"p95 {result['p95_ms']:.1f} ms / target {result['target_p95_ms']:g} ms"
            if result["p95_ms"]
            else "-"
        )
        print(
            f"{result['hogs']} CPU hog(s): {result['wall_s']} s, exit {result['exit']}, {p95}, "
            f"load average {result['load_before']} -> {result['load_after']}"
        )
        for line in result["tail"]:
            print(f"    {line}")
    if len(results) == 2:
        print(f"loaded / as-is wall time: {results[1]['wall_s'] / results[0]['wall_s']:.2f}x")


if __name__ == "__main__":
    main()
