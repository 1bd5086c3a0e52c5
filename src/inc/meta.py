"""The schema of ``increment.yaml`` (DESIGN.md section 3)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator, model_validator

# Re-exported: the defaults live where ``inc new`` can read them without importing pydantic.
from inc.metric_defaults import DEFAULT_METRICS as DEFAULT_METRICS
from inc.rules import MetaMethods, known_check, one_waiver_per_check

Status = Literal["planned", "active", "done", "abandoned"]
Problem = Literal["classification", "regression", "ranking", "clustering"]
Goal = Literal["maximize", "minimize"]


_OPTIONAL_POLICY = ("slice_min", "calibration_max_ece", "ranking_k", "latency")


class Metric(BaseModel):
    """The success metric: what is measured, which way is better, and the target."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.@-]+$")
    goal: Goal = "maximize"
    target: float | None = None  # None: not set yet (the spec holds a placeholder asking for it)


class ModelRef(BaseModel):
    """A registered model version."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str
    version: str

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


class LatencyScope(BaseModel):
    """What ``latency_p95_ms`` is the latency of: one call with ``batch_size`` rows (default 1)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    batch_size: PositiveInt = 1


class Waiver(BaseModel):
    """A gate check accepted as failing, with who approved it and why."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    check: str
    reason: str = Field(min_length=1)
    approved_by: str = Field(min_length=1)
    expires: dt.date | None = Field(
        default=None, description="last day the waiver holds; the gate refuses a waiver without one"
    )

    @field_validator("check")
    @classmethod
    def _known_check(cls, value: str) -> str:
        return known_check(value)


class IncrementMeta(BaseModel, MetaMethods):
    """Metadata of one increment; the only machine-edited file besides evidence."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    schema_: int = Field(default=1, alias="schema", ge=1, le=1)
    id: str = Field(pattern=r"^\d{4}$")
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)
    title: str = Field(min_length=1)
    status: Status = "planned"
    created: dt.date
    closed: dt.date | None = None  # set by `inc done`
    owner: str = ""
    problem: Problem = "classification"
    metric: Metric
    baseline_margin: float = Field(default=0.20, ge=0, le=10)
    margin_mode: Literal["relative", "error_reduction"] = "relative"
    cv_min_folds: int = Field(default=5, ge=2, le=100)
    cv_max_std: float | None = Field(default=None, gt=0)  # fold std above this warns (metric units)
    min_candidates: int = Field(default=3, ge=1, le=100)
    latency_p95_ms: float = Field(default=100, gt=0)
    latency: LatencyScope | None = None  # unset: latency_p95_ms is per prediction (batch size 1)
    # evaluation policy (``inc evaluate``, gate check ``evaluation``): unset means not enforced
    slice_min: float | None = None  # the worst slice's metric must reach this (direction from the goal)
    calibration_max_ece: float | None = Field(default=None, ge=0, le=1)  # binary models
    ranking_k: list[PositiveInt] | None = Field(default=None, min_length=1)  # cut-offs for ranking metrics
    chosen_run: str | None = None
    model: ModelRef | None = None
    waivers: list[Waiver] = Field(default_factory=list)
    # Training code outside the increment folder (workspace-relative files or folders): digested
    # at run start, so the gate can tell when it changed after the chosen run.
    code: list[str] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        return f"{value:04d}" if isinstance(value, int) else value

    @model_validator(mode="after")
    def _one_waiver_per_check(self) -> IncrementMeta:
        one_waiver_per_check(w.check for w in self.waivers)
        return self

    def to_yaml_dict(self) -> dict[str, object]:
        """Plain data in the documented key order, for writing increment.yaml."""
        data = self.model_dump(mode="json", by_alias=True)
        for key in _OPTIONAL_POLICY:  # written only when set, so older files round-trip unchanged
            if data.get(key) is None:
                data.pop(key, None)
        return data
