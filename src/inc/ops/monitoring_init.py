"""``inc monitoring init``: write monitoring.yaml from what inc already knows, for a person to edit.

The watched features are the chosen run's model inputs (its signature, else the columns of its
training dataset fingerprint), most important first by the run's SHAP report; thresholds are
the drift defaults of :mod:`inc.rules`; the performance alert is the increment's metric and
target; the reference data is the file given, with its sha256 filled in. Left for the person:
the alert route (empty, so the gate fails until it is set), the label delay and the schedule.
Core path: pydantic and the standard library only.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from inc.errors import ConfigError, InternalError, NotFoundError, UserError
from inc.evidence import ExplainSummary, RunRecord, parse_evidence, read_run_record, sha256_file
from inc.explainability.features import source_column
from inc.fsutil import atomic_write_text, ensure_inside
from inc.increment import Increment
from inc.ops.monitoring import load_monitoring
from inc.ops.monitoring_schema import MonitoringConfig
from inc.rules import DEFAULT_THRESHOLDS
from inc.workspace import Workspace

CATEGORICAL_DTYPES = ("object", "category", "string", "str", "bool")
DEFAULT_LABEL_DELAY_DAYS = 7


@dataclass
class Watched:
    """One feature to watch, with where its rank came from."""

    name: str
    categorical: bool = False
    shap_rank: int | None = None
    mean_abs_shap: float | None = None


@dataclass
class MonitoringInit:
    """What ``inc monitoring init`` wrote."""

    path: Path
    config: MonitoringConfig
    run_id: str
    inputs_from: str
    features: list[Watched]
    notes: list[str] = field(default_factory=list)


def _record(inc: Increment, run_id: str | None) -> RunRecord:
    wanted = run_id or inc.meta.chosen_run
    if not wanted:
        raise UserError(
            f"{inc.meta_path}: field 'chosen_run': no chosen run to take the model inputs from; "
            f"'inc choose {inc.id} RUN' first, or pass --run RUN"
        )
    path = inc.runs_dir / f"{wanted}.json"
    if not path.is_file():
        raise NotFoundError(
            f"run {wanted} is not in {inc.runs_dir.name}/; 'inc link {inc.id} {wanted}' it first"
        )
    return read_run_record(path)


def model_inputs(record: RunRecord) -> tuple[list[str], dict[str, str], str]:
    """(input columns, dtype by column, where they came from) of a run; UserError when unknown."""
    dtypes: dict[str, str] = {}
    for dataset in record.datasets:
        for column in dataset.columns:
            dtypes.setdefault(column.name, column.dtype)
    if record.model is not None and record.model.inputs:
        return list(record.model.inputs), dtypes, "the model signature"
    datasets = sorted(record.datasets, key=lambda d: "train" not in d.name.lower())
    if datasets and datasets[0].columns:
        first = datasets[0]
        return (
            [c.name for c in first.columns],
            {c.name: c.dtype for c in first.columns},
            f"the columns of dataset {first.name!r}",
        )
    raise UserError(
        f"run {record.run_id} records neither model inputs nor dataset columns; save the model with "
        "an input example (exp.save_model(model, input_example=X[:5])) or log the training data "
        "(exp.log_dataset(X_train, name='train'))"
    )


def shap_ranking(inc: Increment, run_id: str, inputs: list[str]) -> list[tuple[str, float]]:
    """(input column, mean |SHAP|) from the run's SHAP report, most important first ([] without one)."""
    path = inc.explain_dir(run_id) / "summary.json"
    if not path.is_file():
        return []
    summary = parse_evidence(ExplainSummary, path)
    rows = (summary.model_extra or {}).get("input_importance") or [
        {"feature": item.feature, "mean_abs_shap": item.mean_abs_shap} for item in summary.global_importance
    ]
    totals: dict[str, float] = {}
    for row in rows:
        if isinstance(row, dict) and "feature" in row and "mean_abs_shap" in row:
            name = source_column(str(row["feature"]), inputs)
            totals[name] = totals.get(name, 0.0) + float(row["mean_abs_shap"])
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def rank_features(
    inputs: list[str], dtypes: dict[str, str], ranking: list[tuple[str, float]]
) -> list[Watched]:
    """Every input, the SHAP-ranked ones first (by mean |SHAP|), then the rest in input order."""
    ranked = [(name, value) for name, value in ranking if name in inputs]
    order = [name for name, _ in ranked] + [name for name in inputs if name not in dict(ranked)]
    shap = {name: (rank, value) for rank, (name, value) in enumerate(ranked, start=1)}
    return [
        Watched(
            name,
            categorical=dtypes.get(name, "").lower().startswith(CATEGORICAL_DTYPES),
            shap_rank=shap[name][0] if name in shap else None,
            mean_abs_shap=shap[name][1] if name in shap else None,
        )
        for name in order
    ]


def reference_columns(path: Path) -> list[str] | None:
    """The header of a CSV file, or a Parquet file's schema when pyarrow is there (None: unknown)."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            return next(csv.reader(handle), [])
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return None
    try:
        return list(pq.read_schema(path).names)
    except Exception:  # not a readable Parquet file: drift will say so
        return None


def _reference(ws: Workspace, reference: Path, inputs: list[str]) -> tuple[str, str]:
    if not reference.is_file():
        raise NotFoundError(f"--reference {reference}: no such file")
    resolved = reference.resolve()
    if ws.root.resolve() not in resolved.parents:
        raise UserError(
            f"--reference {reference}: the reference data must be inside the workspace ({ws.root}), "
            "so the gate and 'inc drift' can find it; copy it in and commit it"
        )
    columns = reference_columns(resolved)
    missing = [name for name in inputs if columns is not None and name not in columns]
    if missing:
        raise UserError(
            f"--reference {reference}: missing model input columns: {', '.join(missing)}; "
            "give data with the columns the model takes"
        )
    return resolved.relative_to(ws.root.resolve()).as_posix(), sha256_file(resolved)


def _refuse_configured(ws: Workspace, path: Path) -> None:
    """UserError unless monitoring.yaml is the untouched template (nothing watched, no reference,
    no performance metric): a person's edits are never overwritten without --force."""
    try:
        config = load_monitoring(path)
    except ConfigError as exc:
        raise UserError(f"{exc.message}; fix it, or pass --force to replace the file") from exc
    if config.features or config.reference is not None or config.performance is not None:
        raise UserError(f"{ws.relpath(path)} is already configured; edit it, or pass --force to replace it")


def init_monitoring(
    ws: Workspace,
    inc: Increment,
    reference: Path | None = None,
    run_id: str | None = None,
    force: bool = False,
) -> MonitoringInit:
    """Write ``inc``'s monitoring.yaml from its chosen run (or ``run_id``); see the module doc.

    An existing file that is more than the template is kept (UserError) unless ``force``.
    """
    path = ensure_inside(ws.root, inc.monitoring_path)
    if path.is_file() and not force:
        _refuse_configured(ws, path)
    record = _record(inc, run_id)
    inputs, dtypes, inputs_from = model_inputs(record)
    features = rank_features(inputs, dtypes, shap_ranking(inc, record.run_id, inputs))
    notes = []
    if record.model is None or not record.model.inputs:
        notes.append(f"features from {inputs_from}: remove the label column if it is listed")
    if not any(f.shap_rank for f in features):
        notes.append(
            f"no SHAP report for run {record.run_id}: features are in input order "
            f"('inc explain {inc.id} --run {record.run_id} --data FILE', then init --force)"
        )
    ref = _reference(ws, reference, inputs) if reference is not None else None
    if ref is None:
        notes.append("no --reference: set reference.path and sha256 before the gate passes")
    text = render(inc, record.run_id, inputs_from, features, ref)
    config = _validated(text, path)
    atomic_write_text(path, text)
    notes.append(
        "set alert_route (empty: the gate fails until someone owns the alerts) and check "
        "label_delay_days and schedule"
    )
    return MonitoringInit(path, config, record.run_id, inputs_from, features, notes)


def _validated(text: str, path: Path) -> MonitoringConfig:
    import yaml
    from pydantic import ValidationError

    try:
        return MonitoringConfig.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:  # a bug in render(), not the user's input
        raise InternalError(f"{path}: the generated monitoring.yaml does not validate: {exc}") from exc


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML flow scalar


def _feature_line(feature: Watched) -> str:
    method = "chi2" if feature.categorical else "psi"
    warn, alert = DEFAULT_THRESHOLDS[method]
    kind = "categorical" if feature.categorical else "auto"
    line = (
        f"  - {{name: {_q(feature.name)}, kind: {kind}, method: {method}, warn: {warn:g}, alert: {alert:g}}}"
    )
    if feature.shap_rank is not None and feature.mean_abs_shap is not None:
        line += f"  # SHAP rank {feature.shap_rank}, mean |SHAP| {feature.mean_abs_shap:.4g}"
    return line


def render(
    inc: Increment, run_id: str, inputs_from: str, features: list[Watched], ref: tuple[str, str] | None
) -> str:
    """The text of monitoring.yaml: valid YAML with comments that say what to edit."""
    metric = inc.meta.metric
    side = "alert_above" if metric.goal == "minimize" else "alert_below"
    warn, alert = DEFAULT_THRESHOLDS["psi"]
    lines = [
        f"# Monitoring for increment {inc.id} ({inc.meta.slug}), written by `inc monitoring init` from run",
        f"# {run_id}: features from {inputs_from}, most important first by its SHAP report;",
        "# thresholds are the drift defaults. Edit it: `inc monitoring check` and the gate read it.",
        "# Schema: `inc schema monitoring`. Methods: psi (numeric or categorical), ks and wasserstein",
        "# (numeric only), chi2 and jensen_shannon; each a distance, so warn <= alert.",
        "schema: 1",
        "features:",
        *[_feature_line(feature) for feature in features],
        f"prediction_drift: {{column: prediction, method: psi, warn: {warn:g}, alert: {alert:g}}}",
        "performance:",
        f"  metric: {_q(metric.name)}",
        f"  {side}: {metric.target!r}   # the increment's target: alert when the live metric crosses it",
        f"  label_delay_days: {DEFAULT_LABEL_DELAY_DAYS}   # how long true labels take to arrive: check this",
    ]
    if ref is None:
        lines += ["reference: null", "#  path: data/reference.parquet   # then `inc monitoring init --force`"]
    else:
        lines += ["reference:", f"  path: {_q(ref[0])}", f"  sha256: {_q(ref[1])}"]
    lines += [
        'schedule: "0 6 * * *"   # cron, when `inc drift` runs',
        'alert_route: ""   # where alerts go (a Slack channel, a pager service): required by the gate',
    ]
    return "\n".join(lines) + "\n"
