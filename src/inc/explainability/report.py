"""``inc.explain``: a SHAP report for a run's model, committed in the increment as evidence.

Writes ``<increment>/reports/explain-<run_id>/`` (summary.json, report.md, PNG plots) through a
staging folder renamed into place, so a failure never leaves half a report. Then points the run's
ledger record at it (when ``runs/<run_id>.json`` exists) and logs the folder as artifacts of the
MLflow run (skipped with a note when the run is not on the tracking server).

Only the standard library and light ``inc`` modules are imported at module level; the ML
libraries load inside :func:`explain` (``MissingExtraError`` when absent).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from inc.errors import UserError, require_ml
from inc.evidence import (
    ExplainSummary,
    ReportRef,
    RunRecord,
    check_run_id,
    link_report,
    read_run_record,
    sha256_file,
    write_evidence,
)
from inc.fsutil import atomic_write_text, ensure_inside, make_temp_dir
from inc.workspace import as_workspace

if TYPE_CHECKING:
    from inc.explainability.adapter import Plan, RawShap
    from inc.increment import Increment
    from inc.model_binding import ModelBinding
    from inc.workspace import Workspace

_ML_MODULES = ("numpy", "pandas", "shap", "matplotlib")
REPORT_KIND = "explain"
T = TypeVar("T")


@dataclass
class ExplainResult:
    """What :func:`explain` wrote."""

    run_id: str
    report_dir: Path
    summary_path: Path
    summary_sha256: str
    summary: ExplainSummary
    ledger_path: Path | None = None
    artifacts_logged: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def method(self) -> str:
        """The explainer used: tree, linear or permutation."""
        return self.summary.method

    def as_json(self, ws: Workspace) -> dict[str, Any]:
        """What ``inc explain --format json`` prints."""
        return {
            "run_id": self.run_id,
            "method": self.method,
            "report": ws.relpath(self.report_dir),
            "summary_sha256": self.summary_sha256,
            "ledger": ws.relpath(self.ledger_path) if self.ledger_path else None,
            "artifacts_logged": self.artifacts_logged,
            "top_features": [g.feature for g in self.summary.global_importance[:5]],
            "notes": self.notes,
        }


def report_target(
    workspace: Workspace | str | Path | None, increment: str, run_id: str
) -> tuple[Workspace, Increment, RunRecord | None]:
    """The workspace, increment and ledger record a report of ``run_id`` is written for.

    The run id must be shaped like an MLflow id (it names the report's folder), the ledger and
    reports folders must lie inside the workspace, and a record that exists must load: all
    checked before any work, so bad input writes nothing.
    """
    check_run_id(run_id)
    ws = as_workspace(workspace)
    inc = ws.find(str(increment))
    ensure_inside(ws.root, inc.runs_dir)
    ensure_inside(ws.root, inc.reports_dir)
    record_path = inc.runs_dir / f"{run_id}.json"
    return ws, inc, read_run_record(record_path) if record_path.is_file() else None


def explain(
    model: Any,
    X_background: Any,
    X_explain: Any,
    increment: str,
    run_id: str,
    max_background: int = 100,
    max_explain: int = 1000,
    workspace: Workspace | str | Path | None = None,
    *,
    top_features: int = 3,
    seed: int = 0,
    signature: list[str] | None = None,
    log_artifacts: bool = True,
    progress: Callable[[float], None] | None = None,
    _bound: ModelBinding | None = None,
) -> ExplainResult:
    """Explain ``model`` on ``X_explain`` and write the report of ``run_id`` into ``increment``.

    ``X_background`` is sampled down to ``max_background`` rows (used by the linear and
    model-agnostic explainers), ``X_explain`` to ``max_explain`` rows. ``signature`` overrides the
    column names the model takes (default: what the model records, e.g. ``feature_names_in_``).
    ``progress(fraction)`` is called as the SHAP values are computed (the CLI draws a bar with it).
    When the run logged a model, ``model`` must be that model (same predictions on the explained
    rows, :func:`inc.model_binding.prove_logged_model`): a UserError otherwise. The report records
    the run id, the logged model's URI and digest.
    Raises ``UserError`` (exit 2) on bad input, with nothing written.
    """
    from inc.model_binding import prove_logged_model

    for module in _ML_MODULES:
        require_ml(module)
    ws, inc, record = report_target(workspace, increment, run_id)
    background, rows = _prepared(model, X_background, X_explain, signature, max_background, max_explain, seed)
    binding = _bound or prove_logged_model(ws, record, run_id, model, rows)
    plan, raw = _compute(model, background, rows, progress)
    report_dir = inc.explain_dir(run_id)
    summary = _publish(report_dir, binding, plan, raw, rows, top_features)
    summary_path = report_dir / "summary.json"
    notes = [*plan.notes, *binding.notes]
    result = ExplainResult(run_id, report_dir, summary_path, sha256_file(summary_path), summary, notes=notes)
    if record is not None:
        result.ledger_path = _link_ledger(inc, record, result, ws.root)
    else:
        result.notes.append(f"no ledger record {inc.runs_dir.name}/{run_id}.json: not linked")
    if log_artifacts:
        _log_artifacts(ws, result)
    return result


def _prepared(
    model: Any,
    X_background: Any,
    X_explain: Any,
    signature: list[str] | None,
    max_background: int,
    max_explain: int,
    seed: int,
) -> tuple[Any, Any]:
    from inc.explainability import inputs as si

    expected = signature if signature else si.expected_columns(model)
    frames = []
    for data, what in ((X_background, "X_background"), (X_explain, "X_explain")):
        frame = si.as_frame(data, expected, what)
        si.check_not_empty(frame, what)
        frame = si.match_columns(frame, expected, what)
        si.check_nans(model, frame, what)
        frames.append(frame)
        if expected is None:  # a model without recorded names: both frames must agree
            expected = list(frame.columns)
    return si.sample_rows(frames[0], max_background, seed), si.sample_rows(frames[1], max_explain, seed)


def _compute(
    model: Any, background: Any, rows: Any, progress: Callable[[float], None] | None
) -> tuple[Plan, RawShap]:
    from inc.explainability import adapter as shap_adapter

    try:
        plan = shap_adapter.plan_explainer(model, background)
    except (ValueError, TypeError, KeyError) as exc:
        raise UserError(f"cannot explain {type(model).__name__} on these columns: {exc}") from exc
    try:
        if not progress:
            return plan, shap_adapter.compute(plan, rows)
        report = progress
        done = [0]

        def on_chunk(count: int) -> None:
            done[0] += count
            report(done[0] / max(1, len(rows)))

        return plan, shap_adapter.compute(plan, rows, on_chunk=on_chunk, chunks=20)
    except (ValueError, TypeError) as exc:
        raise UserError(f"SHAP ({plan.method}) failed on {type(model).__name__}: {exc}") from exc


def _publish(
    report_dir: Path, binding: ModelBinding, plan: Plan, raw: RawShap, rows: Any, top_features: int
) -> ExplainSummary:
    """Write the whole report into a staging folder, then rename it into place."""
    return publish_folder(
        report_dir, lambda staging: _write_report(staging, binding, plan, raw, rows, top_features)
    )


def publish_folder(report_dir: Path, write: Callable[[Path], T]) -> T:
    """Run ``write(staging)`` in a fresh staging folder next to ``report_dir``, then swap it in.

    A failure leaves the old folder as it was. When the new folder holds exactly the same files
    and bytes as the old one, the old one is kept untouched (a rebuild with nothing changed writes
    nothing).
    """
    report_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = make_temp_dir(report_dir.parent, f".{report_dir.name}.staging-")
    try:
        result = write(staging)
        if _same_tree(staging, report_dir):
            shutil.rmtree(staging, ignore_errors=True)
        else:
            _swap_into_place(staging, report_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _same_tree(new: Path, old: Path) -> bool:
    if not old.is_dir() or old.is_symlink():
        return False
    names = sorted(p.relative_to(new).as_posix() for p in new.rglob("*"))
    if names != sorted(p.relative_to(old).as_posix() for p in old.rglob("*")):
        return False
    return all(
        (new / n).is_dir() == (old / n).is_dir()
        and ((new / n).is_dir() or (new / n).read_bytes() == (old / n).read_bytes())
        for n in names
    )


def _swap_into_place(staging: Path, final: Path) -> None:
    if not final.exists():
        os.rename(staging, final)
        return
    old = make_temp_dir(final.parent, f".{final.name}.old-")
    os.rename(final, old / "report")
    try:
        os.rename(staging, final)
    except BaseException:
        os.rename(old / "report", final)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _write_report(
    folder: Path, binding: ModelBinding, plan: Plan, raw: RawShap, rows: Any, top_features: int
) -> ExplainSummary:
    from inc.explainability import adapter as shap_adapter
    from inc.explainability import summary as ss
    from inc.explainability.plots import PlotInput, write_plots

    names = plan.feature_names
    focus = ss.focus(raw.values, raw.base)
    imp = ss.importance(raw.values, names, plan.outputs)
    labels = [str(i) for i in rows.index]
    picked = ss.pick_rows(focus, labels, plan.outputs)
    column = {name: i for i, name in enumerate(names)}
    coded = plan.decode is not None and raw.display is not None
    lead = ss.lead_outputs(imp, plan.outputs)
    effects = {}
    for name in imp.features:
        i = column[name]
        categories = raw.display[:, i] if coded and raw.display is not None and _is_coded(raw, i) else None
        text = ss.effect(raw.values[:, i, lead[name]], raw.data[:, i], categories)
        multi = len(plan.outputs) > 1
        effects[name] = f"class {plan.outputs[lead[name]]} (where it matters most): {text}" if multi else text
    plots = write_plots(
        folder,
        PlotInput(
            raw.values,
            focus,
            raw.data,
            raw.display,
            names,
            plan.outputs,
            plan.output_space,
            imp,
            picked,
            top_features,
            lead,
        ),
    )
    info = ss.ReportText(
        binding.run_id,
        plan.model_class,
        plan.method,
        shap_adapter.shap_version(),
        plan.output_space,
        plan.outputs,
        len(rows),
        plan.background_size,
        plan.feature_space,
        plan.notes,
    )
    by_input: list[tuple[str, float, list[str]]] = []
    if plan.feature_space == "transformed":
        by_input = ss.input_importance(raw.values, names, [str(c) for c in rows.columns])
    report = ss.render_report(info, imp, effects, picked, plots) + _input_section(by_input)
    atomic_write_text(folder / "report.md", report)
    summary = _summary(folder, info, imp, picked, plots, effects, raw).model_copy(update=binding.fields())
    if by_input:
        summary = summary.model_copy(
            update={
                "input_importance": [
                    {"feature": source, "mean_abs_shap": value, "columns": members}
                    for source, value, members in by_input
                ]
            }
        )
    write_evidence(folder / "summary.json", summary)
    return summary


def _input_section(by_input: list[tuple[str, float, list[str]]]) -> str:
    """A report.md section ranking the model's input columns (pipelines only)."""
    if not by_input:
        return ""
    lines = [
        "",
        "## By input column",
        "",
        "The pipeline was explained on its transformed features; summed back to the input",
        "columns they come from (one-hot columns add up per row before the absolute value):",
        "",
        "| input column | mean abs SHAP | transformed features |",
        "|---|---:|---|",
    ]
    lines += [f"| {source} | {value:.4g} | {len(members)} |" for source, value, members in by_input]
    return "\n".join(lines) + "\n"


def _is_coded(raw: RawShap, column: int) -> bool:
    assert raw.display is not None
    return not all(isinstance(v, int | float) for v in raw.display[:50, column])


def _summary(
    folder: Path,
    text: Any,
    imp: Any,
    picked: list[Any],
    plots: dict[str, str],
    effects: dict[str, str],
    raw: RawShap,
) -> ExplainSummary:
    expected = [float(v) for v in raw.base[0]] if len(raw.base) else []
    extra: dict[str, Any] = {
        "model_class": text.model_class,
        "output_space": text.output_space,
        "outputs": text.outputs,
        "feature_space": text.feature_space,
        "expected_value": expected,
        "rows": [{"kind": r.kind, "index": r.index, "output": r.output, "score": r.score} for r in picked],
        "report": {"file": "report.md", "sha256": sha256_file(folder / "report.md")},
        "notes": text.notes,
    }
    if imp.per_output:
        extra["per_class_importance"] = {
            out: [{"feature": f, "mean_abs_shap": v} for f, v in zip(imp.features, vals, strict=True)]
            for out, vals in imp.per_output.items()
        }
    return ExplainSummary(
        run_id=text.run_id,
        method=text.method,
        shap_version=text.shap_version,
        n_explained=text.n_explained,
        background_size=text.background_size,
        global_importance=[
            {"feature": f, "mean_abs_shap": v, "effect": effects[f]}
            for f, v in zip(imp.features, imp.overall, strict=True)
        ],
        plots=[{"file": f, "sha256": sha256_file(folder / f), "title": label} for f, label in plots.items()],
        **extra,
    )


def _link_ledger(inc: Increment, record: Any, result: ExplainResult, root: Path) -> Path:
    """Point the run's ledger record at the report (replacing an older explain reference)."""
    rel = result.summary_path.relative_to(inc.path).as_posix()
    ref = ReportRef(kind=REPORT_KIND, path=rel, sha256=result.summary_sha256)
    return link_report(inc.runs_dir, record, ref, root)


def _log_artifacts(ws: Workspace, result: ExplainResult) -> None:
    note = log_report_folder(ws, result.run_id, result.report_dir)
    if note is None:
        result.artifacts_logged = True
    else:
        result.notes.append(note)


def log_report_folder(ws: Workspace, run_id: str, folder: Path) -> str | None:
    """Log ``folder`` as artifacts of the MLflow run; None when logged, else a note saying why not."""
    from inc.tracking import adapter

    return adapter.log_report(ws, run_id, folder)


def explain_run(
    ws: Workspace,
    increment: str,
    run_id: str,
    data_path: Path,
    target: str | None = None,
    max_background: int = 100,
    max_explain: int = 1000,
    log_artifacts: bool = True,
    progress: Callable[[float], None] | None = None,
) -> ExplainResult:
    """``inc explain``: load a linked run's model from MLflow and explain it on a CSV/Parquet file.

    Loading the model runs its code (skops/pickle): only for runs you trust. The gate never does it.
    """
    for module in (*_ML_MODULES, "mlflow"):
        require_ml(module)
    from inc.explainability import inputs as si
    from inc.model_binding import linked_model_record, loaded_binding
    from inc.tracking import adapter

    inc = ws.find(str(increment))
    ensure_inside(ws.root, inc.runs_dir)
    ensure_inside(ws.root, inc.reports_dir)
    run_id, record = linked_model_record(ws, inc, run_id, "explain")  # an id or a unique prefix
    assert record.model is not None  # linked_model_record refuses a record without one
    frame = si.read_table(data_path, target)
    uri = adapter.resolve_tracking_uri(ws)
    model = adapter.load_native_model(record.model.uri, uri)

    return explain(
        model,
        frame,
        frame,
        increment=inc.id,
        run_id=run_id,
        max_background=max_background,
        max_explain=max_explain,
        workspace=ws,
        signature=record.model.inputs or None,
        log_artifacts=log_artifacts,
        progress=progress,
        _bound=loaded_binding(ws, record, run_id),  # loaded from the record: the proof is the loading
    )
