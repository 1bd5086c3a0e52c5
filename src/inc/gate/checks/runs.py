"""Checks on the run ledger: experiments, candidates, baselines, margin and target, CV folds, model.

Every number compared here comes from ``inc.comparison`` (the same module ``inc runs`` and the
living docs read), and every metric fact (direction, range, aliases) from ``inc.metrics``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from inc import comparison as cmp
from inc.gate.checks.numbers import number_problems, spec_problem, spec_text
from inc.gate.checks.numbers import short as short  # reports, evaluation and ops import it from here
from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import Outcome, fail, ok, skip, warn
from inc.increment import Increment
from inc.metrics import lookup, same_metric

if TYPE_CHECKING:
    from inc.evidence import RunRecord

CV_ABS_STD = 0.05  # bounded scores (roc_auc, accuracy, r2): fold std in the metric's own units
CV_REL_STD = 0.10  # metrics with units (rmse, mae): fold std / |fold mean|
_TRIVIAL_RE = re.compile(
    r"dummy|majority|most[_ -]?frequent|\bprior\b|stratified|uniform|random|constant|"
    r"\bmean\b|\bmedian\b|popularity|zero[_ -]?rule",
    re.I,
)
_NONTRIVIAL_RE = re.compile(
    r"\brule\b|rule[_ -]|heuristic|current|production|existing|legacy|incumbent|"
    r"hand[_ -]?tuned|formula|bm25",
    re.I,
)
_DUMMY_STRATEGIES = {
    "most_frequent",
    "prior",
    "stratified",
    "uniform",
    "constant",
    "mean",
    "median",
    "quantile",
}

num = cmp.num  # metric values: the same digits as `inc runs` and the living docs


def fmt(value: float) -> str:
    """A plain number for details (latencies, counts): 4 significant digits."""
    if not math.isfinite(value):
        return "not a number"
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.4e}"


def _ledger_errors(ev: EvidenceSet) -> list[tuple[str, str]]:
    return [(f"{ev.rel(path)}: {message}", ev.rel(path)) for path, message in ev.run_errors.items()]


VERIFY_SHOWN = 6  # differences spelled out in the one-line detail; all are in the evidence list


def _verify(inc: Increment, config: GateConfig) -> Outcome:
    """``--verify``: every ledger record against the tracking server (a forced failure on any difference)."""
    from inc.tracking.adapter import redact_uri, resolve_tracking_uri
    from inc.tracking.verify import verify_increment

    differences = verify_increment(config.ws, inc)
    server = redact_uri(resolve_tracking_uri(config.ws))
    if not differences:
        records = len(inc.run_paths())
        return ok(f"--verify: {records} record(s) match the tracking server {server}")
    more = f" (and {len(differences) - VERIFY_SHOWN} more)" if len(differences) > VERIFY_SHOWN else ""
    shown = "; ".join(str(d) for d in differences[:VERIFY_SHOWN])
    outcome = fail(
        f"--verify: the tracking server disagrees with the ledger ({server}): {shown}{more}",
        *dict.fromkeys(d.where for d in differences),
    )
    return outcome._replace(forced=True)  # a ledger the server contradicts blocks and is never waived


def check_experiments(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """Candidates with params, metrics and a note; sealed records whose numbers and dates are sane.

    With ``--verify`` (``config.verify``) the ledger is also compared with the tracking server,
    whatever else this check finds (a disagreement blocks and cannot be waived).
    """
    outcome = _experiments(inc, ev)
    if not config.verify or ev.run_errors:
        return outcome
    verified = _verify(inc, config)
    if verified.status == "fail":
        return verified
    return outcome._replace(detail=f"{outcome.detail}; {verified.detail}")


def _experiments(inc: Increment, ev: EvidenceSet) -> Outcome:
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
    now = dt.datetime.now(dt.UTC)
    metric = inc.meta.metric.name
    broken = [(p, r) for r in ev.runs.values() for p in number_problems(r, metric, now)]
    if broken:
        more = f" (and {len(broken) - 3} more)" if len(broken) > 3 else ""
        shown = "; ".join(p for p, _ in broken[:3]) + more
        first = broken[0][1].run_id
        fix = f"; restore the record from the tracking server ('inc link {inc.id} {first}') or rerun the run"
        return fail(shown + fix, *dict.fromkeys(ev.rel(ev.run_paths[r.run_id]) for _, r in broken))
    documented = [
        r for r in candidates if r.params and r.metrics and r.note.strip() and r.status == cmp.FINISHED
    ]
    if not documented:
        lacking = ", ".join(_lacks(r) for r in candidates[:3])
        return fail(f"no FINISHED candidate run has params, metrics and a note: {lacking}", *evidence)
    baselines = len(ev.by_role("baseline"))
    return ok(
        f"{len(candidates)} candidate run(s) ({len(documented)} documented), {baselines} baseline(s); "
        f"{len(ev.runs)} record(s) sealed, hashes intact",
        *evidence,
    )


def _lacks(record: RunRecord) -> str:
    fields = (("params", record.params), ("metrics", record.metrics), ("note", record.note.strip()))
    parts = [name for name, present in fields if not present]
    if record.status != cmp.FINISHED:
        parts.append(f"status FINISHED (is {record.status})")
    return f"{short(record.run_id)} lacks {'/'.join(parts)}"


def check_candidates(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """At least ``min_candidates`` FINISHED candidate runs logged the increment's metric."""
    name, needed = inc.meta.metric.name, inc.meta.min_candidates
    if ev.run_errors:
        return skip("skipped: needs experiments (ledger records that do not load)", ev.rel(inc.runs_dir))
    counted = [r for r in ev.by_role("candidate") if r.status == cmp.FINISHED and cmp.usable(r, name)]
    paths = [ev.rel(inc.runs_dir)]
    others = len(ev.by_role("candidate")) - len(counted)
    aside = f" ({others} more not FINISHED or without a numeric {name})" if others else ""
    wanted = inc.meta.chosen_run
    unusable = wanted is not None and (wanted not in ev.runs or ev.runs[wanted].status != cmp.FINISHED)
    if len(counted) < needed <= len(counted) + 1 and wanted and unusable:
        # the chosen run's record is gone or unfinished: `experiments` fails for it (root cause)
        state = "has no record in the ledger" if wanted not in ev.runs else f"is {ev.runs[wanted].status}"
        return skip(
            f"skipped: needs experiments (the chosen run {short(wanted)} {state}, so the candidates "
            "are not all counted)",
            *paths,
        )
    unmeasured = [r for r in ev.by_role("candidate") if r.status == cmp.FINISHED and not cmp.usable(r, name)]
    if not counted and unmeasured and not wanted:
        # no chosen run and nothing to pick it by: `experiments` fails for it (root cause)
        return skip(f"skipped: needs experiments (no candidate logs {name})", *paths)
    if len(counted) < needed:
        fix = "compare models from simple to complex (e.g. a linear model, a forest, a boosted model)"
        if len(counted) + len(unmeasured) >= needed:
            names = ", ".join(r.name or short(r.run_id) for r in unmeasured[:5])
            fix = f"log {name} in {names} (exp.log_metrics({{{name!r}: ...}})), or rerun them"
        return fail(
            f"{len(counted)} FINISHED candidate(s) with {name}{aside}, needs {needed} "
            f"(min_candidates): {fix}",
            *paths,
        )
    return ok(f"{len(counted)} FINISHED candidates with {name} (min_candidates {needed})", *paths)


def is_trivial(record: RunRecord) -> bool:
    """True for a Dummy-like baseline (majority, stratified, mean, random, popularity...).

    Read from what the ledger holds: a rule/heuristic/current-system name or note wins; then a
    ``Dummy*`` model class or flavour, a scikit-learn Dummy ``strategy`` param, or a trivial name.
    """
    words = f"{record.name} {record.note}"
    if _NONTRIVIAL_RE.search(words):
        return False
    model = record.model
    model_text = " ".join(str(v) for v in (model.model_dump().values() if model else ()))
    if "dummy" in model_text.lower():
        return True
    strategy = record.params.get("strategy", "")
    if strategy in _DUMMY_STRATEGIES and len(record.params) <= 3:
        return True
    return bool(_TRIVIAL_RE.search(words)) or (model is None and not record.params)


def check_nontrivial_baseline(inc: Increment, ev: EvidenceSet, config: GateConfig) -> Outcome:
    """At least one baseline beyond the trivial ones: a rule, a heuristic, the current system, a model."""
    baselines = ev.by_role("baseline")
    paths = [ev.rel(inc.runs_dir)]
    if ev.run_errors:
        return skip(_unloaded(ev), *paths)
    if not baselines:
        return skip("skipped: needs baseline (no baseline run yet)", *paths)
    strong = [r for r in baselines if not is_trivial(r)]
    if not strong:
        names = ", ".join(r.name for r in baselines)
        return fail(
            f"only trivial baselines ({names}): add a rule, a heuristic or the current production system "
            "as a baseline (name or note it so, e.g. 'baseline-amount-rule'), or a simple real model",
            *(ev.rel(ev.run_paths[r.run_id]) for r in baselines[:10]),
        )
    return ok(
        f"non-trivial baseline(s): {', '.join(r.name for r in strong)}",
        *(ev.rel(ev.run_paths[r.run_id]) for r in strong[:10]),
    )


def _unloaded(ev: EvidenceSet) -> str:
    count = len(ev.run_errors)
    return (
        f"skipped: needs experiments ({count} ledger record(s) do not load; one may be a stronger baseline)"
    )


def chosen_problem(ev: EvidenceSet) -> Outcome | None:
    """A failed outcome when there is no usable chosen run."""
    chosen = ev.chosen
    if chosen.record is None:
        hint = "" if "inc choose" in chosen.problem else "; choose one with 'inc choose'"
        return fail(chosen.problem + hint, ev.rel(ev.inc.meta_path))
    return None


ChosenCheck = Callable[[Increment, EvidenceSet, GateConfig, "RunRecord"], Outcome]


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


def _metric_problem(inc: Increment) -> str | None:
    metric = inc.meta.metric
    info = lookup(metric.name)
    if info is not None and info.goal != metric.goal:
        better = "higher" if info.goal == "maximize" else "lower"
        return (
            f"increment.yaml says goal {metric.goal} but {metric.name} is {info.goal}d ({better} is "
            f"better): fix metric.goal, then re-check the target"
        )
    if metric.target is None:
        return f"no target for {metric.name}: set metric.target in increment.yaml (and in spec.md)"
    return None


def _folds_text(folds: cmp.FoldComparison) -> str:
    return (
        f"on {folds.folds} paired folds: CV means {num(folds.subject_mean)} vs {num(folds.baseline_mean)}"
        f" ({cmp.pct(folds.improvement)}), per-fold difference {folds.mean_diff:+.4f} ± "
        f"{folds.diff_std:.4f}, better on {folds.wins}/{folds.folds}"
    )


@needs_chosen
def check_baseline(inc: Increment, ev: EvidenceSet, config: GateConfig, record: RunRecord) -> Outcome:
    """The chosen run beats the best baseline by ``baseline_margin`` and meets ``target``."""
    meta = inc.meta
    name = meta.metric.name
    problem = _metric_problem(inc)
    if problem:
        return fail(problem, ev.rel(inc.meta_path))
    if ev.run_errors:
        return skip(_unloaded(ev), ev.rel(inc.runs_dir))
    baselines = [r for r in ev.by_role("baseline") if name in r.metrics]
    if not baselines:
        return fail(
            f"no baseline run with {name}: track one with role='baseline' (a trivial one, a rule, "
            "the current system)",
            ev.rel(inc.runs_dir),
        )
    paths = [ev.rel(ev.run_paths[r.run_id]) for r in (record, *baselines)]
    unmeasured = [r for r in ev.by_role("baseline") if name not in r.metrics]
    if unmeasured and record.role != "baseline":
        first = unmeasured[0]
        return fail(
            f"baseline run {short(first.run_id)} ({first.name}) logs no {name} (never logged, or not a "
            f"number on the tracking server, which 'inc sync' leaves out): it may be the strongest "
            f"baseline; log {name} for it, or remove it with 'inc unlink {inc.id} {first.run_id}'",
            *paths,
            ev.rel(ev.run_paths[first.run_id]),
        )
    if record.role == "baseline":
        return fail(
            f"chosen run {short(record.run_id)} ({record.name}) is a baseline, not a candidate: "
            "choose a candidate with 'inc choose'",
            *paths,
        )
    result = cmp.compare(meta, list(ev.runs.values()), subject=cmp.Subject(record, not ev.chosen.picked))
    if result.nan_baselines:
        names = ", ".join(short(r) for r in result.nan_baselines)
        return fail(
            f"baseline {names}: {name} is not a number; it may hide a stronger baseline, fix or "
            "remove its record",
            *paths,
        )
    if result.value is None or not cmp.finite(result.value):
        shown = "missing" if result.value is None else "not a number"
        return fail(f"{_chosen_label(ev, record)}: {name} is {shown}", *paths)
    assert result.baseline is not None and result.baseline_value is not None
    mode = "" if meta.margin_mode == "relative" else " error reduction"
    summary = (
        f"best baseline {name} {num(result.baseline_value)} (run {short(result.baseline.run_id)}), "
        f"{_chosen_label(ev, record)} {num(result.value)}: {cmp.pct(result.improvement)}{mode}, "
        f"needs {cmp.pct(meta.baseline_margin)}"
    )
    problems = []
    if not result.beats_baseline:
        problems.append(
            "margin missed"
            + (
                f" ({result.unreachable}; set 'margin_mode: error_reduction' in increment.yaml)"
                if result.unreachable
                else ""
            )
        )
    if not result.meets_target:
        op = ">=" if meta.metric.goal == "maximize" else "<="
        problems.append(f"target {name} {op} {num(meta.metric.target)} missed")
    folds = result.folds
    fold_text = f"; {_folds_text(folds)}" if folds else ""
    lowered = spec_problem(inc, spec_text(ev))
    also = f"; {lowered}" if lowered else ""
    if problems:
        return fail(f"{summary}; {', '.join(problems)}{also}{fold_text}", *paths)
    if lowered:  # a bar lowered in increment.yaml only
        return fail(f"{summary}{also}{fold_text}", *paths, ev.rel(inc.doc_path("spec.md")))
    if folds is not None and folds.improvement < meta.baseline_margin - 1e-12:
        return warn(
            f"{summary} on the hold-out, but {_folds_text(folds)} misses the margin: the two "
            "disagree, check the hold-out split's size and representativeness",
            *paths,
        )
    return ok(f"{summary}; target {num(meta.metric.target)} met{fold_text}", *paths)


def stability_limit(
    metric: str, folds: list[float], mean: float, override: float | None
) -> tuple[float, str]:
    """(the fold std above which a run is unstable, how it was set) for ``metric``'s scale."""
    if override is not None:
        return override, "cv_max_std"
    info = lookup(metric)
    absolute = info.scale == "absolute" if info else all(-1 <= v <= 1 for v in folds)
    if absolute:
        return CV_ABS_STD, f"{CV_ABS_STD:g} for a bounded score"
    return CV_REL_STD * abs(mean), f"{CV_REL_STD:.0%} of the mean"


def _cv_consistency(record: RunRecord, mean: float, std: float) -> str | None:
    """A logged CV mean/std that does not match the fold scores."""
    cv = record.cv
    assert cv is not None
    for suffix, value in (("mean", mean), ("std", std)):
        logged = record.metrics.get(f"cv_{cv.metric}_{suffix}")
        if logged is not None and not math.isclose(logged, value, rel_tol=1e-6, abs_tol=1e-9):
            return f"logged cv_{cv.metric}_{suffix} {num(logged)} does not match its folds ({num(value)})"
    return None


@needs_chosen
def check_cross_validation(inc: Increment, ev: EvidenceSet, config: GateConfig, record: RunRecord) -> Outcome:
    """The chosen run has ``cv_min_folds`` fold scores of the metric; warn when they spread widely."""
    where = ev.rel(ev.run_paths[record.run_id])
    needed = inc.meta.cv_min_folds
    label = _chosen_label(ev, record)
    if record.cv is None or not record.cv.folds:
        return fail(
            f"{label} has no CV fold scores; log them with exp.log_cv(scores) ({needed} folds or more)", where
        )
    cv, name = record.cv, inc.meta.metric.name
    if not same_metric(cv.metric, name):
        return fail(
            f"{label}: fold scores are of {cv.metric}, not the increment's metric {name}; "
            f"log_cv(scores, metric={name!r})",
            where,
        )
    if not all(cmp.finite(v) for v in cv.folds):
        return fail(f"{label}: a {cv.metric} fold score is not a number", where)
    if len(cv.folds) < needed:
        return fail(f"{label}: {len(cv.folds)} folds of {cv.metric}, needs >= {needed} (cv_min_folds)", where)
    mean, std = cv.mean, cv.std  # computed once: statistics' exact arithmetic is not free
    mismatch = _cv_consistency(record, mean, std)
    if mismatch:
        return fail(f"{label}: {mismatch}", where)
    summary = f"{len(cv.folds)} folds of {cv.metric}: mean {num(mean)} ± {num(std)}"
    limit, basis = stability_limit(cv.metric, cv.folds, mean, inc.meta.cv_max_std)
    if std > limit:
        return warn(
            f"{summary}; std over {num(limit)} ({basis}): unstable across folds, check the splits", where
        )
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
    from inc.gate.checks.binding import format_problems  # unsafe formats, no digest: warn; fail if strict

    unsafe = format_problems(record)
    if unsafe:
        detail = f"{registered}: " + "; ".join(unsafe)
        return fail(detail, where) if config.strict or config.closing else warn(detail, where)
    return ok(f"{registered} ({model.uri}), run tagged with increment {inc.id}", where)
