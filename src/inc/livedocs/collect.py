"""Gather what the living docs show from one increment folder: metadata, documents, evidence.

Evidence is read with the gate's own readers (``inc.evidence_io``: plain read-only objects with
the models' attributes, the pydantic model only for what they are not sure of), so the gate's
verdict inside the docs reuses every file read here. This runs on the core path and on untrusted
pull requests. A broken increment.yaml stops the build (exit 2, naming the file); broken evidence
is shown on the increment's page as a problem instead.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc.comparison import best_of, subject_of
from inc.errors import IncError
from inc.evaluation.names import SUMMARY
from inc.evidence_io import EvidenceError, read_record, read_report
from inc.increment import DRIFT_PREFIX, Increment
from inc.markdown import Section, Task, find_section, parse_sections, parse_tasks

if TYPE_CHECKING:  # the gate's plain read-only objects have these models' attributes
    from inc.evaluation.schema import EvaluationSummary
    from inc.evidence import DriftReport, ExplainSummary, LoadTestReport, RunRecord
    from inc.meta import IncrementMeta

_RUN_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_PLOT_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


@dataclass
class MonitoringView:
    """monitoring.yaml as plain data for the runbook (``None`` fields: not configured)."""

    features: list[dict[str, Any]] = field(default_factory=list)
    prediction_drift: dict[str, Any] | None = None
    performance: dict[str, Any] | None = None
    reference: dict[str, Any] | None = None
    schedule: str = ""
    alert_route: str = ""


@dataclass
class IncrementData:
    """Everything read from one increment folder, before any formatting."""

    inc: Increment
    spec: list[Section]
    plan: list[Section]
    tasks: list[Task]
    runs: list[RunRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    subject: RunRecord | None = None
    subject_chosen: bool = False
    explain: ExplainSummary | None = None
    evaluation: EvaluationSummary | None = None
    plots: list[str] = field(default_factory=list)
    loadtest: LoadTestReport | None = None
    drift: DriftReport | None = None
    drift_file: str = ""
    monitoring: MonitoringView | None = None
    monitoring_exists: bool = False
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    parsed_runs: dict[Path, RunRecord | EvidenceError] = field(default_factory=dict, repr=False)
    parsed_reports: dict[tuple[str, Path], Any] = field(default_factory=dict, repr=False)  # (kind, path)
    gate_config: Any = field(default=None, repr=False)  # inc.gate.context.GateConfig, shared per build

    @property
    def evidence_set(self) -> Any:
        """The gate's ``EvidenceSet`` over what was already read here (nothing parsed twice)."""
        from inc.livedocs.readiness import SharedEvidence, offline_config

        ev = SharedEvidence(self.inc, offline_config(self), self.parsed_reports)
        ev.preload({"spec.md": self.spec, "plan.md": self.plan}, self.tasks, self.parsed_runs)
        return ev

    @property
    def meta(self) -> IncrementMeta:
        """The increment's metadata."""
        return self.inc.meta

    @property
    def name(self) -> str:
        """The folder name ``NNNN-slug``."""
        return self.inc.name

    def section(self, doc: str, title: str) -> Section | None:
        """``find_section`` on spec.md or plan.md, memoised (pages ask for the same ones)."""
        key = f"section:{doc}:{title}"
        if key not in self.memo:
            self.memo[key] = find_section(self.spec if doc == "spec.md" else self.plan, title)
        section: Section | None = self.memo[key]
        return section

    def metric_of(self, record: RunRecord | None) -> float | None:
        """The value of the increment's metric in ``record``."""
        if record is None:
            return None
        return record.metrics.get(self.meta.metric.name)

    def by_role(self, role: str) -> list[RunRecord]:
        """Runs of one role, by run id."""
        return [run for run in self.runs if run.role == role]

    def best(self, role: str) -> RunRecord | None:
        """The run of ``role`` with the best metric (ties: the smallest run id)."""
        metric = self.meta.metric
        return best_of(self.runs, role, metric.name, metric.goal)


def _read_runs(data: IncrementData) -> None:
    runs_dir = data.inc.runs_dir
    try:
        names = sorted(e.name for e in os.scandir(runs_dir) if e.name.endswith(".json") and e.is_file())
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        try:
            record = read_record(runs_dir / name)
        except EvidenceError as exc:
            data.problems.append(exc.message)
            data.parsed_runs[runs_dir / name] = exc
            continue
        data.runs.append(record)
        data.parsed_runs[runs_dir / name] = record
    data.runs.sort(key=lambda run: run.run_id)


def _pick_subject(data: IncrementData) -> None:
    subject = subject_of(data.meta, data.runs)
    data.subject, data.subject_chosen = subject.record, subject.chosen
    if data.meta.chosen_run and subject.record is None:
        data.problems.append(subject.problem)


def _optional(data: IncrementData, kind: str, path: Path) -> Any:
    if not path.is_file():
        return None
    try:
        parsed = data.parsed_reports[(kind, path)] = read_report(kind, path)
    except EvidenceError as exc:
        data.problems.append(exc.message)
        return None
    return parsed


def _loadtest_path(inc: Increment, run_id: str) -> Path:
    """The load test the model card shows: in-process first, then the HTTP open and closed loop."""
    paths = [
        *(inc.loadtest_path(run_id, tag) for tag in ("in-process", "http-open", "http")),
        inc.loadtest_path(run_id),
    ]
    return next((path for path in paths if path.is_file()), paths[-1])


def _read_reports(data: IncrementData) -> None:
    reports = data.inc.reports_dir
    subject = data.subject
    if subject is not None and _RUN_ID.match(subject.run_id) and reports.is_dir():
        explain_dir = data.inc.explain_dir(subject.run_id)
        data.explain = _optional(data, "explain_summary", explain_dir / "summary.json")
        if data.explain is not None:
            data.plots = _plots(explain_dir, data.explain)
        evaluation = data.inc.evaluation_dir(subject.run_id) / SUMMARY
        data.evaluation = _optional(data, "evaluation_summary", evaluation)
        data.loadtest = _optional(data, "loadtest_report", _loadtest_path(data.inc, subject.run_id))
    if reports.is_dir():
        drifts = sorted(p for p in reports.glob(f"{DRIFT_PREFIX}*.json") if p.is_file())
        if drifts:
            data.drift = _optional(data, "drift_report", drifts[-1])
            data.drift_file = drifts[-1].name


def _plots(explain_dir: Path, summary: ExplainSummary) -> list[str]:
    """Plot files of the report that exist, bar and beeswarm first (paths relative to reports/)."""
    names = {plot.file for plot in summary.plots}
    names.update(p.name for p in explain_dir.iterdir() if p.suffix.lower() in _PLOT_SUFFIXES)
    safe = [
        name
        for name in names
        if "/" not in name
        and "\\" not in name
        and not name.startswith(".")
        and name.lower().endswith(_PLOT_SUFFIXES)
        and (explain_dir / name).is_file()
    ]
    order = {"bar.png": 0, "beeswarm.png": 1}
    return [f"{explain_dir.name}/{name}" for name in sorted(safe, key=lambda n: (order.get(n, 2), n))]


def _read_monitoring(data: IncrementData) -> None:
    path = data.inc.monitoring_path
    if not path.is_file():
        return
    data.monitoring_exists = True
    try:
        data.monitoring = _monitoring_view(path)
    except IncError as exc:
        data.problems.append(exc.message)


def _monitoring_view(path: Path) -> MonitoringView:
    from inc.ops.monitoring import load_monitoring

    plain = load_monitoring(path).model_dump(mode="json", by_alias=True)
    features = [f for f in plain.get("features") or [] if isinstance(f, dict)]
    return MonitoringView(
        features=sorted(features, key=lambda f: str(f.get("name", ""))),
        prediction_drift=plain.get("prediction_drift") or None,
        performance=plain.get("performance") or None,
        reference=plain.get("reference") or None,
        schedule=str(plain.get("schedule") or ""),
        alert_route=str(plain.get("alert_route") or ""),
    )


def collect(path: Path, gate_config: Any = None) -> IncrementData:
    """Read one increment folder: documents parsed once each, evidence validated.

    ``gate_config`` (a ``GateConfig`` with ``offline=True``) is what the readiness table judges
    with; one per build so the workspace's folder numbers are listed once.
    """
    inc = Increment.load(path)
    data = IncrementData(
        inc=inc,
        spec=parse_sections(inc.read_doc("spec.md")),
        plan=parse_sections(inc.read_doc("plan.md")),
        tasks=parse_tasks(inc.read_doc("tasks.md")),
        gate_config=gate_config,
    )
    _read_runs(data)
    _pick_subject(data)
    _read_reports(data)
    _read_monitoring(data)
    return data
