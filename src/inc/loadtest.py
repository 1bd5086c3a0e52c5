"""``inc loadtest``: latency percentiles of a run's model, in-process or against a served endpoint.

ML libraries (pandas, mlflow, the model's own) are imported inside functions only. The report
goes to ``reports/loadtest-<run_id>.json`` (DESIGN.md section 10) and is linked from the run's
ledger record when the run is linked.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from inc.errors import CheckFailed, NotFoundError, UserError
from inc.evidence import (
    LoadTestReport,
    ReportRef,
    RunRecord,
    check_run_id,
    link_report,
    read_run_record,
    sha256_file,
    write_evidence,
)
from inc.fsutil import ensure_inside
from inc.increment import Increment
from inc.loadtest_harness import LatencyStats, Progress, summarize, time_calls
from inc.tabular import read_table
from inc.workspace import Workspace

DEFAULT_REQUESTS = 1000
SINGLE_POOL = 256  # distinct single-row inputs cycled through
BATCH_POOL = 32  # distinct batches cycled through
MAX_BATCH = 100_000
LIBRARIES = ("numpy", "pandas", "scikit-learn", "scipy", "mlflow", "xgboost", "lightgbm", "skops")


@dataclass
class LoadTestOptions:
    """How much load, of what shape, and where."""

    batch_size: int = 1
    requests: int | None = None
    duration_s: float | None = None
    concurrency: int = 1
    warmup: int = 20
    url: str | None = None
    timeout_s: float = 10.0
    seed: int = 0

    def validate(self) -> None:
        """Refuse impossible combinations (UserError, exit 2)."""
        if self.requests is not None and self.duration_s is not None:
            raise UserError("give --requests or --duration, not both")
        if self.requests is not None and self.requests < 1:
            raise UserError(f"--requests {self.requests}: must be at least 1")
        if self.duration_s is not None and self.duration_s <= 0:
            raise UserError(f"--duration {self.duration_s}: must be positive")
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise UserError(f"--batch-size {self.batch_size}: must be between 1 and {MAX_BATCH}")
        if not 1 <= self.concurrency <= 256:
            raise UserError(f"--concurrency {self.concurrency}: must be between 1 and 256")
        if self.concurrency > 1 and self.url is None:
            raise UserError("--concurrency applies to --url; in-process calls are timed one at a time")
        if self.warmup < 0 or self.timeout_s <= 0:
            raise UserError("--warmup must be >= 0 and --timeout positive")

    @property
    def count(self) -> int | None:
        """Calls per series (None: bounded by time)."""
        if self.duration_s is not None:
            return None
        return self.requests or DEFAULT_REQUESTS


@dataclass
class LoadTestResult:
    """The written report, where it is, and whether the run's record now links it."""

    report: LoadTestReport
    path: Path
    record_updated: bool

    @property
    def passed(self) -> bool:
        """p95 within the target and no failed request."""
        return bool(self.report.passed)


# --------------------------------------------------------------------------- inputs


def sample_inputs(frame: Any, batch_size: int, pool: int, seed: int) -> list[Any]:
    """Up to ``pool`` DataFrames of ``batch_size`` rows drawn from ``frame``, built before timing."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = len(frame)
    if batch_size == 1:
        rows = rng.permutation(n)[:pool] if n >= pool else rng.integers(0, n, pool)
        return [frame.iloc[[int(row)]] for row in rows]
    return [frame.iloc[rng.integers(0, n, batch_size)].reset_index(drop=True) for _ in range(pool)]


def select_inputs(frame: Any, inputs: list[str], source: Path) -> Any:
    """The model's input columns in order; missing ones are a UserError naming the file."""
    if not inputs:
        return frame
    missing = [name for name in inputs if name not in frame.columns]
    if missing:
        raise UserError(
            f"{source}: missing model input columns: {', '.join(missing)}; "
            "give data with the columns the model was trained on"
        )
    return frame[inputs]


def predict_function(model: Any) -> tuple[Any, str]:
    """``model.predict_proba`` when the model has it, else ``model.predict``."""
    proba = getattr(model, "predict_proba", None)
    if callable(proba):
        return proba, "predict_proba"
    predict = getattr(model, "predict", None)
    if not callable(predict):
        raise UserError(f"{type(model).__name__} has neither predict_proba nor predict")
    return predict, "predict"


def _native_inputs(model: Any, frames: list[Any]) -> list[Any]:
    if type(model).__module__.startswith("xgboost") and type(model).__name__ == "Booster":
        import xgboost

        return [xgboost.DMatrix(frame) for frame in frames]
    return frames


# --------------------------------------------------------------------------- in-process


def loadtest_model(
    model: Any, frame: Any, options: LoadTestOptions, progress: Progress | None = None
) -> list[LatencyStats]:
    """Time the model's predict calls on single rows (and batches when ``batch_size`` > 1)."""
    call, _ = predict_function(model)
    sizes = [1] if options.batch_size == 1 else [1, options.batch_size]
    duration = options.duration_s / len(sizes) if options.duration_s is not None else None
    series = []
    for position, size in enumerate(sizes):
        pool = SINGLE_POOL if size == 1 else BATCH_POOL
        inputs = _native_inputs(model, sample_inputs(frame, size, pool, options.seed + position))
        _warm_up(call, inputs, options.warmup)
        step = _scaled(progress, position, len(sizes))
        durations, wall = time_calls(call, inputs, options.count, duration, step)
        series.append(summarize(durations, wall, size))
    return series


def _warm_up(call: Any, inputs: list[Any], calls: int) -> None:
    for i in range(max(calls, 1)):
        try:
            call(inputs[i % len(inputs)])
        except Exception as exc:  # the model's own error: bad data, not a bug in inc
            raise UserError(f"the model failed to predict on the data: {type(exc).__name__}: {exc}") from exc


def _scaled(progress: Progress | None, index: int, total: int) -> Progress | None:
    if progress is None:
        return None
    return lambda fraction: progress((index + fraction) / total)


# --------------------------------------------------------------------------- host and report


def host_info() -> dict[str, Any]:
    """CPU model, cores, Python and library versions of this machine (no ML imports)."""
    info: dict[str, Any] = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
    }
    if hasattr(os, "sched_getaffinity"):
        info["cores_usable"] = len(os.sched_getaffinity(0))
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    info["libraries"] = versions
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def build_report(
    run_id: str, mode: str, series: list[LatencyStats], target: float | None, **extra: Any
) -> LoadTestReport:
    """The report: the last series (the asked batch size) is the headline."""
    main = series[-1]
    passed = None if target is None else (main.p95_ms <= target and main.failures == 0)
    return LoadTestReport(
        run_id=run_id,
        mode=mode,
        batch_size=main.batch_size,
        requests=main.requests,
        failures=main.failures,
        p50_ms=main.p50_ms,
        p95_ms=main.p95_ms,
        p99_ms=main.p99_ms,
        max_ms=main.max_ms,
        throughput_rps=main.throughput_rps,
        target_p95_ms=target,
        host=host_info(),
        passed=passed,
        created=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        series=[item.as_dict() for item in series],
        **extra,
    )


# --------------------------------------------------------------------------- orchestration


def _read_record(inc: Increment, run_id: str) -> RunRecord | None:
    path = inc.runs_dir / f"{run_id}.json"
    return read_run_record(path) if path.is_file() else None


def _model_uri(record: RunRecord | None, run_id: str) -> str:
    if record is None:
        return f"runs:/{run_id}/model"
    if record.model is None:
        raise NotFoundError(
            f"run {run_id} has no model in its ledger record; save one with exp.save_model(...) "
            "or load test a served endpoint with --url"
        )
    return record.model.uri


def _load_model(ws: Workspace, uri: str, run_id: str, linked: bool) -> Any:
    from inc import mlflow_adapter

    try:
        return mlflow_adapter.load_native_model(uri, mlflow_adapter.resolve_tracking_uri(ws))
    except NotFoundError as exc:
        hint = "" if linked else f"; run {run_id} is not linked to this increment: 'inc link' it first"
        raise NotFoundError(f"{exc.message}{hint}") from exc


def _link_report(inc: Increment, record: RunRecord, path: Path, root: Path) -> None:
    ref = ReportRef(kind="loadtest", path=path.relative_to(inc.path).as_posix(), sha256=sha256_file(path))
    link_report(inc.runs_dir, record, ref, root)


def run_loadtest(
    ws: Workspace,
    inc: Increment,
    run_id: str,
    data: Path,
    options: LoadTestOptions,
    progress: Progress | None = None,
) -> LoadTestResult:
    """Measure, write ``reports/loadtest-<run_id>.json`` and link it from the run's record."""
    options.validate()
    run_id = check_run_id(run_id)
    ensure_inside(ws.root, inc.runs_dir)
    record = _read_record(inc, run_id)  # a corrupt record fails here, before anything is written
    path = ensure_inside(ws.root, inc.reports_dir / f"loadtest-{run_id}.json")
    inputs = list(record.model.inputs) if record and record.model else []
    frame = select_inputs(read_table(data, "data"), inputs, data)
    common = {
        "duration_s": options.duration_s,
        "warmup": options.warmup,
        "concurrency": options.concurrency,
    }
    if options.url is not None:
        report = _http_report(run_id, frame, options, inc.meta.latency_p95_ms, progress, common)
    else:
        uri = _model_uri(record, run_id)
        model = _load_model(ws, uri, run_id, record is not None)
        series = loadtest_model(model, frame, options, progress)
        report = build_report(run_id, "in-process", series, inc.meta.latency_p95_ms, model_uri=uri, **common)
    write_evidence(path, report)
    if record is not None:
        _link_report(inc, record, path, ws.root)
    return LoadTestResult(report, path, record is not None)


def _http_report(
    run_id: str,
    frame: Any,
    options: LoadTestOptions,
    target: float,
    progress: Progress | None,
    common: dict[str, Any],
) -> LoadTestReport:
    from inc.loadtest_http import measure_http, scoring_payloads

    assert options.url is not None
    pool = SINGLE_POOL if options.batch_size == 1 else BATCH_POOL
    payloads = scoring_payloads(sample_inputs(frame, options.batch_size, pool, options.seed))
    measured = measure_http(
        options.url,
        payloads,
        options.batch_size,
        options.count,
        options.duration_s,
        options.concurrency,
        options.timeout_s,
        min(options.warmup, 5),
        progress,
    )
    if measured.stats.requests == measured.stats.failures:
        kinds = ", ".join(f"{k} x{v}" for k, v in measured.failure_kinds.items()) or "none sent"
        raise CheckFailed(
            f"{options.url}: every one of {measured.stats.requests} requests failed ({kinds}); "
            "no latency to report, nothing written"
        )
    return build_report(
        run_id,
        "http",
        [measured.stats],
        target,
        url=options.url,
        failure_kinds=measured.failure_kinds,
        **common,
    )
