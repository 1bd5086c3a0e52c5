"""inc: spec-driven increments for ML teams, gated on evidence.

The public API is loaded lazily so that ``import inc`` stays light (no ML libraries):

- ``track_experiment(name, increment=..., role=...)``: an MLflow run linked to an increment
- ``explain(model, X_background, X_explain, increment=..., run_id=...)``: a SHAP report
- ``evaluate(model, X_test, y_test, increment=..., run_id=...)``: an evaluation report
- ``load_workspace(path=None)``: the workspace containing a folder
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "evaluate", "explain", "load_workspace", "track_experiment"]

_LAZY = {
    "track_experiment": "inc.tracking",
    "explain": "inc.shap_report",
    "evaluate": "inc.evaluation.report",
    "load_workspace": "inc.workspace",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'inc' has no attribute {name!r}")
