"""A cheap, deterministic readiness estimate for the docs, computed from committed evidence only.

Why not call the gate: the gate's ``staleness`` check reads git history (so the docs would change
with every commit and ``inc docs --check`` would never settle), its ``living_docs`` check calls
this build (a cycle), and running it on 1,000 increments costs more than the whole docs budget.
The docs therefore show which evidence is in place (``7/11 ready``) and leave the verdict to
``inc gate``; every page says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from inc.livedocs.collect import IncrementData
from inc.markdown import PLACEHOLDER
from inc.meta import IncrementMeta

CHECKS = (
    ("spec", "spec filled in"),
    ("tasks", "tasks complete"),
    ("experiments", "experiments tracked"),
    ("baseline", "beats the best baseline and meets the target"),
    ("cross_validation", "cross-validated"),
    ("model_versioned", "model versioned"),
    ("explainability", "SHAP report"),
    ("evaluation", "evaluation report"),
    ("load_test", "latency under target"),
    ("monitoring", "monitoring configured"),
    ("ab_test", "A/B test planned"),
    ("rollback", "rollback planned"),
)


@dataclass(frozen=True)
class Comparison:
    """The subject run's metric against the target and the best baseline."""

    value: float | None
    target: float
    meets_target: bool | None
    baseline: float | None
    improvement: float | None  # in the increment's margin_mode, positive is better
    margin: float
    beats_baseline: bool | None


@dataclass(frozen=True)
class CheckState:
    """One readiness item: ``ready``, ``open`` or ``waived``."""

    id: str
    title: str
    state: str
    detail: str


def improvement(meta: IncrementMeta, value: float, baseline: float) -> float | None:
    """How much ``value`` improves on ``baseline`` per the increment's margin mode and goal."""
    maximize = meta.metric.goal == "maximize"
    if meta.margin_mode == "error_reduction":
        base_error = (1.0 - baseline) if maximize else baseline
        new_error = (1.0 - value) if maximize else value
        return None if base_error == 0 else (base_error - new_error) / abs(base_error)
    if baseline == 0:
        return None
    delta = (value - baseline) if maximize else (baseline - value)
    return delta / abs(baseline)


def compare(data: IncrementData) -> Comparison:
    """Metric of the chosen (or best candidate) run vs target and best baseline."""
    meta = data.meta
    value = data.metric_of(data.subject)
    best = data.best("baseline")
    baseline = data.metric_of(best)
    meets = None
    if value is not None:
        meets = value >= meta.metric.target if meta.metric.goal == "maximize" else value <= meta.metric.target
    gain = improvement(meta, value, baseline) if value is not None and baseline is not None else None
    beats = None if gain is None else gain >= meta.baseline_margin
    return Comparison(value, meta.metric.target, meets, baseline, gain, meta.baseline_margin, beats)


def section_filled(data: IncrementData, doc: str, title: str) -> bool:
    """True when the section exists, is not empty and holds no template placeholder."""
    section = data.section(doc, title)
    return section is not None and not section.is_empty and not section.has_placeholder


def _checks(data: IncrementData) -> dict[str, tuple[bool, str]]:
    meta = data.meta
    subject = data.subject
    cmp = compare(data)
    spec_left = sum(s.has_placeholder for s in data.spec if s.level == 2)
    plan_left = sum(s.has_placeholder for s in data.plan if s.level == 2)
    candidates = [r for r in data.by_role("candidate") if r.params and r.metrics and r.note.strip()]
    done = sum(task.done for task in data.tasks)
    folds = len(subject.cv.folds) if subject is not None and subject.cv is not None else 0
    model = subject.model if subject is not None else None
    mon = data.monitoring
    lt = data.loadtest
    return {
        "spec": (spec_left + plan_left == 0, f"{spec_left + plan_left} section(s) hold {PLACEHOLDER}"),
        "tasks": (bool(data.tasks) and done == len(data.tasks), f"{done}/{len(data.tasks)} tasks done"),
        "experiments": (
            bool(candidates) and not data.problems,
            f"{len(candidates)} documented candidate run(s)"
            + (f", {len(data.problems)} problem(s)" if data.problems else ""),
        ),
        "baseline": (
            bool(cmp.beats_baseline and cmp.meets_target),
            "no baseline run" if cmp.baseline is None else "vs best baseline and target",
        ),
        "cross_validation": (folds >= meta.cv_min_folds, f"{folds} of {meta.cv_min_folds} folds"),
        "model_versioned": (
            model is not None and bool(model.registered_name) and bool(model.version),
            "registered model version" if model is not None else "no model logged",
        ),
        "explainability": (data.explain is not None, "SHAP summary" if data.explain else "no SHAP report"),
        "evaluation": (data.evaluation is not None,
                       "evaluation report" if data.evaluation else "no evaluation report"),
        "load_test": (
            lt is not None and lt.p95_ms <= meta.latency_p95_ms,
            "no load test" if lt is None else f"p95 {lt.p95_ms:.2f} ms vs {meta.latency_p95_ms:g} ms",
        ),
        "monitoring": (
            mon is not None and bool(mon.features) and mon.performance is not None
            and mon.reference is not None and bool(mon.alert_route.strip()),
            "features, performance alert, reference data and alert route",
        ),
        "ab_test": (section_filled(data, "plan.md", "A/B test plan"), "plan.md A/B test plan"),
        "rollback": (section_filled(data, "plan.md", "Rollback plan"), "plan.md rollback plan"),
    }


def readiness(data: IncrementData) -> list[CheckState]:
    """Every readiness item with its state; waivers in increment.yaml count as waived."""
    results = _checks(data)
    states = []
    for check_id, title in CHECKS:
        ready, detail = results[check_id]
        waiver = data.meta.waiver_for(check_id)
        if not ready and waiver is not None:
            states.append(CheckState(check_id, title, "waived", f"{waiver.reason} ({waiver.approved_by})"))
        else:
            states.append(CheckState(check_id, title, "ready" if ready else "open", detail))
    return states
