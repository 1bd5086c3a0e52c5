"""One check catalog: every id has one function, a title and a stage, appears in the README, and the
runner, the result titles, the waiver schema and the living docs all read it."""

from __future__ import annotations

import inspect
from pathlib import Path

from inc.gate import model
from inc.gate.catalog import CATALOG, CHECK_IDS, TITLES
from inc.livedocs.build import collect_all
from inc.livedocs.readiness import readiness
from inc.meta import Waiver
from inc.workspace import Workspace

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_check_has_exactly_one_function() -> None:
    functions = [spec.run for spec in CATALOG]
    assert all(callable(f) for f in functions)
    assert len({id(f) for f in functions}) == len(CATALOG)  # no function judges two checks
    assert len(set(CHECK_IDS)) == len(CATALOG)
    for spec in CATALOG:
        assert list(inspect.signature(spec.run).parameters)[:3] == ["inc", "ev", "config"], spec.id
        assert spec.title and spec.stage in ("structure", "spec", "readiness")


def test_every_check_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [spec.id for spec in CATALOG if f"| `{spec.id}` |" not in text]
    assert missing == []


def test_titles_and_waivers_read_the_catalog() -> None:
    assert model.TITLES is TITLES
    assert CATALOG[0].id == "structure"
    assert Waiver(check=CATALOG[-1].id, reason="r", approved_by="a").check == CATALOG[-1].id


def test_docs_readiness_is_the_gate_verdict(workspace: Workspace, ready: Path) -> None:
    _same_verdict(workspace)
    (ready / "reports" / "loadtest-cand1.json").unlink()  # one planted defect: both surfaces see it
    (ready / "runs" / "cand3.json").unlink()
    _same_verdict(workspace)


def _same_verdict(workspace: Workspace) -> None:
    from inc.gate.runner import run_gate

    verdict = run_gate(Workspace.discover(workspace.root), ["0001"]).increments[0]
    data = next(d for d in collect_all(workspace) if d.name == verdict.path.split("/")[-1])
    states = readiness(data)
    assert [(s.id, s.title) for s in states] == [(c.id, c.title) for c in verdict.checks]
    for spec, state, result in zip(CATALOG, states, verdict.checks, strict=True):
        if spec.offline:
            assert (state.state, state.detail) == (result.status, result.detail), spec.id
        else:
            assert state.state == "skip" and "judged by 'inc gate' only" in state.detail
