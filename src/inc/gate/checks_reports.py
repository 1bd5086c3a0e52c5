"""Checks on the reports of the chosen run: SHAP explanation and load test (hashes included)."""

from __future__ import annotations

from pathlib import Path

from inc.evidence import RunRecord, sha256_file
from inc.gate.checks_runs import fmt, needs_chosen, short
from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import Outcome, fail, ok
from inc.increment import Increment


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
                (f"{ev.rel(path)} sha256 differs from the one in runs/{record.run_id}.json (changed after "
                 "the run was recorded?)", ev.rel(path))
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
                (f"{ev.rel(path)} sha256 differs from summary.json (edited after the report was made?)",
                 ev.rel(path))
            )
    return problems


def _foreign_features(
    ev: EvidenceSet, record: RunRecord, features: list[str], path: Path
) -> list[tuple[str, str]]:
    """SHAP features that come from none of the chosen model's inputs (a report of another model?)."""
    from inc.features import source_column

    inputs = list(record.model.inputs) if record.model else []
    foreign = [f for f in features if source_column(f, inputs) not in inputs] if inputs else []
    if not foreign:
        return []
    shown = ", ".join(foreign[:4]) + (f" and {len(foreign) - 4} more" if len(foreign) > 4 else "")
    return [(f"{ev.rel(path)} explains features the chosen model does not take: {shown} (a report of "
             "another model?); rerun 'inc explain' on the chosen run's model", ev.rel(path))]


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
    if summary.run_id != record.run_id:
        where = ev.rel(summary_path)
        return fail(f"{where} is for run {summary.run_id}, not {record.run_id}", where)
    if not summary.plots:
        return fail(f"{ev.rel(summary_path)} lists no plots; regenerate the report", ev.rel(summary_path))
    problems = _plot_problems(ev, folder, [(p.file, p.sha256) for p in summary.plots])
    problems += linked_report_problems(ev, record, folder)
    problems += _foreign_features(ev, record, [f.feature for f in summary.global_importance], summary_path)
    if problems:
        return fail("; ".join(m for m, _ in problems), *dict.fromkeys(w for _, w in problems))
    top = ", ".join(f.feature for f in summary.global_importance[:3]) or "none"
    return ok(
        f"SHAP ({summary.method}) on {summary.n_explained} rows, background {summary.background_size}; "
        f"{len(summary.plots)} plots hash as recorded; top features: {top}",
        ev.rel(summary_path),
    )


@needs_chosen
def check_load_test(inc: Increment, ev: EvidenceSet, config: GateConfig, record: RunRecord) -> Outcome:
    """A load test of the chosen run's model has p95 <= ``latency_p95_ms`` and no failures."""
    path = ev.loadtest_path(record.run_id)
    where = ev.rel(path)
    target = inc.meta.latency_p95_ms
    if not path.is_file():
        return fail(
            f"no load test of the chosen run {short(record.run_id)}: run "
            f"'inc loadtest {inc.id} --run {record.run_id} --data FILE' (target p95 {fmt(target)} ms)",
            where,
        )
    report = ev.loadtest(record.run_id)
    if report is None:
        return fail(f"{where}: {ev.errors.get(path)}", where)
    if report.run_id != record.run_id:
        return fail(f"{where} is for run {report.run_id}, not {record.run_id}", where)
    hashes = linked_report_problems(ev, record, path)
    if hashes:
        return fail("; ".join(m for m, _ in hashes), where)
    setup = f"{report.mode}, batch {report.batch_size}, {report.requests} requests"
    if report.failures:
        return fail(f"{report.failures} of {report.requests} requests failed ({setup})", where)
    if report.p95_ms > target:
        return fail(
            f"p95 {fmt(report.p95_ms)} ms > target {fmt(target)} ms ({setup}); speed the model up "
            "or raise latency_p95_ms with the serving team's agreement",
            where,
        )
    p95, p99 = fmt(report.p95_ms), fmt(report.p99_ms)
    return ok(f"p95 {p95} ms <= {fmt(target)} ms, p99 {p99} ms ({setup})", where)
