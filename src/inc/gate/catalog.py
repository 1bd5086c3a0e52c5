"""The check catalog: each gate check's id, title, stage and function, listed once, in report order.

Everything else reads this table: the runner (which function to call, when it blocks), the
result titles, the waiver schema in ``inc.meta`` (the known ids) and the living docs' readiness
table. Functions are named as ``module:function`` and imported on first use, so importing the
catalog costs nothing and ``inc.meta`` can read the ids without importing the checks.

Adding a check: one ``CheckSpec`` line here, the function in a ``gate/checks_*`` module, a test
(tests/gate/test_catalog.py checks the function exists and the id appears in README.md).
Stages: ``structure`` always blocks, ``spec`` blocks from status ``active`` on, ``readiness``
blocks when the increment is done, closing, or with ``--strict``. ``offline`` is False for a
check that reads more than the increment's committed files (git history, the docs themselves):
the living docs show the gate's verdict on every other check and name these as judged by
``inc gate``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from inc.gate.context import EvidenceSet, GateConfig
    from inc.gate.model import Outcome
    from inc.increment import Increment

Stage = Literal["structure", "spec", "readiness"]
CheckFn = Callable[["Increment", "EvidenceSet", "GateConfig"], "Outcome"]


class CheckSpec(NamedTuple):
    """A checklist item: id, title (DESIGN.md section 6), stage, and where its function lives."""

    id: str
    title: str
    stage: Stage
    function: str  # "module:function"
    offline: bool = True

    @property
    def run(self) -> CheckFn:
        """The check function, imported on first use."""
        function: CheckFn = _resolve(self.function)
        return function


@cache
def _resolve(reference: str) -> Any:
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


_DOCS, _PLAN, _OPS, _RUNS, _REPORTS = (
    "inc.gate.checks.documents",
    "inc.gate.checks.plan",
    "inc.gate.checks.ops",
    "inc.gate.checks.runs",
    "inc.gate.checks.reports",
)

CATALOG: tuple[CheckSpec, ...] = (
    CheckSpec("structure", "files valid", "structure", f"{_DOCS}:check_structure"),
    CheckSpec("spec", "spec filled in", "spec", f"{_DOCS}:check_spec"),
    CheckSpec("tasks", "tasks complete", "readiness", f"{_DOCS}:check_tasks"),
    CheckSpec("experiments", "experiments tracked and documented", "readiness", f"{_RUNS}:check_experiments"),
    CheckSpec("candidates", "enough candidate models compared", "readiness", f"{_RUNS}:check_candidates"),
    CheckSpec(
        "nontrivial_baseline",
        "a baseline beyond the trivial ones",
        "readiness",
        f"{_RUNS}:check_nontrivial_baseline",
    ),
    CheckSpec("baseline", "baseline comparison documented", "readiness", f"{_RUNS}:check_baseline"),
    CheckSpec("cross_validation", "CV performed", "readiness", f"{_RUNS}:check_cross_validation"),
    CheckSpec(
        "leakage", "train and test data disjoint", "readiness", "inc.gate.checks.leakage:check_leakage"
    ),
    CheckSpec(
        "model_versioned",
        "model versioned, tied to the increment",
        "readiness",
        f"{_RUNS}:check_model_versioned",
    ),
    CheckSpec("explainability", "SHAP report generated", "readiness", f"{_REPORTS}:check_explainability"),
    CheckSpec(
        "evaluation",
        "evaluation report recomputed",
        "readiness",
        "inc.gate.checks.evaluation:check_evaluation",
    ),
    CheckSpec("load_test", "latency under target", "readiness", f"{_REPORTS}:check_load_test"),
    CheckSpec(
        "monitoring", "drift + performance monitoring configured", "readiness", f"{_OPS}:check_monitoring"
    ),
    CheckSpec("ab_test", "A/B test ready", "readiness", f"{_PLAN}:check_ab_test"),
    CheckSpec("rollback", "rollback plan documented", "readiness", f"{_PLAN}:check_rollback"),
    CheckSpec("staleness", "evidence is current", "readiness", f"{_OPS}:check_staleness", offline=False),
    CheckSpec("living_docs", "living docs updated", "readiness", f"{_OPS}:check_living_docs", offline=False),
)

CHECK_IDS: tuple[str, ...] = tuple(spec.id for spec in CATALOG)
TITLES: dict[str, str] = {spec.id: spec.title for spec in CATALOG}
BY_ID: dict[str, CheckSpec] = {spec.id: spec for spec in CATALOG}
