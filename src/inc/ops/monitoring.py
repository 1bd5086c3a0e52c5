"""``monitoring.yaml``: loading and completeness checks of an increment's monitoring config.

Standard library only (the gate reads this on untrusted pull requests): the file is read as a
plain object (``inc.light``) and through the pydantic models of ``inc.ops.monitoring_schema``
only when that reading is not sure of it, so an invalid file is still refused naming the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from inc import light
from inc.errors import ConfigError, IncError
from inc.explainability.features import source_column
from inc.increment import Increment
from inc.yamlio import load_yaml

if TYPE_CHECKING:
    from inc.evidence import ExplainSummary
    from inc.ops.monitoring_schema import MonitoringConfig

TOP_SHAP_FEATURES = 5


def _read(path: Path) -> MonitoringConfig:
    config: MonitoringConfig = light.read("monitoring", load_yaml(path), str(path))
    return config


_LOADED: dict[tuple[str, int, int], MonitoringConfig] = {}


def load_monitoring(path: Path) -> MonitoringConfig:
    """Load and validate monitoring.yaml; errors (ConfigError, exit 2) name the file and field.

    A file already loaded unchanged (same path, mtime and size) in this process is not parsed
    again: the living docs and the gate's verdict inside them read the same file.
    """
    try:
        stat = path.stat()
    except OSError:
        return _read(path)
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _LOADED:
        if len(_LOADED) > 4096:
            _LOADED.clear()
        _LOADED[key] = _read(path)
    return _LOADED[key]  # shared: callers only read it


def check_monitoring(inc: Increment, model_inputs: list[str], top_features: list[str]) -> list[str]:
    """Problems that keep ``inc``'s monitoring.yaml from being production-ready (empty: ready).

    ``model_inputs`` are the chosen model's input columns; ``top_features`` the most important
    SHAP features. Both must be watched, and every watched feature must be a model input.
    """
    config, problems = _load(inc)
    if config is None:
        return problems
    path = inc.monitoring_path
    return _completeness(path, config) + _coverage(path, config, model_inputs, top_features)


def _load(inc: Increment) -> tuple[MonitoringConfig | None, list[str]]:
    path = inc.monitoring_path
    if not path.is_file():
        return None, [f"{path}: missing; create it from the template (see 'inc schema monitoring')"]
    try:
        return load_monitoring(path), []
    except ConfigError as exc:
        return None, [exc.message]


def _check_without_run(inc: Increment, reason: str) -> list[str]:
    config, problems = _load(inc)
    if config is not None:
        problems = _completeness(inc.monitoring_path, config)
    return [*problems, reason]


def _completeness(path: Path, config: MonitoringConfig) -> list[str]:
    problems = []
    if not config.features:
        problems.append(f"{path}: field 'features': no feature is watched for drift")
    if config.prediction_drift is None:
        problems.append(f"{path}: field 'prediction_drift': prediction drift is not configured")
    if config.performance is None:
        problems.append(
            f"{path}: field 'performance': no performance metric with an alert threshold and label delay"
        )
    if config.reference is None:
        problems.append(f"{path}: field 'reference': no reference data (path or uri, and sha256)")
    elif config.reference.sha256 is None:
        problems.append(f"{path}: field 'reference.sha256': the reference data's hash is missing")
    if not config.schedule:
        problems.append(f"{path}: field 'schedule': no schedule (cron, e.g. '0 6 * * *')")
    if not config.alert_route.strip():
        problems.append(f"{path}: field 'alert_route': no alert route (channel or pager service)")
    return problems


def _coverage(
    path: Path, config: MonitoringConfig, model_inputs: list[str], top_features: list[str]
) -> list[str]:
    watched = {feature.name for feature in config.features}
    problems = []
    if not model_inputs:
        problems.append(
            f"{path}: the chosen run's model inputs are unknown, so coverage cannot be checked; "
            "save the model with an input example (exp.save_model(model, input_example=X[:5]))"
        )
    missing = [name for name in model_inputs if name not in watched]
    if missing:
        problems.append(f"{path}: field 'features': model inputs not watched: {', '.join(missing)}")
    unwatched_top = sorted(
        {source_column(name, model_inputs) for name in top_features} - watched,
        key=[source_column(name, model_inputs) for name in top_features].index,
    )
    if unwatched_top:
        problems.append(
            f"{path}: field 'features': top SHAP features not watched: {', '.join(unwatched_top)}"
        )
    if model_inputs:
        extra = sorted(watched - set(model_inputs))
        if extra:
            problems.append(f"{path}: field 'features': not inputs of the chosen model: {', '.join(extra)}")
    return problems


def top_shap_features(inc: Increment, run_id: str, n: int = TOP_SHAP_FEATURES) -> list[str]:
    """The ``n`` most important features of the run's SHAP summary ([] when there is none)."""
    from inc.evidence_io import read_report

    path = inc.explain_dir(run_id) / "summary.json"
    if not path.is_file():
        return []
    return ranked_features(read_report("explain_summary", path), n)


def ranked_features(summary: ExplainSummary, n: int = TOP_SHAP_FEATURES) -> list[str]:
    """The ``n`` features of a SHAP summary with the largest mean |SHAP|, most important first."""
    ranked = sorted(summary.global_importance, key=lambda item: -item.mean_abs_shap)
    return [item.feature for item in ranked[:n]]


def run_monitoring_check(inc: Increment) -> list[str]:
    """``inc monitoring check``: validate monitoring.yaml against the increment's chosen run.

    An invalid file raises ConfigError (exit 2, file, field and reason); an incomplete one, or one
    that misses the chosen model's inputs or top SHAP features, returns the problems.
    """
    from inc.evidence_io import read_record

    if inc.monitoring_path.is_file():
        load_monitoring(inc.monitoring_path)

    run_id = inc.meta.chosen_run
    if not run_id:
        return _check_without_run(
            inc,
            f"{inc.meta_path}: field 'chosen_run': no chosen run to check coverage against; "
            "set one with 'inc choose'",
        )
    record_path = inc.runs_dir / f"{run_id}.json"
    if not record_path.is_file():
        return _check_without_run(
            inc, f"{record_path}: the chosen run is not in the ledger; link it with 'inc link'"
        )
    try:
        record = read_record(record_path)
        top = top_shap_features(inc, run_id)
    except IncError as exc:
        return _check_without_run(inc, exc.message)
    inputs = list(record.model.inputs) if record.model else []
    return check_monitoring(inc, inputs, top)
