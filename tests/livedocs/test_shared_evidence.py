"""The docs and the gate's verdict inside them read each report once per build, and still agree."""

from __future__ import annotations

import gc
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from inc.gate.runner import run_gate
from inc.livedocs import collect
from inc.livedocs.build import build_docs, collect_all, fewer_collections
from inc.livedocs.readiness import readiness
from inc.workspace import Workspace


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, str]]:
    import inc.gate.context as context

    counts: Counter[tuple[str, str]] = Counter()
    real = context.read_report

    def counting(kind: str, path: Path) -> Any:
        counts[(kind, str(path))] += 1
        return real(kind, path)

    monkeypatch.setattr(context, "read_report", counting)
    monkeypatch.setattr(collect, "read_report", counting)
    return counts


def test_each_report_is_parsed_once_per_build(docs_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    counts = _count_parses(monkeypatch)
    build_docs(docs_ws, remember=False)
    names = {Path(path).name for _, path in counts}
    assert "summary.json" in names and any(n.startswith("loadtest-") for n in names)  # the checks ran
    assert max(counts.values()) == 1, [key for key, n in counts.items() if n > 1]


def test_a_broken_report_fails_the_same_check_in_the_docs_and_the_gate(docs_ws: Workspace) -> None:
    folder = docs_ws.increments_dir / "0001-fraud-detection"
    loadtest = next((folder / "reports").glob("loadtest-*.json"))
    loadtest.write_text('{"run_id": "c0001cand", "p95_ms": "fast"}', encoding="utf-8")
    verdict = run_gate(Workspace.discover(docs_ws.root), ["0001"]).increments[0]
    data = next(d for d in collect_all(docs_ws) if d.name == "0001-fraud-detection")
    assert any(loadtest.name in problem for problem in data.problems)  # the card shows it
    gate = {c.id: (c.status, c.detail) for c in verdict.checks}
    docs = {s.id: (s.state, s.detail) for s in readiness(data)}
    assert gate["load_test"][0] == "fail" and docs["load_test"] == gate["load_test"]


def test_fewer_collections_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold()[0] >= 50_000
        raise RuntimeError("a failed build")
    assert gc.get_threshold() == before
