"""The timing harness and latency statistics shared by the in-process and HTTP load tests.

Standard library only. The harness keeps its own cost per call small: inputs are built before
timing, each call is bracketed by two ``perf_counter_ns`` reads, the difference goes into a
preallocated list, and percentiles are computed afterwards.
"""

from __future__ import annotations

import math
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

Progress = Callable[[float], None]
_GROW = 65_536
_PROGRESS_EVERY = 63  # bit mask: report progress every 64 calls
LIBRARIES = ("numpy", "pandas", "scikit-learn", "scipy", "mlflow", "xgboost", "lightgbm", "skops")


@dataclass
class LatencyStats:
    """Percentiles (ms) and throughput of one series of timed calls."""

    batch_size: int
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    throughput_rps: float
    elapsed_s: float

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the report's ``series``."""
        return {**asdict(self), "rows_per_s": round(self.throughput_rps * self.batch_size, 3)}


def percentile(sorted_ns: Sequence[int], q: float) -> float:
    """The ``q``-th percentile (0..100) of sorted values by linear interpolation (numpy's default)."""
    if not sorted_ns:
        return 0.0
    pos = (len(sorted_ns) - 1) * q / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(sorted_ns) - 1)
    return sorted_ns[low] + (sorted_ns[high] - sorted_ns[low]) * (pos - low)


def summarize(durations_ns: list[int], elapsed_s: float, batch_size: int, failures: int = 0) -> LatencyStats:
    """Latency percentiles in milliseconds of the successful calls, and calls per second."""
    ordered = sorted(durations_ns)
    attempts = len(ordered) + failures

    def ms(value: float) -> float:
        return round(value / 1e6, 6)

    return LatencyStats(
        batch_size=batch_size,
        requests=attempts,
        failures=failures,
        p50_ms=ms(percentile(ordered, 50)),
        p95_ms=ms(percentile(ordered, 95)),
        p99_ms=ms(percentile(ordered, 99)),
        max_ms=ms(ordered[-1] if ordered else 0),
        mean_ms=ms(sum(ordered) / len(ordered) if ordered else 0),
        throughput_rps=round(attempts / elapsed_s, 3) if elapsed_s > 0 else 0.0,
        elapsed_s=round(elapsed_s, 6),
    )


def time_calls(
    call: Callable[[Any], Any],
    inputs: Sequence[Any],
    count: int | None = None,
    duration_s: float | None = None,
    progress: Progress | None = None,
) -> tuple[list[int], float]:
    """Call ``call(inputs[i % len(inputs)])`` ``count`` times or for ``duration_s`` seconds.

    Returns the duration of each call in nanoseconds and the wall time of the whole loop (s).
    """
    if count is None and duration_s is None:
        raise ValueError("give count or duration_s")
    clock = time.perf_counter_ns
    size = len(inputs)
    times = [0] * (count if count is not None else _GROW)
    limit = count if count is not None else -1
    start = clock()
    deadline = start + int(duration_s * 1e9) if duration_s is not None else None
    i = 0
    while True:
        if i == len(times):
            times.extend([0] * _GROW)
        x = inputs[i % size]
        t0 = clock()
        call(x)
        t1 = clock()
        times[i] = t1 - t0
        i += 1
        if i == limit or (deadline is not None and t1 >= deadline):
            break
        if progress is not None and not i & _PROGRESS_EVERY:
            progress(_fraction(i, count, t1 - start, duration_s))
    wall = (clock() - start) / 1e9
    del times[i:]
    if progress is not None:
        progress(1.0)
    return times, wall


def _fraction(done: int, count: int | None, elapsed_ns: int, duration_s: float | None) -> float:
    if count is not None:
        return done / count
    assert duration_s is not None
    return min(elapsed_ns / (duration_s * 1e9), 1.0)


def bare_loop(call: Callable[[Any], Any], inputs: Sequence[Any]) -> tuple[list[int], float]:
    """The simplest possible timing loop (the baseline bench/loadtest_accuracy.py compares with)."""
    clock = time.perf_counter_ns
    out = []
    start = clock()
    for x in inputs:
        t0 = clock()
        call(x)
        out.append(clock() - t0)
    return out, (clock() - start) / 1e9


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
