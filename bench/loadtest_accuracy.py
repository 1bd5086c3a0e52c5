"""Load-test harness overhead per call vs a bare timing loop around the same predict.

Budget (issue 5): the harness (``inc.ops.harness.time_calls``, what ``inc loadtest`` runs)
adds under 5 µs per call, so the p95 of a 0.2 ms model is honest.

Per model, medians over ``--rounds`` rounds (bare and harness alternate which goes first):
- wall overhead: harness wall time per call - bare loop wall time per call (what the loop
  around the calls costs: input lookup, storing the duration, the count/deadline and progress
  tests). Measured on a no-op callable, where nothing else moves the number; on a real model
  the wall time swings by hundreds of µs whenever another process takes the CPU.
- timed bias: harness p50 - bare loop p50 of the recorded latencies (what leaks into the
  reported percentiles; the median is robust to preemption by other processes).

Models: a no-op callable (pure harness cost), and a scikit-learn LogisticRegression's
predict_proba on one-row NumPy arrays and on one-row DataFrames (the real in-process call).

    .venv/bin/python bench/loadtest_accuracy.py [--calls 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Callable
from typing import Any

from inc.ops.harness import bare_loop, time_calls

BUDGET_US = 5.0


def _models(rows: int) -> list[tuple[str, Callable[[Any], Any], list[Any]]]:
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(2000, 8)), columns=[f"f{i}" for i in range(8)])
    y = (X["f0"] + X["f1"] > 0).astype(int)
    frame_model = LogisticRegression().fit(X, y)
    array_model = LogisticRegression().fit(X.to_numpy(), y)
    arrays = [X.to_numpy()[i : i + 1] for i in range(rows)]
    frames = [X.iloc[[i]] for i in range(rows)]
    return [
        ("no-op callable", lambda x: None, arrays),
        ("LogisticRegression.predict_proba, 1-row ndarray", array_model.predict_proba, arrays),
        ("LogisticRegression.predict_proba, 1-row DataFrame", frame_model.predict_proba, frames),
    ]


def _round(call: Callable[[Any], Any], inputs: list[Any], calls: int, flip: bool) -> tuple[float, float]:
    cycle = (inputs * (calls // len(inputs) + 1))[:calls]
    if flip:
        harness_ns, harness_wall = time_calls(call, inputs, count=calls, progress=lambda f: None)
        bare_ns, bare_wall = bare_loop(call, cycle)
    else:
        bare_ns, bare_wall = bare_loop(call, cycle)
        harness_ns, harness_wall = time_calls(call, inputs, count=calls, progress=lambda f: None)
    wall_us = (harness_wall - bare_wall) / calls * 1e6
    bias_us = (statistics.median(harness_ns) - statistics.median(bare_ns)) / 1e3
    return wall_us, bias_us


def main() -> None:
    """Print per-model overhead in µs and as a ratio of the model's own latency."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"harness overhead per call, median of {args.rounds} rounds; "
        f"{os.cpu_count()} cores, load average {load:.1f}"
    )
    worst = 0.0
    for name, call, inputs in _models(256):
        noop = name == "no-op callable"
        calls = args.calls if noop else max(args.calls // 10, 1000)
        bare_ns, _ = bare_loop(call, inputs * 4)  # warm-up and the model's own latency
        latency_us = statistics.median(bare_ns) / 1e3
        results = [_round(call, inputs, calls, bool(i % 2)) for i in range(args.rounds)]
        wall = statistics.median(r[0] for r in results)
        bias = statistics.median(r[1] for r in results)
        worst = max(worst, abs(bias), wall if noop else 0.0)
        print(f"  {name} ({calls} calls per round)")
        print(f"    model latency (bare p50)  {latency_us:9.2f} µs")
        if noop:
            print(f"    wall overhead per call    {wall:9.3f} µs")
        else:
            print(f"    wall overhead per call    {wall:9.3f} µs   (noisy: other processes; see above)")
        ratio = f"({abs(bias) / latency_us:.2%} of the call)" if not noop else ""
        print(f"    timed bias per call (p50) {bias:9.3f} µs   {ratio}".rstrip())
    verdict = "OK" if worst < BUDGET_US else "OVER BUDGET"
    print(
        f"worst harness overhead {worst:.3f} µs vs budget {BUDGET_US} µs "
        f"(ratio {worst / BUDGET_US:.3f} of budget): {verdict}"
    )


if __name__ == "__main__":
    main()
