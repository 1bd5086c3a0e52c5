"""The schema of ``monitoring.yaml`` (pydantic models; ``inc schema monitoring`` prints it).

Every drift statistic here is a distance (larger means more drift), so ``warn <= alert``
holds for every method:

- ``psi``: population stability index over reference quantile bins (or categories).
- ``ks``: the two-sample Kolmogorov-Smirnov statistic D, in (0, 1].
- ``wasserstein``: earth mover's distance divided by the reference standard deviation.
- ``chi2``: Cramér's V of the chi-square test on reference vs current counts, in (0, 1].
- ``jensen_shannon``: Jensen-Shannon distance (base 2) of the binned distributions, in (0, 1].

The validators call ``inc.rules``, which the gate's plain reading (``inc.light``) runs too.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from inc.rules import (
    ONE_LOCATION,
    ONE_THRESHOLD,
    MonitoringMethods,
    ThresholdMethods,
    cron_schedule,
    drift_thresholds,
    exactly_one,
    method_fits_kind,
    unique_names,
)

DriftMethod = Literal["psi", "ks", "wasserstein", "chi2", "jensen_shannon"]
FeatureKind = Literal["auto", "numeric", "categorical"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class DriftRule(_Strict, ThresholdMethods):
    """A drift statistic with warn and alert thresholds (defaults depend on the method)."""

    method: DriftMethod = "psi"
    warn: float | None = None
    alert: float | None = None

    @model_validator(mode="after")
    def _thresholds(self) -> DriftRule:
        self.warn, self.alert = drift_thresholds(self.method, self.warn, self.alert)
        return self


class FeatureWatch(DriftRule):
    """One watched input feature."""

    name: str = Field(min_length=1)
    kind: FeatureKind = "auto"

    @model_validator(mode="after")
    def _method_fits_kind(self) -> FeatureWatch:
        method_fits_kind(self.kind, self.method)
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
        exactly_one(self.alert_below, self.alert_above, ONE_THRESHOLD)
        return self


class ReferenceData(_Strict):
    """The data drift is measured against: a workspace path or a URI, with its sha256."""

    path: str | None = None
    uri: str | None = None
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")

    @model_validator(mode="after")
    def _one_location(self) -> ReferenceData:
        exactly_one(self.path, self.uri, ONE_LOCATION)
        return self


class MonitoringConfig(_Strict, MonitoringMethods):
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
        unique_names((feature.name for feature in value), "feature")
        return value

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return cron_schedule(value)
