"""``inc loadtest``: latency percentiles of a run's model, in-process or against a served endpoint.

Three modes: in-process (closed loop: the model is called, timed, called again), HTTP closed loop
(``--url``: each client sends its next request when the last one answered) and HTTP open loop
(``--url --rps N``: requests on a fixed schedule, latency from the scheduled time, see
:mod:`inc.ops.openloop`). ML libraries (pandas, mlflow, the model's own) are imported inside
functions only. Each mode's report goes to its own ``reports/loadtest-<run_id>-<mode>.json``
(:mod:`inc.ops.files`), so an HTTP run does not overwrite the in-process one, and is
linked from the run's ledger record when the run is linked.

``inc.loadtest(...)`` is :func:`inc.api.loadtest`, the function the ``inc loadtest`` command
calls.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
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
from inc.ops.files import report_name, report_tag
from inc.ops.harness import LatencyStats, Progress, host_info, summarize, time_calls
from inc.ops.openloop import MAX_REQUESTS, MAX_RPS, MAX_WORKERS, scheduled_count
from inc.ops.tabular import read_table
from inc.workspace import Workspace

DEFAULT_REQUESTS = 1000
SINGLE_POOL = 256  # distinct single-row inputs cycled through
BATCH_POOL = 32  # distinct batches cycled through
MAX_BATCH = 100_000
MAX_DURATION_S = 86_400
_RUN_ID = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class LoadTestOptions:
    """How much load, of what shape, and where."""

    batch_size: int = 1
    requests: int | None = None
    duration_s: float | None = None
    concurrency: int | None = None
    warmup: int = 20
    url: str | None = None
    timeout_s: float = 10.0
    seed: int = 0
    rps: float | None = None

    def validate(self) -> None:
        """Refuse impossible combinations (UserError, exit 2)."""
        if self.requests is not None and self.duration_s is not None:
            raise UserError("give --requests or --duration, not both")
        if self.requests is not None and not 1 <= self.requests <= MAX_REQUESTS:
            raise UserError(f"--requests {self.requests}: must be between 1 and {MAX_REQUESTS}")
        if self.duration_s is not None and not 0 < self.duration_s <= MAX_DURATION_S:  # NaN too
            raise UserError(f"--duration {self.duration_s:g}: must be positive, at most {MAX_DURATION_S} s")
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise UserError(f"--batch-size {self.batch_size}: must be between 1 and {MAX_BATCH}")
        if self.concurrency is not None and not 1 <= self.concurrency <= MAX_WORKERS:
            raise UserError(f"--concurrency {self.concurrency}: must be between 1 and {MAX_WORKERS}")
        if (self.concurrency or 1) > 1 and self.url is None:
            raise UserError("--concurrency applies to --url; in-process calls are timed one at a time")
        if self.warmup < 0 or not 0 < self.timeout_s <= MAX_DURATION_S:
            raise UserError(
                f"--warmup {self.warmup}, --timeout {self.timeout_s:g}: --warmup must be >= 0 "
                f"and --timeout positive (at most {MAX_DURATION_S} s)"
            )
        self._validate_rps()

    def _validate_rps(self) -> None:
        if self.rps is None:
            return
        if not 0 < self.rps <= MAX_RPS:  # also refuses NaN
            raise UserError(f"--rps {self.rps:g}: must be positive and at most {MAX_RPS:g} requests a second")
        if self.url is None:
            raise UserError(
                "--rps needs --url: the open loop sends HTTP requests on a schedule; "
                "in-process timing is closed-loop (drop --rps)"
            )
        if scheduled_count(self.rps, self.requests, self.duration_s) > MAX_REQUESTS:
            raise UserError(
                f"--rps {self.rps:g} with --duration {self.duration_s:g} is over {MAX_REQUESTS} requests; "
                "shorten --duration"
            )

    @property
    def tag(self) -> str:
        """The report's file-name tag: in-process, http or http-open."""
        return report_tag("in-process" if self.url is None else "http", self.rps is not None)

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
    path: Path | None  # None: measured only (``inc.load_test_model`` without an increment)
    record_updated: bool
    notes: list[str] = field(default_factory=list)  # e.g. why the report was not logged to MLflow

    @property
    def passed(self) -> bool:
        """p95 at batch size 1 within the target, no failed and no dropped request.

        True when nothing could be judged (no target, or batches only): see ``report.passed``.
        """
        return self.report.passed is not False


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


def build_report(
    run_id: str, mode: str, series: list[LatencyStats], target: float | None, **extra: Any
) -> LoadTestReport:
    """The report: the last series (the asked batch size) is the headline.

    ``passed`` judges the per-prediction target on the batch-size-1 series: None when there is
    no target or no batch-1 series (an HTTP test of batches only).
    """
    main = series[-1]
    single = next((item for item in series if item.batch_size == 1), None)
    clean = all(item.failures == 0 for item in series) and not extra.get("dropped")
    passed = None if target is None or single is None else (single.p95_ms <= target and clean)
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
    from inc.tracking import adapter as mlflow_adapter

    try:
        return mlflow_adapter.load_native_model(uri, mlflow_adapter.resolve_tracking_uri(ws))
    except NotFoundError as exc:
        hint = "" if linked else f"; run {run_id} is not linked to this increment: 'inc link' it first"
        raise NotFoundError(f"{exc.message}{hint}") from exc


def _link_report(inc: Increment, record: RunRecord, path: Path, root: Path) -> None:
    ref = ReportRef(kind="loadtest", path=path.relative_to(inc.path).as_posix(), sha256=sha256_file(path))
    link_report(inc.runs_dir, record, ref, root)


def save_report(
    ws: Workspace,
    inc: Increment,
    run_id: str,
    tag: str,
    measure: Callable[[RunRecord | None], LoadTestReport],
) -> LoadTestResult:
    """Read the run's record, ``measure(record)``, write ``reports/loadtest-<run_id>-<tag>.json``
    and link it from the record. Nothing is written when the record or the measurement fails.

    An HTTP report records the model the run's record names (run id, URI, digest): that the
    endpoint serves it is the caller's word, which inc cannot check from latencies.
    """
    from inc.model_binding import recorded_binding

    if not _RUN_ID.match(run_id):
        raise UserError(f"run id {run_id!r}: only letters, digits, '-' and '_' are allowed")
    ensure_inside(ws.root, inc.runs_dir)
    record = _read_record(inc, run_id)  # a corrupt record fails here, before anything is written
    path = ensure_inside(ws.root, inc.reports_dir / report_name(run_id, tag))
    report = measure(record)
    notes: list[str] = []
    if report.mode == "http" and report.model_uri is None:
        claimed = recorded_binding(record, run_id)
        fields = claimed.fields()
        report = report.model_copy(update={k: fields[k] for k in ("model_uri", "model_sha256")})
        notes += list(claimed.notes)
    write_evidence(path, report)
    if record is not None:
        _link_report(inc, record, path, ws.root)
    from inc.tracking.adapter import log_report

    problem = log_report(ws, run_id, path)  # the report also becomes an artifact of its run
    return LoadTestResult(report, path, record is not None, notes + ([problem] if problem else []))


def run_loadtest(
    ws: Workspace,
    inc: Increment,
    run_id: str,
    data: Path,
    options: LoadTestOptions,
    progress: Progress | None = None,
) -> LoadTestResult:
    """Measure, write ``reports/loadtest-<run_id>-<mode>.json`` and link it from the run's record."""
    from inc.tracking.runs_table import resolve_run_id

    options.validate()
    run_id = resolve_run_id(inc, check_run_id(run_id), unlinked_ok=True)  # no '/' or '..'; a unique prefix
    target = inc.meta.latency_p95_ms
    common = {"duration_s": options.duration_s, "warmup": options.warmup, "concurrency": options.concurrency}

    def measure(record: RunRecord | None) -> LoadTestReport:
        from inc.model_binding import loaded_binding

        inputs = list(record.model.inputs) if record and record.model else []
        frame = select_inputs(read_table(data, "data"), inputs, data)
        if options.url is not None and options.rps is not None:
            return open_loop_report(run_id, options, _payloads(frame, options), target, progress, common)
        if options.url is not None:
            return _http_report(run_id, frame, options, target, progress, common)
        uri = _model_uri(record, run_id)
        model = _load_model(ws, uri, run_id, record is not None)
        digest = loaded_binding(ws, record, run_id).model_sha256 if record is not None else None
        series = loadtest_model(model, frame, options, progress)
        bound = {"model_uri": uri, "model_sha256": digest}
        return build_report(run_id, "in-process", series, target, **bound, **common)

    return save_report(ws, inc, run_id, options.tag, measure)


def _http_report(
    run_id: str,
    frame: Any,
    options: LoadTestOptions,
    target: float,
    progress: Progress | None,
    common: dict[str, Any],
) -> LoadTestReport:
    from inc.ops.http import measure_http

    assert options.url is not None
    payloads = _payloads(frame, options)
    measured = measure_http(
        options.url,
        payloads,
        options.batch_size,
        options.count,
        options.duration_s,
        options.concurrency or 1,
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


def _payloads(frame: Any, options: LoadTestOptions) -> list[bytes]:
    from inc.ops.http import scoring_payloads

    pool = SINGLE_POOL if options.batch_size == 1 else BATCH_POOL
    return scoring_payloads(sample_inputs(frame, options.batch_size, pool, options.seed))


def open_loop_report(
    run_id: str,
    options: LoadTestOptions,
    payloads: list[bytes],
    target: float | None,
    progress: Progress | None = None,
    common: dict[str, Any] | None = None,
) -> LoadTestReport:
    """Run the open loop of ``options`` with ``payloads``; the report, or CheckFailed if all failed."""
    from inc.ops.openloop import measure_open_loop

    assert options.url is not None and options.rps is not None
    count = scheduled_count(options.rps, options.requests, options.duration_s)
    measured = measure_open_loop(
        options.url,
        payloads,
        options.rps,
        count,
        options.concurrency,
        options.timeout_s,
        options.batch_size,
        min(options.warmup, 5),
        progress,
    )
    if measured.sent and measured.stats.requests == measured.stats.failures:
        kinds = ", ".join(f"{k} x{v}" for k, v in measured.failure_kinds.items())
        raise CheckFailed(
            f"{options.url}: every one of {measured.sent} requests failed ({kinds}); "
            "no latency to report, nothing written"
        )
    fields = {**(common or {}), **measured.report_fields()}
    return build_report(run_id, "http", [measured.stats], target, url=options.url, **fields)
