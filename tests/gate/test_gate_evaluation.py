"""The ``evaluation`` check inside the whole gate: blocking at done, waivable, closing refused without it."""

from __future__ import annotations

import shutil
from pathlib import Path

from inc.gate.done import close_increment, rebuild_docs
from inc.gate.runner import run_gate
from inc.workspace import Workspace
from inc_testing.gate_evidence import add_waiver, commit_all


def _failing(ws: Workspace, **options: bool) -> dict[str, str]:
    verdict = run_gate(Workspace.discover(ws.root), ["0001"], **options).increments[0]
    return {c.id: c.status for c in verdict.checks if c.status in ("fail", "waived")}


def test_missing_report_fails_only_evaluation_and_blocks_done(workspace: Workspace, ready: Path) -> None:
    assert _failing(workspace, strict=True) == {}
    shutil.rmtree(ready / "reports" / "eval-cand1")
    rebuild_docs(workspace)
    commit_all(workspace.root, "drop the evaluation report")
    assert _failing(workspace, strict=True) == {"evaluation": "fail"}
    done = close_increment(Workspace.discover(workspace.root), "0001")
    assert not done.closed and done.gate.increments[0].check("evaluation").failing


def test_evaluation_is_waivable(workspace: Workspace, ready: Path) -> None:
    shutil.rmtree(ready / "reports" / "eval-cand1")
    add_waiver(ready, "evaluation")
    rebuild_docs(workspace)
    commit_all(workspace.root, "waive the evaluation")
    assert _failing(workspace, strict=True) == {"evaluation": "waived"}
