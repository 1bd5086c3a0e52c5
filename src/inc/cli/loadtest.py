"""``inc loadtest``: a thin command over :func:`inc.api.loadtest` (``inc.ops.loadtest`` in Python).

Core modules are imported inside the command, so loading this module imports no ML library.
``inc drift`` lives in :mod:`inc.cli.drift`, ``inc monitoring`` in :mod:`inc.cli.monitoring`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from inc.cli.context import FORMAT_OPTION, AppContext, echo_json, pass_app, progress_bar, style, table
from inc.errors import CheckFailed

if TYPE_CHECKING:
    from inc.ops.loadtest import LoadTestResult

DATA_FILE = click.Path(dir_okay=False, path_type=Path)


# --------------------------------------------------------------------------- loadtest


@click.command("loadtest")
@click.argument("increment")
@click.option("--run", "run_id", required=True, help="The MLflow run whose model is tested.")
@click.option("--data", "data", required=True, type=DATA_FILE, help="CSV or Parquet rows to send.")
@click.option("--batch-size", default=1, show_default=True, type=int, help="Rows per call.")
@click.option("--duration", "duration", type=float, help="Seconds to run (instead of --requests).")
@click.option("--requests", "requests", type=int, help="Calls to time (default 1000; with --rps 10 s worth).")
@click.option("--url", help="A served model, e.g. http://127.0.0.1:5000/invocations.")
@click.option(
    "--rps",
    "rps",
    type=float,
    help="Open loop (with --url): N requests a second on a fixed schedule, latency from the scheduled time.",
)
@click.option(
    "--concurrency",
    type=int,
    help="--url: parallel clients (default 1); with --rps the worker pool (default: enough "
    "for 250 ms answers).",
)
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
    url: str | None,
    rps: float | None,
    concurrency: int | None,
    timeout: float,
    warmup: int,
    fmt: str,
) -> None:
    """Time the predictions of RUN_ID's model; write reports/loadtest-<run_id>-<mode>.json.

    In-process by default (the model is loaded here, calls timed one after another). With --url,
    JSON requests in MLflow's scoring format go to a served endpoint: each client sends its next
    request when the last one answered (closed loop), or, with --rps N, requests go out on a
    fixed schedule and latency runs from the scheduled time (open loop, as wrk2 and Vegeta do,
    so a stalling server cannot hide behind a waiting client). Each mode keeps its own report.
    Exit 1 when p95 at batch size 1 is over the increment's latency_p95_ms or a request failed
    or was dropped.
    """
    from inc.api import loadtest

    ws = app.workspace
    with progress_bar("load test", fmt == "text") as progress:
        result = loadtest(
            increment,
            run_id,
            data,
            batch_size=batch_size,
            requests=requests,
            duration=duration,
            url=url,
            rps=rps,
            concurrency=concurrency,
            timeout=timeout,
            warmup=warmup,
            workspace=ws,
            progress=progress,
        )
    if fmt == "json":
        echo_json(result.report.model_dump(mode="json", by_alias=True))
    else:
        click.echo(render_loadtest(result, ws.relpath(result.path) if result.path else "not written"))
    if not result.passed:
        raise CheckFailed(_verdict_reason(result))


def _single(result: LoadTestResult) -> dict[str, Any] | None:
    """The batch-size-1 series: per-prediction latency, what the target is about."""
    report = result.report
    series = report.series or [report.model_dump(include={"batch_size", "failures", "p95_ms"})]
    return next((s for s in series if s["batch_size"] == 1), None)


def _verdict_reason(result: LoadTestResult) -> str:
    report = result.report
    if report.failures:
        return f"{report.failures} of {report.requests} requests failed"
    if report.dropped:
        scheduled = (report.model_extra or {}).get("scheduled", "?")
        return f"{report.dropped} of {scheduled} scheduled requests were dropped (the server fell behind)"
    single = _single(result)
    p95 = single["p95_ms"] if single else report.p95_ms
    return f"p95 {p95:.3f} ms at batch size 1 is over the target {report.target_p95_ms:g} ms"


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
    loop = f"{report.loop} loop" if report.mode == "http" else "closed loop"
    title = f"load test of run {report.run_id or '-'} ({report.mode}, {loop}, {where})"
    lines = [title, table(rows, headers)]
    if report.loop == "open":
        lines.append(_open_loop_line(report))
    if report.failure_kinds:
        lines.append("failures: " + ", ".join(f"{k} x{v}" for k, v in report.failure_kinds.items()))
    lines.append(_verdict_line(result))
    linked = " (linked from the run's ledger record)" if result.record_updated else ""
    lines.append(f"report: {path}{linked}")
    return "\n".join(lines)


def _open_loop_line(report: Any) -> str:
    extra = report.model_extra or {}
    return (
        f"open loop: target {report.target_rps:g} req/s, achieved {report.achieved_rps or 0:.1f} req/s; "
        f"{extra.get('sent', '?')} of {extra.get('scheduled', '?')} scheduled requests sent, "
        f"{report.dropped} dropped, {report.late} late (over {extra.get('late_threshold_ms', 0):g} ms behind "
        f"schedule); latency counts from the scheduled send time (server time p99 "
        f"{extra.get('service_p99_ms', 0):.3f} ms)"
    )


def _verdict_line(result: LoadTestResult) -> str:
    report = result.report
    single = _single(result)
    if report.passed is None:
        why = "no latency_p95_ms target" if report.target_p95_ms is None else "no batch-size-1 series"
        return f"not judged ({why}; the gate judges per-prediction latency at batch size 1)"
    verdict = style("PASS", fg="green") if result.passed else style("FAIL", fg="red", bold=True)
    p95 = single["p95_ms"] if single else report.p95_ms
    sign = "<=" if p95 <= (report.target_p95_ms or 0) else ">"
    return f"{verdict}: p95 {p95:.3f} ms at batch size 1 {sign} target {report.target_p95_ms:g} ms"
