"""Evidence schemas (DESIGN.md section 10) and their atomic, hash-sealed reading and writing.

Only pydantic and the standard library here: the gate reads these files without ML libraries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inc.evidence_io import RUN_ID_PATTERN, read_json, record_hash, verify_hash
from inc.evidence_io import EvidenceError as EvidenceError
from inc.evidence_io import check_run_id as check_run_id  # re-exported: callers import it from here
from inc.evidence_io import sha256_file as sha256_file
from inc.fsutil import atomic_write_text, ensure_inside, pretty_json
from inc.rules import FoldsMethods, SketchMethods
from inc.yamlio import format_validation_error

Role = Literal["baseline", "candidate"]
E = TypeVar("E", bound=BaseModel)


class _Open(BaseModel):
    # Evidence may gain keys in later versions; unknown keys are kept, not refused.
    # defer_build: a model's validator is built when first used, not at import (the gate on
    # increments without evidence never builds them).
    model_config = ConfigDict(extra="allow", defer_build=True)


class CV(_Open, FoldsMethods):
    """Cross-validation fold scores of one metric (``mean`` and ``std`` from ``FoldsMethods``)."""

    metric: str
    folds: list[float]
    splits: str | None = None  # fingerprint of the CV splits (inc.comparison.split_fingerprint)


class ColumnInfo(_Open):
    """A column of a fingerprinted dataset."""

    name: str
    dtype: str


class RowSketch(_Open, SketchMethods):
    """A bottom-k sample of a dataset's distinct row hashes, to estimate row overlap between datasets.

    ``hashes`` holds the smallest distinct 64-bit row hashes, ascending, as 16 hex digits each;
    ``counts`` the number of rows of each, space-separated ("" when every count is 1). When
    ``distinct_rows`` exceeds their number, every distinct hash up to the last one is listed
    (the sample is complete below that threshold). See ``inc.tracking.fingerprint``.
    """

    method: str  # how rows were hashed; sketches of different methods are not compared
    k: int
    rows: int
    distinct_rows: int
    repeated_rows: int  # rows whose values occur more than once in the dataset
    hashes: str = ""
    counts: str = ""


class DatasetFingerprint(_Open):
    """Content hash, shape and columns of a dataset a run used (and a sketch of its rows)."""

    name: str
    sha256: str
    shape: list[int]
    columns: list[ColumnInfo] = Field(default_factory=list)
    context: str | None = None  # training | evaluation (as logged to MLflow)
    sketch: RowSketch | None = None  # absent in records written by earlier versions of inc


class ModelInfo(_Open):
    """Where a run's model is and how it was saved."""

    uri: str
    registered_name: str | None = None
    version: str | None = None
    flavor: str | None = None
    serialization: str | None = None
    inputs: list[str] = Field(default_factory=list)
    sha256: str | None = None  # digest of the logged model's files (see mlflow_adapter.model_digest)


class CodeDigest(_Open):
    """The training code a run was started from: one sha256 per file and one over them all."""

    sha256: str
    files: dict[str, str] = Field(default_factory=dict)  # workspace-relative path -> sha256


class SearchInfo(_Open):
    """A hyper-parameter search logged on the run (``exp.log_search``)."""

    kind: str  # GridSearchCV | RandomizedSearchCV | optuna
    trials: int
    scoring: str | None = None
    best_score: float | None = None
    best_params: dict[str, str] = Field(default_factory=dict)


class ReportRef(_Open):
    """A report linked to a run: its kind, path (relative to the increment) and hash."""

    kind: str
    path: str
    sha256: str


class RunRecord(_Open):
    """``runs/<run_id>.json``: one MLflow run as committed evidence."""

    schema_: int = Field(default=1, alias="schema")
    run_id: str = Field(pattern=RUN_ID_PATTERN)
    experiment_id: str | None = None
    tracking_uri: str | None = None
    increment: str
    name: str
    role: Role
    status: str
    start_time: str | None = None
    end_time: str | None = None
    git_commit: str | None = None
    git_dirty: bool | None = None  # uncommitted changes when the run started
    dirty_files: list[str] = Field(default_factory=list)
    code: CodeDigest | None = None
    params: dict[str, str] = Field(default_factory=dict)
    metrics: dict[str, float] = Field(default_factory=dict)
    cv: CV | None = None
    datasets: list[DatasetFingerprint] = Field(default_factory=list)
    model: ModelInfo | None = None
    note: str = ""
    search: SearchInfo | None = None
    reports: list[ReportRef] = Field(default_factory=list)
    sha256: str = ""


class PlotRef(_Open):
    """A plot file of a report with its hash."""

    file: str
    sha256: str


class FeatureImportance(_Open):
    """Mean absolute SHAP value of one feature."""

    feature: str
    mean_abs_shap: float


class ExplainSummary(_Open):
    """``reports/explain-<run_id>/summary.json``."""

    run_id: str
    # the model it measured (inc.model_binding): the logged model's URI and files' digest
    model_uri: str | None = None
    model_sha256: str | None = None
    method: str
    shap_version: str
    n_explained: int
    background_size: int
    global_importance: list[FeatureImportance]
    plots: list[PlotRef] = Field(default_factory=list)


class LoadTestReport(_Open):
    """``reports/loadtest-<run_id>.json``."""

    run_id: str
    mode: Literal["in-process", "http"]
    batch_size: int
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    throughput_rps: float
    target_p95_ms: float | None = None
    host: dict[str, Any] = Field(default_factory=dict)
    # optional: older reports lack it
    passed: bool | None = None
    created: str | None = None
    duration_s: float | None = None
    concurrency: int | None = None
    warmup: int | None = None
    url: str | None = None
    model_uri: str | None = None
    model_sha256: str | None = None  # digest of the logged model's files (inc.model_binding)
    failure_kinds: dict[str, int] = Field(default_factory=dict)
    series: list[dict[str, Any]] = Field(default_factory=list)
    # open loop (``inc loadtest --url --rps N``): latency runs from each request's scheduled time
    loop: Literal["closed", "open"] = "closed"
    target_rps: float | None = None
    achieved_rps: float | None = None
    dropped: int = 0
    late: int = 0


class DriftFeature(_Open):
    """Drift statistics of one feature."""

    feature: str
    psi: float | None = None
    ks_stat: float | None = None
    ks_pvalue: float | None = None
    status: Literal["ok", "warn", "alert"]
    # optional: older reports lack it
    kind: str | None = None
    role: Literal["feature", "prediction"] = "feature"
    method: str | None = None
    value: float | None = None
    warn: float | None = None
    alert: float | None = None
    chi2_stat: float | None = None
    chi2_pvalue: float | None = None
    n_reference: int | None = None
    n_current: int | None = None


class DriftReport(_Open):
    """``reports/drift-<date>.json``."""

    reference: str
    current: str
    features: list[DriftFeature]
    drifted: list[str]
    # optional: older reports lack it
    warned: list[str] = Field(default_factory=list)
    date: str | None = None
    increment: str | None = None
    reference_sha256: str | None = None
    current_sha256: str | None = None
    thresholds_from: str | None = None
    # the model whose predictions it watched (a prediction-drift feature): the chosen run's
    run_id: str | None = None
    model_uri: str | None = None
    model_sha256: str | None = None


def _validated(model: type[E], data: Any, path: Path) -> E:
    if not isinstance(data, dict):
        raise EvidenceError(f"{path}: expected a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise EvidenceError(format_validation_error(str(path), exc)) from exc


def parse_evidence(model: type[E], path: Path) -> E:
    """Read and validate one evidence file against ``model``."""
    return _validated(model, read_json(path), path)


def read_run_record(path: Path, verify: bool = True) -> RunRecord:
    """Load a ledger record as the model; with ``verify`` a wrong sha256 is an EvidenceError
    naming the file. (The gate reads records with ``inc.evidence_io.read_record``.)"""
    data = read_json(path)
    record = _validated(RunRecord, data, path)
    if verify:
        verify_hash(data, path)
    return record


def seal(record: RunRecord) -> RunRecord:
    """Return ``record`` with its sha256 computed over everything else."""
    data = record.model_dump(mode="json", by_alias=True)
    return record.model_copy(update={"sha256": record_hash(data)})


def write_run_record(runs_dir: Path, record: RunRecord, root: Path | None = None) -> Path:
    """Seal and atomically write ``runs_dir/<run_id>.json``; returns the path.

    With ``root`` (the workspace), a ``runs/`` folder that leads outside it (a symlink) is
    refused with a UserError before anything is written.
    """
    sealed = seal(record)
    path = runs_dir / f"{record.run_id}.json"
    if root is not None:
        ensure_inside(root, path)
    atomic_write_text(path, pretty_json(sealed.model_dump(mode="json", by_alias=True)))
    return path


def link_report(runs_dir: Path, record: RunRecord, ref: ReportRef, root: Path | None = None) -> Path:
    """Write ``record`` linking ``ref``, replacing an older link of the same kind and path."""
    reports = [r for r in record.reports if not (r.kind == ref.kind and r.path == ref.path)]
    return write_run_record(runs_dir, record.model_copy(update={"reports": [*reports, ref]}), root)


def write_evidence(path: Path, evidence: BaseModel) -> Path:
    """Atomically write a report model as sorted, indented JSON."""
    atomic_write_text(path, pretty_json(evidence.model_dump(mode="json", by_alias=True)))
    return path


def read_run_records(runs_dir: Path, verify: bool = True) -> list[RunRecord]:
    """Every record in ``runs_dir`` (raises on the first bad one)."""
    if not runs_dir.is_dir():
        return []
    return [read_run_record(path, verify) for path in sorted(runs_dir.glob("*.json"))]
