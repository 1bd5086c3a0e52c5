"""One root cause, one failure: checks that need the chosen run skip when it is unusable.

When the chosen run's record is missing, broken, or is a baseline, the ``experiments`` check
fails once, naming the fix (``inc choose``, ``inc link``), and every check that would judge
the chosen run reports ``skip`` with "skipped: needs experiments" instead of repeating it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from inc.gate.context import EvidenceSet
from inc.gate.model import Outcome, fail, skip

if TYPE_CHECKING:
    from inc.evidence import RunRecord

ROOT = "experiments"
NEEDS_CHOSEN = (
    "baseline",
    "cross_validation",
    "leakage",
    "model_versioned",
    "explainability",
    "evaluation",
    "load_test",
    "staleness",
)


class RootCause(NamedTuple):
    """The check that fails for it, and the one line that says what to do."""

    check: str
    reason: str
    short: str


def _short_id(run_id: str) -> str:
    return run_id if len(run_id) <= 8 else run_id[:6] + ".."


def chosen_root(ev: EvidenceSet) -> RootCause | None:
    """Why there is no usable chosen run, with the command that fixes it; None when there is one."""
    inc = ev.inc
    wanted = inc.meta.chosen_run
    record = ev.chosen.record
    if record is not None:
        if record.role != "candidate":
            return RootCause(
                ROOT,
                f"chosen_run {record.run_id} is a {record.role} run, not a candidate; "
                f"choose a candidate with 'inc choose {inc.id} RUN_ID'",
                f"the chosen run {_short_id(record.run_id)} is a {record.role}",
            )
        return _numbers_root(ev, record)
    unfinished = ev.runs.get(wanted) if wanted else None
    if wanted and unfinished is not None and unfinished.status != "FINISHED":
        return RootCause(
            ROOT,
            f"chosen run {wanted} has status {unfinished.status}: only a FINISHED run can ship; "
            f"choose a FINISHED candidate with 'inc choose {inc.id} RUN_ID'",
            f"the chosen run {_short_id(wanted)} has status {unfinished.status}",
        )
    if wanted and wanted in ev.run_paths:
        return RootCause(
            ROOT,
            f"the chosen run's record runs/{wanted}.json does not load: restore it from git, or "
            f"re-link it with 'inc link {inc.id} {wanted}'",
            f"the chosen run's record {_short_id(wanted)} is broken",
        )
    if wanted:
        return RootCause(
            ROOT,
            f"chosen run {wanted} has no record in runs/: link it with 'inc link {inc.id} {wanted}', or "
            f"choose a linked run with 'inc choose {inc.id} RUN_ID'",
            f"the chosen run {_short_id(wanted)} has no record",
        )
    name = inc.meta.metric.name
    if ev.by_role("candidate"):
        return RootCause(
            ROOT,
            f"no chosen run, and no candidate logs {name} to pick one by; log {name}, or "
            f"'inc choose {inc.id} RUN_ID'",
            "no run to judge",
        )
    return RootCause(ROOT, "no chosen run and no candidate run to pick", "no candidate run")


def _numbers_root(ev: EvidenceSet, record: RunRecord) -> RootCause | None:
    """The chosen run's metric or folds are not numbers, or lie outside the metric's range.

    Nothing computed from them means anything, so the checks that judge the chosen run skip;
    the ``experiments`` check names the value (its detail holds ``reason``).
    """
    from inc.gate.checks.numbers import value_problems

    problems = value_problems(record, ev.inc.meta.metric.name)
    if not problems:
        return None
    return RootCause(ROOT, problems[0], f"the chosen run {_short_id(record.run_id)}'s numbers are broken")


def merge_root(outcome: Outcome, root: RootCause, evidence: str) -> Outcome:
    """The root check's outcome with the root cause in it (it fails once, with the fix)."""
    if outcome.status == "fail":
        if root.reason in outcome.detail or root.short == "no candidate run":
            return outcome
        return Outcome("fail", f"{outcome.detail}; {root.reason}", outcome.evidence)
    evidence_list = [evidence, *outcome.evidence]
    return fail(root.reason, *dict.fromkeys(evidence_list))


def skipped(root: RootCause) -> Outcome:
    """What a dependent check reports instead of repeating the root cause."""
    return skip(f"skipped: needs {root.check} ({root.short})")


def unjudged(root: RootCause) -> Outcome:
    """A dependent check when the root cause was waived: nothing was judged, so it fails.

    Waiving the root must not pass every check that needs it unseen.
    """
    return fail(
        f"not judged: {root.short}, and the waiver on {root.check} does not judge this check; "
        "fix the root cause, or waive this check on its own"
    )
