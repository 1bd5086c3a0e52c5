"""Make this repository's own worked increment with the demo's flow (needs the ml extra).

Run once from the repository root on a clean tree: ``python scripts/worked_example.py``.
It commits only inc.yaml, .gitignore, increments/ and living-docs/.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from inc.demo.runner import Step, run_in_repository


def show(step: Step) -> None:
    """Print a step as `inc demo` does."""
    print(f"==> {step.title}")
    for line in step.lines:
        print(f"    {line}")


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    result = run_in_repository(root, Path(tempfile.mkdtemp(prefix="inc-site-")), show)
    print("gate passed" if result.gate_passed else "gate FAILED")
