"""Default success metric per problem type (no pydantic here; directions live in ``inc.metrics``).

A default target only where one means something without the data (a bounded score); an error
metric's target comes from the team, so ``inc new`` leaves a placeholder asking for it.
"""

from __future__ import annotations

DEFAULT_METRICS: dict[str, tuple[str, float | None]] = {
    "classification": ("roc_auc", 0.85),
    "regression": ("rmse", None),
    "ranking": ("ndcg_at_10", 0.5),
    "clustering": ("silhouette", 0.5),
}
