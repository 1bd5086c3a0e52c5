"""Monitoring that can fire: the reference data exists and hashes as recorded; the performance
alert threshold lies strictly inside the metric's range, on the right side of the target and
of the best baseline (an alert that waits until the model is no better than its baseline
alerts too late), and labels arrive within the workspace's ``label_delay_max_days``.

Ranges and directions come from the metric catalog (``inc.metrics``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from inc.metrics import lookup, same_metric

if TYPE_CHECKING:
    from inc.meta import IncrementMeta
    from inc.ops.monitoring_schema import MonitoringConfig


def metric_range(name: str) -> tuple[float, float, str] | None:
    """(lowest, highest, goal) of a metric from the metric catalog; None for an unknown metric."""
    info = lookup(name)
    return None if info is None else (info.low, info.high, info.goal)


def reference_problems(mon: MonitoringConfig, root: Path) -> list[str]:
    """The reference data file is inside the workspace, exists, and its sha256 matches."""
    from inc.evidence_io import sha256_file

    ref = mon.reference
    if ref is None or ref.path is None or ref.sha256 is None:
        return []  # a missing reference or hash is reported by the completeness rules
    path = (root / ref.path).resolve()
    if root.resolve() not in path.parents:
        return [f"monitoring.yaml: field 'reference.path': {ref.path} is outside the workspace"]
    if not path.is_file():
        return [
            f"monitoring.yaml: field 'reference.path': {ref.path} does not exist; commit the reference "
            "data, or point to it with uri"
        ]
    if path.stat().st_size == 0:
        return [f"monitoring.yaml: field 'reference.path': {ref.path} is empty; commit the reference data"]
    if sha256_file(path) != ref.sha256:
        return [
            f"monitoring.yaml: field 'reference.sha256': {ref.path} no longer hashes to the recorded "
            "sha256 (the data changed); rerun drift on purpose and record the new sha256"
        ]
    return []


def unverified_reference(mon: MonitoringConfig) -> str:
    """A warning when the reference data is a URI: its sha256 cannot be checked offline."""
    ref = mon.reference
    if ref is not None and ref.uri is not None:
        return (
            f"monitoring.yaml: field 'reference.uri': {ref.uri} is not fetched, so its sha256 is not "
            "checked offline; commit the reference data and give its path to have it checked"
        )
    return ""


def threshold_problems(
    mon: MonitoringConfig,
    meta: IncrementMeta,
    baseline: tuple[str, float] | None = None,
    label_delay_max_days: int | None = None,
    chosen: float | None = None,
) -> list[str]:
    """The performance alert can fire: inside the metric's range, right side of the target and
    of the best baseline (``(label, value)`` of the increment's metric), labels in time. When the
    baseline already meets the target, the chosen run's score (``chosen``) bounds the alert."""
    perf = mon.performance
    if perf is None:
        return []
    late = _late_labels(perf.label_delay_days, label_delay_max_days)
    if late:
        return [late]
    below = perf.alert_below is not None
    value = perf.alert_below if below else perf.alert_above
    assert value is not None
    field = "performance.alert_below" if below else "performance.alert_above"
    if not math.isfinite(value):
        return [f"monitoring.yaml: field '{field}': {value} is not a number an alert can cross"]
    known = metric_range(perf.metric)
    same = same_metric(perf.metric, meta.metric.name)
    goal = meta.metric.goal if same else (known[2] if known else None)  # unknown metric: no direction
    problems = []
    if goal is not None and below != (goal == "maximize"):
        right = "alert_below" if goal == "maximize" else "alert_above"
        problems.append(
            f"monitoring.yaml: field '{field}': {perf.metric} is to {goal}, so the alert is "
            f"'{right}' (this one fires only when the model gets better)"
        )
    if known and not known[0] < value < known[1]:
        low, high = (f"{bound:g}" for bound in known[:2])
        problems.append(
            f"monitoring.yaml: field '{field}': {value:g} is not strictly inside {perf.metric}'s "
            f"range ({low}, {high}), so the alert can never fire (or always fires)"
        )
    target = meta.metric.target
    if same and baseline is not None and target is not None and _beyond(target, baseline[1], below):
        # The best baseline already meets the target, so an alert at the target could only fire
        # below the baseline: the chosen model's own score is the ceiling instead.
        target = None
        if chosen is not None and math.isfinite(chosen) and (value >= chosen if below else value <= chosen):
            problems.append(
                f"monitoring.yaml: field '{field}': {value:g} is {'at or above' if below else 'at or below'} "
                f"the chosen run's {perf.metric} {chosen:.4g}: it would fire as soon as the model runs "
                "at its measured score"
            )
    if same and target is not None and not problems:
        if below and value > target:
            problems.append(
                f"monitoring.yaml: field '{field}': {value:g} is above the target {target:g}; "
                "alert at or below the target the model was accepted on"
            )
        if not below and value < target:
            problems.append(
                f"monitoring.yaml: field '{field}': {value:g} is below the target {target:g}; "
                "alert at or above the target the model was accepted on"
            )
    if same and baseline is not None and not problems:
        problems += _baseline_side(field, value, below, baseline, target)
    return problems


def _beyond(target: float, best: float, below: bool) -> bool:
    """True when the best baseline already meets the target (at or past it)."""
    return math.isfinite(best) and (best >= target if below else best <= target)


def _late_labels(delay: float, most: int | None) -> str:
    if most is None or delay <= most:
        return ""
    return (
        f"monitoring.yaml: field 'performance.label_delay_days': {delay:g} days is longer than the "
        f"workspace's label_delay_max_days {most}: the alert would fire long after the model went "
        "bad; measure on faster labels (or a proxy), or raise the floor in inc.yaml on purpose"
    )


def _baseline_side(
    field: str, value: float, below: bool, baseline: tuple[str, float], target: float | None
) -> list[str]:
    """An alert the model has to fall past its best baseline to trigger alerts too late."""
    label, best = baseline
    if math.isfinite(best) and (value <= best if below else value >= best):
        side = "at or below" if below else "at or above"
        where = (
            f"between {best:.4g} and the target {target:g}"
            if target is not None
            else (f"{'above' if below else 'below'} {best:.4g}")
        )
        return [
            f"monitoring.yaml: field '{field}': {value:g} is {side} {best:.4g}, the best baseline's "
            f"score (run {label}): the model would be no better than its baseline before anyone is "
            f"alerted; alert {where}"
        ]
    return []
