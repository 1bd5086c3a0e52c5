"""The Python API behind ``inc.loadtest``, ``inc.drift``, ``inc.gate`` and ``inc.load_test_model``.

Each function is the one its command calls (``inc loadtest``, ``inc drift``, ``inc gate``), so a
script and the command take the same code path and return the same result objects. Every
function takes ``workspace=`` (a :class:`~inc.workspace.Workspace` or a folder inside one;
default: the current folder). Only light modules are imported here; the ML libraries load
inside the functions that need them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc.errors import UserError
from inc.workspace import Workspace, as_workspace

if TYPE_CHECKING:
    import datetime as dt
    import os

    from inc.evidence import LoadTestReport
    from inc.gate.model import GateResult
    from inc.ops.drift import DriftResult
    from inc.ops.harness import Progress
    from inc.ops.loadtest import LoadTestResult

    WorkspaceLike = Workspace | str | os.PathLike[str] | None


def loadtest(
    increment: str,
    run_id: str,
    data: str | Path,
    *,
    batch_size: int = 1,
    requests: int | None = None,
    duration: float | None = None,
    url: str | None = None,
    rps: float | None = None,
    target_rps: float | None = None,
    concurrency: int | None = None,
    timeout: float = 10.0,
    warmup: int = 20,
    workspace: WorkspaceLike = None,
    progress: Progress | None = None,
) -> LoadTestResult:
    """Load-test run ``run_id``'s model on rows of ``data``; the ``inc loadtest`` command.

    In-process (closed loop) by default; with ``url`` requests go to a served model, one client
    per ``concurrency`` waiting for each answer (closed loop); with ``url`` and ``rps`` (alias
    ``target_rps``) they go out on a fixed schedule and latency runs from the scheduled time
    (open loop). Writes ``reports/loadtest-<run>-<mode>.json`` and links it from the run's
    record. ``result.passed`` is False when p95 at batch size 1 is over the increment's
    ``latency_p95_ms`` or a request failed or was dropped. Bad options raise UserError.
    """
    from inc.ops.loadtest import LoadTestOptions, run_loadtest

    ws = as_workspace(workspace)
    options = LoadTestOptions(
        batch_size=batch_size,
        requests=requests,
        duration_s=duration,
        concurrency=concurrency,
        warmup=warmup,
        url=url,
        timeout_s=timeout,
        rps=_rate(rps, target_rps),
    )
    return run_loadtest(ws, ws.find(str(increment)), run_id, Path(data), options, progress)


def _rate(rps: float | None, target_rps: float | None) -> float | None:
    if rps is not None and target_rps is not None and rps != target_rps:
        raise UserError(f"rps={rps:g} and target_rps={target_rps:g}: give one of them")
    return rps if rps is not None else target_rps


def drift(
    increment: str,
    current: str | Path,
    reference: str | Path | None = None,
    *,
    workspace: WorkspaceLike = None,
    date: dt.date | None = None,
) -> DriftResult:
    """Per-feature drift of ``current`` against ``reference``; the ``inc drift`` command.

    ``reference`` defaults to monitoring.yaml's (whose sha256 is checked). Writes
    ``reports/drift-<date>.json``; ``result.alerts`` lists the features past their alert
    threshold (the command exits 1 on any).
    """
    from inc.ops.drift import run_drift

    ws = as_workspace(workspace)
    ref = Path(reference) if reference is not None else None
    return run_drift(ws, ws.find(str(increment)), Path(current), ref, date)


def gate(
    *refs: str | Sequence[str],
    changed: bool = False,
    base: str | None = None,
    strict: bool = False,
    verify: bool = False,
    workspace: WorkspaceLike = None,
) -> GateResult:
    """The production-readiness gate on the named increments (all without ``refs``); ``inc gate``.

    ``inc.gate("0001", "0002")`` and ``inc.gate(["0001", "0002"])`` are the same.
    Returns the verdict object the command renders: ``result.passed``, ``result.increments``
    (each with ``.checks`` and ``.check(id)``), and ``result.to_json()``, the exact text that
    ``inc gate --format json`` prints. Never loads a model or runs repository code.
    """
    from inc.gate.runner import run_gate

    names = [str(ref) for item in refs for ref in ([item] if isinstance(item, str | int) else item)]
    return run_gate(as_workspace(workspace), names, changed=changed, base=base, strict=strict, verify=verify)


def load_test_model(
    api_url: str,
    target_rps: float,
    duration: float,
    increment: str | None = None,
    run_id: str | None = None,
    payload: Any = None,
    *,
    concurrency: int | None = None,
    timeout: float = 10.0,
    batch_size: int = 1,
    workspace: WorkspaceLike = None,
) -> LoadTestResult:
    """An open-loop load test of a served model at ``target_rps`` for ``duration`` seconds.

    ``payload`` is the request body: a dict (sent as JSON), ``str``/``bytes`` (sent as is), a
    pandas DataFrame (each row one MLflow ``dataframe_split`` request, in turn) or a list of
    those (sent in turn). With ``increment`` and ``run_id`` the report is written to
    ``reports/loadtest-<run_id>-http-open.json``, linked from the run's record and judged
    against the increment's ``latency_p95_ms``; without them it is only returned
    (``result.path`` is None). Latency runs from each request's scheduled time.
    """
    from inc.ops.loadtest import LoadTestOptions, LoadTestResult, open_loop_report, save_report

    if (increment is None) != (run_id is None):
        raise UserError("give both increment= and run_id= to record the load test, or neither")
    options = LoadTestOptions(
        duration_s=duration,
        url=api_url,
        rps=target_rps,
        concurrency=concurrency,
        timeout_s=timeout,
        batch_size=batch_size,
        warmup=5,
    )
    options.validate()
    bodies = payloads_of(payload)
    if increment is None or run_id is None:
        return LoadTestResult(open_loop_report("", options, bodies, None), None, False)
    ws = as_workspace(workspace)
    inc = ws.find(str(increment))
    target = inc.meta.latency_p95_ms

    def measure(_record: object) -> LoadTestReport:
        return open_loop_report(run_id, options, bodies, target)

    return save_report(ws, inc, run_id, options.tag, measure)


def payloads_of(payload: Any) -> list[bytes]:
    """Request bodies from a dict, str, bytes, DataFrame, or a list of them (UserError otherwise)."""
    if payload is None:
        raise UserError("payload: no request body given; pass payload={...} (the JSON the server expects)")
    items = payload if isinstance(payload, Sequence) and not isinstance(payload, str | bytes) else [payload]
    bodies: list[bytes] = []
    for item in items:
        if isinstance(item, bytes):
            bodies.append(item)
        elif isinstance(item, str):
            bodies.append(item.encode("utf-8"))
        elif isinstance(item, dict):
            bodies.append(json.dumps(item, separators=(",", ":")).encode("utf-8"))
        elif hasattr(item, "iloc") and hasattr(item, "to_json"):
            from inc.ops.http import scoring_payloads

            bodies.extend(scoring_payloads([item.iloc[[i]] for i in range(len(item))]))
        else:
            raise UserError(
                f"payload={type(item).__name__}: give the request body as a dict, str, bytes, "
                "a pandas DataFrame or a list of them"
            )
    if not bodies:
        raise UserError("payload: no request body given; pass payload={...} (the JSON the server expects)")
    return bodies
