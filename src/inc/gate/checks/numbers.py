"""The numbers and dates the verdict reads: not a number, out of the metric's range, in the future;
and the thresholds of increment.yaml against the ones spec.md states.

A NaN or infinite value reads "not a number" everywhere (never "+nan%"); a value outside the
metric catalog's range (a roc_auc of 1.7) cannot have come out of a real run.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import TYPE_CHECKING

from inc import comparison as cmp
from inc.increment import Increment
from inc.metrics import lookup

if TYPE_CHECKING:
    from inc.evidence import RunRecord
    from inc.gate.context import EvidenceSet

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


def _outside(metric: str, values: list[float]) -> str | None:
    """The first of ``values`` outside ``metric``'s catalog range (sklearn's ``neg_*`` negated)."""
    info = lookup(metric)
    if info is None or not values:
        return None
    shown = [-v for v in values] if metric.startswith("neg_") else values
    if info.low <= min(shown) and max(shown) <= info.high:  # one pass each, not one lookup per fold
        return None
    value = next(v for v, s in zip(values, shown, strict=True) if not info.low <= s <= info.high)
    return f"{num(value)} is outside {info.name}'s range {info.range_text}"


def value_problems(record: RunRecord, metric: str) -> list[str]:
    """The headline metric or a fold score of ``record`` that is not a number or out of its range."""
    label = f"run {short(record.run_id)}"
    problems = []
    value = record.metrics.get(metric)
    if value is not None and not cmp.finite(value):
        problems.append(f"{label}: {metric} is not a number ({value})")
    elif value is not None and (outside := _outside(metric, [value])):
        problems.append(f"{label}: {metric} {outside}")
    cv = record.cv
    if cv is not None and not cmp.finite(sum(cv.folds)):  # one NaN/inf makes the sum so
        problems.append(f"{label}: a {cv.metric} fold score is not a number")
    elif cv is not None and (outside := _outside(cv.metric, cv.folds)):
        problems.append(f"{label}: a {cv.metric} fold score {outside}")
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


_NUMBER = r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
_MARGIN_RE = re.compile(rf"beat the best baseline\b[^\n]*?\bby at least\s+{_NUMBER}\s*%", re.I)
_LATENCY_RE = re.compile(
    rf"^[ \t]*-[ \t]*Latency:[^\n]*?\bp95\s+(?:under|below|<=?|≤)\s*{_NUMBER}\s*ms\b", re.I | re.M
)


@functools.lru_cache(maxsize=64)
def _target_res(metric: str) -> tuple[re.Pattern[str], ...]:
    name = re.escape(metric)
    return (
        re.compile(rf"^[ \t]*-[ \t]*Target metric and value:[ \t]*{name}\s*(?:[<>]=?|≥|≤)\s*{_NUMBER}", re.M),
        re.compile(rf"success metric:[ \t]*{name}[ \t]*\([^)\n]*\btarget\s+{_NUMBER}\)"),
    )


def _stated(pattern: re.Pattern[str], text: str) -> list[tuple[float, int, str]]:
    """(number, line, line text) of each match of ``pattern`` in ``text`` (one scan of the text)."""
    found = []
    for match in pattern.finditer(text):
        value = next(group for group in match.groups() if group is not None)
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        line = text[start : end if end >= 0 else len(text)].strip()
        found.append((float(value), text.count("\n", 0, match.start()) + 1, line))
    return found


def spec_text(ev: EvidenceSet) -> str:
    """spec.md's text, read once per gate run and increment (the baseline and load-test checks read it)."""
    cached: str | None = ev.__dict__.get("_spec_text")
    if cached is None:
        cached = ev.__dict__["_spec_text"] = ev.inc.read_doc("spec.md")
    return cached


def spec_problem(inc: Increment, spec: str) -> str | None:
    """increment.yaml's target or baseline_margin looser than the one spec.md states, or None.

    Read from the lines ``inc new`` writes: the header's "target 0.85", the "Target metric and
    value: roc_auc >= 0.85" field and "must beat the best baseline ... by at least 20%"; a team
    that rewords them is not second-guessed. The gate judges increment.yaml, reviewers read the
    spec: a bar lowered in one file only would pass an increment on a bar nobody agreed to.
    """
    meta = inc.meta
    metric = meta.metric
    target = metric.target
    where = f"{inc.name}/spec.md"
    if target is not None and cmp.finite(target):
        stated_targets = [found for pattern in _target_res(metric.name) for found in _stated(pattern, spec)]
        for stated, line, text in stated_targets:
            looser = target < stated - 1e-12 if metric.goal == "maximize" else target > stated + 1e-12
            if looser:
                side = "below" if metric.goal == "maximize" else "above"
                return (
                    f"increment.yaml metric.target {target:g} is {side} the {stated:g} spec.md states "
                    f"({where}:{line}: '{text}'): the gate judges increment.yaml, reviewers read the "
                    "spec; restore the target, or change the spec too so the lower bar is reviewed"
                )
    for stated, line, _ in _stated(_MARGIN_RE, spec):
        if meta.baseline_margin < stated / 100 - 1e-12:
            return (
                f"increment.yaml baseline_margin {meta.baseline_margin:g} is below the {stated:g}% "
                f"spec.md states ({where}:{line}): the gate judges increment.yaml, reviewers read the "
                "spec; restore the margin, or change the spec too so the lower bar is reviewed"
            )
    return None


def spec_latency_problem(inc: Increment, spec: str) -> str | None:
    """increment.yaml's ``latency_p95_ms`` infinite, or above the "p95 under N ms" spec.md states."""
    allowed = inc.meta.latency_p95_ms
    if not cmp.finite(allowed):
        return "increment.yaml latency_p95_ms is not a number (.inf): give the p95 target in milliseconds"
    for stated, line, _ in _stated(_LATENCY_RE, spec):
        if allowed > stated + 1e-9:
            return (
                f"increment.yaml latency_p95_ms {allowed:g} is above the {stated:g} ms spec.md states "
                f"({inc.name}/spec.md:{line}): the gate judges increment.yaml, reviewers read the spec; "
                "restore latency_p95_ms, or change the spec too so the looser target is reviewed"
            )
    return None
