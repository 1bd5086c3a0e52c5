"""The gate's load_test check reads every load-test report of the chosen run (one per mode) and
judges the per-prediction target on batch size 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inc.evidence import LoadTestReport, ReportRef, read_run_record, sha256_file, write_evidence
from inc.gate.model import CheckResult
from inc.gate.runner import run_gate
from inc.workspace import Workspace


def _write(
    ready: Path,
    tag: str,
    p95: float = 12.0,
    batch: int = 1,
    series: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Path:
    """A report of the chosen run cand1 named by mode, linked from its (re-sealed) record."""
    report = LoadTestReport(
        run_id="cand1",
        mode="in-process" if tag == "in-process" else "http",
        batch_size=batch,
        requests=400,
        failures=0,
        p50_ms=p95 / 2,
        p95_ms=p95,
        p99_ms=p95 * 1.5,
        max_ms=p95 * 2,
        throughput_rps=90.0,
        target_p95_ms=100.0,
        series=series or [],
        **extra,
    )
    path = write_evidence(ready / "reports" / f"loadtest-cand1-{tag}.json", report)
    runs = ready / "runs"
    record = read_run_record(runs / "cand1.json")
    ref = ReportRef(kind="loadtest", path=f"reports/{path.name}", sha256=sha256_file(path))
    from inc.evidence import link_report

    link_report(runs, record, ref)
    return path


def _drop_legacy(ready: Path) -> None:
    """Remove the untagged report of the fixture and its link."""
    from inc.evidence import write_run_record

    (ready / "reports" / "loadtest-cand1.json").unlink()
    record = read_run_record(ready / "runs" / "cand1.json")
    kept = [r for r in record.reports if r.path != "reports/loadtest-cand1.json"]
    write_run_record(ready / "runs", record.model_copy(update={"reports": kept}))


def _check(ws: Workspace) -> CheckResult:
    return run_gate(ws, ["1"]).increments[0].check("load_test")


def _series(batch: int, p95: float) -> dict[str, Any]:
    return {
        "batch_size": batch,
        "requests": 200,
        "failures": 0,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "p99_ms": p95 * 1.5,
        "max_ms": p95 * 2,
    }


def test_reports_named_by_mode_are_read_side_by_side(workspace: Workspace, ready: Path) -> None:
    _drop_legacy(ready)
    _write(ready, "in-process", 3.0)
    _write(ready, "http-open", 40.0, loop="open", target_rps=100, achieved_rps=99.5)
    check = _check(workspace)
    assert check.status == "pass", check.detail
    assert "p95 3 ms" in check.detail and "http open loop at 100 req/s (achieved 99.5)" in check.detail
    assert len(check.evidence) == 2


def test_a_failing_mode_fails_the_gate_even_when_another_passes(workspace: Workspace, ready: Path) -> None:
    _write(ready, "http-open", 180.0, loop="open", target_rps=100, achieved_rps=98.0)
    check = _check(workspace)
    assert check.status == "fail"
    assert "p95 180 ms > target 100 ms (http open loop at 100 req/s" in check.detail
    assert check.evidence == ["increments/0001-fraud-detection/reports/loadtest-cand1-http-open.json"]


def test_per_prediction_target_is_judged_on_batch_size_1(workspace: Workspace, ready: Path) -> None:
    _drop_legacy(ready)
    # 100-row batches take 400 ms; single rows 5 ms: the per-prediction target holds
    _write(ready, "in-process", 400.0, batch=100, series=[_series(1, 5.0), _series(100, 400.0)])
    check = _check(workspace)
    assert check.status == "pass", check.detail
    assert "p95 5 ms <= 100 ms" in check.detail and "batch 1" in check.detail


def test_batches_only_cannot_show_per_prediction_latency(workspace: Workspace, ready: Path) -> None:
    _drop_legacy(ready)
    _write(ready, "http", 30.0, batch=8, series=[_series(8, 30.0)])
    check = _check(workspace)
    assert check.status == "fail" and "no load test at batch size 1" in check.detail


def test_dropped_requests_fail(workspace: Workspace, ready: Path) -> None:
    _write(ready, "http-open", 20.0, loop="open", target_rps=500, achieved_rps=310.0, dropped=120)
    check = _check(workspace)
    assert check.status == "fail" and "120 scheduled requests were dropped" in check.detail


def test_a_nan_latency_in_the_batch_1_series_fails(workspace: Workspace, ready: Path) -> None:
    _drop_legacy(ready)
    _write(ready, "in-process", 9.0, batch=4, series=[_series(1, float("nan")), _series(4, 9.0)])
    check = _check(workspace)
    assert check.status == "fail"
    assert "not a number" in check.detail or "batch-size-1 entry is malformed" in check.detail


def test_deleting_a_failing_report_does_not_pass(workspace: Workspace, ready: Path) -> None:
    failing = _write(ready, "http-open", 180.0, loop="open", target_rps=100, achieved_rps=98.0)
    failing.unlink()
    check = _check(workspace)
    assert (
        check.status == "fail"
        and "loadtest-cand1-http-open.json linked from the run record is missing" in check.detail
    )


def test_staleness_reads_mode_named_reports(workspace: Workspace, ready: Path) -> None:
    path = _write(ready, "in-process", 3.0)
    path.write_text(path.read_text().replace('"run_id": "cand1"', '"run_id": "cand2"'))
    staleness = run_gate(workspace, ["1"]).increments[0].check("staleness")
    assert staleness.status == "fail"
    assert "loadtest-cand1-in-process.json names run cand2 but is filed under cand1" in staleness.detail
