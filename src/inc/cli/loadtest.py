"""``inc loadtest``, ``inc drift`` and ``inc monitoring check``: thin commands over the ops core.

Core modules are imported inside the commands, so loading this module imports no ML library.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from inc.cli.context import FORMAT_OPTION, AppContext, echo_json, pass_app, style, table
from inc.errors import CheckFailed

if TYPE_CHECKING:
    from inc.drift import DriftResult
    from inc.loadtest import LoadTestResult

DATA_FILE = click.Path(dir_okay=False, path_type=Path)
_BAR_STEPS = 1000


@contextmanager
def progress_bar(label: str, enabled: bool) -> Iterator[Callable[[float], None] | None]:
    """A click progress bar on stderr when it is a terminal; yields a ``fraction -> None`` callback."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=_BAR_STEPS, label=label, file=sys.stderr) as bar:
        shown = [0]

        def update(fraction: float) -> None:
            target = min(int(fraction * _BAR_STEPS), _BAR_STEPS)
            if target > shown[0]:
                bar.update(target - shown[0])
                shown[0] = target

        yield update


# --------------------------------------------------------------------------- loadtest


@click.command("loadtest")
@click.argument("increment")
@click.option("--run", "run_id", required=True, help="The MLflow run whose model is tested.")
@click.option("--data", "data", required=True, type=DATA_FILE, help="CSV or Parquet rows to send.")
@click.option("--batch-size", default=1, show_default=True, type=int, help="Rows per call.")
@click.option("--duration", "duration", type=float, help="Seconds to run (instead of --requests).")
@click.option("--requests", "requests", type=int, help="Calls to time (default 1000).")
@click.option("--concurrency", default=1, show_default=True, type=int, help="Parallel clients (--url).")
@click.option("--url", help="A served model, e.g. http://127.0.0.1:5000/invocations.")
@click.option("--timeout", "timeout", default=10.0, show_default=True, type=float, help="Per request (s).")
@click.option("--warmup", default=20, show_default=True, type=int, help="Untimed calls first.")
@FORMAT_OPTION
@pass_app
def loadtest_cmd(
    app: AppContext,
    increment: str,
    run_id: str,
    data: Path,
    batch_size: int,
    duration: float | None,
    requests: int | None,
    concurrency: int,
    url: str | None,
    timeout: float,
    warmup: int,
    fmt: str,
) -> None:
    """Time the predictions of RUN_ID's model; write reports/loadtest-<run_id>.json.

    In-process by default (the model is loaded here); with --url, JSON requests in MLflow's
    scoring format go to a served endpoint. Exit 1 when p95 is over the increment's
    latency_p95_ms or a request failed.
    """
    from inc.loadtest import LoadTestOptions, run_loadtest

    ws = app.workspace
    inc = ws.find(increment)
    options = LoadTestOptions(
        batch_size=batch_size,
        requests=requests,
        duration_s=duration,
        concurrency=concurrency,
        warmup=warmup,
        url=url,
        timeout_s=timeout,
    )
    with progress_bar("load test", fmt == "text") as progress:
        result = run_loadtest(ws, inc, run_id, data, options, progress)
    if fmt == "json":
        echo_json(result.report.model_dump(mode="json", by_alias=True))
    else:
        click.echo(render_loadtest(result, ws.relpath(result.path)))
    if not result.passed:
        raise CheckFailed(_verdict_reason(result))


def _verdict_reason(result: LoadTestResult) -> str:
    report = result.report
    if report.failures:
        return f"{report.failures} of {report.requests} requests failed"
    return f"p95 {report.p95_ms:.3f} ms is over the target {report.target_p95_ms:g} ms"


def render_loadtest(result: LoadTestResult, path: str) -> str:
    """The text summary of a load test."""
    report = result.report
    rows = [
        [
            str(s["batch_size"]),
            str(s["requests"]),
            str(s["failures"]),
            f"{s['p50_ms']:.3f}",
            f"{s['p95_ms']:.3f}",
            f"{s['p99_ms']:.3f}",
            f"{s['max_ms']:.3f}",
            f"{s['throughput_rps']:.1f}",
        ]
        for s in report.series
    ]
    headers = ["batch", "requests", "failures", "p50 ms", "p95 ms", "p99 ms", "max ms", "req/s"]
    where = report.url or report.model_uri or ""
    lines = [f"load test of run {report.run_id} ({report.mode}, {where})", table(rows, headers)]
    if report.failure_kinds:
        lines.append("failures: " + ", ".join(f"{k} x{v}" for k, v in report.failure_kinds.items()))
    verdict = style("PASS", fg="green") if result.passed else style("FAIL", fg="red", bold=True)
    sign = "<=" if report.p95_ms <= (report.target_p95_ms or 0) else ">"
    lines.append(f"{verdict}: p95 {report.p95_ms:.3f} ms {sign} target {report.target_p95_ms:g} ms")
    linked = " (linked from the run's ledger record)" if result.record_updated else ""
    lines.append(f"report: {path}{linked}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- drift


@click.command("drift")
@click.argument("increment")
@click.option("--reference", type=DATA_FILE, help="Reference data (default: monitoring.yaml's).")
@click.option("--current", required=True, type=DATA_FILE, help="Current data (CSV or Parquet).")
@FORMAT_OPTION
@pass_app
def drift_cmd(app: AppContext, increment: str, reference: Path | None, current: Path, fmt: str) -> None:
    """Per-feature drift (PSI, KS, chi-square) of CURRENT vs REFERENCE; exit 1 on any alert."""
    from inc.drift import run_drift

    ws = app.workspace
    result = run_drift(ws, ws.find(increment), current, reference)
    if fmt == "json":
        echo_json(result.report.model_dump(mode="json", by_alias=True))
    else:
        click.echo(render_drift(result, ws.relpath(result.path)))
    if result.alerts:
        raise CheckFailed(f"drift over the alert threshold: {', '.join(result.alerts)}")


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


STATUS_COLORS = {"ok": "green", "warn": "yellow", "alert": "red"}


def render_drift(result: DriftResult, path: str) -> str:
    """The text table of a drift report."""
    rows = [
        [
            f.feature,
            f.kind or "-",
            f.method or "-",
            _num(f.value),
            f"{f.warn:g}/{f.alert:g}" if f.warn is not None and f.alert is not None else "-",
            _num(f.psi),
            _num(f.ks_stat),
            _num(f.ks_pvalue),
            style(f.status, fg=STATUS_COLORS[f.status]),
        ]
        for f in result.report.features
    ]
    headers = ["feature", "kind", "method", "value", "warn/alert", "psi", "ks", "ks p", "status"]
    report = result.report
    lines = [
        f"drift of {report.current} vs {report.reference} (thresholds: {report.thresholds_from})",
        table(rows, headers),
        f"alert: {', '.join(report.drifted) or 'none'}; warn: {', '.join(report.warned) or 'none'}",
        f"report: {path}",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- monitoring


@click.group("monitoring")
def monitoring_group() -> None:
    """Check an increment's monitoring.yaml."""


@monitoring_group.command("check")
@click.argument("increment")
@FORMAT_OPTION
@pass_app
def monitoring_check_cmd(app: AppContext, increment: str, fmt: str) -> None:
    """Validate monitoring.yaml against the chosen run: every model input and top SHAP feature watched."""
    from inc.monitoring import run_monitoring_check

    inc = app.workspace.find(increment)
    problems = run_monitoring_check(inc)
    where = app.workspace.relpath(inc.monitoring_path)
    if fmt == "json":
        echo_json(_check_json(where, problems))
    elif problems:
        click.echo("\n".join(f"- {problem}" for problem in problems))
    else:
        click.echo(f"{where}: ok (watches every model input and top SHAP feature)")
    if problems:
        raise CheckFailed(f"{where}: {len(problems)} problem(s)")


def _check_json(path: str, problems: list[str]) -> dict[str, Any]:
    return {"path": path, "ok": not problems, "problems": problems}
