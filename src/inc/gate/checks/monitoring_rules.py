"""Monitoring that can fire: the reference data exists and hashes as recorded; the performance
alert threshold lies strictly inside the metric's range and on the right side of the target.

Ranges and directions come from the metric catalog (``inc.metrics``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from inc.meta import IncrementMeta
from inc.metrics import lookup, same_metric

if TYPE_CHECKING:
    from inc.ops.monitoring import MonitoringConfig


def metric_range(name: str) -> tuple[float, float, str] | None:
    """(lowest, highest, goal) of a metric from the metric catalog; None for an unknown metric."""
    info = lookup(name)
    return None if info is None else (info.low, info.high, info.goal)


def reference_problems(mon: MonitoringConfig, root: Path) -> list[str]:
    """The reference data file is inside the workspace, exists, and its sha256 matches."""
    from inc.evidence import sha256_file

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


def threshold_problems(mon: MonitoringConfig, meta: IncrementMeta) -> list[str]:
    """The performance alert can fire: inside the metric's range, right side of the target."""
    perf = mon.performance
    if perf is None:
        return []
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
    return problems
