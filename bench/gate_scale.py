"""Gate at scale: 1,000 increments with 20 run records each, one increment changed on a branch.

Prints the medians of ``inc gate --changed`` and the full ``inc gate`` as ratios to
``python -c pass`` (DESIGN.md section 8: ``--changed`` must stay under 0.5 s and grow with
the changed increments only). Usage::

    .venv/bin/python bench/gate_scale.py [--increments 1000] [--runs 20] [--repeat 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
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
    "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git(cwd: Path, *args: str) -> str:
    """Run git quietly in ``cwd``."""
    out = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                         env={**os.environ, **GIT_ENV})
    return out.stdout.strip()


def record(number: int, index: int) -> RunRecord:
    """A plausible ledger record (baselines first, then candidates with 5 folds)."""
    role = "baseline" if index < 2 else "candidate"
    value = 0.5 + index * 0.01
    return RunRecord(
        run_id=f"r{number:04d}x{index:02d}", increment=f"{number:04d}", name=f"{role}-{index}",
        role=role, status="FINISHED", git_commit=None, params={"max_depth": str(index)},
        metrics={"roc_auc": value}, cv=CV(metric="roc_auc", folds=[value] * 5),
        model=ModelInfo(uri=f"models:/m/{index}", registered_name=f"{number:04d}-bench", version="1",
                        inputs=["a", "b"]) if role == "candidate" else None,
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


def median_seconds(cmd: list[str], cwd: Path, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user+sys) of ``cmd`` over ``repeat`` runs."""
    subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)  # warm-up
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


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
        print(f"built {args.increments} increments x {args.runs} run records "
              f"in {time.perf_counter() - started:.1f} s")
    inc = str(Path(sys.executable).with_name("inc"))
    base, base_cpu = median_seconds([sys.executable, "-c", "pass"], root, args.repeat)
    changed, changed_cpu = median_seconds([inc, "gate", "--changed", "--base", "main"], root, args.repeat)
    full, full_cpu = median_seconds([inc, "gate"], root, max(1, args.repeat // 3))
    print(f"{'':24}{'wall':>10} {'ratio':>7} {'cpu':>10} {'ratio':>7}")
    rows = [("python -c pass", base, base_cpu), ("inc gate --changed", changed, changed_cpu),
            (f"inc gate (all {sum(p.is_dir() for p in (root / 'increments').iterdir())})", full, full_cpu)]
    for label, wall, cpu in rows:
        print(f"{label:24}{wall * 1000:8.0f}ms {wall / base:6.1f}x {cpu * 1000:8.0f}ms "
              f"{cpu / max(base_cpu, 1e-3):6.1f}x")
    print(f"budget: inc gate --changed under 500 ms wall; --changed / full = {changed / full:.3f}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
