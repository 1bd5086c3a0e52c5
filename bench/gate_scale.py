"""Gate at scale: 1,000 increments with 20 run records each, one increment changed on a branch.

Prints the medians of ``inc gate --changed`` (also with ``--strict``, which checks the changed
increment's living docs) and the full ``inc gate`` as ratios to ``python -c pass``, wall and
CPU, with each command's peak RSS. Budgets: ``--changed`` with 1 of 1,000 changed at most 8x
``python -c pass`` and O(changed); the full gate's peak memory under 150 MB. Usage::

    .venv/bin/python bench/gate_scale.py [--increments 1000] [--runs 20] [--repeat 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from inc.evidence import CV, ModelInfo, RunRecord, write_run_record
from inc.scaffold import init_workspace, new_increment
from inc.workspace import Workspace

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git(cwd: Path, *args: str) -> str:
    """Run git quietly in ``cwd``."""
    out = subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env={**os.environ, **GIT_ENV}
    )
    return out.stdout.strip()


def record(number: int, index: int) -> RunRecord:
    """A plausible ledger record (baselines first, then candidates with 5 folds)."""
    role = "baseline" if index < 2 else "candidate"
    value = 0.5 + index * 0.01
    return RunRecord(
        run_id=f"r{number:04d}x{index:02d}",
        increment=f"{number:04d}",
        name=f"{role}-{index}",
        role=role,
        status="FINISHED",
        git_commit=None,
        params={"max_depth": str(index)},
        metrics={"roc_auc": value},
        cv=CV(metric="roc_auc", folds=[value] * 5),
        model=ModelInfo(
            uri=f"models:/m/{index}", registered_name=f"{number:04d}-bench", version="1", inputs=["a", "b"]
        )
        if role == "candidate"
        else None,
        note="generated",
    )


def copy_increment(template: Path, target: Path, number: int) -> None:
    """Clone the rendered template folder under a new number and slug."""
    shutil.copytree(template, target)
    meta = target / "increment.yaml"
    text = meta.read_text().replace('id: "0001"', f'id: "{number:04d}"')
    meta.write_text(text.replace("slug: model", f"slug: model-{number}"))


def build_repo(root: Path, increments: int, runs: int) -> None:
    """Generate the workspace, commit it on main, and change one increment on a branch."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    init_workspace(root, github=False)
    ws = Workspace.discover(root)
    template = new_increment(ws, "model").increment.path
    staging = root / "template-0001"
    template.rename(staging)
    for number in range(1, increments + 1):
        folder = ws.increments_dir / f"{number:04d}-model-{number}"
        copy_increment(staging, folder, number)
        for index in range(runs):
            write_run_record(folder / "runs", record(number, index))
    shutil.rmtree(staging)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generated workspace")
    git(root, "checkout", "-q", "-b", "feature")
    changed = ws.increments_dir / f"{increments // 2:04d}-model-{increments // 2}"
    spec = changed / "spec.md"
    spec.write_text(spec.read_text() + "\nA change on the feature branch.\n")
    git(root, "commit", "-q", "-am", "change one increment")


def run_once(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user+sys) and peak RSS in KiB of one run of ``cmd``.

    The peak RSS is read by ``/usr/bin/time`` when present: a child forked from this (large)
    process would report this process's pages as its own until it execs.
    """
    timer = ["/usr/bin/time", "-f", "%M"] if os.access("/usr/bin/time", os.X_OK) else []
    start = time.perf_counter()
    proc = subprocess.Popen([*timer, *cmd], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read() if proc.stderr else b""
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = 0  # reaped by wait4
    lines = err.decode(errors="replace").strip().splitlines()
    rss = int(lines[-1]) if timer and lines and lines[-1].isdigit() else usage.ru_maxrss
    return wall, usage.ru_utime + usage.ru_stime, rss


def median_seconds(cmd: list[str], cwd: Path, repeat: int) -> tuple[float, float, int]:
    """Median wall time, median CPU time and the largest peak RSS (KiB) over ``repeat`` runs."""
    run_once(cmd, cwd)  # warm-up
    runs = [run_once(cmd, cwd) for _ in range(repeat)]
    return (
        statistics.median(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
        max(r[2] for r in runs),
    )


def main() -> None:
    """Build the repository and print the medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--increments", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="build the repository here and keep it")
    args = parser.parse_args()
    tmp = None if args.keep else tempfile.mkdtemp(prefix="inc-gate-scale-")
    root = args.keep or Path(tmp or ".") / "repo"
    if (root / ".git").is_dir():
        print(f"reusing {root}")
    else:
        started = time.perf_counter()
        build_repo(root, args.increments, args.runs)
        print(
            f"built {args.increments} increments x {args.runs} run records "
            f"in {time.perf_counter() - started:.1f} s"
        )
    inc = str(Path(sys.executable).with_name("inc"))
    base, base_cpu, base_rss = median_seconds([sys.executable, "-c", "pass"], root, args.repeat)
    changed, changed_cpu, changed_rss = median_seconds(
        [inc, "gate", "--changed", "--base", "main"], root, args.repeat
    )
    strict, strict_cpu, strict_rss = median_seconds(
        [inc, "gate", "--changed", "--strict", "--base", "main"], root, args.repeat
    )
    full, full_cpu, full_rss = median_seconds([inc, "gate"], root, max(1, args.repeat // 3))
    print(f"{'':34}{'wall':>10} {'ratio':>7} {'cpu':>10} {'ratio':>7} {'peak RSS':>10}")
    count = sum(p.is_dir() for p in (root / "increments").iterdir())
    rows = [
        ("python -c pass", base, base_cpu, base_rss),
        ("inc gate --changed", changed, changed_cpu, changed_rss),
        ("inc gate --changed --strict", strict, strict_cpu, strict_rss),
        (f"inc gate (all {count})", full, full_cpu, full_rss),
    ]
    for label, wall, cpu, rss in rows:
        print(
            f"{label:34}{wall * 1000:8.0f}ms {wall / base:6.1f}x {cpu * 1000:8.0f}ms "
            f"{cpu / max(base_cpu, 1e-3):6.1f}x {rss / 1024:8.0f}MiB"
        )
    print(
        f"budgets: --changed at most 8x python -c pass; full gate peak RSS under 150 MiB; "
        f"--changed / full = {changed / full:.3f}"
    )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
