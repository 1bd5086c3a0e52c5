"""inc: spec-driven increments for ML teams, gated on evidence.

The public API is loaded lazily so that ``import inc`` stays light (no ML libraries):

- ``track_experiment(name, increment=..., role=...)``: an MLflow run linked to an increment
- ``explain(model, X_background, X_explain, increment=..., run_id=...)``: a SHAP report
- ``ModelExplainer(model, X_background).generate_all_reports(increment=..., run_id=...)``: the same
- ``loadtest(increment, run, data, url=None, rps=None, ...)``: ``inc loadtest``
- ``load_test_model(api_url=..., target_rps=..., duration=..., payload=...)``: an open-loop HTTP test
- ``drift(increment, current, reference=None)``: ``inc drift``
- ``gate(*ids, strict=False)``: ``inc gate``; the verdict, with ``.to_json()`` as ``--format json``
- ``evaluate(...)``: the evaluation report (``inc evaluate``)
- ``load_workspace(path=None)``: the workspace containing a folder

``inc.gate`` is also the package of that name, made callable (see :mod:`inc._callable`), so
``import inc.gate.runner`` keeps working.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing: every ``inc`` command imports this
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"
__all__ = [
    "ModelExplainer",
    "__version__",
    "drift",
    "evaluate",
    "explain",
    "gate",
    "load_test_model",
    "load_workspace",
    "loadtest",
    "track_experiment",
]

_LAZY = {
    "track_experiment": "inc.tracking.experiment",
    "explain": "inc.explainability.report",
    "evaluate": "inc.evaluation.report",
    "load_workspace": "inc.workspace",
    "ModelExplainer": "inc.explainability.explainer",
    "load_test_model": "inc.api",
    "loadtest": "inc.api",
    "drift": "inc.api",
}
# names that are callable modules: the module itself is the public object
_CALLABLE_MODULES = {"gate": "inc.gate"}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _CALLABLE_MODULES:
        return importlib.import_module(_CALLABLE_MODULES[name])
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'inc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
