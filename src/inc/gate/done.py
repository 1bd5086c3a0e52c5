"""``inc done``: the gate with every check blocking; on a pass, close and rebuild the docs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import GateResult
from inc.gate.runner import run_gate
from inc.increment import Increment
from inc.meta import ModelRef
from inc.workspace import Workspace


@dataclass
class DoneResult:
    """The gate verdict, and what closing changed (nothing when the gate failed)."""

    gate: GateResult
    closed: bool
    increment: str = ""
    docs_written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _pin_chosen(inc: Increment, ws: Workspace) -> list[str]:
    """Record the gate's pick as ``chosen_run`` and the registered model in increment.yaml."""
    notes = []
    chosen = EvidenceSet(inc, GateConfig(ws)).chosen
    record = chosen.record
    updates: dict[str, object] = {"status": "done", "closed": dt.date.today()}
    if record is not None and not inc.meta.chosen_run:
        updates["chosen_run"] = record.run_id
        notes.append(f"chosen_run set to {record.run_id} (the best candidate)")
    if record is not None and record.model and record.model.registered_name and record.model.version:
        model = ModelRef(name=record.model.registered_name, version=str(record.model.version))
        if inc.meta.model != model:
            updates["model"] = model
            notes.append(f"model set to {model.name} v{model.version}")
    inc.save_meta(inc.meta.model_copy(update=updates))
    return notes


def rebuild_docs(ws: Workspace) -> list[str]:
    """Rebuild the living docs; the pages written."""
    from inc.livedocs.build import build_docs

    return [str(page) for page in build_docs(ws).written]


def close_increment(ws: Workspace, ref: str, strict: bool = False) -> DoneResult:
    """Gate ``ref`` with every check blocking; on a pass set status done and rebuild the docs."""
    folder = ws.find_dir(ref)
    gate = run_gate(ws, [ref], strict=strict, closing=True)
    if not gate.passed:
        return DoneResult(gate, closed=False, increment=folder.name)
    inc = Increment.load(folder)
    notes = _pin_chosen(inc, ws)
    written = rebuild_docs(ws)
    return DoneResult(gate, True, folder.name, written, notes)
