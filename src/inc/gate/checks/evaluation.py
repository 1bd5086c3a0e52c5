"""The ``evaluation`` check: the chosen run's evaluation report exists, hashes as recorded, and its
headline metric recomputed in plain Python from the stored predictions equals the ledger's value.

Self-contained (its own paths and parsing) so it can move into the check catalog as is. No numpy,
no scikit-learn, no model loading: the predictions file is bounded, gzip-decompressed and parsed
as data.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from inc.evaluation import recompute as rc
from inc.evaluation.names import PREDICTIONS, REPORT_KIND, SUMMARY
from inc.evidence_io import sha256_file
from inc.gate.checks.binding import FIELDS, binding_problems, unbound_note
from inc.gate.checks.reports import linked_report_problems
from inc.gate.checks.runs import fmt, needs_chosen, short
from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import Outcome, fail, ok, skip
from inc.increment import Increment

if TYPE_CHECKING:
    from inc.evaluation.schema import EvaluationSummary
    from inc.evidence import ReportRef, RunRecord

TITLE = "evaluation report recomputed"
LOGGED_TOLERANCE = 1e-6  # the run's own logged metric vs the evaluation (same data: equal)
LOWER_IS_BETTER = {"rmse", "mse", "mae", "mape", "brier"}


def _inside(folder: Path, name: str) -> Path | None:
    path = (folder / name).resolve()
    return path if folder.resolve() in path.parents else None


def _file_problems(ev: EvidenceSet, folder: Path, summary: EvaluationSummary) -> list[str]:
    problems = []
    listed = {ref.file: ref.sha256 for ref in [*summary.plots, *summary.files]}
    if PREDICTIONS not in listed:
        problems.append(f"{ev.rel(folder / SUMMARY)} lists no {PREDICTIONS}")
    for name, digest in sorted(listed.items()):
        path = _inside(folder, name)
        if path is None:
            problems.append(f"summary.json lists {name!r} outside its folder")
        elif not path.is_file():
            problems.append(f"{ev.rel(folder / name)} is missing")
        elif sha256_file(path) != digest:
            problems.append(
                f"{ev.rel(folder / name)} sha256 differs from summary.json (edited after the report?)"
            )
    return problems


def _ledger_entry(record: RunRecord, rel_summary: str) -> ReportRef | None:
    return next((r for r in record.reports if r.kind == REPORT_KIND and r.path == rel_summary), None)


def _number(entry: ReportRef, key: str) -> float | None:
    value = (entry.model_extra or {}).get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _policy(inc: Increment, summary: EvaluationSummary, data: dict[str, object]) -> list[str]:
    problems = []
    meta = inc.meta
    slice_min = getattr(meta, "slice_min", None)
    worst = summary.worst_slice
    if slice_min is not None and worst is None:
        problems.append(
            "slice_min is set but the report has no slice with a defined metric "
            "(evaluate with --slice-by COL)"
        )
    if slice_min is not None and worst is not None and worst.metric is not None:
        lower = meta.metric.goal == "minimize" or summary.metric in LOWER_IS_BETTER
        if (worst.metric > slice_min) if lower else (worst.metric < slice_min):
            problems.append(
                f"worst slice {worst.column}={worst.value} has {summary.metric} "
                f"{fmt(worst.metric)}, "
                f"{'above' if lower else 'below'} slice_min {fmt(slice_min)}"
            )
    max_ece = getattr(meta, "calibration_max_ece", None)
    if max_ece is not None and summary.task == "binary":
        if not summary.calibration:
            problems.append("calibration_max_ece is set but the report has no calibration (no probabilities)")
        else:  # recomputed from the stored rows, like the headline metric
            ece = rc.expected_calibration_error(data["labels"], data["scores"])  # type: ignore[arg-type]
            if ece > max_ece:
                problems.append(f"expected calibration error {fmt(ece)} > calibration_max_ece {fmt(max_ece)}")
    return problems


def _recomputed(
    folder: Path, summary: EvaluationSummary, entry: ReportRef
) -> tuple[float | None, str, dict[str, object]]:
    recorded = _number(entry, "stored_value")
    if recorded is None:
        return None, "the ledger's evaluation entry holds no stored_value", {}
    try:
        data = rc.read_predictions(folder / PREDICTIONS)
        value = rc.recompute(data, summary.metric)
    except rc.PredictionsError as exc:
        return None, f"cannot recompute {summary.metric}: {exc}", {}
    if not rc.agrees(value, recorded):
        return (
            None,
            (
                f"{summary.metric} recomputed from {PREDICTIONS} is {value!r}, "
                f"the ledger says {recorded!r} "
                f"(|diff| {abs(value - recorded):.3g}): predictions or ledger were changed"
            ),
            {},
        )
    return value, "", data


@needs_chosen
def check_evaluation(inc: Increment, ev: EvidenceSet, config: GateConfig, record: RunRecord) -> Outcome:
    """An evaluation report of the chosen run whose headline metric recomputes to the ledger's value."""
    if inc.meta.problem == "clustering":
        return skip("evaluation reports cover classification, regression and ranking, not clustering")
    folder = inc.evaluation_dir(record.run_id)
    path = folder / SUMMARY
    where = ev.rel(path)
    if not path.is_file():
        return fail(
            f"no evaluation report for the chosen run {short(record.run_id)}: "
            f"run 'inc evaluate {inc.id} "
            f"--run {record.run_id} --data FILE --target COL'",
            where,
        )
    summary = ev.parse("evaluation_summary", path)
    if summary is None:
        return fail(f"{where}: {ev.errors.get(path)}", where)
    regenerate = f"'inc evaluate {inc.id} --run {record.run_id} --data FILE --target COL'"
    unbound = binding_problems(summary.model_dump(include=set(FIELDS)), record, where, regenerate, config)
    if unbound:
        return fail(unbound[0], where)
    entry = _ledger_entry(record, path.relative_to(inc.path).as_posix())
    if entry is None:
        return fail(
            f"runs/{record.run_id}.json does not link {where}; rerun 'inc evaluate' to record it", where
        )
    problems = [m for m, _ in linked_report_problems(ev, record, path)] or _file_problems(ev, folder, summary)
    if problems:
        return fail("; ".join(problems), where)
    try:
        wanted = rc.canonical(inc.meta.metric.name, summary.task)
    except rc.PredictionsError as exc:
        return fail(f"{exc}", where)
    if wanted != summary.metric:
        return fail(
            f"{where} scored {summary.metric}, but the increment's metric is {wanted}; rerun 'inc evaluate'",
            where,
        )
    digest = record.model.sha256 if record.model is not None else None
    linked = (entry.model_extra or {}).get("model_digest")
    if digest and linked and linked != digest:
        return fail(
            f"runs/{record.run_id}.json links {where} with model_digest {linked[:12]}..., not its model's "
            f"{digest[:12]}...: a report of another model; regenerate it with {regenerate}",
            where,
        )
    value, problem, data = _recomputed(folder, summary, entry)
    if value is None:
        return fail(problem, where, ev.rel(folder / PREDICTIONS))
    shown = _number(entry, "value")
    consistent = shown is not None and rc.agrees(shown, summary.value)
    if not consistent or (not summary.sampled and shown is not None and not rc.agrees(value, shown)):
        return fail(
            f"{where} shows {summary.metric} {summary.value!r}, which is not what its predictions "
            "and the ledger give; rerun 'inc evaluate'",
            where,
        )
    policy = _policy(inc, summary, data)
    if policy:
        return fail("; ".join(policy), where)
    stored = summary.stored_rows
    sample = f"{stored} of {summary.rows} rows" if summary.sampled else f"{stored} rows"
    parts = [f"{summary.metric} {fmt(value)} recomputed from {sample} matches the ledger"]
    if summary.threshold is not None:
        parts.append(f"threshold {fmt(summary.threshold)} ({summary.threshold_source})")
    if summary.worst_slice is not None and summary.worst_slice.metric is not None:
        w = summary.worst_slice
        parts.append(f"worst slice {w.column}={w.value} {fmt(w.metric or 0.0)}")
    note = unbound_note(record)
    if note:
        parts.append(note)
    logged = record.metrics.get(inc.meta.metric.name)
    if logged is not None and not summary.sampled and abs(logged - value) > LOGGED_TOLERANCE:
        # the baseline check judges the logged value: one the stored predictions do not give is
        # a number nothing backs (a resealed record, or an evaluation of other data)
        return fail(
            f"the run logged {inc.meta.metric.name} {fmt(logged)} but its stored predictions give "
            f"{fmt(value)}: the gate judges the logged value, so rerun 'inc evaluate' on the data "
            "the metric was logged on (or log the evaluated value)" + "".join(f"; {p}" for p in parts[1:]),
            where,
            ev.rel(folder / PREDICTIONS),
        )
    return ok("; ".join(parts), where, ev.rel(folder / PREDICTIONS))
