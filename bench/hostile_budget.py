"""The gate on hostile pull requests: wall time and peak RSS of each probe, against a clean gate.

Each case is a fresh git workspace with one increment marked done (every check blocks) plus one
hostile change; ``inc gate`` runs as a real subprocess under a 1 GB address-space cap, and its
peak RSS comes from ``os.wait4``. The budget (issue 18) is 10 s and 300 MB per probe with a
named failure; the baseline is the same gate on the same workspace without the hostile change.

Run from the repository root: ``.venv/bin/python bench/hostile_budget.py``.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from inc.scaffold import init_workspace, new_increment
from inc.workspace import Workspace
from inc_testing import git
from inc_testing.hostile import run_capped

BOMB = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'] + [
    f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)
]


def _workspace(folder: Path) -> Path:
    root = folder / "ws"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    init_workspace(root)
    inc = new_increment(Workspace.discover(root), "fraud").increment.path
    meta = inc / "increment.yaml"
    meta.write_text(meta.read_text().replace("status: planned", "status: done"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return inc


def _alias_bomb(inc: Path) -> None:
    meta = inc / "increment.yaml"
    meta.write_text(meta.read_text() + "extra:\n" + "".join(f"  {line}\n" for line in BOMB))


def _monitoring_bomb(inc: Path) -> None:
    (inc / "monitoring.yaml").write_text("\n".join(BOMB) + "\n")


def _deep_json(inc: Path) -> None:
    (inc / "runs").mkdir()
    (inc / "runs" / "deadbeef.json").write_text('{"run_id": ' + "[" * 10_000 + "]" * 10_000 + "}")


def _spec_dev_zero(inc: Path) -> None:
    other = new_increment(Workspace.discover(inc.parents[1]), "scoring").increment.path
    (other / "spec.md").unlink()
    (other / "spec.md").symlink_to("/dev/zero")


def _big_spec(inc: Path) -> None:
    (inc / "spec.md").write_text(("lorem ipsum " * 100 + "\n") * 5_200)


def _template(text: str) -> Callable[[Path], None]:
    def plant(inc: Path) -> None:
        folder = inc.parents[1] / "templates" / "docs"
        folder.mkdir(parents=True)
        (folder / "increment.md.j2").write_text(text)

    return plant


CASES: dict[str, Callable[[Path], None] | None] = {
    "clean (baseline)": None,
    "alias bomb in increment.yaml": _alias_bomb,
    "alias bomb in monitoring.yaml": _monitoring_bomb,
    "JSON 10,000 deep in runs/": _deep_json,
    "spec.md -> /dev/zero (other increment)": _spec_dev_zero,
    "6 MB spec.md": _big_spec,
    "template: nested range() loops": _template(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    ),
    "template: 'x'*10**10": _template("{{ 'x' * 10**10 }}"),
    "template: doubling namespace": _template(
        "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
    ),
}


def main() -> None:
    """Print one row per case: exit code, seconds, peak RSS, ratios to the clean gate."""
    rows = []
    for name, plant in CASES.items():
        with tempfile.TemporaryDirectory() as folder:
            inc = _workspace(Path(folder))
            if plant is not None:
                plant(inc)
            probe = run_capped(["gate", "--strict"], inc.parents[1])
            rows.append((name, probe.returncode, probe.seconds, probe.peak_rss_mb))
    base_s, base_mb = rows[0][2], rows[0][3]
    print(f"{'case':42} exit  seconds  x clean  peak RSS MB  x clean")
    for name, code, seconds, rss in rows:
        print(f"{name:42} {code:4} {seconds:8.2f} {seconds / base_s:8.2f} {rss:12.1f} {rss / base_mb:8.2f}")
    worst_s = max(row[2] for row in rows)
    worst_mb = max(row[3] for row in rows)
    named = all(row[1] in (1, 2) for row in rows[1:])
    print(
        f"worst {worst_s:.2f} s (budget 10 s), {worst_mb:.0f} MB (budget 300 MB), every hostile case exit 1/2: {named}"
    )


if __name__ == "__main__":
    main()
