"""``monitoring.yaml``: the drift and performance monitoring config of an increment.

Core path: pydantic and the standard library only (the gate reads this on untrusted PRs).
Every drift statistic here is a distance (larger means more drift), so ``warn <= alert``
holds for every method:

- ``psi``: population stability index over reference quantile bins (or categories).
- ``ks``: the two-sample Kolmogorov-Smirnov statistic D, in (0, 1].
- ``wasserstein``: earth mover's distance divided by the reference standard deviation.
- ``chi2``: Cramér's V of the chi-square test on reference vs current counts, in (0, 1].
- ``jensen_shannon``: Jensen-Shannon distance (base 2) of the binned distributions, in (0, 1].
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from inc.errors import ConfigError, IncError
from inc.explainability.features import source_column
from inc.increment import Increment
from inc.yamlio import load_model_file

if TYPE_CHECKING:
    from inc.evidence import ExplainSummary

DriftMethod = Literal["psi", "ks", "wasserstein", "chi2", "jensen_shannon"]
FeatureKind = Literal["auto", "numeric", "categorical"]

# method -> (default warn, default alert)
DEFAULT_THRESHOLDS: dict[str, tuple[float, float]] = {
    "psi": (0.1, 0.25),
    "ks": (0.1, 0.2),
    "wasserstein": (0.1, 0.25),
    "chi2": (0.1, 0.2),
    "jensen_shannon": (0.1, 0.2),
}
# method -> largest meaningful threshold (every threshold must be > 0)
THRESHOLD_MAX: dict[str, float] = {
    "psi": 10.0,
    "ks": 1.0,
    "wasserstein": 10.0,
    "chi2": 1.0,
    "jensen_shannon": 1.0,
}
NUMERIC_ONLY = frozenset({"ks", "wasserstein"})
TOP_SHAP_FEATURES = 5
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*/,?#LW-]+$")
_CRON_MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class DriftRule(_Strict):
    """A drift statistic with warn and alert thresholds (defaults depend on the method)."""

    method: DriftMethod = "psi"
    warn: float | None = None
    alert: float | None = None

    @model_validator(mode="after")
    def _thresholds(self) -> DriftRule:
        default_warn, default_alert = DEFAULT_THRESHOLDS[self.method]
        warn = default_warn if self.warn is None else self.warn
        alert = default_alert if self.alert is None else self.alert
        if self.warn is not None and self.alert is None and warn > alert:
            alert = warn
        high = THRESHOLD_MAX[self.method]
        for name, value in (("warn", warn), ("alert", alert)):
            if not 0 < value <= high:
                raise ValueError(
                    f"{name} {value} is out of range for {self.method}: must be > 0 and <= {high:g}"
                )
        if warn > alert:
            raise ValueError(f"warn {warn} must not exceed alert {alert}")
        self.warn, self.alert = warn, alert
        return self

    @property
    def thresholds(self) -> tuple[float, float]:
        """(warn, alert), defaults filled in."""
        assert self.warn is not None and self.alert is not None
        return self.warn, self.alert


class FeatureWatch(DriftRule):
    """One watched input feature."""

    name: str = Field(min_length=1)
    kind: FeatureKind = "auto"

    @model_validator(mode="after")
    def _method_fits_kind(self) -> FeatureWatch:
        if self.kind == "categorical" and self.method in NUMERIC_ONLY:
            raise ValueError(
                f"method {self.method} needs numbers; use psi, chi2 or jensen_shannon "
                "for a categorical feature"
            )
        return self


class PredictionDrift(DriftRule):
    """Drift of the model's output; ``column`` names it in the data given to ``inc drift``."""

    column: str = "prediction"


class Performance(_Strict):
    """The live metric, the threshold that alerts, and how late labels arrive."""

    metric: str = Field(min_length=1)
    alert_below: float | None = None
    alert_above: float | None = None
    label_delay_days: float = Field(ge=0, le=3650)
    window_days: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_threshold(self) -> Performance:
        if (self.alert_below is None) == (self.alert_above is None):
            raise ValueError(
                "give exactly one of alert_below (metrics to maximize) or alert_above (to minimize)"
            )
        return self


class ReferenceData(_Strict):
    """The data drift is measured against: a workspace path or a URI, with its sha256."""

    path: str | None = None
    uri: str | None = None
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")

    @model_validator(mode="after")
    def _one_location(self) -> ReferenceData:
        if (self.path is None) == (self.uri is None):
            raise ValueError("give exactly one of path (in the repository) or uri")
        return self


class MonitoringConfig(_Strict):
    """The schema of ``monitoring.yaml`` (``inc schema monitoring``)."""

    schema_: int = Field(default=1, alias="schema", ge=1, le=1)
    features: list[FeatureWatch] = Field(default_factory=list)
    prediction_drift: PredictionDrift | None = None
    performance: Performance | None = None
    reference: ReferenceData | None = None
    schedule: str = ""
    alert_route: str = ""

    @field_validator("features")
    @classmethod
    def _unique_features(cls, value: list[FeatureWatch]) -> list[FeatureWatch]:
        names = [feature.name for feature in value]
        dupes = sorted({name for name in names if names.count(name) > 1})
        if dupes:
            raise ValueError(f"feature listed more than once: {', '.join(dupes)}")
        return value

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        value = value.strip()
        if not value or value in _CRON_MACROS:
            return value
        fields = value.split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(part) for part in fields):
            raise ValueError(f"not a cron schedule: {value!r}; use 5 fields like '0 6 * * *' or @daily")
        return value

    def feature(self, name: str) -> FeatureWatch | None:
        """The watch entry of ``name``, if any."""
        return next((f for f in self.features if f.name == name), None)


_LOADED: dict[tuple[str, int, int], MonitoringConfig] = {}


def load_monitoring(path: Path) -> MonitoringConfig:
    """Load and validate monitoring.yaml; errors (ConfigError, exit 2) name the file and field.

    A file already loaded unchanged (same path, mtime and size) in this process is not parsed
    again: the living docs and the gate's verdict inside them read the same file.
    """
    try:
        stat = path.stat()
    except OSError:
        return load_model_file(MonitoringConfig, path)
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _LOADED:
        if len(_LOADED) > 4096:
            _LOADED.clear()
        _LOADED[key] = load_model_file(MonitoringConfig, path)
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
    from inc.evidence import ExplainSummary, parse_evidence

    path = inc.explain_dir(run_id) / "summary.json"
    if not path.is_file():
        return []
    return ranked_features(parse_evidence(ExplainSummary, path), n)


def ranked_features(summary: ExplainSummary, n: int = TOP_SHAP_FEATURES) -> list[str]:
    """The ``n`` features of a SHAP summary with the largest mean |SHAP|, most important first."""
    ranked = sorted(summary.global_importance, key=lambda item: -item.mean_abs_shap)
    return [item.feature for item in ranked[:n]]


def run_monitoring_check(inc: Increment) -> list[str]:
    """``inc monitoring check``: validate monitoring.yaml against the increment's chosen run.

    An invalid file raises ConfigError (exit 2, file, field and reason); an incomplete one, or one
    that misses the chosen model's inputs or top SHAP features, returns the problems.
    """
    from inc.evidence import read_run_record

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
        record = read_run_record(record_path)
        top = top_shap_features(inc, run_id)
    except IncError as exc:
        return _check_without_run(inc, exc.message)
    inputs = list(record.model.inputs) if record.model else []
    return check_monitoring(inc, inputs, top)
