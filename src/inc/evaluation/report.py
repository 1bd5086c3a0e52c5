"""``inc.evaluate``: write ``reports/eval-<run_id>/``, link it in the ledger, log it to MLflow.

Every input is checked before anything is written; the report is built in a staging folder and
renamed into place (``inc.explainability.report.publish_folder``), so a failure never leaves half a report.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc.errors import InternalError, UserError, require_ml
from inc.evaluation import recompute as rc
from inc.evaluation.schema import (
    PREDICTIONS,
    REPORT_KIND,
    REPORT_MD,
    SUMMARY,
    EvaluationSummary,
    FileRef,
)
from inc.evidence import ReportRef, RunRecord, link_report, sha256_file, write_evidence
from inc.fsutil import atomic_write_text

if TYPE_CHECKING:
    import numpy as np

    from inc.evaluation.scoring import Scored
    from inc.increment import Increment
    from inc.model_binding import ModelBinding
    from inc.workspace import Workspace

_ML_MODULES = ("numpy", "pandas", "sklearn", "matplotlib")
DEFAULT_K = (1, 3, 5, 10)
MAX_F1_CV = "max_f1_cv"


@dataclass
class EvaluationResult:
    """What :func:`evaluate` wrote."""

    run_id: str
    report_dir: Path
    summary: EvaluationSummary
    summary_sha256: str
    ledger_path: Path | None = None
    artifacts_logged: bool = False
    notes: list[str] = field(default_factory=list)

    def as_json(self, ws: Workspace) -> dict[str, Any]:
        """What ``inc evaluate --format json`` prints."""
        s = self.summary
        return {
            "run_id": self.run_id,
            "task": s.task,
            "metric": s.metric,
            "value": s.value,
            "ci": s.ci,
            "threshold": s.threshold,
            "threshold_source": s.threshold_source,
            "worst_slice": s.worst_slice.model_dump() if s.worst_slice else None,
            "rows": s.rows,
            "stored_rows": s.stored_rows,
            "report": ws.relpath(self.report_dir),
            "summary_sha256": self.summary_sha256,
            "ledger": ws.relpath(self.ledger_path) if self.ledger_path else None,
            "artifacts_logged": self.artifacts_logged,
            "notes": self.notes,
        }


@dataclass
class _Inputs:
    scored: Scored
    metric: str
    threshold: float | None
    threshold_source: str
    cv: list[tuple[np.ndarray, np.ndarray]] | None
    slices: dict[str, Any]
    ks: list[int]
    notes: list[str]


def model_digest(model: Any, logged_sha256: str | None) -> str:
    """The logged model's digest when the model is proven to be it, else sha256 of the pickled object."""
    if logged_sha256:
        return logged_sha256
    try:
        return "pickle-sha256:" + hashlib.sha256(pickle.dumps(model, protocol=5)).hexdigest()
    except (pickle.PicklingError, TypeError, AttributeError):
        return "unhashable:" + type(model).__name__


def _frame(data: Any) -> Any:
    from inc.evaluation import scoring

    return scoring.as_frame(data)


def _slice_columns(frame: Any, slices: Any) -> dict[str, Any]:
    if slices is None:
        return {}
    if isinstance(slices, str):
        slices = [slices]
    if isinstance(slices, dict):
        out = {}
        for name, values in slices.items():
            if len(values) != len(frame):
                raise UserError(f"slice {name!r} has {len(values)} values but X_test has {len(frame)} rows")
            out[str(name)] = values
        return out
    missing = [c for c in slices if c not in frame.columns]
    if missing:
        raise UserError(
            f"slice column {', '.join(map(repr, missing))} is not in the data "
            f"(columns: {', '.join(map(str, frame.columns))})"
        )
    return {str(c): frame[c] for c in slices}


def _cv_folds(cv: Any, scored: Scored) -> list[tuple[np.ndarray, np.ndarray]] | None:
    import numpy as np

    from inc.evaluation.scoring import _finite, _indices

    if not cv:
        return None
    if scored.task != "binary":
        return None
    folds = []
    for i, fold in enumerate(cv):
        try:
            y, s = fold
        except (TypeError, ValueError) as exc:
            raise UserError(f"cv fold {i}: expected a (y_true, y_score) pair") from exc
        y_arr, s_arr = np.asarray(y), np.asarray(s).reshape(-1)
        if len(y_arr) != len(s_arr):
            raise UserError(f"cv fold {i}: {len(y_arr)} labels but {len(s_arr)} scores: lengths differ")
        labels = _indices(y_arr, scored.classes)
        if len(set(labels.tolist())) < 2:
            raise UserError(f"cv fold {i} holds a single class: its ROC curve is undefined")
        folds.append((labels, _finite(s_arr, f"cv fold {i} scores")))
    return folds


def _threshold(
    threshold: Any, scored: Scored, cv: list[tuple[np.ndarray, np.ndarray]] | None
) -> tuple[float | None, str]:
    import math

    import numpy as np

    if scored.task != "binary":
        return None, ""
    if threshold is None:
        default = 0.5 if scored.probabilistic else 0.0
        return default, f"default {default:g}: no threshold was given"
    if threshold == MAX_F1_CV:
        if not cv:
            raise UserError(f"threshold={MAX_F1_CV!r} needs the CV fold predictions (cv=...)")
        from inc.evaluation.plots import threshold_curve
        from inc.evaluation.scoring import Scored as _S

        pooled = _S(
            "binary",
            np.concatenate([y for y, _ in cv]),
            scores=np.concatenate([s for _, s in cv]),
            classes=scored.classes,
        )
        t, _, _, f1 = threshold_curve(pooled)
        best = int(np.argmax(f1))
        how = f"maximises F1 ({f1[best]:.3f}) on the pooled predictions of {len(cv)} CV folds"
        return float(t[best]), how
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not math.isfinite(threshold):
        raise UserError(f"threshold must be a number or {MAX_F1_CV!r}, got {threshold!r}")
    return float(threshold), "given by the caller"


def _ks(inc: Increment, metric: str) -> list[int]:
    configured = getattr(inc.meta, "ranking_k", None)
    ks = set(configured or DEFAULT_K)
    if "_at_" in metric:
        ks.add(int(metric.rsplit("_", 1)[1]))
    return sorted(ks)


def _prepare(
    model: Any, X_test: Any, y_test: Any, inc: Increment, cv: Any, slices: Any, threshold: Any, groups: Any
) -> _Inputs:
    from inc.evaluation import scoring

    frame = scoring.as_frame(X_test)
    y = scoring.labels_of(y_test, len(frame))
    slice_data = _slice_columns(frame, slices)
    task = scoring.task_of(inc.meta.problem, y, model)
    try:
        metric = rc.canonical(inc.meta.metric.name, task)
    except rc.PredictionsError as exc:
        raise UserError(f"{inc.meta_path.name}: {exc}") from exc
    if isinstance(groups, str):
        if groups not in frame.columns:
            raise UserError(f"group column {groups!r} is not in the data")
        groups = frame[groups]
    raw = X_test if hasattr(X_test, "shape") and len(getattr(X_test, "shape", ())) == 2 else frame
    scored = scoring.score(model, raw, y, task, groups)  # arrays stay arrays: no feature-name warnings
    if (
        task == "multiclass"
        and metric == "roc_auc"
        and (scored.proba is None or len(set(scored.labels.tolist())) < len(scored.classes))
    ):
        raise UserError(
            "one-vs-rest ROC AUC needs predict_proba and every class of the model in the test set"
        )
    folds = _cv_folds(cv, scored)
    chosen, source = _threshold(threshold, scored, folds)
    ignored = f"cv fold predictions ignored: they apply to binary models, not {task}"
    notes = [] if not cv or folds else [ignored]
    return _Inputs(scored, metric, chosen, source, folds, slice_data, _ks(inc, metric), notes)


def _tables(inputs: _Inputs) -> dict[str, Any]:
    from inc.evaluation import tables

    scored = inputs.scored
    if scored.task == "binary":
        assert inputs.threshold is not None
        return tables.binary_tables(scored, inputs.threshold)
    if scored.task == "multiclass":
        return tables.multiclass_tables(scored)
    if scored.task == "regression":
        return tables.regression_tables(scored)
    return tables.ranking_tables(scored, inputs.ks)


def _subset(scored: Scored, keep: np.ndarray | None) -> Scored:
    import dataclasses

    if keep is None:
        return scored
    names = ("labels", "scores", "proba", "predicted", "groups")
    changes = {name: getattr(scored, name)[keep] for name in names if getattr(scored, name) is not None}
    return dataclasses.replace(scored, **changes)


def _write(
    folder: Path,
    inputs: _Inputs,
    model: Any,
    binding: ModelBinding,
    cap: int,
    replicates: int,
    seed: int,
) -> EvaluationSummary:
    from inc.evaluation import resample, store, tables
    from inc.evaluation.plots import write_plots
    from inc.evaluation.render import render_report

    scored, metric = inputs.scored, inputs.metric
    table = _tables(inputs)
    value = tables.headline(scored, metric, inputs.threshold)
    stored = store.write_predictions(folder / PREDICTIONS, scored, inputs.threshold, cap, seed)
    keep = resample.stratified_sample(scored, cap, seed)
    stored_value = tables.headline(_subset(scored, keep), metric, inputs.threshold)
    check = rc.recompute(stored, metric)
    if not rc.agrees(check, stored_value):
        raise InternalError(f"plain-Python {metric} {check!r} differs from scikit-learn's {stored_value!r}")
    intervals = {metric: resample.bootstrap(scored, metric, inputs.threshold, replicates, seed)}
    if scored.task == "regression":
        for name in ("rmse", "mae", "mape", "r2"):
            intervals[name] = resample.bootstrap(scored, name, None, replicates, seed)
    slice_rows = resample.slice_table(scored, metric, inputs.threshold, inputs.slices)
    plots = write_plots(folder, scored, table, inputs.threshold, inputs.threshold_source, inputs.cv)
    notes = list(inputs.notes) + table.get("notes", [])
    if scored.task == "binary" and not scored.probabilistic:
        notes.append("the model gives decision scores, not probabilities: no calibration")
    extra = {k: table[k] for k in ("deciles", "at_k", "queries") if k in table}
    summary = EvaluationSummary(
        run_id=binding.run_id,
        task=scored.task,
        metric=metric,
        value=value,
        stored_value=stored_value,
        ci=intervals[metric],
        bootstrap={"replicates": replicates, "seed": seed, "level": 0.95},
        rows=len(scored),
        stored_rows=int(stored["stored"]),
        sampled=bool(stored["sampled"]),
        threshold=inputs.threshold,
        threshold_source=inputs.threshold_source,
        metrics=table["metrics"],
        intervals={k: v for k, v in intervals.items() if v},
        per_class=table.get("per_class", []),
        confusion=table.get("confusion", {}),
        calibration=table.get("calibration", {}),
        slices=slice_rows,
        worst_slice=resample.worst_slice(slice_rows, metric),
        model_uri=binding.model_uri,
        model_digest=model_digest(model, binding.model_sha256),
        model_sha256=binding.model_sha256,
        model_class=type(model).__name__,
        plots=[
            FileRef(file=name, sha256=sha256_file(folder / name), title=title)
            for name, title in plots.items()
        ],
        notes=notes,
        **extra,
    )
    atomic_write_text(folder / REPORT_MD, render_report(summary))
    files = [FileRef(file=name, sha256=sha256_file(folder / name)) for name in (PREDICTIONS, REPORT_MD)]
    summary = summary.model_copy(update={"files": files})
    write_evidence(folder / SUMMARY, summary)
    return summary


def _link(inc: Increment, record: RunRecord, result: EvaluationResult, root: Path) -> Path:
    s = result.summary
    rel = (result.report_dir / SUMMARY).relative_to(inc.path).as_posix()
    ref = ReportRef.model_validate(
        {
            "kind": REPORT_KIND,
            "path": rel,
            "sha256": result.summary_sha256,
            "metric": s.metric,
            "value": s.value,
            "stored_value": s.stored_value,
            "stored_rows": s.stored_rows,
            "model_digest": s.model_digest,
        }
    )
    path = inc.runs_dir / f"{record.run_id}.json"
    if any(r.model_dump() == ref.model_dump() for r in record.reports):
        return path  # already linked as is: nothing to write
    return link_report(inc.runs_dir, record, ref, root)


def evaluate(
    model: Any,
    X_test: Any,
    y_test: Any,
    increment: str,
    run_id: str,
    cv: Any = None,
    slices: Any = None,
    threshold: float | str | None = None,
    *,
    workspace: Workspace | str | Path | None = None,
    groups: Any = None,
    log_artifacts: bool = True,
    max_stored_rows: int | None = None,
    replicates: int = 200,
    seed: int = 0,
    model_uri: str | None = None,
    _bound: ModelBinding | None = None,
) -> EvaluationResult:
    """Evaluate ``model`` on the test rows and write ``reports/eval-<run_id>/`` in ``increment``.

    ``cv``: binary only, a list of ``(y_true, y_score)`` pairs, one per CV fold (drawn faded on the
    ROC plot with the mean and a band of one std). ``slices``: column names of ``X_test`` or a
    mapping of name -> values per row. ``threshold``: a number, ``"max_f1_cv"`` (best F1 on the
    pooled fold predictions) or None (0.5). ``groups``: the query of each row, for ranking.
    When the run logged a model, ``model`` must be that model (same predictions on ``X_test``,
    :func:`inc.model_binding.prove_logged_model`): a UserError otherwise. The report records the
    run id, the logged model's URI and digest (``model_uri`` is recorded only for a run that
    logged no model).
    Raises ``UserError`` (exit 2) on bad input, with nothing written.
    """
    for module in _ML_MODULES:
        require_ml(module)
    from inc.evaluation.store import DEFAULT_CAP
    from inc.explainability.report import log_report_folder, publish_folder, report_target
    from inc.model_binding import ModelBinding, prove_logged_model

    ws, inc, record = report_target(workspace, increment, run_id)
    inputs = _prepare(model, X_test, y_test, inc, cv, slices, threshold, groups)
    policy_cap = getattr(getattr(ws.config, "policy", None), "evaluation_sample_cap", 0)
    cap = max_stored_rows or int(policy_cap or DEFAULT_CAP)
    rows = X_test if len(getattr(X_test, "shape", ())) == 2 else _frame(X_test)
    binding = _bound or prove_logged_model(ws, record, run_id, model, rows)
    if binding.model_uri is None and model_uri:
        binding = ModelBinding(run_id, model_uri, None, binding.notes)
    report_dir = inc.evaluation_dir(run_id)
    summary = publish_folder(
        report_dir, lambda staging: _write(staging, inputs, model, binding, cap, replicates, seed)
    )
    result = EvaluationResult(run_id, report_dir, summary, sha256_file(report_dir / SUMMARY))
    result.notes += list(binding.notes)
    if record is not None:
        result.ledger_path = _link(inc, record, result, ws.root)
    else:
        result.notes.append(f"no ledger record {inc.runs_dir.name}/{run_id}.json: not linked")
    if log_artifacts:
        note = log_report_folder(ws, run_id, report_dir)
        result.artifacts_logged = note is None
        result.notes += [note] if note else []
    return result


def evaluate_run(
    ws: Workspace,
    increment: str,
    run_id: str,
    data_path: Path,
    target: str,
    slice_by: tuple[str, ...] = (),
    threshold: float | None = None,
    group_by: str | None = None,
    log_artifacts: bool = True,
) -> EvaluationResult:
    """``inc evaluate``: load a linked run's model from MLflow and evaluate it on a CSV/Parquet file.

    Loading the model runs its code (skops/pickle): only for runs you trust. The gate never does it.
    """
    for module in (*_ML_MODULES, "mlflow"):
        require_ml(module)
    from inc.model_binding import linked_model_record, loaded_binding
    from inc.ops.tabular import read_table
    from inc.tracking import adapter

    inc = ws.find(str(increment))
    run_id, record = linked_model_record(ws, inc, run_id, "evaluate")  # an id or a unique prefix
    assert record.model is not None  # linked_model_record refuses a record without one
    frame = read_table(data_path, "test data")
    missing = [c for c in (target, *slice_by, *([group_by] if group_by else [])) if c not in frame.columns]
    if missing:
        raise UserError(
            f"{data_path}: no column {', '.join(map(repr, missing))} "
            f"(columns: {', '.join(map(str, frame.columns))})"
        )
    inputs = list(record.model.inputs) or [c for c in frame.columns if c != target and c != group_by]
    absent = [c for c in inputs if c not in frame.columns]
    if absent:
        raise UserError(f"{data_path}: lacks the model's input column(s) {', '.join(absent)}")
    model = adapter.load_native_model(record.model.uri, adapter.resolve_tracking_uri(ws))

    return evaluate(
        model,
        frame[inputs],
        frame[target],
        increment=inc.id,
        run_id=run_id,
        threshold=threshold,
        slices={c: frame[c] for c in slice_by} or None,
        workspace=ws,
        groups=frame[group_by] if group_by else None,
        log_artifacts=log_artifacts,
        _bound=loaded_binding(ws, record, run_id),  # loaded from the record: the proof is the loading
    )
