"""The gate's check functions, importable from one place (the list itself is ``inc.gate.catalog``).

Each check is ``(increment, evidence, config) -> Outcome``; the runner applies waivers and
decides whether it blocks, from the catalog's stage.
"""

from __future__ import annotations

from inc.gate.catalog import CATALOG, CheckSpec
from inc.gate.checks.documents import check_ab_test, check_rollback, check_spec, check_structure, check_tasks
from inc.gate.checks.evaluation import check_evaluation
from inc.gate.checks.leakage import check_leakage
from inc.gate.checks.ops import check_living_docs, check_monitoring, check_staleness
from inc.gate.checks.reports import check_explainability, check_load_test
from inc.gate.checks.runs import (
    check_baseline,
    check_candidates,
    check_cross_validation,
    check_experiments,
    check_model_versioned,
    check_nontrivial_baseline,
)

CHECKS = CATALOG
Check = CheckSpec

__all__ = [
    "CHECKS",
    "Check",
    "check_ab_test",
    "check_baseline",
    "check_candidates",
    "check_cross_validation",
    "check_evaluation",
    "check_experiments",
    "check_explainability",
    "check_leakage",
    "check_living_docs",
    "check_load_test",
    "check_model_versioned",
    "check_monitoring",
    "check_nontrivial_baseline",
    "check_rollback",
    "check_spec",
    "check_staleness",
    "check_structure",
    "check_tasks",
]
