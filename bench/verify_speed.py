"""`inc gate --verify` on the demo's increment against its embedded store, and the plain gate.

Run: env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bench/verify_speed.py [--demo DIR] [--repeat 3]
Without ``--demo`` it first builds the demo (`inc demo` in a fresh temporary folder, as a user
starts it: 1-3 minutes on 2 cores), whose increment 0001 has 6 runs (3 baselines, 3 candidates),
a registered model per candidate, and SHAP, evaluation and load-test reports logged to the
chosen run. Then it times `inc gate 0001 --format json` and `inc gate 0001 --verify --format
json` as subprocesses (``--repeat`` times each, medians): wall time and CPU time (user+sys of
the command, from ``wait4``), and the ratio of --verify to the plain gate. The budget is
10 s wall for --verify (issue 14).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 10.0


def inc_command() -> str:
    """The `inc` console script next to this interpreter."""
    return str(Path(sys.executable).with_name("inc"))


def build_demo() -> Path:
    """Run `inc demo` in a new temporary folder (from outside any git checkout); its path."""
    folder = Path(tempfile.mkdtemp(prefix="inc-verify-bench-")) / "demo"
    start = time.perf_counter()
    done = subprocess.run(
        [inc_command(), "demo", str(folder)], cwd=folder.parent, capture_output=True, text=True, check=False
    )
    print(f"demo built in {time.perf_counter() - start:.0f} s (exit {done.returncode}): {folder}")
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], sep="\n")
    return folder


def measure(folder: Path, verify: bool, repeat: int) -> dict[str, object]:
    """Medians of ``repeat`` runs of the gate on increment 0001 (with or without --verify)."""
    args = [inc_command(), "-C", str(folder), "gate", "0001", "--format", "json"]
    if verify:
        args.append("--verify")
    walls, cpus = [], []
    report: dict[str, object] = {}
    for _ in range(repeat):
        before = os.times()
        start = time.perf_counter()
        done = subprocess.run(args, cwd=folder, capture_output=True, text=True, check=False, env=_env())
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(
            (after.children_user - before.children_user) + (after.children_system - before.children_system)
        )
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            report = {"error": done.stderr[-1000:]}
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "report": report}


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}


def experiments_detail(report: dict[str, object]) -> str:
    """The experiments check's detail (where --verify reports)."""
    increments = report.get("increments") or []
    assert isinstance(increments, list)
    for check in increments[0]["checks"] if increments else []:
        if check["id"] == "experiments":
            return f"{check['status']}: {check['detail']}"
    return str(report)[:300]


def main() -> None:
    """Build (or reuse) the demo, time both gates, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo", type=Path, help="an existing `inc demo` folder")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    folder = options.demo.resolve() if options.demo else build_demo()
    runs = len(list(folder.glob("increments/0001-*/runs/*.json")))
    print(f"increment 0001: {runs} run records; load average {os.getloadavg()[0]:.1f}")
    plain = measure(folder, verify=False, repeat=options.repeat)
    verify = measure(folder, verify=True, repeat=options.repeat)
    for name, figures in (("inc gate 0001", plain), ("inc gate 0001 --verify", verify)):
        print(
            f"{name:24} wall {figures['wall']:.2f} s, CPU {figures['cpu']:.2f} s (median of {options.repeat})"
        )
    wall_ratio = float(verify["wall"]) / float(plain["wall"])  # type: ignore[arg-type]
    cpu_ratio = float(verify["cpu"]) / float(plain["cpu"])  # type: ignore[arg-type]
    print(f"--verify / plain: {wall_ratio:.1f}x wall, {cpu_ratio:.1f}x CPU")
    print("experiments:", experiments_detail(verify["report"])[:400])  # type: ignore[arg-type]
    met = "met" if float(verify["wall"]) < BUDGET_S else "NOT met"  # type: ignore[arg-type]
    print(f"budget: --verify under {BUDGET_S:.0f} s wall: {met}; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
