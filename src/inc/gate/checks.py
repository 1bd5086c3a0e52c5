"""The gate's checklist: one function per check of DESIGN.md section 6, in report order.

Each check is ``(increment, evidence, config) -> Outcome``; the runner applies waivers and
decides whether it blocks. Stages: ``structure`` always blocks, ``spec`` blocks from status
``active`` on, ``readiness`` blocks when the increment is done, closing, or with ``--strict``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from inc.gate.checks_docs import check_ab_test, check_rollback, check_spec, check_structure, check_tasks
from inc.gate.checks_evaluation import check_evaluation
from inc.gate.checks_ops import check_living_docs, check_monitoring, check_staleness
from inc.gate.checks_reports import check_explainability, check_load_test
from inc.gate.checks_runs import (
    check_baseline,
    check_cross_validation,
    check_experiments,
    check_model_versioned,
)
from inc.gate.context import EvidenceSet, GateConfig
from inc.gate.model import Outcome
from inc.increment import Increment

Stage = Literal["structure", "spec", "readiness"]
CheckFn = Callable[[Increment, EvidenceSet, GateConfig], Outcome]

__all__ = [
    "CHECKS",
    "Check",
    "check_ab_test",
    "check_baseline",
    "check_cross_validation",
    "check_evaluation",
    "check_experiments",
    "check_explainability",
    "check_living_docs",
    "check_load_test",
    "check_model_versioned",
    "check_monitoring",
    "check_rollback",
    "check_spec",
    "check_staleness",
    "check_structure",
    "check_tasks",
]


@dataclass(frozen=True)
class Check:
    """A checklist item: its id, the function that judges it, and when it blocks."""

    id: str
    run: CheckFn
    stage: Stage


CHECKS: tuple[Check, ...] = (
    Check("structure", check_structure, "structure"),
    Check("spec", check_spec, "spec"),
    Check("tasks", check_tasks, "readiness"),
    Check("experiments", check_experiments, "readiness"),
    Check("baseline", check_baseline, "readiness"),
    Check("cross_validation", check_cross_validation, "readiness"),
    Check("model_versioned", check_model_versioned, "readiness"),
    Check("explainability", check_explainability, "readiness"),
    Check("evaluation", check_evaluation, "readiness"),
    Check("load_test", check_load_test, "readiness"),
    Check("monitoring", check_monitoring, "readiness"),
    Check("ab_test", check_ab_test, "readiness"),
    Check("rollback", check_rollback, "readiness"),
    Check("staleness", check_staleness, "readiness"),
    Check("living_docs", check_living_docs, "readiness"),
)
