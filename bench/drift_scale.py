"""``inc drift`` at scale: 1,000,000 rows x 20 columns (16 numeric, 4 categorical).

Prints wall time and peak memory of
1. the statistics alone (``inc.ops.drift.compare_frames`` on in-memory DataFrames), with the
   peak traced allocation (tracemalloc, run separately so tracing does not skew the time);
2. the whole ``inc drift`` path from Parquet files (``run_drift``: hashing, reading, comparing,
   writing the report), with the process's peak RSS (resource.getrusage).

Two numeric features and one categorical feature are shifted; the script checks that exactly
those are flagged. Baseline for scale: numpy sorting the same 2 x 20M values
(``np.sort`` per column of both frames), which any KS/quantile method must at least do.

    .venv/bin/python bench/drift_scale.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

NUMERIC = 16
CATEGORICAL = 4
SHIFTED = {"num_00", "num_01", "cat_00"}


def make_frames(rows: int) -> tuple[Any, Any]:
    """Reference and current frames; the SHIFTED columns move in the current one."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)

    def frame(shift: bool) -> Any:
        data: dict[str, Any] = {}
        for i in range(NUMERIC):
            name = f"num_{i:02d}"
            moved = 1.0 if shift and name in SHIFTED else 0.0
            data[name] = rng.normal(moved, 1.0, size=rows)
        cats = np.array(["a", "b", "c", "d", "e"], dtype=object)
        for i in range(CATEGORICAL):
            name = f"cat_{i:02d}"
            probs = [0.05, 0.1, 0.15, 0.3, 0.4] if shift and name in SHIFTED else [0.4, 0.3, 0.15, 0.1, 0.05]
            data[name] = pd.Categorical(rng.choice(cats, size=rows, p=probs))
        return pd.DataFrame(data)

    return frame(False), frame(True)


def _rss_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 1024 if sys.platform != "darwin" else usage / 1024 / 1024


def bench_in_memory(ref: Any, cur: Any) -> None:
    """Time compare_frames, then its peak traced allocation in a second pass."""
    import inc.ops.stats  # noqa: F401  (scipy's import time is not the statistics' time)
    from inc.ops.drift import compare_frames, plan_rules

    rules = plan_rules(None, list(ref.columns))
    start = time.perf_counter()
    features = compare_frames(ref, cur, rules)
    elapsed = time.perf_counter() - start
    flagged = {f.feature for f in features if f.status == "alert"}
    tracemalloc.start()
    compare_frames(ref, cur, rules)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"compare_frames: {elapsed:.2f} s, peak traced allocation {peak / 2**20:.0f} MiB "
        f"(the two frames hold {(ref.memory_usage(deep=False).sum() * 2) / 2**20:.0f} MiB)"
    )
    print(
        f"  flagged {sorted(flagged)}; expected {sorted(SHIFTED)}: {'OK' if flagged == SHIFTED else 'WRONG'}"
    )
    base = time.perf_counter()
    for frame in (ref, cur):
        for name in ref.columns[:NUMERIC]:
            frame[name].to_numpy().copy().sort()
    baseline = time.perf_counter() - base
    print(f"  baseline np.sort of the numeric columns: {baseline:.2f} s; ratio {elapsed / baseline:.1f}x")


def bench_end_to_end(ref: Any, cur: Any) -> None:
    """``run_drift`` from Parquet files in a throw-away workspace."""
    from inc.ops.drift import run_drift
    from inc.scaffold import init_workspace, new_increment
    from inc.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
        init_workspace(root, github=False)
        ws = Workspace.discover(root)
        inc = new_increment(ws, "drift-scale").increment
        ref_path, cur_path = root / "reference.parquet", root / "current.parquet"
        ref.to_parquet(ref_path)
        cur.to_parquet(cur_path)
        size = (ref_path.stat().st_size + cur_path.stat().st_size) / 2**20
        rss_before = _rss_mb()
        start = time.perf_counter()
        result = run_drift(ws, inc, cur_path, ref_path)
        elapsed = time.perf_counter() - start
        print(
            f"run_drift from Parquet ({size:.0f} MiB on disk): {elapsed:.2f} s, "
            f"peak RSS {_rss_mb():.0f} MiB (before: {rss_before:.0f} MiB); "
            f"drifted {result.report.drifted}"
        )


def main() -> None:
    """Generate the data, run both measurements, print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    start = time.perf_counter()
    ref, cur = make_frames(args.rows)
    print(
        f"{args.rows:,} rows x {NUMERIC + CATEGORICAL} columns generated in "
        f"{time.perf_counter() - start:.1f} s (peak RSS {_rss_mb():.0f} MiB)"
    )
    bench_in_memory(ref, cur)
    bench_end_to_end(ref, cur)


if __name__ == "__main__":
    main()
