"""The readiness table of the living docs: the gate's own verdict, not a second implementation.

Every check of ``inc.gate.catalog`` runs through the gate's runner on the increment's committed
files, with the gate's ids, titles and statuses. The checks the catalog marks as not
``offline`` (``staleness`` reads git history, ``living_docs`` reads these very docs) cannot be
judged while the docs are built without making the docs change with every commit (and call
themselves), so they show as ``skip``, judged by ``inc gate``. The comparison (value, target,
best baseline, improvement) comes from ``inc.comparison``, the module the gate and ``inc runs``
read too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc.comparison import Comparison, Subject
from inc.comparison import compare as compare_runs
from inc.gate.context import EvidenceSet
from inc.gate.model import READY_STATUSES
from inc.increment import Increment
from inc.livedocs.collect import IncrementData

if TYPE_CHECKING:
    from inc.gate.context import GateConfig


@dataclass(frozen=True)
class CheckState:
    """One row of the readiness table: the gate's check id, title, status and detail."""

    id: str
    title: str
    state: str
    detail: str

    @property
    def ready(self) -> bool:
        """Passes, warns or is waived (what the gate counts as ready)."""
        return self.state in READY_STATUSES

    @property
    def applies(self) -> bool:
        """Counted in the total (the gate leaves out ``skip``)."""
        return self.state != "skip"


class SharedEvidence(EvidenceSet):
    """The gate's evidence set, where a report the docs read (or a check read before) is not read
    again: ``parse`` remembers each (kind, path) it gave, starting from the docs' own.

    The docs read reports with the gate's own reader (``inc.evidence_io.read_report``), so the
    checks see exactly what they would have read. A file that failed is not remembered (the
    gate's own ``errors`` answers it again).
    """

    def __init__(self, inc: Increment, config: GateConfig, parsed: dict[tuple[str, Path], Any]) -> None:
        super().__init__(inc, config)
        self.parsed = parsed

    def parse(self, kind: str, path: Path) -> Any:
        """``EvidenceSet.parse``, once per (kind, path) and build."""
        known = self.parsed.get((kind, path))
        if known is None:
            known = super().parse(kind, path)
            if known is not None:
                self.parsed[(kind, path)] = known
        return known


def compare(data: IncrementData) -> Comparison:
    """The subject run against the target and the best baseline (memoised per increment)."""
    if "comparison" not in data.memo:
        data.memo["comparison"] = compare_runs(data.meta, data.runs, subject=_subject(data))
    result: Comparison = data.memo["comparison"]
    return result


def _subject(data: IncrementData) -> Subject:
    return Subject(data.subject, data.subject_chosen)


def offline_config(data: IncrementData) -> GateConfig:
    """The gate settings the docs judge with: offline, folder numbers read once per build."""
    from inc.gate.context import GateConfig
    from inc.gate.runner import folder_numbers
    from inc.workspace import Workspace

    if data.gate_config is None:
        ws = Workspace.discover(data.inc.path)
        data.gate_config = GateConfig(ws, offline=True, numbers=folder_numbers(ws))
    config: GateConfig = data.gate_config
    return config


def readiness(data: IncrementData) -> list[CheckState]:
    """The gate's verdict on every catalog check of this increment (memoised)."""
    if "readiness" not in data.memo:
        from inc.gate.runner import judge

        verdict = judge(data.inc, offline_config(data), evidence=data.evidence_set)
        data.memo["readiness"] = [
            CheckState(result.id, result.title, result.status, result.detail) for result in verdict.checks
        ]
    states: list[CheckState] = data.memo["readiness"]
    return states
