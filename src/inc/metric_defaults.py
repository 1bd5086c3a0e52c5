"""Default success metric per problem type, and metrics where lower is better (no pydantic here)."""

from __future__ import annotations

DEFAULT_METRICS: dict[str, tuple[str, str, float]] = {
    "classification": ("roc_auc", "maximize", 0.85),
    "regression": ("rmse", "minimize", 1.0),
    "ranking": ("ndcg_at_10", "maximize", 0.5),
    "clustering": ("silhouette", "maximize", 0.5),
}

MINIMIZED_METRICS = {"rmse", "mae", "mape", "mse", "log_loss", "logloss", "brier", "error"}
