"""``inc drift``: per-feature drift between reference and current data (numpy/scipy lazily).

Thresholds come from the increment's monitoring.yaml when it lists features, else every
column is compared with PSI at the defaults (0.1 warn, 0.25 alert).

``inc.drift(...)`` is :func:`inc.api.drift`, the function the ``inc drift`` command calls.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inc.errors import MissingExtraError, UserError
from inc.evidence import DriftFeature, DriftReport, sha256_file, write_evidence
from inc.fsutil import ensure_inside
from inc.increment import Increment
from inc.ops.monitoring import load_monitoring
from inc.ops.monitoring_schema import FeatureWatch, MonitoringConfig
from inc.ops.tabular import read_table
from inc.rules import NUMERIC_ONLY
from inc.workspace import Workspace


@dataclass
class DriftResult:
    """What ``inc drift`` found and where it wrote the report."""

    report: DriftReport
    path: Path
    notes: list[str] = field(default_factory=list)  # e.g. why the report was not logged to MLflow

    @property
    def alerts(self) -> list[str]:
        """Features past their alert threshold."""
        return list(self.report.drifted)

    @property
    def warnings(self) -> list[str]:
        """Features past their warn threshold only."""
        return list(self.report.warned)


@dataclass
class Rule:
    """A feature to compare, with its method and thresholds."""

    watch: FeatureWatch
    role: str = "feature"


def _stats_module() -> Any:
    try:
        from inc.ops import stats as drift_stats
    except ImportError as exc:
        raise MissingExtraError(f"drift needs numpy and scipy ({exc.name} is missing)") from exc
    return drift_stats


def plan_rules(config: MonitoringConfig | None, columns: list[str]) -> list[Rule]:
    """The features to compare: monitoring.yaml's, else every column with PSI defaults."""
    rules: list[Rule] = []
    if config is not None and config.features:
        rules = [Rule(watch) for watch in config.features]
    else:
        prediction = config.prediction_drift.column if config and config.prediction_drift else None
        rules = [Rule(FeatureWatch(name=name)) for name in columns if name != prediction]
    if config is not None and config.prediction_drift is not None:
        pred = config.prediction_drift
        if pred.column in columns and all(rule.watch.name != pred.column for rule in rules):
            watch = FeatureWatch(name=pred.column, method=pred.method, warn=pred.warn, alert=pred.alert)
            rules.append(Rule(watch, role="prediction"))
    return rules


def compare_frames(
    reference: Any, current: Any, rules: list[Rule], source: str = "data"
) -> list[DriftFeature]:
    """Drift statistics and status of each rule's feature between two DataFrames."""
    ds = _stats_module()
    results = []
    for rule in rules:
        watch = rule.watch
        ref_col, cur_col = reference[watch.name], current[watch.name]
        numeric = watch.kind == "numeric" or (watch.kind == "auto" and ds.is_numeric(ref_col))
        if numeric:
            try:
                ref_values, cur_values = ds.as_float(ref_col), ds.as_float(cur_col)
            except (TypeError, ValueError) as exc:
                raise UserError(
                    f"{source}: feature {watch.name!r} is declared numeric but holds non-numbers ({exc})"
                ) from exc
            stats = ds.numeric_stats(ref_values, cur_values, methods=frozenset({watch.method}))
        else:
            if watch.method in NUMERIC_ONLY:
                raise UserError(
                    f"{source}: feature {watch.name!r} is categorical; method {watch.method} needs "
                    "numbers: use psi, chi2 or jensen_shannon (or set kind: numeric)"
                )
            stats = ds.categorical_stats(ref_col, cur_col)
        results.append(_feature(rule, stats))
    return results


def _feature(rule: Rule, stats: Any) -> DriftFeature:
    warn, alert = rule.watch.thresholds
    value = stats.value(rule.watch.method)
    status = "ok"
    if value is not None and value >= alert:
        status = "alert"
    elif value is not None and value >= warn:
        status = "warn"
    return DriftFeature(
        feature=rule.watch.name,
        psi=_round(stats.psi),
        ks_stat=_round(stats.ks_stat),
        ks_pvalue=_round(stats.ks_pvalue, 8),
        status=status,
        kind=stats.kind,
        role=rule.role,
        method=rule.watch.method,
        value=_round(value),
        warn=warn,
        alert=alert,
        chi2_stat=_round(stats.chi2_stat),
        chi2_pvalue=_round(stats.chi2_pvalue, 8),
        n_reference=stats.n_reference,
        n_current=stats.n_current,
    )


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


def check_columns(reference: Any, current: Any, ref_path: Path, cur_path: Path) -> None:
    """Refuse a reference and current file whose columns differ."""
    ref_cols, cur_cols = list(reference.columns), list(current.columns)
    if set(ref_cols) == set(cur_cols):
        return
    only_ref = [c for c in ref_cols if c not in set(cur_cols)]
    only_cur = [c for c in cur_cols if c not in set(ref_cols)]
    parts = []
    if only_ref:
        parts.append(f"only in {ref_path}: {', '.join(map(str, only_ref))}")
    if only_cur:
        parts.append(f"only in {cur_path}: {', '.join(map(str, only_cur))}")
    raise UserError(
        f"reference and current data have different columns ({'; '.join(parts)}); "
        "compare files with the same schema"
    )


def _reference_path(ws: Workspace, config: MonitoringConfig | None, given: Path | None, source: Path) -> Path:
    if given is not None:
        return given
    ref = config.reference if config else None
    if ref is None or ref.path is None:
        raise UserError(f"no --reference given and {source} names no reference path; pass --reference FILE")
    return ws.root / ref.path


def _verify_reference(
    ws: Workspace, config: MonitoringConfig | None, ref_path: Path, digest: str, source: Path
) -> None:
    ref = config.reference if config else None
    if ref is None or ref.path is None or ref.sha256 is None:
        return
    if (ws.root / ref.path).resolve() != ref_path.resolve():
        return
    if ref.sha256 != digest:
        raise UserError(
            f"{ref_path}: sha256 {digest[:12]}... differs from the one recorded in {source} "
            f"(field 'reference.sha256': {ref.sha256[:12]}...); the reference data changed: "
            "restore it or record the new hash"
        )


def run_drift(
    ws: Workspace,
    inc: Increment,
    current: Path,
    reference: Path | None = None,
    date: dt.date | None = None,
) -> DriftResult:
    """Compare ``current`` with the reference data, write ``reports/drift-<date>.json``."""
    source = inc.monitoring_path
    config = load_monitoring(source) if source.is_file() else None
    ref_path = _reference_path(ws, config, reference, source)
    ref_digest = sha256_file(ref_path) if ref_path.is_file() else None
    if ref_digest is not None:
        _verify_reference(ws, config, ref_path, ref_digest, source)
    ref_frame = read_table(ref_path, "reference")
    cur_frame = read_table(current, "current")
    check_columns(ref_frame, cur_frame, ref_path, current)
    rules = plan_rules(config, [str(c) for c in ref_frame.columns])
    missing = [rule.watch.name for rule in rules if rule.watch.name not in ref_frame.columns]
    if missing:
        raise UserError(
            f"{source}: field 'features': not columns of {ref_path}: {', '.join(missing)}; "
            "fix the feature names or the data"
        )
    features = compare_frames(ref_frame, cur_frame, rules, str(source))
    day = (date or dt.datetime.now(dt.UTC).date()).isoformat()
    report = DriftReport(
        reference=ws.relpath(ref_path),
        current=ws.relpath(current),
        features=features,
        drifted=[f.feature for f in features if f.status == "alert"],
        warned=[f.feature for f in features if f.status == "warn"],
        date=day,
        increment=inc.id,
        reference_sha256=ref_digest,
        current_sha256=sha256_file(current),
        thresholds_from=ws.relpath(source) if config and config.features else "defaults",
    )
    notes: list[str] = []
    if any(f.role == "prediction" for f in features):
        binding = _prediction_binding(inc)
        report = report.model_copy(update={k: v or None for k, v in binding.fields().items()})
        notes += list(binding.notes)
    path = ensure_inside(ws.root, inc.drift_path(day))
    write_evidence(path, report)
    return DriftResult(report, path, notes + _log_to_chosen_run(ws, inc, path))


def _prediction_binding(inc: Increment) -> Any:
    """The model whose predictions the report watched: the chosen run's, as its record says.

    The predictions are a column of the data files: inc takes them to be the chosen model's (it
    does not score the rows itself), so the report records the chosen run's binding as claimed.
    """
    from inc.evidence import read_run_record
    from inc.model_binding import ModelBinding, recorded_binding

    run_id = inc.meta.chosen_run
    if not run_id:
        return ModelBinding("", notes=("no chosen run: the prediction drift is not bound to a model",))
    path = inc.runs_dir / f"{run_id}.json"
    return recorded_binding(read_run_record(path) if path.is_file() else None, run_id)


def _log_to_chosen_run(ws: Workspace, inc: Increment, path: Path) -> list[str]:
    """Log the drift report as an artifact of the chosen run (the model it watches)."""
    if not inc.meta.chosen_run:
        return ["no chosen run: drift report not logged to MLflow"]
    from inc.tracking.adapter import log_report

    problem = log_report(ws, inc.meta.chosen_run, path)
    return [problem] if problem else []
