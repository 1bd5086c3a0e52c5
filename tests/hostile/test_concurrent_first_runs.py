"""Four real training processes on a workspace whose embedded MLflow store does not exist yet.

Without the first-open lock (inc.tracking.store_lock) MLflow migrates the schema in every process at
once: most runs fail with alembic errors and the store stays broken. With it: 20 of 20 logged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inc_testing.hostile import Hostile, run_capped

pytest.importorskip("mlflow")

TRAINER = """
import sys
import inc

for i in range(5):
    with inc.track_experiment(f"trainer{sys.argv[1]}-{i}", increment="0001", workspace=sys.argv[2]) as exp:
        exp.log_params({"trainer": sys.argv[1], "i": i})
        exp.log_metrics({"roc_auc": 0.80 + i / 100})
print("done")
"""


def test_four_first_time_trainers_log_twenty_of_twenty_runs(hostile: Hostile, tmp_path: Path) -> None:
    assert not (hostile.root / "mlflow.db").exists()
    script = tmp_path / "trainer.py"
    script.write_text(TRAINER)
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(n), str(hostile.root)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(4)
    ]
    outputs = [proc.communicate(timeout=600)[0] for proc in procs]
    for proc, output in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, output[-3000:]
    records = sorted((hostile.inc / "runs").glob("*.json"))
    assert len(records) == 20
    names = {json.loads(p.read_text())["name"] for p in records}
    assert names == {f"trainer{n}-{i}" for n in range(4) for i in range(5)}
    sync = run_capped(["sync", "1", "--format", "json"], hostile.root, env)
    assert sync.returncode == 0, sync.output[-3000:]
    listed = run_capped(["runs", "1", "--format", "json"], hostile.root, env)
    assert listed.returncode == 0 and listed.stdout.count("trainer") >= 20
