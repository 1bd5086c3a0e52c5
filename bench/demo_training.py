"""The demo's training step (3 baselines, 3 candidates with 5-fold CV, models saved), timed.

Each measurement runs in a fresh process on a fresh demo folder (embedded SQLite store):

- ``tracked``: the demo's own ``train.py`` through ``inc.track_experiment`` (the real step);
- ``fitting only``: the same script with ``inc.track_experiment`` replaced by a no-op, i.e. what
  scikit-learn itself costs; ``tracked - fitting only`` is what tracking adds.

``--src DIR`` measures another checkout's ``src`` the same way (e.g. the code before a change),
so before/after ratios come from one run on one machine state.

Usage: python bench/demo_training.py [--reps N] [--src DIR ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import contextlib, sys, tempfile, time, uuid, warnings
from pathlib import Path
import inc
from inc.demo.runner import Demo, _quiet_libraries

_quiet_libraries()
warnings.filterwarnings("ignore")
if sys.argv[1] == "stub":
    class _Stub:
        def __init__(self):
            self.run_id = uuid.uuid4().hex
        def __getattr__(self, name):
            return lambda *a, **k: None

    @contextlib.contextmanager
    def _noop(*args, **kwargs):
        yield _Stub()

    inc.track_experiment = _noop
demo = Demo(Path(tempfile.mkdtemp(prefix="inc-demo-train-")), lambda step: None)
demo.setup(True)
start = time.perf_counter()
demo.train()
print(time.perf_counter() - start)
"""


def _once(src: str, mode: str) -> float:
    env = {**os.environ, "PYTHONPATH": src}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode], env=env, capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> int:
    """Print the median training-step time per checkout, and the tracking share."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--src", action="append", default=[], help="another checkout's src folder")
    args = parser.parse_args()
    here = str(Path(__file__).resolve().parents[1] / "src")
    sources = [here, *args.src]
    times: dict[str, list[float]] = {f"tracked ({s})": [] for s in sources}
    times["fitting only"] = []
    for _ in range(args.reps):  # interleaved, to share the machine's noise
        for src in sources:
            times[f"tracked ({src})"].append(_once(src, "tracked"))
        times["fitting only"].append(_once(here, "stub"))
    medians = {label: statistics.median(values) for label, values in times.items()}
    fitting = medians["fitting only"]
    for label, seconds in medians.items():
        extra = "" if label == "fitting only" else f"  tracking adds {seconds - fitting:6.2f} s"
        print(f"{label:60s} {seconds:7.2f} s{extra}  (median of {args.reps})")
    if len(sources) > 1:
        ours = medians[f"tracked ({here})"]
        for src in args.src:
            other = medians[f"tracked ({src})"]
            print(
                f"step: {other / ours:.2f}x faster than {src}; tracking part: "
                f"{(other - fitting) / max(ours - fitting, 1e-9):.2f}x smaller"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
