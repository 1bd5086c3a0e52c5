"""``inc gate --verify`` on metric histories: a judged metric logged more than once, or after the run ended.

The ledger keeps one value per metric; the server keeps every value logged, with its time. A
metric the verdict reads (the increment's headline metric under any alias, the CV mean and std)
that the server holds several values of was changed or curve-logged under the judged key; one
logged after the run's end time was re-logged after the fact, even when the last value agrees
with the ledger. Fold scores logged after the end, or twice at one step, fail too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inc.evidence import RunRecord
from inc.metrics import same_metric
from inc.tracking import ledger
from inc.tracking.verify import Difference, Target, server_time, shown

if TYPE_CHECKING:
    from inc.increment import Increment
    from inc.tracking.adapter import MetricPoint, RunData

# A metric logged after the run's end time was re-logged: inc logs everything before it ends the
# run, and MLflow stamps both times with the logging client's clock.
AFTER_END_MS = 0


def judged_keys(inc: Increment, record: RunRecord) -> list[str]:
    """The metrics the verdict reads from a record: the headline metric (any alias) and CV mean/std."""
    metric = inc.meta.metric.name
    keys = [metric, *(k for k in record.metrics if same_metric(k, metric))]
    for name in {metric, *([record.cv.metric] if record.cv else [])}:
        base = ledger.cv_metric_key(name)
        keys += [f"{base}_mean", f"{base}_std"]
    return list(dict.fromkeys(keys))


def history_differences(target: Target, record: RunRecord, run: RunData, where: str) -> list[Difference]:
    """A judged metric with several values, or one logged after the run ended; late fold scores."""
    from inc.tracking import adapter

    keys = [k for k in judged_keys(target.inc, record) if k in run.metrics]
    folds = [ledger.cv_metric_key(record.cv.metric)] if record.cv else []
    folds = [k for k in folds if k in run.metrics]
    if not keys and not folds:
        return []
    histories = adapter.metric_points(target.uri, record.run_id, keys + folds)
    end = run.end_time
    out = []
    for key in keys:
        points = histories.get(key, [])
        late = [p for p in points if end is not None and p.timestamp > end + AFTER_END_MS]
        if len(points) > 1 or late:
            out.append(_history_difference(where, key, record.metrics.get(key), points, late, end))
    for key in folds:
        points = histories.get(key, [])
        late = [p for p in points if end is not None and p.timestamp > end + AFTER_END_MS]
        steps = [p.step for p in points]
        if late or len(steps) != len(set(steps)):
            out.append(_history_difference(where, key, None, points, late, end, folds=True))
    return out


def _history_difference(
    where: str,
    key: str,
    mine: float | None,
    points: list[MetricPoint],
    late: list[MetricPoint],
    end: int | None,
    folds: bool = False,
) -> Difference:
    values = ", ".join(shown(p.value) for p in points[:6]) + (" ..." if len(points) > 6 else "")
    theirs = f"{len(points)} values ({values})"
    if late:
        ended = server_time(end)
        note = (
            f"re-logged after the run ended ({len(late)} value(s) logged after "
            f"{ended.isoformat() if ended else 'its end'}): the run's result was changed afterwards"
        )
    elif folds:
        note = "a fold step was logged more than once"
    else:
        note = (
            "logged more than once: the gate judges one final value; log curves and intermediate "
            "values under another key"
        )
    return Difference(where, f"metric {key} history", shown(mine) if not folds else "folds", theirs, note)
