"""``inc done``: the gate with every check blocking; on a pass, close and rebuild the docs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

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


CHAMPION_ALIAS = "champion"


def set_champion(ws: Workspace, inc: Increment, gate: GateResult) -> list[str]:
    """Point the registry alias ``champion`` at the shipped version and tag it; notes to show.

    Needs mlflow and a reachable tracking store; without either, closing still succeeds and the
    note says the alias was not set (the gate itself never imports mlflow).
    """
    model = inc.meta.model
    if model is None:
        return ["registry alias not set: no registered model version chosen"]
    import importlib.util

    if importlib.util.find_spec("mlflow") is None:
        return [
            f"registry alias not set: mlflow is not installed (install inc-ml[ml] and run "
            f"'inc done {inc.id}' again to set {CHAMPION_ALIAS!r} on {model.name} v{model.version})"
        ]
    from inc.errors import IncError
    from inc.tracking import adapter

    try:
        uri = adapter.resolve_tracking_uri(ws)
        store = adapter.redact_uri(uri)
        if uri.startswith("sqlite:///") and not Path(uri[len("sqlite:///") :].split("?")[0]).is_file():
            return [f"registry alias not set: no tracking store at {store}"]
        tags = {
            "inc.increment": inc.id,
            "inc.gate": "passed" if gate.passed else "failed",
            "inc.closed": dt.date.today().isoformat(),
        }
        adapter.set_alias(uri, model.name, model.version, CHAMPION_ALIAS, tags)
    except IncError as exc:
        return [f"registry alias not set: {exc.message}"]
    return [f"registry alias {CHAMPION_ALIAS!r} -> {model.name} v{model.version} (tagged inc.gate=passed)"]


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
    notes += set_champion(ws, inc, gate)
    written = rebuild_docs(ws)
    return DoneResult(gate, True, folder.name, written, notes)
