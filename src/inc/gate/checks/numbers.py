"""The numbers and dates the verdict reads: not a number, out of the metric's range, in the future;
and the thresholds of increment.yaml against the ones spec.md states.

A NaN or infinite value reads "not a number" everywhere (never "+nan%"); a value outside the
metric catalog's range (a roc_auc of 1.7) cannot have come out of a real run.
"""

from __future__ import annotations

import datetime as dt
import re

from inc import comparison as cmp
from inc.evidence import RunRecord
from inc.increment import Increment
from inc.metrics import lookup

CLOCK_SKEW = dt.timedelta(minutes=10)
num = cmp.num


def short(run_id: str) -> str:
    """A run id shortened for one-line details."""
    return run_id if len(run_id) <= 8 else run_id[:6] + ".."


def parse_time(text: str | None) -> dt.datetime | None:
    """An ISO date as an aware datetime (UTC when it names no zone); None for none."""
    if not text:
        return None
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _outside(metric: str, value: float) -> str | None:
    """``value`` outside ``metric``'s range in the catalog (sklearn's ``neg_*`` scores negated)."""
    info = lookup(metric)
    if info is None:
        return None
    shown = -value if metric.startswith("neg_") else value
    if info.low <= shown <= info.high:
        return None
    return f"{num(value)} is outside {info.name}'s range {info.range_text}"


def value_problems(record: RunRecord, metric: str) -> list[str]:
    """The headline metric or a fold score of ``record`` that is not a number or out of its range."""
    label = f"run {short(record.run_id)}"
    problems = []
    value = record.metrics.get(metric)
    if value is not None and not cmp.finite(value):
        problems.append(f"{label}: {metric} is not a number ({value})")
    elif value is not None and (outside := _outside(metric, value)):
        problems.append(f"{label}: {metric} {outside}")
    if record.cv is not None and not cmp.finite(sum(record.cv.folds)):  # one NaN/inf makes the sum so
        problems.append(f"{label}: a {record.cv.metric} fold score is not a number")
    elif record.cv is not None:
        wrong = [text for v in record.cv.folds if (text := _outside(record.cv.metric, v))]
        if wrong:
            problems.append(f"{label}: a {record.cv.metric} fold score {wrong[0]}")
    return problems


def number_problems(record: RunRecord, metric: str, now: dt.datetime) -> list[str]:
    """What is wrong with the numbers and dates the verdict reads from ``record``."""
    label = f"run {short(record.run_id)}"
    problems = value_problems(record, metric)
    try:
        start, end = parse_time(record.start_time), parse_time(record.end_time)
    except ValueError:
        return [*problems, f"{label}: start_time/end_time is not an ISO date"]
    for name, when in (("start_time", start), ("end_time", end)):
        if when is not None and when > now + CLOCK_SKEW:
            problems.append(f"{label}: {name} {when.date()} is in the future")
    if start is not None and end is not None and end < start:
        problems.append(f"{label}: ended ({end.isoformat()}) before it started ({start.isoformat()})")
    return problems


_OPS = {">=": ">=", "≥": ">=", ">": ">=", "<=": "<=", "≤": "<=", "<": "<="}
_NUMBER = r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"


def _stated_targets(text: str, metric: str) -> list[tuple[float, int, str]]:
    """(value, line, line text) of each target spec.md states for ``metric``.

    Read from the lines ``inc new`` writes: the header's "target 0.85" and the "Target metric and
    value: roc_auc >= 0.85" field; a team that rewords them is not second-guessed.
    """
    field = re.compile(
        rf"^\s*-\s*Target metric and value:\s*{re.escape(metric)}\s*(?:>=|<=|≥|≤|>|<)\s*{_NUMBER}", re.I
    )
    header = re.compile(rf"success metric:\s*{re.escape(metric)}\s*\([^)]*\btarget\s+{_NUMBER}\)", re.I)
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = field.search(line) or header.search(line)
        if match:
            found.append((float(match.group(1)), number, line.strip()))
    return found


def _stated_margins(text: str) -> list[tuple[float, int, str]]:
    """(margin as a share, line, line text) of "must beat the best baseline ... by at least N%"."""
    pattern = re.compile(rf"beat the best baseline\b.*?\bby at least\s+{_NUMBER}\s*%", re.I)
    return [
        (float(match.group(1)) / 100, number, line.strip())
        for number, line in enumerate(text.splitlines(), 1)
        if (match := pattern.search(line))
    ]


def spec_problem(inc: Increment, spec_text: str) -> str | None:
    """increment.yaml's target or baseline_margin looser than the one spec.md states, or None.

    The gate judges increment.yaml; reviewers read the spec. A bar lowered in one file only
    would pass an increment on a bar nobody agreed to.
    """
    meta = inc.meta
    metric = meta.metric
    target = metric.target
    where = f"{inc.name}/spec.md"
    if target is not None and cmp.finite(target):
        for stated, line, text in _stated_targets(spec_text, metric.name):
            looser = target < stated - 1e-12 if metric.goal == "maximize" else target > stated + 1e-12
            if looser:
                side = "below" if metric.goal == "maximize" else "above"
                return (
                    f"increment.yaml metric.target {target:g} is {side} the {stated:g} spec.md states "
                    f"({where}:{line}: '{text}'): the gate judges increment.yaml, reviewers read the "
                    "spec; restore the target, or change the spec too so the lower bar is reviewed"
                )
    for stated, line, _ in _stated_margins(spec_text):
        if meta.baseline_margin < stated - 1e-12:
            return (
                f"increment.yaml baseline_margin {meta.baseline_margin:g} is below the {stated * 100:g}% "
                f"spec.md states ({where}:{line}): the gate judges increment.yaml, reviewers read the "
                "spec; restore the margin, or change the spec too so the lower bar is reviewed"
            )
    return None


def spec_latency_problem(inc: Increment, spec_text: str) -> str | None:
    """increment.yaml's ``latency_p95_ms`` infinite, or above the "p95 under N ms" spec.md states."""
    pattern = re.compile(rf"^\s*-\s*Latency:.*?\bp95\s+(?:under|below|<=?|≤)\s*{_NUMBER}\s*ms\b", re.I)
    allowed = inc.meta.latency_p95_ms
    if not cmp.finite(allowed):
        return "increment.yaml latency_p95_ms is not a number (.inf): give the p95 target in milliseconds"
    for number, line in enumerate(spec_text.splitlines(), 1):
        match = pattern.search(line)
        if match and allowed > float(match.group(1)) + 1e-9:
            return (
                f"increment.yaml latency_p95_ms {allowed:g} is above the {float(match.group(1)):g} ms "
                f"spec.md states ({inc.name}/spec.md:{number}): the gate judges increment.yaml, reviewers "
                "read the spec; restore latency_p95_ms, or change the spec too so the looser target is "
                "reviewed"
            )
    return None
