"""Checks on the reports of the chosen run: SHAP explanation and load tests (hashes included)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from inc.evidence_io import sha256_file
from inc.gate.checks.binding import FIELDS, binding_problems, unbound_note
from inc.gate.checks.numbers import spec_latency_problem, spec_text
from inc.gate.checks.runs import fmt, needs_chosen, short
from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import Outcome, fail, ok
from inc.gate.policy import policy_of
from inc.increment import Increment
from inc.ops.files import report_name

if TYPE_CHECKING:
    from inc.evidence import LoadTestReport, RunRecord


def _inside(folder: Path, name: str) -> Path | None:
    """``folder/name`` when it stays inside ``folder`` (no ``..`` or absolute paths)."""
    path = (folder / name).resolve()
    root = folder.resolve()
    return path if root in path.parents else None


def linked_report_problems(ev: EvidenceSet, record: RunRecord, under: Path) -> list[tuple[str, str]]:
    """Reports the run record links (with a sha256) under ``under`` that are missing or changed."""
    problems = []
    for ref in record.reports:
        path = _inside(ev.inc.path, ref.path)
        if path is None:
            where = ev.rel(ev.run_paths[record.run_id])
            problems.append((f"run record links {ref.path!r} outside the increment", where))
            continue
        if path != under.resolve() and under.resolve() not in path.parents:
            continue
        if not path.is_file():
            problems.append((f"{ev.rel(path)} linked from the run record is missing", ev.rel(path)))
        elif sha256_file(path) != ref.sha256:
            problems.append(
                (
                    f"{ev.rel(path)} sha256 differs from the one in runs/{record.run_id}.json (changed after "
                    "the run was recorded?)",
                    ev.rel(path),
                )
            )
    return problems


def _plot_problems(ev: EvidenceSet, folder: Path, plots: list[tuple[str, str]]) -> list[tuple[str, str]]:
    problems = []
    for name, digest in plots:
        path = _inside(folder, name)
        if path is None:
            problems.append((f"summary.json lists plot {name!r} outside its folder", ev.rel(folder)))
        elif not path.is_file():
            problems.append((f"{ev.rel(path)} is missing", ev.rel(path)))
        elif sha256_file(path) != digest:
            problems.append(
                (
                    f"{ev.rel(path)} sha256 differs from summary.json (edited after the report was made?)",
                    ev.rel(path),
                )
            )
    return problems


def _foreign_features(
    ev: EvidenceSet, record: RunRecord, features: list[str], path: Path
) -> list[tuple[str, str]]:
    """SHAP features that come from none of the chosen model's inputs (a report of another model?)."""
    from inc.explainability.features import source_column

    inputs = list(record.model.inputs) if record.model else []
    foreign = [f for f in features if source_column(f, inputs) not in inputs] if inputs else []
    if not foreign:
        return []
    shown = ", ".join(foreign[:4]) + (f" and {len(foreign) - 4} more" if len(foreign) > 4 else "")
    return [
        (
            f"{ev.rel(path)} explains features the chosen model does not take: {shown} (a report of "
            "another model?); rerun 'inc explain' on the chosen run's model",
            ev.rel(path),
        )
    ]


@needs_chosen
def check_explainability(inc: Increment, ev: EvidenceSet, config: GateConfig, record: RunRecord) -> Outcome:
    """A SHAP report for the chosen run exists, its summary.json parses, its files hash as recorded."""
    folder = ev.explain_dir(record.run_id)
    summary_path = folder / "summary.json"
    if not summary_path.is_file():
        return fail(
            f"no SHAP report for the chosen run {short(record.run_id)}: run "
            f"'inc explain {inc.id} --run {record.run_id} --data FILE'",
            ev.rel(summary_path),
        )
    summary = ev.explain_summary(record.run_id)
    if summary is None:
        return fail(f"{ev.rel(summary_path)}: {ev.errors.get(summary_path)}", ev.rel(summary_path))
    regenerate = f"'inc explain {inc.id} --run {record.run_id} --data FILE'"
    where = ev.rel(summary_path)
    unbound = binding_problems(summary.model_dump(include=set(FIELDS)), record, where, regenerate, config)
    if unbound:
        return fail(unbound[0], where)
    if not summary.plots:
        return fail(f"{ev.rel(summary_path)} lists no plots; regenerate the report", ev.rel(summary_path))
    problems = _plot_problems(ev, folder, [(p.file, p.sha256) for p in summary.plots])
    problems += linked_report_problems(ev, record, folder)
    problems += _foreign_features(ev, record, [f.feature for f in summary.global_importance], summary_path)
    if problems:
        return fail("; ".join(m for m, _ in problems), *dict.fromkeys(w for _, w in problems))
    top = ", ".join(f.feature for f in summary.global_importance[:3]) or "none"
    note = unbound_note(record)
    return ok(
        f"SHAP ({summary.method}) on {summary.n_explained} rows, background {summary.background_size}; "
        f"{len(summary.plots)} plots hash as recorded; top features: {top}" + (f"; {note}" if note else ""),
        ev.rel(summary_path),
    )


@needs_chosen
def check_load_test(inc: Increment, ev: EvidenceSet, config: GateConfig, record: RunRecord) -> Outcome:
    """Every load test of the chosen run's model (one report per mode) is bound to that model and
    has p95 within ``latency_p95_ms`` at the target's batch size (1, a per-prediction target,
    unless increment.yaml declares ``latency: {batch_size: N}``) and no failed or dropped request;
    at least one measured that batch size."""
    target = inc.meta.latency_p95_ms
    scope = inc.meta.latency.batch_size if inc.meta.latency is not None else 1
    paths = ev.loadtest_paths(record.run_id)
    if not paths and not _missing_linked(ev, record):
        where = ev.rel(ev.inc.reports_dir / report_name(record.run_id, "in-process"))
        return fail(
            f"no load test of the chosen run {short(record.run_id)}: run "
            f"'inc loadtest {inc.id} --run {record.run_id} --data FILE' (target p95 {fmt(target)} ms)",
            where,
        )
    judged: list[str] = []
    batches: list[str] = []
    problems = _missing_linked(ev, record)
    raised = spec_latency_problem(inc, spec_text(ev))  # a target loosened in one file only
    if raised:
        problems.append((raised, ev.rel(inc.doc_path("spec.md"))))
    for path in paths:
        kind, message = _judge_report(ev, record, path, _Judge(inc, config, target, scope))
        if kind == "problem":
            problems.append((message, ev.rel(path)))
        else:
            (judged if kind == "judged" else batches).append(message)
    if problems:
        return fail("; ".join(m for m, _ in problems), *dict.fromkeys(w for _, w in problems))
    wheres = [ev.rel(path) for path in paths]
    if not judged:
        per = (
            "per prediction"
            if scope == 1
            else f"per call of {scope} rows (latency.batch_size in increment.yaml)"
        )
        return fail(
            f"no load test at batch size {scope} ({'; '.join(batches)}): latency_p95_ms is {per}; "
            f"run 'inc loadtest {inc.id} --run {record.run_id} --data FILE' with --batch-size {scope}",
            *wheres,
        )
    note = unbound_note(record)
    return ok("; ".join(judged + batches + ([note] if note else [])), *wheres)


class _Judge(NamedTuple):
    inc: Increment
    config: GateConfig
    target: float
    scope: int  # the batch size latency_p95_ms is judged at


def _missing_linked(ev: EvidenceSet, record: RunRecord) -> list[tuple[str, str]]:
    """Load-test reports the run's record links that are gone (deleting a failing one must not pass)."""
    problems = []
    for ref in record.reports:
        path = _inside(ev.inc.path, ref.path) if ref.kind == "loadtest" else None
        if path is not None and not path.is_file():
            problems.append(
                (
                    f"{ev.rel(path)} linked from the run record is missing; rerun that load "
                    "test (it replaces the report and its link)",
                    ev.rel(path),
                )
            )
    return problems


def _scoped_row(report: LoadTestReport, scope: int) -> dict[str, Any] | None:
    """The series of a report at batch size ``scope`` (1: per prediction), None if it has none."""
    series = report.series or [
        report.model_dump(include={"batch_size", "requests", "failures", "p95_ms", "p99_ms"})
    ]
    for item in series:
        if isinstance(item, dict) and item.get("batch_size") == scope:
            return item
    return None


def _headline_problem(report: LoadTestReport) -> str:
    """The headline figures are the last series' (``build_report``): a report whose series were
    edited apart from its headline (a batch relabelled as single rows) says so."""
    if not report.series:
        return ""
    last = report.series[-1]
    if not isinstance(last, dict):
        return "field 'series': entries must be objects"
    head = {"batch_size": report.batch_size, "p95_ms": report.p95_ms}
    off = [name for name, value in head.items() if last.get(name) != value]
    if off:
        return (
            f"the headline {', '.join(f'{n} {head[n]}' for n in off)} differs from its last series' "
            f"{', '.join(f'{n} {last.get(n)}' for n in off)} (the series were edited?)"
        )
    return ""


def _setup(report: LoadTestReport) -> str:
    if report.loop == "open":
        achieved = fmt(report.achieved_rps) if report.achieved_rps is not None else "?"
        return f"{report.mode} open loop at {fmt(report.target_rps or 0)} req/s (achieved {achieved})"
    return report.mode


def _judge_report(ev: EvidenceSet, record: RunRecord, path: Path, judge: _Judge) -> tuple[str, str]:
    """("problem" | "judged" | "batches", message) for one load-test report of the chosen run."""
    where = ev.rel(path)
    target, scope = judge.target, judge.scope
    report = ev.parse("loadtest_report", path)
    if report is None:
        return "problem", f"{where}: {ev.errors.get(path)}"
    regenerate = f"'inc loadtest {judge.inc.id} --run {record.run_id} --data FILE'"
    fields = report.model_dump(include=set(FIELDS))
    unbound = binding_problems(fields, record, where, regenerate, judge.config)
    if unbound:
        return "problem", unbound[0]
    hashes = linked_report_problems(ev, record, path)
    if hashes:
        return "problem", "; ".join(m for m, _ in hashes)
    edited = _headline_problem(report)
    if edited:
        return "problem", f"{where}: {edited}; rerun {regenerate}"
    single = _scoped_row(report, scope)
    try:
        p95 = float(single["p95_ms"]) if single else None
        p99 = float(single.get("p99_ms", 0)) if single else None
        requests = int(single.get("requests", report.requests)) if single else report.requests
        failures = max(report.failures, int(single.get("failures", 0)) if single else 0)
    except (TypeError, ValueError, KeyError) as exc:
        return "problem", f"{where}: field 'series': batch-size-{scope} entry is malformed ({exc})"
    setup = f"{_setup(report)}, batch {scope if single else report.batch_size}, {requests} requests"
    figures = {
        "p50_ms": report.p50_ms,
        "p95_ms": report.p95_ms,
        "p99_ms": report.p99_ms,
        "max_ms": report.max_ms,
        f"batch-{scope} p95_ms": p95 if p95 is not None else 0.0,
    }
    broken = [name for name, value in figures.items() if not math.isfinite(value) or value < 0]
    if broken:
        return "problem", f"{where}: {', '.join(broken)} not a number (or negative); rerun 'inc loadtest'"
    if failures:
        return "problem", f"{failures} of {requests} requests failed ({setup})"
    if report.dropped:
        return "problem", (
            f"{report.dropped} scheduled requests were dropped ({setup}): the "
            "server could not keep up with the rate"
        )
    if p95 is None:
        sizes = sorted({int(i.get("batch_size", 0)) for i in report.series if isinstance(i, dict)})
        measured = "/".join(map(str, sizes or [report.batch_size]))
        return "batches", f"{where} measured batch size {measured} only"
    floor = policy_of(judge.config).loadtest_min_requests
    if requests < floor <= report.requests:  # a short headline is named by the policy floor itself
        return "problem", (
            f"{where} timed {requests} requests at batch size {scope}: fewer than the {floor} the "
            "workspace needs (policy.loadtest_min_requests in inc.yaml); rerun "
            f"{regenerate} with more requests"
        )
    if p95 > target:
        return "problem", (
            f"p95 {fmt(p95)} ms > target {fmt(target)} ms ({setup}); speed the "
            "model up or raise latency_p95_ms with the serving team's agreement"
        )
    return "judged", f"p95 {fmt(p95)} ms <= {fmt(target)} ms, p99 {fmt(p99 or 0)} ms ({setup})"
