"""``reports/eval-<run_id>/summary.json``: the evaluation report's machine-readable half.

pydantic and the standard library only: the gate and the living docs read it on the core path.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Re-exported: the file names live where the gate reads them without pydantic.
from inc.evaluation.names import PREDICTIONS as PREDICTIONS
from inc.evaluation.names import REPORT_KIND as REPORT_KIND
from inc.evaluation.names import REPORT_MD as REPORT_MD
from inc.evaluation.names import REPORT_PREFIX as REPORT_PREFIX
from inc.evaluation.names import SUMMARY as SUMMARY


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)


class FileRef(_Open):
    """A file of the report with its sha256 (plots also carry a title)."""

    file: str
    sha256: str
    title: str = ""


class SliceRow(_Open):
    """The headline metric on the rows where ``column == value`` (``value`` None: undefined there)."""

    column: str
    value: str
    rows: int
    metric: float | None = None


class EvaluationSummary(_Open):
    """What ``inc evaluate`` measured on one run's model."""

    schema_: int = Field(default=1, alias="schema")
    run_id: str
    task: str  # binary | multiclass | regression | ranking
    metric: str  # the increment's metric, canonical name
    value: float  # on every scored row
    stored_value: float  # on the stored predictions (equal to value unless they were sampled)
    ci: list[float] = Field(default_factory=list)  # bootstrap 95% interval of the headline metric
    bootstrap: dict[str, Any] = Field(default_factory=dict)
    rows: int
    stored_rows: int
    sampled: bool = False
    threshold: float | None = None
    threshold_source: str = ""
    metrics: dict[str, float] = Field(default_factory=dict)
    intervals: dict[str, list[float]] = Field(default_factory=dict)
    per_class: list[dict[str, Any]] = Field(default_factory=list)
    confusion: dict[str, Any] = Field(default_factory=dict)
    calibration: dict[str, Any] = Field(default_factory=dict)
    slices: list[SliceRow] = Field(default_factory=list)
    worst_slice: SliceRow | None = None
    model_uri: str | None = None
    model_digest: str = ""
    model_sha256: str | None = None  # the logged model's digest (inc.model_binding), None: not bound
    model_class: str = ""
    plots: list[FileRef] = Field(default_factory=list)
    files: list[FileRef] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
