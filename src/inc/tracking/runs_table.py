"""``inc runs`` and ``inc choose``: read the ledger alone (no tracking server, no ML libraries)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from inc.comparison import compare, finite, run_improvement
from inc.errors import NotFoundError, UserError
from inc.evidence import RunRecord, read_run_record, read_run_records
from inc.meta import ModelRef

if TYPE_CHECKING:
    from inc.increment import Increment
    from inc.workspace import Workspace


@dataclass
class RunRow:
    """One linked run as ``inc runs`` shows it."""

    run_id: str
    name: str
    role: str
    status: str
    metric: float | None
    cv_mean: float | None
    cv_std: float | None
    cv_folds: int
    delta: float | None  # metric - best baseline (signed, raw units)
    improvement: float | None  # gain over the best baseline under margin_mode (inc.comparison)
    model_version: str | None
    model_name: str | None
    chosen: bool


@dataclass
class RunsTable:
    """Every linked run of an increment against its best baseline."""

    increment: str
    metric: str
    goal: str
    target: float | None
    best_baseline: str | None
    best_baseline_value: float | None
    chosen_run: str | None
    rows: list[RunRow] = field(default_factory=list)
    margin: float = 0.2
    margin_mode: str = "relative"
    subject: str | None = None  # the chosen run, else the gate's pick (best FINISHED candidate)
    subject_improvement: float | None = None
    beats_baseline: bool | None = None
    meets_target: bool | None = None
    unreachable: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Plain data for ``--format json``."""
        return asdict(self)

    def comparison(self) -> dict[str, Any]:
        """The subject against the best baseline and the target, without the rows."""
        keys = (
            "best_baseline",
            "best_baseline_value",
            "subject",
            "subject_improvement",
            "margin",
            "margin_mode",
            "beats_baseline",
            "meets_target",
            "unreachable",
        )
        return {key: getattr(self, key) for key in keys}


def _cv_stats(record: RunRecord) -> tuple[float | None, float | None, int]:
    if record.cv is None or not record.cv.folds:
        return None, None, 0
    return record.cv.mean, record.cv.std, len(record.cv.folds)


def _row(record: RunRecord, inc: Increment, best: RunRecord | None) -> RunRow:
    metric = inc.meta.metric
    value = record.metrics.get(metric.name)
    best_value = best.metrics[metric.name] if best is not None else None
    delta = None
    if value is not None and best_value is not None and record.run_id != best.run_id:  # type: ignore[union-attr]
        delta = value - best_value
    mean, std, folds = _cv_stats(record)
    return RunRow(
        run_id=record.run_id,
        name=record.name,
        role=record.role,
        status=record.status,
        metric=value,
        cv_mean=mean,
        cv_std=std,
        cv_folds=folds,
        delta=delta,
        improvement=run_improvement(record, best, inc.meta),
        model_version=record.model.version if record.model else None,
        model_name=record.model.registered_name if record.model else None,
        chosen=record.run_id == inc.meta.chosen_run,
    )


def _sort_key(row: RunRow, goal: str) -> tuple[int, float, str]:
    value = row.metric if finite(row.metric) else None
    if value is None:
        value = -math.inf if goal == "maximize" else math.inf
    return (0 if row.role == "baseline" else 1, -value if goal == "maximize" else value, row.run_id)


def runs_table(ws: Workspace, ref: str) -> RunsTable:
    """Linked runs of increment ``ref`` from its ledger: metric, CV, delta vs the best baseline."""
    inc = ws.find(ref)
    return table_for(inc, read_run_records(inc.runs_dir))


def table_for(inc: Increment, records: list[RunRecord]) -> RunsTable:
    """The runs table of ``inc`` over ``records`` (already read from its ledger)."""
    metric = inc.meta.metric
    result = compare(inc.meta, records)
    best = result.baseline
    rows = sorted((_row(r, inc, best) for r in records), key=lambda row: _sort_key(row, metric.goal))
    subject = result.subject.record
    return RunsTable(
        increment=inc.name,
        metric=metric.name,
        goal=metric.goal,
        target=metric.target,
        best_baseline=best.run_id if best else None,
        best_baseline_value=result.baseline_value,
        chosen_run=inc.meta.chosen_run,
        rows=rows,
        margin=inc.meta.baseline_margin,
        margin_mode=inc.meta.margin_mode,
        subject=subject.run_id if subject else None,
        subject_improvement=result.improvement,
        beats_baseline=result.beats_baseline,
        meets_target=result.meets_target,
        unreachable=result.unreachable,
    )


@dataclass
class ChooseResult:
    """What ``inc choose`` set in increment.yaml."""

    increment: str
    run_id: str
    model: ModelRef | None
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """What ``inc choose --format json`` prints."""
        return {
            "increment": self.increment,
            "chosen_run": self.run_id,
            "model": self.model.model_dump() if self.model else None,
            "warnings": self.warnings,
        }


MIN_PREFIX = 6


def _ambiguous(ref: str, matches: list[str]) -> UserError:
    shown = ", ".join(m[:12] for m in matches[:5]) + (" ..." if len(matches) > 5 else "")
    return UserError(f"run id prefix {ref!r} matches {len(matches)} runs ({shown}); give more characters")


def match_run_id(ref: str, known: list[str], what: str) -> str | None:
    """The one id of ``known`` that ``ref`` names (exactly, or as a prefix of >= 6 characters).

    None when nothing matches; a UserError for an empty, too short or ambiguous prefix.
    """
    ref = ref.strip()
    if not ref:
        raise UserError(f"run id must not be empty; see {what}")
    if ref in known:
        return ref
    matches = sorted(k for k in known if k.startswith(ref))
    if matches and len(ref) < MIN_PREFIX:
        raise UserError(f"run id prefix {ref!r} is too short: give at least {MIN_PREFIX} characters")
    if len(matches) > 1:
        raise _ambiguous(ref, matches)
    return matches[0] if matches else None


def linked_run_ids(inc: Increment) -> list[str]:
    """Run ids of the increment's ledger (from the file names: nothing is read)."""
    return [path.stem for path in inc.run_paths()]


def resolve_run_id(inc: Increment, ref: str, unlinked_ok: bool = False) -> str:
    """The full id of a linked run named by ``ref``: its id or a unique prefix of >= 6 characters.

    The one resolver behind every command that names a run (choose, unlink, explain --run,
    loadtest --run, ...). With ``unlinked_ok``, a full-length id that is not linked is returned
    as given (a load test may measure a run not linked yet); otherwise NotFoundError, with the
    'inc link' command to run (which also takes the prefix).
    """
    known = linked_run_ids(inc)
    found = match_run_id(ref, known, f"'inc runs {inc.id}'")
    if found is not None:
        return found
    ref = ref.strip()
    if unlinked_ok and len(ref) >= 32:
        return ref
    listed = ", ".join(k[:12] for k in known) or "none linked yet"
    raise NotFoundError(
        f"run {ref!r} is not in the ledger of {inc.name} (linked: {listed}); "
        f"link it first with 'inc link {inc.id} {ref}'"
    )


def _find_record(inc: Increment, run_id: str) -> RunRecord:
    full = resolve_run_id(inc, run_id)
    return read_run_record(inc.runs_dir / f"{full}.json")


def choose(ws: Workspace, ref: str, run_id: str) -> ChooseResult:
    """Set ``chosen_run`` and ``model`` in increment.yaml from a linked run's ledger record."""
    inc = ws.find(ref)
    record = _find_record(inc, run_id.strip())
    if record.status != "FINISHED":
        raise UserError(f"run {record.run_id} has status {record.status}; only a FINISHED run can ship")
    warnings = []
    model = None
    if record.model and record.model.registered_name and record.model.version:
        model = ModelRef(name=record.model.registered_name, version=record.model.version)
    else:
        warnings.append(f"run {record.run_id} has no registered model version; model left empty")
    if record.role == "baseline":
        warnings.append(f"run {record.run_id} is a baseline; the gate compares the chosen run to baselines")
    meta = inc.meta.model_copy(update={"chosen_run": record.run_id, "model": model})
    inc.save_meta(meta)
    return ChooseResult(inc.name, record.run_id, model, warnings)
