"""The living_docs check under a selection reads the selected increments only (O(changed))."""

from __future__ import annotations

from pathlib import Path

from inc.gate.done import rebuild_docs
from inc.gate.runner import run_gate
from inc.scaffold import new_increment
from inc.workspace import Workspace
from inc_testing import git


def _living_docs(
    ws: Workspace, refs: list[str], changed: bool = False, base: str | None = None
) -> tuple[str, str]:
    result = run_gate(Workspace.discover(ws.root), refs, changed=changed, base=base, strict=True)
    check = result.increments[0].check("living_docs")
    return check.status, check.detail


def test_selected_increment_own_page_stale_fails_then_passes(workspace: Workspace, ready: Path) -> None:
    card = workspace.living_docs_dir / "increments" / f"{ready.name}.md"
    card.write_text(card.read_text() + "\nedited by hand\n")
    status, detail = _living_docs(workspace, ["0001"])
    assert status == "fail" and f"living-docs/increments/{ready.name}.md" in detail
    rebuild_docs(workspace)
    status, detail = _living_docs(workspace, ["0001"])
    assert status == "pass" and "own pages" in detail


def test_selection_does_not_read_other_increments(workspace: Workspace, ready: Path) -> None:
    other = new_increment(workspace, "other").increment.path
    rebuild_docs(workspace)
    (other / "increment.yaml").write_text("status: [broken\n")  # unreadable, and not selected
    assert _living_docs(workspace, ["0001"])[0] == "pass"
    full = run_gate(Workspace.discover(workspace.root), strict=True)
    verdicts = {v.id: v for v in full.increments}
    assert verdicts["0001"].check("living_docs").status == "fail"  # the full gate renders everything


def test_changed_strict_checks_the_changed_increment(workspace: Workspace, ready: Path) -> None:
    git(workspace.root, "checkout", "-q", "-b", "feature")
    card = workspace.living_docs_dir / "runbooks" / f"{ready.name}.md"
    card.write_text("stale\n")
    git(workspace.root, "commit", "-q", "-am", "stale runbook")
    (ready / "spec.md").write_text((ready / "spec.md").read_text() + "\nmore\n")
    git(workspace.root, "commit", "-q", "-am", "touch the increment")
    status, detail = _living_docs(workspace, [], changed=True, base="main")
    assert status == "fail" and f"runbooks/{ready.name}.md" in detail
