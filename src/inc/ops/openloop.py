"""Open-loop HTTP load: requests on a fixed schedule, latency measured from the scheduled time.

A closed loop (one request, wait, next request) sends nothing while the server stalls, so a
stall shows up as one slow sample instead of the many requests real users would have sent in
that time ("coordinated omission"). Here, as in wrk2 and Vegeta, request ``i`` is due at
``start + i / rps``; a dispatcher queues it at that time and a bounded pool of worker threads
sends it. Its latency runs from the due time to the answer, so time spent waiting for a free
worker (or behind a stalled server) counts. A request sent more than ``late_threshold_ms``
after its due time is *late*; one still queued when the schedule's hard stop passes (the last
due time plus the grace period) is *dropped*, never sent. Total time is bounded by the
schedule, the grace period and the per-request timeout.

Standard library only.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from inc.ops.harness import LatencyStats, Progress, summarize
from inc.ops.http import Endpoint, _send, probe

MAX_WORKERS = 256
MAX_RPS = 20_000.0
MAX_REQUESTS = 1_000_000
LATE_MS = 10.0  # a send this much behind its due time (or one interval, if longer) is late
_START_DELAY_NS = 5_000_000  # let the workers start before the first due time


class HttpSender:
    """One worker's keep-alive connection to the endpoint."""

    def __init__(self, endpoint: Endpoint, timeout_s: float) -> None:
        self.endpoint = endpoint
        self.conn = endpoint.connect(timeout_s)

    def send(self, payload: bytes) -> str | None:
        """One request: None on success, else the failure kind."""
        return _send(self.conn, self.endpoint.path, payload)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


Sender = Any  # an object with send(payload) -> str | None and close()


@dataclass
class OpenLoopResult:
    """What an open-loop run measured."""

    stats: LatencyStats  # from the scheduled time to the answer: what a user waits
    service: LatencyStats  # from the actual send to the answer: what the server took
    failure_kinds: dict[str, int]
    target_rps: float
    achieved_rps: float
    scheduled: int
    sent: int
    dropped: int
    late: int
    late_threshold_ms: float
    max_send_lag_ms: float
    workers: int

    def report_fields(self) -> dict[str, Any]:
        """The open-loop keys of the load-test report."""
        return {
            "loop": "open",
            "target_rps": self.target_rps,
            "achieved_rps": self.achieved_rps,
            "scheduled": self.scheduled,
            "sent": self.sent,
            "dropped": self.dropped,
            "late": self.late,
            "late_threshold_ms": self.late_threshold_ms,
            "max_send_lag_ms": self.max_send_lag_ms,
            "concurrency": self.workers,
            "service_p50_ms": self.service.p50_ms,
            "service_p95_ms": self.service.p95_ms,
            "service_p99_ms": self.service.p99_ms,
            "failure_kinds": self.failure_kinds,
        }


def default_workers(rps: float) -> int:
    """Enough workers to keep the schedule while answers take up to 250 ms (8 to 256)."""
    return max(8, min(MAX_WORKERS, math.ceil(rps * 0.25)))


def scheduled_count(rps: float, requests: int | None, duration_s: float | None) -> int:
    """Requests on the schedule: ``requests``, else ``rps * duration`` (default 10 s), at least 1.

    Over :data:`MAX_REQUESTS` the answer is ``MAX_REQUESTS + 1``, for the caller to refuse.
    """
    if requests is not None:
        return requests
    seconds = 10.0 if duration_s is None else duration_s
    planned = rps * seconds
    return MAX_REQUESTS + 1 if planned > MAX_REQUESTS else max(1, round(planned))


@dataclass(slots=True)
class _Sample:
    due: int
    sent: int
    done: int
    kind: str | None


@dataclass
class _Run:
    payloads: Sequence[bytes]
    hard_stop: int
    jobs: queue.SimpleQueue[tuple[int, int] | None] = field(default_factory=queue.SimpleQueue)
    samples: list[list[_Sample]] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)


def _worker(run: _Run, slot: int, make_sender: Callable[[], Sender]) -> None:
    clock = time.perf_counter_ns
    local = run.samples[slot]
    sender = make_sender()
    try:
        while (job := run.jobs.get()) is not None:
            index, due = job
            sent = clock()
            if sent > run.hard_stop:
                run.dropped[slot] += 1
                continue
            kind = sender.send(run.payloads[index % len(run.payloads)])
            local.append(_Sample(due, sent, clock(), kind))
    finally:
        sender.close()


def _dispatch(run: _Run, count: int, interval_ns: int, start: int, progress: Progress | None) -> int:
    """Queue request ``i`` at ``start + i * interval``; returns how many were queued."""
    clock = time.perf_counter_ns
    for index in range(count):
        due = start + index * interval_ns
        wait = due - clock()
        if wait > 0:
            time.sleep(wait / 1e9)
        if clock() > run.hard_stop:
            return index
        run.jobs.put((index, due))
        if progress is not None and not index & 63:
            progress(index / count)
    return count


def open_loop(
    make_sender: Callable[[], Sender],
    payloads: Sequence[bytes],
    rps: float,
    count: int,
    workers: int,
    timeout_s: float,
    batch_size: int = 1,
    progress: Progress | None = None,
) -> OpenLoopResult:
    """Send ``count`` requests at ``rps`` from ``workers`` threads, each with its own sender."""
    interval_ns = round(1e9 / rps)
    grace_ns = int(max(timeout_s, 1.0) * 1e9)
    start = time.perf_counter_ns() + _START_DELAY_NS
    run = _Run(payloads, start + (count - 1) * interval_ns + grace_ns)
    run.samples = [[] for _ in range(workers)]
    run.dropped = [0] * workers
    threads = [
        threading.Thread(target=_worker, args=(run, slot, make_sender), daemon=True)
        for slot in range(workers)
    ]
    for thread in threads:
        thread.start()
    queued = _dispatch(run, count, interval_ns, start, progress)
    for _ in threads:
        run.jobs.put(None)
    deadline = time.monotonic() + (run.hard_stop - time.perf_counter_ns()) / 1e9 + timeout_s + 2.0
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    elapsed = (time.perf_counter_ns() - start) / 1e9
    if progress is not None:
        progress(1.0)
    return _result(run, count, queued, rps, interval_ns, elapsed, batch_size, workers)


def _drain(run: _Run) -> int:
    left = 0
    while True:
        try:
            job = run.jobs.get_nowait()
        except queue.Empty:
            return left
        left += job is not None


def _result(
    run: _Run,
    count: int,
    queued: int,
    rps: float,
    interval_ns: int,
    elapsed: float,
    batch_size: int,
    workers: int,
) -> OpenLoopResult:
    samples = [sample for local in list(run.samples) for sample in list(local)]
    dropped = (count - queued) + sum(run.dropped) + _drain(run)
    kinds: Counter[str] = Counter(s.kind for s in samples if s.kind is not None)
    unfinished = queued - len(samples) - sum(run.dropped)
    if unfinished > 0:
        kinds["no_answer"] += unfinished
    ok = [s for s in samples if s.kind is None]
    failures = sum(kinds.values())
    late_ns = max(LATE_MS * 1e6, interval_ns)
    lags = [s.sent - s.due for s in samples]
    stats = summarize([s.done - s.due for s in ok], elapsed, batch_size, failures)
    service = summarize([s.done - s.sent for s in ok], elapsed, batch_size, failures)
    sent = len(samples) + max(unfinished, 0)
    window = (max(s.sent for s in samples) - min(s.due for s in samples) + interval_ns) if samples else 0
    return OpenLoopResult(
        stats=stats,
        service=service,
        failure_kinds=dict(sorted(kinds.items())),
        target_rps=rps,
        achieved_rps=round(len(samples) / (window / 1e9), 3) if window > 0 else 0.0,
        scheduled=count,
        sent=sent,
        dropped=dropped,
        late=sum(1 for lag in lags if lag > late_ns),
        late_threshold_ms=round(late_ns / 1e6, 3),
        max_send_lag_ms=round(max(lags, default=0) / 1e6, 3),
        workers=workers,
    )


def measure_open_loop(
    url: str,
    payloads: Sequence[bytes],
    rps: float,
    count: int,
    workers: int | None = None,
    timeout_s: float = 10.0,
    batch_size: int = 1,
    warmup: int = 5,
    progress: Progress | None = None,
) -> OpenLoopResult:
    """Probe ``url`` (an unreachable endpoint is a UserError), warm it up, then run the schedule."""
    endpoint = Endpoint.parse(url)
    probe(endpoint, payloads[0], timeout_s)
    warm = HttpSender(endpoint, timeout_s)
    try:
        for i in range(1, warmup):
            warm.send(payloads[i % len(payloads)])
    finally:
        warm.close()
    pool = workers or default_workers(rps)
    return open_loop(
        lambda: HttpSender(endpoint, timeout_s), payloads, rps, count, pool, timeout_s, batch_size, progress
    )
