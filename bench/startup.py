"""Startup cost of the core commands against a bare ``python -c pass`` and, when installed, the peers.

A git repository with 100 increments and 10 more branches (each with one increment of its own)
is built; then each command runs ``--repeat`` times (after one warm-up) and the median wall time
and the median CPU time (user+sys of the child) are printed with their ratios to ``python -c
pass``. Budgets (DESIGN.md section 0): ``inc new`` within 6x, ``inc list``/``inc show`` within
5x, ``inc gate`` at least 5x faster than ``openspec validate --all``.

Peers (optional): ``npm install specweave@1.0.593 @fission-ai/openspec@1.13.2`` in a folder and
pass ``--peers FOLDER/node_modules/.bin``. Their workspaces get the same 100 items: one made by
their own CLI, copied 99 times under new numbers. SpecWeave refuses to run under the system's
temp folder (or a .cache folder), so the workspaces are built under ``--scratch`` (default
~/inc-bench-scratch; removed afterwards).

Run with bytecode caching on, as users do: ``env -u PYTHONDONTWRITEBYTECODE .venv/bin/python
bench/startup.py [--repeat 11] [--peers DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}
COUNT = 100
BRANCHES = 10


def git(cwd: Path, *args: str) -> None:
    """Run git quietly in ``cwd``."""
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def timed(
    cmd: list[str],
    cwd: Path,
    repeat: int,
    before: Callable[[int], None] | None = None,
) -> tuple[float, float]:
    """Median wall and CPU seconds of ``cmd`` over ``repeat`` runs (after one warm-up)."""
    walls, cpus = [], []
    for i in range(repeat + 1):
        if before is not None:
            before(i)
        start_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - start
        end_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-400:]}")
        if i:
            walls.append(wall)
            cpus.append(end_cpu.ru_utime - start_cpu.ru_utime + end_cpu.ru_stime - start_cpu.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def make_inc_workspace(root: Path) -> None:
    """A git workspace with 100 increments on main and 10 branches with one more each."""
    from inc.scaffold import init_workspace, new_increment
    from inc.workspace import Workspace

    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    init_workspace(root, github=False)
    ws = Workspace.discover(root)
    for i in range(COUNT):
        new_increment(ws, f"model-{i}")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "100 increments")
    for b in range(BRANCHES):
        git(root, "checkout", "-q", "-b", f"feature-{b}", "main")
        new_increment(Workspace.discover(root), f"branch-work-{b}")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"work on branch {b}")
    git(root, "checkout", "-q", "main")


def make_specweave(root: Path, bin_dir: Path) -> None:
    """A SpecWeave project with 100 increments: one from its CLI, copied under new numbers."""
    root.mkdir(parents=True)
    git(root, "init", "-q")
    sw = str(bin_dir / "specweave")
    subprocess.run(
        [sw, "init", "--quick", "--adapter", "generic"],
        cwd=root,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    subprocess.run(
        [
            sw,
            "create-increment",
            "--auto-id",
            "--name",
            "model-1",
            "--title",
            "Model 1",
            "--description",
            "bench",
            "--project",
            root.name,
            "--json",
        ],
        cwd=root,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    increments = root / ".specweave" / "increments"
    first = next(p for p in increments.iterdir() if p.name.startswith("0001-"))
    for n in range(2, COUNT + 1):
        target = increments / f"{n:04d}-model-{n}"
        shutil.copytree(first, target)
        for path in target.rglob("*"):
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                path.write_text(text.replace("0001-model-1", target.name).replace("0001", f"{n:04d}"))


def make_openspec(root: Path, bin_dir: Path) -> None:
    """An OpenSpec project with 100 valid changes, each with a proposal and one spec delta."""
    root.mkdir(parents=True)
    git(root, "init", "-q")
    subprocess.run(
        [str(bin_dir / "openspec"), "init", "--tools", "none"],
        cwd=root,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    for n in range(1, COUNT + 1):
        change = root / "openspec" / "changes" / f"model-{n}"
        (change / "specs" / f"model-{n}").mkdir(parents=True)
        (change / "proposal.md").write_text(
            f"# Change: model {n}\n\n## Why\nThe fraud team needs model {n} to catch more fraud at the "
            "same review budget.\n\n## What Changes\n- Add a scoring model\n\n## Impact\n- Specs: model\n"
        )
        (change / "tasks.md").write_text("## 1. Implementation\n- [ ] 1.1 Train the baselines\n")
        (change / "specs" / f"model-{n}" / "spec.md").write_text(
            f"## ADDED Requirements\n### Requirement: Model {n} scoring\nThe system SHALL score each "
            "transaction with the chosen model.\n\n#### Scenario: A transaction is scored\n"
            "- **WHEN** a transaction arrives\n- **THEN** the model returns a fraud probability\n"
        )


def row(label: str, wall: float, cpu: float, base: tuple[float, float], note: str = "") -> None:
    """Print one line: times and ratios to ``python -c pass``."""
    print(
        f"{label:34}{wall * 1000:8.1f} ms {wall / base[0]:6.2f}x {cpu * 1000:8.1f} ms "
        f"{cpu / max(base[1], 1e-4):6.2f}x  {note}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--peers", type=Path, default=None, help="node_modules/.bin holding the peers")
    parser.add_argument("--scratch", type=Path, default=Path.home() / "inc-bench-scratch")
    args = parser.parse_args()
    scratch = args.scratch / f"startup-{os.getpid()}"
    inc = str(Path(sys.executable).with_name("inc"))
    try:
        root = scratch / "inc"
        make_inc_workspace(root)
        base = timed([sys.executable, "-c", "pass"], root, args.repeat)
        results: dict[str, tuple[float, float]] = {}
        print(f"{'':34}{'wall':>11} {'ratio':>7} {'cpu':>11} {'ratio':>7}")
        row("python -c pass", *base, base)
        commands = {
            "inc --help": ([inc, "--help"], "budget 2.5x"),
            "inc new (100 incr., 10 branches)": ([inc, "new"], "budget 6x"),
            "inc list (100)": ([inc, "list"], "budget 5x"),
            "inc show 50": ([inc, "show", "50"], "budget 5x"),
            "inc gate (100)": ([inc, "gate"], ""),
        }
        for label, (cmd, note) in commands.items():
            new = cmd[1] == "new"
            results[label] = timed_new(inc, root, args.repeat) if new else timed(cmd, root, args.repeat)
            row(label, *results[label], base, note)
        if args.peers is not None:
            peer_rows(args.peers, scratch, args.repeat, base, results)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def timed_new(inc: str, root: Path, repeat: int) -> tuple[float, float]:
    """``inc new`` ``repeat`` times in a row, each creating the next increment."""
    names = iter(f"next-{i}" for i in range(10_000))
    walls, cpus = [], []
    for i in range(repeat + 1):
        name = next(names)
        start_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([inc, "new", name], cwd=root, check=True, capture_output=True)
        wall = time.perf_counter() - start
        end_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i:
            walls.append(wall)
            cpus.append(end_cpu.ru_utime - start_cpu.ru_utime + end_cpu.ru_stime - start_cpu.ru_stime)
    for path in (root / "increments").iterdir():  # leave the 100 for the commands after
        if "-next-" in path.name:
            shutil.rmtree(path)
    return statistics.median(walls), statistics.median(cpus)


def peer_rows(
    bin_dir: Path,
    scratch: Path,
    repeat: int,
    base: tuple[float, float],
    results: dict[str, tuple[float, float]],
) -> None:
    """The same work with SpecWeave and OpenSpec, and inc's speed-up over each."""
    sw_root, os_root = scratch / "sw", scratch / "os"
    make_specweave(sw_root, bin_dir)
    make_openspec(os_root, bin_dir)
    sw, ops = str(bin_dir / "specweave"), str(bin_dir / "openspec")
    names = iter(range(1000, 10_000))

    def fresh_name(_: int) -> None:
        create[4] = f"peer-{next(names)}"

    create = [
        sw,
        "create-increment",
        "--auto-id",
        "--name",
        "x",
        "--title",
        "Bench",
        "--description",
        "bench",
        "--project",
        sw_root.name,
        "--json",
    ]
    peers = {
        "specweave create-increment": (create, sw_root, fresh_name, "inc new (100 incr., 10 branches)"),
        "specweave status": ([sw, "status"], sw_root, None, "inc list (100)"),
        "openspec list": ([ops, "list"], os_root, None, "inc list (100)"),
        "openspec validate --all": (
            [ops, "validate", "--all", "--no-interactive"],
            os_root,
            None,
            "inc gate (100)",
        ),
    }
    for label, (cmd, cwd, before, ours) in peers.items():
        wall, cpu = timed(cmd, cwd, max(3, repeat // 2), before)
        mine = results[ours]
        row(label, wall, cpu, base, f"{ours}: {wall / mine[0]:.1f}x faster (cpu {cpu / mine[1]:.1f}x)")
    print(json.dumps({"load_average": os.getloadavg()[0], "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
