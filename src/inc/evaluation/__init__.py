"""Evaluation reports: plots, tables, slices, bootstrap intervals and stored predictions of a run.

``inc.evaluate(model, X_test, y_test, increment=..., run_id=...)`` writes
``reports/eval-<run_id>/`` in the increment. The package is split by responsibility:

- ``schema``: summary.json (pydantic only; read by the gate and the docs)
- ``recompute``: metrics in plain Python from stored predictions (the gate's core profile)
- ``scoring``: input checks and the model's outputs; ``tables``: metrics per problem type
- ``resample``: slices and seeded bootstrap intervals; ``store``: the predictions file
- ``plots``: deterministic PNGs; ``report``: staging, report.md, ledger and MLflow

Nothing heavy is imported here: numpy, scikit-learn and matplotlib load inside ``evaluate``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["evaluate"]


def __getattr__(name: str) -> Any:
    if name in ("evaluate", "evaluate_run", "EvaluationResult"):
        from inc.evaluation import report

        return getattr(report, name)
    raise AttributeError(f"module 'inc.evaluation' has no attribute {name!r}")
