"""The workspace's floors (``policy:`` in inc.yaml) applied to the check each one concerns.

An increment that declares less than a floor (``baseline_margin``, ``cv_min_folds``,
``min_candidates``) or whose evidence falls short of one (candidate runs, load-test requests)
fails that check, whatever the check itself found; a waiver can still accept it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import Outcome, fail
from inc.workspace import Workspace

if TYPE_CHECKING:
    from inc.config import Policy

_WHERE = "(policy.{} in inc.yaml)"


def _baseline(ev: EvidenceSet, policy: Policy) -> str:
    declared = ev.inc.meta.baseline_margin
    if declared < policy.baseline_margin - 1e-12:
        return (
            f"increment.yaml baseline_margin {declared:g} is below the workspace floor "
            f"{policy.baseline_margin:g} {_WHERE.format('baseline_margin')}"
        )
    return ""


def _folds(ev: EvidenceSet, policy: Policy) -> str:
    declared = ev.inc.meta.cv_min_folds
    if declared < policy.cv_min_folds:
        return (
            f"increment.yaml cv_min_folds {declared} is below the workspace floor "
            f"{policy.cv_min_folds} {_WHERE.format('cv_min_folds')}"
        )
    return ""


def _candidates(ev: EvidenceSet, policy: Policy) -> str:
    declared = getattr(ev.inc.meta, "min_candidates", None)
    if isinstance(declared, int) and declared < policy.min_candidates:
        return (
            f"increment.yaml min_candidates {declared} is below the workspace floor "
            f"{policy.min_candidates} {_WHERE.format('min_candidates')}"
        )
    count = len(ev.by_role("candidate"))
    if 0 < count < policy.min_candidates:
        return (
            f"{count} candidate run(s), the workspace needs at least {policy.min_candidates} "
            f"{_WHERE.format('min_candidates')}; track more candidates, simple to complex"
        )
    return ""


def _load_test(ev: EvidenceSet, policy: Policy) -> str:
    record = ev.chosen.record
    paths = ev.loadtest_paths(record.run_id) if record is not None else []
    short = []
    for path in paths:
        report = ev.parse("loadtest_report", path)
        if report is not None and report.requests < policy.loadtest_min_requests:
            short.append(f"{path.name} timed {report.requests} requests")
    if short:
        return (
            f"{'; '.join(short)}: fewer than the {policy.loadtest_min_requests} the workspace needs "
            f"{_WHERE.format('loadtest_min_requests')}; rerun 'inc loadtest' with more requests"
        )
    return ""


def policy_of(config: GateConfig) -> Policy:
    """The policy a gate run judges by: the workspace's, or the stricter one ``--changed`` set."""
    chosen: Policy | None = config.cache.get("policy")
    return chosen if chosen is not None else config.settings.policy


FLOORS: dict[str, Callable[[EvidenceSet, Policy], str]] = {
    "candidates": _candidates,  # the check that counts candidates (one root cause, one failure)
    "baseline": _baseline,
    "cross_validation": _folds,
    "load_test": _load_test,
}


def apply_floors(check_id: str, outcome: Outcome, ev: EvidenceSet, policy: Policy) -> Outcome:
    """``outcome`` failed with the floor it misses, if any (a skipped check stays skipped)."""
    floor = FLOORS.get(check_id)
    problem = floor(ev, policy) if floor is not None and outcome.status != "skip" else ""
    if not problem:
        return outcome
    if outcome.status == "fail":
        return Outcome("fail", f"{problem}; {outcome.detail}", outcome.evidence)
    evidence = [ev.rel(ev.inc.meta_path), *outcome.evidence]
    return fail(f"{problem} (otherwise: {outcome.detail})", *dict.fromkeys(evidence))


# Floors where higher is stricter, and limits where lower is stricter.
_HIGHER_IS_STRICTER = ("baseline_margin", "cv_min_folds", "min_candidates", "loadtest_min_requests")
_LOWER_IS_STRICTER = ("waiver_max_days", "leakage_share", "label_delay_max_days")


def policy_at(ws: Workspace, ref: str, read: Callable[[str, str], str | None]) -> Policy | None:
    """The ``policy:`` of the workspace config as committed at ``ref`` (None when unreadable).

    ``read(ref, rel)``: a workspace file's text at ``ref``, None when it is not there
    (``GateConfig.text_at``).
    """
    from inc import light
    from inc.errors import IncError
    from inc.yamlio import parse_yaml

    rel = f"./{ws.config_path.name}"  # the config sits at the workspace root
    try:
        text = read(ref, ws.config_path.name)
        if text is None:
            return None
        if ws.config_path.name == "pyproject.toml":
            import tomllib  # only for this layout (a few ms otherwise spent on every --changed)

            data = tomllib.loads(text).get("tool", {}).get("inc")
        else:
            data = parse_yaml(text, f"{ref}:{rel}")
        policy: Policy | None = (
            light.read("config", data, f"{ref}:{rel}").policy if isinstance(data, dict) else None
        )
        return policy
    except (IncError, ValueError):
        return None


def strictest(head: Policy, base: Policy, base_ref: str) -> tuple[Policy, list[str]]:
    """``head`` with every floor the base branch holds higher (limit it holds lower) kept.

    A branch cannot lower the floors it is judged by: a lowered floor applies once merged.
    """
    updates: dict[str, object] = {}
    notes = []
    for name in (*_HIGHER_IS_STRICTER, *_LOWER_IS_STRICTER):
        mine, theirs = getattr(head, name), getattr(base, name)
        looser = mine < theirs if name in _HIGHER_IS_STRICTER else mine > theirs
        if looser:
            updates[name] = theirs
            notes.append(
                f"policy.{name} is {mine:g} in this branch but {theirs:g} on {base_ref}: "
                f"{base_ref}'s value applies until the change is merged"
            )
    return (head.model_copy(update=updates) if updates else head), notes
