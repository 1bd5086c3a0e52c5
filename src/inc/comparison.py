"""One comparison of runs for every surface: the gate, ``inc runs``, ``inc show`` and the living docs.

Improvement over the best baseline under ``margin_mode``, the target, the best baseline, the
chosen-or-best run and ties are computed here only, so the surfaces cannot disagree. Values that
are not finite numbers never take part in a "best" and are reported as "not a number".
Core module: no ML import (a split fingerprint duck-types numpy arrays).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from inc.metrics import lookup
from inc.sha import sha256

if TYPE_CHECKING:
    from inc.evidence import RunRecord
    from inc.meta import IncrementMeta

FINISHED = "FINISHED"


def finite(value: float | None) -> bool:
    """True for a real, finite number."""
    try:
        return math.isfinite(value)  # type: ignore[arg-type]
    except TypeError:
        return False


def pct(value: float | None) -> str:
    """An improvement as ``+12.5%``; ``+inf%`` for a zero baseline; never ``+nan%``."""
    if value is None:
        return "n/a"
    if math.isnan(value):
        return "not a number"
    if math.isinf(value):
        return "+inf%" if value > 0 else "-inf%"
    text = f"{value * 100:+.1f}%"
    return "+0.0%" if text == "-0.0%" else text


def perfect_score(metric: str, goal: str) -> float | None:
    """The metric's best possible value from the catalog; None when it has none (calinski_harabasz).

    A metric the catalog does not know is taken as a score in [0, 1] (maximize) or an error
    down to 0 (minimize).
    """
    info = lookup(metric)
    if info is not None and info.goal == goal:
        return info.perfect
    return 1.0 if goal == "maximize" else 0.0


def _room(baseline: float, goal: str, margin_mode: str, metric: str) -> float:
    """What the margin is a share of: |baseline|, or the distance to the perfect score."""
    perfect = perfect_score(metric, goal) if margin_mode == "error_reduction" else None
    return abs(baseline) if perfect is None else abs(perfect - baseline)


def improvement(value: float, baseline: float, goal: str, margin_mode: str, metric: str) -> float:
    """How much ``value`` beats ``baseline`` (positive is better) under ``margin_mode``.

    ``relative``: the gain over ``|baseline|``. ``error_reduction``: the share of the distance from
    the baseline to the perfect score that was closed (for an error metric with a perfect score
    of 0 both modes agree). A zero denominator gives +inf/-inf (or 0 for no gain); NaN in, NaN out.
    """
    if not (finite(value) and finite(baseline)):
        return math.nan
    gain = (value - baseline) if goal == "maximize" else (baseline - value)
    denominator = _room(baseline, goal, margin_mode, metric)
    if denominator == 0:
        return math.inf if gain > 0 else (-math.inf if gain < 0 else 0.0)
    return gain / denominator


def required_value(baseline: float, goal: str, margin: float, margin_mode: str, metric: str) -> float:
    """The value a run needs to beat ``baseline`` by ``margin`` under ``margin_mode``."""
    sign = 1.0 if goal == "maximize" else -1.0
    return baseline + sign * margin * _room(baseline, goal, margin_mode, metric)


def unreachable(baseline: float, meta: IncrementMeta) -> str | None:
    """Why ``baseline_margin`` cannot be met above ``baseline`` within the metric's range, or None."""
    metric = meta.metric
    info = lookup(metric.name)
    if info is None or not finite(baseline):
        return None
    needed = required_value(baseline, metric.goal, meta.baseline_margin, meta.margin_mode, metric.name)
    limit = info.high if metric.goal == "maximize" else info.low
    beyond = needed > limit if metric.goal == "maximize" else needed < limit
    if not beyond and needed != limit:
        return None
    what = "beyond the metric's range" if beyond else "a perfect score"
    return (
        f"the margin cannot be met: {meta.baseline_margin:.0%} {meta.margin_mode} over {num(baseline)} needs "
        f"{metric.name} {num(needed)}, {what} {info.range_text}"
    )


def reachability_note(metric: str, goal: str, margin: float, margin_mode: str) -> str | None:
    """For ``inc new``: the strongest baseline a relative margin can still be beaten over, worked out."""
    info = lookup(metric)
    if info is None or margin_mode != "relative" or info.goal != goal or margin <= 0:
        return None
    if goal == "maximize":
        if math.isinf(info.high) or info.high <= 0:
            return None
        ceiling = info.high / (1 + margin)
        example = 0.846 if info.high == 1 else round((ceiling + info.high) / 2, 3)
        needed = example * (1 + margin)
        fixed = required_value(example, goal, margin, "error_reduction", metric)
        return (
            f"{metric} is at most {info.high:g}: a {margin:.0%} relative margin cannot be met once the "
            f"best baseline reaches {ceiling:.3f} (a baseline at {example:g} would need {needed:.3f}); "
            f"if a rule or the current system may score that high, set 'margin_mode: error_reduction' "
            f"in increment.yaml ({margin:.0%} of the remaining error: {example:g} -> {fixed:.3f})"
        )
    if margin >= 1 and info.low == 0:
        return f"{metric} cannot go below 0: a relative margin of {margin:.0%} or more can never be met"
    return None


def num(value: float | None, digits: int = 4) -> str:
    """A metric value with fixed decimals (never ``-0``); 'not a number' for NaN/inf."""
    if value is None:
        return "n/a"
    if not math.isfinite(value):
        return "not a number"
    text = f"{value:.{digits}f}"
    return text.lstrip("-") if text.lstrip("-").strip("0.") == "" else text


def margin_examples(metric: str, goal: str, margin: float) -> tuple[str, str]:
    """Worked numbers for the templates: what each margin mode asks of one example baseline."""
    info = lookup(metric)
    perfect = perfect_score(metric, goal)
    example = 0.846 if perfect == 1.0 else (50.0 if perfect == 0.0 else 100.0)
    if info is not None and info.goal == goal and info.low == -1 and goal == "maximize":
        example = 0.6
    relative = required_value(example, goal, margin, "relative", metric)
    bound = (
        f" ({metric} cannot exceed {perfect:g}: use error_reduction)"
        if (perfect is not None and goal == "maximize" and relative > perfect)
        else ""
    )
    first = f"With a best baseline at {example:g}, {margin:.0%} needs {metric} {relative:.3f}{bound}."
    if perfect is None:
        return first, f"{metric} has no perfect score, so this mode measures the same as relative."
    error = required_value(example, goal, margin, "error_reduction", metric)
    second = f"With a best baseline at {example:g} and a perfect score of {perfect:g}, "
    return first, second + f"{margin:.0%} needs {metric} {error:.3f}."


def meets_target(value: float | None, target: float | None, goal: str) -> bool | None:
    """True when ``value`` reaches ``target`` in the goal's direction (None when either is missing)."""
    if target is None or not finite(value):
        return None
    assert value is not None
    return value >= target if goal == "maximize" else value <= target


def usable(record: RunRecord, metric: str) -> bool:
    """The record's value of ``metric`` is a finite number."""
    return finite(record.metrics.get(metric))


def best_of(records: Iterable[RunRecord], role: str, metric: str, goal: str) -> RunRecord | None:
    """The run of ``role`` with the best finite ``metric``; ties go to the smallest run id.

    Candidates count only when FINISHED (a failed or killed run can be neither picked nor shipped).
    """
    scored = [
        r
        for r in records
        if r.role == role and usable(r, metric) and (role != "candidate" or r.status == FINISHED)
    ]
    if not scored:
        return None
    sign = -1.0 if goal == "maximize" else 1.0
    return min(scored, key=lambda r: (sign * r.metrics[metric], r.run_id))


def not_numbers(records: Iterable[RunRecord], metric: str) -> list[RunRecord]:
    """Records whose value of ``metric`` is present but NaN or infinite."""
    return [r for r in records if metric in r.metrics and not finite(r.metrics[metric])]


class Subject(NamedTuple):
    """The run a comparison judges: ``chosen_run``, or the best FINISHED candidate."""

    record: RunRecord | None
    chosen: bool = False
    problem: str = ""


def subject_of(meta: IncrementMeta, records: Sequence[RunRecord], broken: Iterable[str] = ()) -> Subject:
    """The chosen run, or the best candidate; ``problem`` says why there is none usable.

    ``broken`` names run ids whose ledger file exists but does not load.
    """
    wanted = meta.chosen_run
    if wanted:
        record = next((r for r in records if r.run_id == wanted), None)
        if record is None:
            where = "does not load" if wanted in set(broken) else "has no record in runs/; 'inc link' it"
            return Subject(None, problem=f"chosen run {wanted} {where}")
        if record.status != FINISHED:
            return Subject(
                None,
                problem=f"chosen run {wanted} has status {record.status}: only a "
                "FINISHED run can ship; choose another with 'inc choose'",
            )
        return Subject(record, chosen=True)
    best = best_of(records, "candidate", meta.metric.name, meta.metric.goal)
    if best is None:
        return Subject(None, problem="no chosen run and no FINISHED candidate run with the metric to pick")
    return Subject(best)


class FoldComparison(NamedTuple):
    """The subject's folds against the best baseline's on the same splits (paired)."""

    folds: int
    subject_mean: float
    baseline_mean: float
    improvement: float  # on the CV means, under margin_mode
    mean_diff: float  # mean of per-fold differences, positive is better
    diff_std: float  # population std of the per-fold differences
    wins: int  # folds where the subject is better


def fold_comparison(subject: RunRecord, baseline: RunRecord, meta: IncrementMeta) -> FoldComparison | None:
    """Paired fold comparison when both runs logged folds on the same splits, else None."""
    a, b = subject.cv, baseline.cv
    if a is None or b is None or len(a.folds) != len(b.folds) or len(a.folds) < 2:
        return None
    split_a, split_b = getattr(a, "splits", None), getattr(b, "splits", None)
    if not split_a or split_a != split_b:
        return None
    if not all(finite(v) for v in (*a.folds, *b.folds)):
        return None
    goal = meta.metric.goal
    sign = 1.0 if goal == "maximize" else -1.0
    diffs = [sign * (x - y) for x, y in zip(a.folds, b.folds, strict=True)]
    mean_a, mean_b = a.mean, b.mean
    gain = improvement(mean_a, mean_b, goal, meta.margin_mode, meta.metric.name)
    from inc.rules import fmean, pstdev

    return FoldComparison(
        len(diffs),
        mean_a,
        mean_b,
        gain,
        fmean(diffs),
        pstdev(diffs),
        sum(d > 0 for d in diffs),
    )


class Comparison(NamedTuple):
    """The subject run against the target and the best baseline, as every surface shows it."""

    subject: Subject
    value: float | None
    target: float | None
    meets_target: bool | None
    baseline: RunRecord | None
    baseline_value: float | None
    improvement: float | None
    margin: float
    beats_baseline: bool | None
    folds: FoldComparison | None = None
    unreachable: str | None = None
    nan_baselines: tuple[str, ...] = ()


def compare(
    meta: IncrementMeta,
    records: Sequence[RunRecord],
    broken: Iterable[str] = (),
    subject: Subject | None = None,
) -> Comparison:
    """The subject (given, else the chosen or best candidate) against the target and best baseline."""
    metric = meta.metric
    subject = subject or subject_of(meta, records, broken)
    record = subject.record
    value = record.metrics.get(metric.name) if record is not None else None
    best = best_of(records, "baseline", metric.name, metric.goal)
    best_value = best.metrics[metric.name] if best is not None else None
    gain = beats = folds = None
    if value is not None and best_value is not None and record is not None:
        gain = improvement(value, best_value, metric.goal, meta.margin_mode, metric.name)
        beats = finite(value) and gain >= meta.baseline_margin - 1e-12
        folds = fold_comparison(record, best, meta) if best is not None else None
    nans = [r.run_id for r in not_numbers(records, metric.name) if r.role == "baseline"]
    return Comparison(
        subject=subject,
        value=value,
        target=metric.target,
        meets_target=meets_target(value, metric.target, metric.goal),
        baseline=best,
        baseline_value=best_value,
        improvement=gain,
        margin=meta.baseline_margin,
        beats_baseline=beats,
        folds=folds,
        unreachable=unreachable(best_value, meta) if best_value is not None else None,
        nan_baselines=tuple(nans),
    )


def run_improvement(record: RunRecord, best: RunRecord | None, meta: IncrementMeta) -> float | None:
    """One run's improvement over the best baseline (None for the best baseline itself or no value)."""
    metric = meta.metric
    value = record.metrics.get(metric.name)
    if value is None or best is None or record.run_id == best.run_id:
        return None
    return improvement(value, best.metrics[metric.name], metric.goal, meta.margin_mode, metric.name)


def split_fingerprint(splits: Any) -> str | None:
    """A fingerprint of CV splits so two runs' folds can be paired.

    ``splits``: a string (taken as the fingerprint), a scikit-learn splitter (its repr; an
    unseeded shuffling splitter gets a unique value so it never pairs), or an iterable of
    ``(train_idx, test_idx)`` pairs (a hash of the index arrays).
    """
    if splits is None:
        return None
    if isinstance(splits, str):
        return splits
    if hasattr(splits, "split") and hasattr(splits, "get_n_splits"):
        shuffles = getattr(splits, "shuffle", False)
        if shuffles and getattr(splits, "random_state", None) is None:
            import uuid

            return f"unseeded:{uuid.uuid4().hex}"
        return "splitter:" + sha256(repr(splits).encode()).hexdigest()[:16]
    digest = sha256()
    for pair in splits:
        for part in pair:
            digest.update(_index_bytes(part))
            digest.update(b"|")
        digest.update(b";")
    return "folds:" + digest.hexdigest()[:16]


def _index_bytes(indices: Any) -> bytes:
    tolist = getattr(indices, "tolist", None)
    values = tolist() if callable(tolist) else list(indices)
    return ",".join(str(int(v)) for v in values).encode()
