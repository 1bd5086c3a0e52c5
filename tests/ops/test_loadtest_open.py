"""Open-loop load tests (``inc loadtest --url --rps N``) against real HTTP servers on 127.0.0.1.

The stalling server answers one request at a time, as a single model worker does, and holds
every 50th request for 200 ms. A closed loop (send, wait, send) sends nothing during the stall,
so only the stalled request itself is slow; the open loop keeps sending on schedule, so the
requests that arrive during the stall wait too, as real users would. Asserts compare the two
with wide margins, never tight wall-clock limits.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from inc.cli import main
from inc.errors import UserError
from inc.evidence import read_run_record, sha256_file
from inc.ops.http import measure_http
from inc.ops.openloop import measure_open_loop

PAYLOADS = [b'{"dataframe_split":{"columns":["amount"],"data":[[1.0]]}}']


def test_open_loop_p99_shows_the_stall_that_the_closed_loop_hides(stalling_server: Any) -> None:
    url = stalling_server(stall_every=50, stall_s=0.2)
    opened = measure_open_loop(url, PAYLOADS, rps=100, count=300, timeout_s=5, warmup=0)
    closed = measure_http(url, PAYLOADS, 1, 300, None, concurrency=1, timeout_s=5, warmup=0)

    assert opened.stats.failures == 0 and closed.stats.failures == 0
    # open loop: the requests queued behind each stall wait with it
    assert opened.stats.p99_ms >= 150
    assert opened.stats.p95_ms >= 100
    # closed loop: one slow sample in 50, so its p95 does not show the 200 ms stall (a bound a
    # loaded machine keeps: an unstalled local request takes about 1 ms idle, tens of ms at load 15)
    assert closed.stats.p95_ms < 200
    assert closed.stats.p95_ms < opened.stats.p95_ms / 2
    # the rate that was asked for, and the one achieved, are both reported
    fields = opened.report_fields()
    assert fields["loop"] == "open" and fields["target_rps"] == 100
    assert 0 < fields["achieved_rps"] <= 110  # never above the schedule; below it on a busy machine
    assert fields["scheduled"] == 300 and fields["sent"] + fields["dropped"] == 300


def test_a_server_that_never_answers_does_not_stop_the_schedule(stalling_server: Any) -> None:
    url = stalling_server(stall_every=0)
    probe_ok = measure_open_loop(url, PAYLOADS, rps=50, count=5, timeout_s=5, warmup=0)
    assert probe_ok.stats.failures == 0  # the server answers until it is told to hang

    hang = stalling_server(stall_every=1, stall_s=30.0)
    started = time.monotonic()
    with pytest.raises(UserError, match="no answer within"):
        measure_open_loop(hang, PAYLOADS, rps=20, count=20, workers=2, timeout_s=0.3, warmup=0)
    assert time.monotonic() - started < 20


def test_a_stuck_worker_does_not_hold_up_the_others(stalling_server: Any) -> None:
    # every 10th request hangs past the timeout; 4 workers keep the schedule for the rest
    url = stalling_server(stall_every=10, stall_s=3.0)
    started = time.monotonic()
    result = measure_open_loop(url, PAYLOADS, rps=40, count=40, workers=4, timeout_s=0.5, warmup=0)
    assert time.monotonic() - started < 30  # bounded: schedule + grace + timeout, not 4 x 3 s stalls
    assert result.failure_kinds.get("timeout", 0) >= 1
    assert result.sent + result.dropped == 40
    assert result.stats.requests == result.sent


# --------------------------------------------------------------------------- through the command


def test_cli_rps_writes_an_open_loop_report_beside_the_in_process_one_and_the_gate_reads_both(
    run_copy: Any, stalling_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sklearn")
    from inc.gate.runner import run_gate

    base = ["loadtest", "1", "--run", run_copy.run_id, "--data", str(run_copy.data)]
    assert main([*base, "--requests", "100"]) == 0
    in_process = run_copy.inc.reports_dir / f"loadtest-{run_copy.run_id}-in-process.json"
    assert in_process.is_file()
    capsys.readouterr()

    url = stalling_server(stall_every=50, stall_s=0.2)
    code = main([*base, "--url", url, "--rps", "100", "--duration", "3", "--timeout", "5"])
    out = capsys.readouterr().out
    assert code == 1, out  # p95 over the 100 ms target: the stall is visible
    assert "open loop: target 100 req/s, achieved" in out and "dropped" in out
    opened = run_copy.inc.reports_dir / f"loadtest-{run_copy.run_id}-http-open.json"
    data = json.loads(opened.read_text())
    assert data["loop"] == "open" and data["mode"] == "http" and data["target_rps"] == 100
    assert data["p99_ms"] >= 150 and data["passed"] is False
    assert in_process.is_file()  # kept, not overwritten

    record = read_run_record(run_copy.inc.runs_dir / f"{run_copy.run_id}.json")
    linked = {r.path: r.sha256 for r in record.reports if r.kind == "loadtest"}
    assert linked == {f"reports/{p.name}": sha256_file(p) for p in (in_process, opened)}

    check = run_gate(run_copy.ws, ["1"]).increments[0].check("load_test")
    assert check.status == "fail"
    assert "http open loop at 100 req/s" in check.detail and "> target 100 ms" in check.detail
    assert check.evidence == [run_copy.ws.relpath(opened)]

    opened.unlink()  # deleting the failing report does not pass: the run's record links it
    check = run_gate(run_copy.ws, ["1"]).increments[0].check("load_test")
    assert check.status == "fail" and "linked from the run record is missing" in check.detail


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "URL", "--rps", "0"], "--rps 0: must be positive"),
        (["--url", "URL", "--rps", "-5"], "--rps -5: must be positive"),
        (["--url", "URL", "--rps", "nan"], "--rps nan: must be positive"),
        (["--url", "URL", "--rps", "10", "--duration", "-1"], "--duration -1"),
        (["--duration", "-2"], "--duration -2: must be positive"),
        (["--duration", "nan"], "--duration nan: must be positive"),
        (["--url", "URL", "--rps", "10", "--timeout", "nan"], "--timeout nan"),
        (["--requests", "10000000000"], "--requests 10000000000: must be between 1 and"),
        (["--rps", "10"], "--rps needs --url"),
        (["--url", "URL", "--rps", "20000", "--duration", "3600"], "over 1000000 requests"),
    ],
)
def test_bad_rate_or_duration_exit_2_naming_the_option(
    run_copy: Any, stalling_server: Any, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    url = stalling_server()
    args = [url if arg == "URL" else arg for arg in args]
    code = main(["loadtest", "1", "--run", run_copy.run_id, "--data", str(run_copy.data), *args])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not list(run_copy.inc.reports_dir.glob("loadtest-*"))


def test_open_loop_failures_are_counted_and_all_failed_writes_nothing(
    run_copy: Any, faulty_server: Any
) -> None:
    from inc.errors import CheckFailed
    from inc.ops.loadtest import LoadTestOptions, run_loadtest

    some = LoadTestOptions(url=faulty_server(fail_every=4), rps=50, requests=40, warmup=0)
    result = run_loadtest(run_copy.ws, run_copy.inc, run_copy.run_id, run_copy.data, some)
    assert result.report.failure_kinds == {"http_500": 10} and result.report.failures == 10
    assert result.report.passed is False and not result.passed

    result.path.unlink()
    every = LoadTestOptions(url=faulty_server(fail_every=1), rps=50, requests=20, warmup=0)
    with pytest.raises(CheckFailed, match="every one of 20 requests failed"):
        run_loadtest(run_copy.ws, run_copy.inc, run_copy.run_id, run_copy.data, every)
    assert not list(run_copy.inc.reports_dir.glob("loadtest-*"))
