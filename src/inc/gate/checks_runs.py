"""Checks on the run ledger: experiments, baseline margin and target, CV folds, model version."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from inc.evidence import RunRecord
from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import Outcome, fail, ok, warn
from inc.increment import Increment
from inc.meta import IncrementMeta
from inc.runs_table import best_baseline

CV_STD_WARN = 0.1


def short(run_id: str) -> str:
    """A run id shortened for one-line details."""
    return run_id if len(run_id) <= 8 else run_id[:6] + ".."


def fmt(value: float) -> str:
    """A metric value for details."""
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.4e}"


def _ledger_errors(ev: EvidenceSet) -> list[tuple[str, str]]:
    return [(f"{ev.rel(path)}: {message}", ev.rel(path)) for path, message in ev.run_errors.items()]


def check_experiments(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """At least one candidate with params, metrics and a note; every record's sha256 intact."""
    errors = _ledger_errors(ev)
    if errors:
        shown = "; ".join(message for message, _ in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        return fail(shown + more, *(where for _, where in errors))
    candidates = ev.by_role("candidate")
    evidence = [ev.rel(ev.run_paths[r.run_id]) for r in candidates]
    if not candidates:
        return fail(
            f"no candidate run in {ev.rel(inc.runs_dir)}/: track candidates with "
            "inc.track_experiment(..., role='candidate') or 'inc link'",
            ev.rel(inc.runs_dir),
        )
    documented = [r for r in candidates if r.params and r.metrics and r.note.strip()]
    if not documented:
        lacking = ", ".join(_lacks(r) for r in candidates[:3])
        return fail(f"no candidate run has params, metrics and a note: {lacking}", *evidence)
    baselines = len(ev.by_role("baseline"))
    return ok(
        f"{len(candidates)} candidate run(s) ({len(documented)} documented), {baselines} baseline(s); "
        f"{len(ev.runs)} record(s) sealed, hashes intact",
        *evidence,
    )


def _lacks(record: RunRecord) -> str:
    fields = (("params", record.params), ("metrics", record.metrics), ("note", record.note.strip()))
    parts = [name for name, present in fields if not present]
    return f"{short(record.run_id)} lacks {'/'.join(parts)}"


def improvement(meta: IncrementMeta, best: float, chosen: float) -> float:
    """How much ``chosen`` beats ``best`` under ``margin_mode`` (positive is better)."""
    maximize = meta.metric.goal == "maximize"
    gain = (chosen - best) if maximize else (best - chosen)
    bounded = meta.margin_mode == "error_reduction" and maximize
    denominator = 1.0 - best if bounded else abs(best)
    if denominator == 0:
        return math.inf if gain > 0 else 0.0
    return gain / denominator


def meets_target(meta: IncrementMeta, value: float) -> bool:
    """True when ``value`` reaches the spec's target in the metric's direction."""
    target = meta.metric.target
    return value >= target if meta.metric.goal == "maximize" else value <= target


def _pct(value: float) -> str:
    return "+inf%" if math.isinf(value) else f"{value * 100:+.0f}%"


def chosen_problem(ev: EvidenceSet) -> Outcome | None:
    """A failed outcome when there is no usable chosen run."""
    chosen = ev.chosen
    if chosen.record is None:
        return fail(chosen.problem + "; choose one with 'inc choose'", ev.rel(ev.inc.meta_path))
    return None


ChosenCheck = Callable[[Increment, EvidenceSet, GateConfig, RunRecord], Outcome]


def needs_chosen(check: ChosenCheck) -> Callable[[Increment, EvidenceSet, GateConfig], Outcome]:
    """Run ``check`` with the chosen run's record; fail first when there is no usable chosen run."""

    @functools.wraps(check)
    def run(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
        problem = chosen_problem(ev)
        if problem:
            return problem
        assert ev.chosen.record is not None
        return check(inc, ev, config, ev.chosen.record)

    return run


def _chosen_label(ev: EvidenceSet, record: RunRecord) -> str:
    return f"chosen {short(record.run_id)}" + (" (gate's pick: best candidate)" if ev.chosen.picked else "")


@needs_chosen
def check_baseline(inc: Increment, ev: EvidenceSet, config: GateConfig, record: RunRecord) -> Outcome:
    """The chosen run beats the best baseline by ``baseline_margin`` and meets ``target``."""
    meta = inc.meta
    name = meta.metric.name
    baselines = [r for r in ev.by_role("baseline") if ev.metric_of(r) is not None]
    if not baselines:
        return fail(
            f"no baseline run with {name}: track one with role='baseline' (majority class, a rule, "
            "the current system)",
            ev.rel(inc.runs_dir),
        )
    value = ev.metric_of(record)
    paths = [ev.rel(ev.run_paths[r.run_id]) for r in (record, *baselines)]
    if value is None:
        return fail(f"{_chosen_label(ev, record)} has no {name} metric", *paths)
    best = best_baseline(baselines, name, meta.metric.goal)
    assert best is not None
    best_value = best.metrics[name]
    gain = improvement(meta, best_value, value)
    mode = "" if meta.margin_mode == "relative" else " error reduction"
    summary = (
        f"best baseline {name} {fmt(best_value)} (run {short(best.run_id)}), "
        f"{_chosen_label(ev, record)} {fmt(value)}: {_pct(gain)}{mode}, needs {_pct(meta.baseline_margin)}"
    )
    problems = []
    if gain < meta.baseline_margin - 1e-12:
        problems.append("margin missed")
    if not meets_target(meta, value):
        op = ">=" if meta.metric.goal == "maximize" else "<="
        problems.append(f"target {name} {op} {fmt(meta.metric.target)} missed")
    if problems:
        return fail(f"{summary}; {', '.join(problems)}", *paths)
    return ok(f"{summary}; target {fmt(meta.metric.target)} met", *paths)


@needs_chosen
def check_cross_validation(inc: Increment, ev: EvidenceSet, config: GateConfig, record: RunRecord) -> Outcome:
    """The chosen run has at least ``cv_min_folds`` fold scores; warn when their std > 0.1."""
    where = ev.rel(ev.run_paths[record.run_id])
    needed = inc.meta.cv_min_folds
    if record.cv is None or not record.cv.folds:
        return fail(
            f"{_chosen_label(ev, record)} has no CV fold scores; log them with exp.log_cv(scores) "
            f"({needed} folds or more)",
            where,
        )
    folds = record.cv.folds
    if len(folds) < needed:
        return fail(
            f"{_chosen_label(ev, record)}: {len(folds)} folds of {record.cv.metric}, needs >= {needed} "
            "(cv_min_folds)",
            where,
        )
    std = record.cv.std
    summary = f"{len(folds)} folds of {record.cv.metric}: mean {fmt(record.cv.mean)} ± {fmt(std)}"
    if std > CV_STD_WARN:
        return warn(f"{summary}; std over {CV_STD_WARN}: unstable across folds, check the splits", where)
    return ok(summary, where)


@needs_chosen
def check_model_versioned(inc: Increment, ev: EvidenceSet, config: GateConfig, record: RunRecord) -> Outcome:
    """The chosen run has a model URI and a registered version tied to the increment."""
    where = ev.rel(ev.run_paths[record.run_id])
    model = record.model
    label = _chosen_label(ev, record)
    if model is None or not model.uri:
        return fail(f"{label} has no model; save it with exp.save_model(model, input_example=...)", where)
    if not model.registered_name or not model.version:
        return fail(f"{label}: model {model.uri} is not registered (no registered name/version)", where)
    if record.increment.lstrip("0") != inc.id.lstrip("0"):
        return fail(f"{label} is tagged with increment {record.increment}, not {inc.id}", where)
    registered = f"{model.registered_name} v{model.version}"
    pinned = inc.meta.model
    if pinned and (pinned.name, pinned.version) != (model.registered_name, model.version):
        return fail(
            f"increment.yaml model {pinned.name} v{pinned.version} differs from the chosen run's "
            f"{registered}",
            where,
            ev.rel(inc.meta_path),
        )
    return ok(f"{registered} ({model.uri}), run tagged with increment {inc.id}", where)
