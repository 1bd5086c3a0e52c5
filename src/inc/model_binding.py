"""Which model a report measured: the binding every report records, and its proof.

Every report (SHAP summary, evaluation summary, load test, a drift report that watches
predictions) records ``run_id``, ``model_uri`` and ``model_sha256``: the run and the logged model
(URI and the digest of its files, ``ModelInfo.sha256``) it measured. The gate compares them with
the chosen run's record offline (``inc.gate.checks.binding``) and never loads a model.

When ``inc.explain`` or ``inc.evaluate`` get a model *object* with a run id, the object is proven
to be the run's logged model before anything is written: the logged model is loaded through the
MLflow wrapper and both predict the rows being explained or evaluated; different predictions are
a UserError. The logged model's files are digested again and compared with the record, so a
model replaced in the artifact store is refused too.

Standard library at module level; numpy and the MLflow wrapper load inside functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from inc.errors import TrackingError, UserError

if TYPE_CHECKING:
    from inc.evidence import RunRecord
    from inc.increment import Increment
    from inc.workspace import Workspace

RTOL = 1e-6  # predictions of the same model reloaded agree to the last bits; allclose for safety
ATOL = 1e-9


@dataclass(frozen=True)
class ModelBinding:
    """The run and logged model a report measured (``None``: not known, the report is not bound)."""

    run_id: str
    model_uri: str | None = None
    model_sha256: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def fields(self) -> dict[str, str | None]:
        """The three fields every report records."""
        return {"run_id": self.run_id, "model_uri": self.model_uri, "model_sha256": self.model_sha256}


def linked_model_record(ws: Workspace, inc: Increment, ref: str, verb: str) -> tuple[str, RunRecord]:
    """(full run id, ledger record) of the linked run ``ref`` names (its id or a unique prefix),
    whose record holds a logged model; ``verb`` names the command in the hint ("explain")."""
    from inc.evidence import check_run_id, read_run_record
    from inc.tracking.runs_table import resolve_run_id

    run_id = resolve_run_id(inc, check_run_id(ref))  # NotFoundError naming 'inc link' otherwise
    path = inc.runs_dir / f"{run_id}.json"
    record = read_run_record(path)
    if record.model is None or not record.model.uri:
        raise UserError(
            f"{ws.relpath(path)}: run {run_id} has no model (model: null); "
            f"save one in the run with exp.save_model(...) and {verb} that run"
        )
    return run_id, record


def recorded_binding(record: RunRecord | None, run_id: str) -> ModelBinding:
    """The binding the run's ledger record claims, nothing loaded (HTTP load tests, drift)."""
    if record is None:
        note = f"run {run_id} has no ledger record: the report is not bound to a model"
        return ModelBinding(run_id, notes=(note,))
    if record.model is None or not record.model.uri:
        note = (
            f"run {run_id} logged no model: the report is not bound to a model (save one with exp.save_model)"
        )
        return ModelBinding(run_id, notes=(note,))
    return ModelBinding(run_id, record.model.uri, record.model.sha256)


def loaded_binding(ws: Workspace, record: RunRecord, run_id: str) -> ModelBinding:
    """The binding of the model inc itself loaded from ``record.model.uri``, its files digested
    again: a UserError when they no longer hash to the record's ``model.sha256``."""
    from inc.tracking import adapter

    assert record.model is not None
    uri = record.model.uri
    digest = adapter.model_digest(adapter.resolve_tracking_uri(ws), uri)
    recorded = record.model.sha256
    if recorded and digest != recorded:
        raise UserError(
            f"the files of model {uri} (run {run_id}) hash to {digest[:12]}..., not to the "
            f"{recorded[:12]}... runs/{run_id}.json recorded when the model was saved: the model in the "
            "artifact store was replaced; save the model again in a new run"
        )
    return ModelBinding(run_id, uri, digest)


def prove_logged_model(
    ws: Workspace, record: RunRecord | None, run_id: str, model: Any, rows: Any
) -> ModelBinding:
    """The binding of ``model`` once proven to be the model logged on ``run_id``.

    The logged model is loaded through the MLflow wrapper and both predict ``rows`` (the rows
    being explained or evaluated); they must agree (``numpy.allclose``). A run without a record
    or without a logged model cannot be proven: its binding says so and the gate will too.
    """
    if record is None or record.model is None or not record.model.uri:
        return recorded_binding(record, run_id)
    from inc.tracking import adapter

    uri = record.model.uri
    try:
        logged = adapter.load_native_model(uri, adapter.resolve_tracking_uri(ws))
    except TrackingError as exc:
        if "inc loads sklearn" not in exc.message:
            raise  # the server, not the model's flavor
        # a flavor inc does not load (pyfunc): nothing to compare the object with
        note = f"{exc.message}: the model you passed could not be compared with it; the report is not bound"
        return ModelBinding(run_id, uri, None, (note,))
    problem = prediction_difference(model, logged, rows)
    if problem:
        raise UserError(
            f"the model you passed is not the one logged on run {run_id} ({uri}): {problem}; pass the "
            f"model that run saved (or the run id your model was saved on)"
        )
    return loaded_binding(ws, record, run_id)


def _outputs(model: Any, rows: Any) -> Any:
    import numpy as np

    if type(model).__module__.startswith("xgboost") and type(model).__name__ == "Booster":
        import xgboost

        return np.asarray(model.predict(xgboost.DMatrix(rows)), dtype=float)
    proba = getattr(model, "predict_proba", None)
    call = proba if callable(proba) else getattr(model, "predict", None)
    if not callable(call):
        raise TypeError(f"{type(model).__name__} has neither predict_proba nor predict")
    return np.asarray(call(rows), dtype=float)


def prediction_difference(model: Any, logged: Any, rows: Any) -> str:
    """Why ``model`` and ``logged`` are not the same model on ``rows`` ("" when they agree)."""
    import numpy as np

    kinds = f"yours is a {type(model).__name__}, the logged one a {type(logged).__name__}"
    try:
        ours = _outputs(model, rows)
    except Exception as exc:  # the object's own failure on the rows
        return f"yours cannot predict the rows ({type(exc).__name__}: {str(exc)[:160]}); {kinds}"
    try:
        theirs = _outputs(logged, rows)
    except Exception as exc:
        return f"the logged model cannot predict these rows ({type(exc).__name__}: {str(exc)[:160]}); {kinds}"
    if ours.shape != theirs.shape:
        return f"their outputs differ in shape ({ours.shape} vs {theirs.shape}); {kinds}"
    close = np.isclose(ours, theirs, rtol=RTOL, atol=ATOL, equal_nan=True)
    if close.all():
        return ""
    rows_off = int((~close.reshape(len(ours), -1)).any(axis=1).sum()) if ours.ndim else 1
    worst = float(np.nanmax(np.abs(ours - theirs)))
    return f"their predictions differ on {rows_off} of {len(ours)} rows (max |diff| {worst:.3g}); {kinds}"
