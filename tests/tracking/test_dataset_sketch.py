"""exp.log_dataset records a row sketch in the ledger, through inc.track_experiment on a real
SQLite MLflow store; the gate's leakage check reads it from the sealed record."""

from __future__ import annotations

import json
from typing import Any

import inc
from inc.evidence import read_run_record
from inc.gate.checks.leakage import estimate_overlap
from inc.tracking import adapter


def _frame(rows: int, seed: int) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame({"amount": rng.lognormal(3, 1, rows), "hour": rng.integers(0, 24, rows)})


def test_train_and_test_are_sketched_and_sealed(tracked: Any) -> None:
    import pandas as pd

    train = _frame(4000, 11)
    test = pd.concat([_frame(950, 12), train.iloc[:50]], ignore_index=True)  # 5% of test is train
    with inc.track_experiment("lr", increment=tracked.inc.id, role="candidate", workspace=tracked.ws) as exp:
        exp.log_metrics({"roc_auc": 0.8})
        exp.log_dataset(train, "X_train")
        exp.log_dataset(test, "X_test")
        exp.log_dataset(test.to_numpy(), "holdout", context="evaluation")

    record = read_run_record(tracked.inc.runs_dir / f"{exp.run_id}.json")
    by_name = {d.name: d for d in record.datasets}
    assert [by_name[n].context for n in ("X_train", "X_test", "holdout")] == [
        "training",
        "evaluation",
        "evaluation",
    ]
    train_sketch, test_sketch = by_name["X_train"].sketch, by_name["X_test"].sketch
    assert train_sketch is not None and test_sketch is not None
    assert (train_sketch.rows, train_sketch.distinct_rows, train_sketch.repeated_rows) == (4000, 4000, 0)
    assert (test_sketch.rows, test_sketch.distinct_rows, test_sketch.k) == (1000, 1000, 256)
    assert len(test_sketch.values()) == 256
    # train is 4x test: its sample was widened so every sampled test row can be looked up
    assert 256 < len(train_sketch.values()) <= 1024
    found = estimate_overlap(train_sketch, test_sketch)
    assert found is not None and found.compared == 256
    assert abs(found.share - 0.05) <= found.error(0.05)

    # MLflow keeps the fingerprints (name, digest, shape) as a tag, without the sketches
    run = adapter.get_run(tracked.uri, exp.run_id)
    tagged = json.loads(run.tags["inc.datasets"])
    assert {d["name"] for d in tagged} == {"X_train", "X_test", "holdout"}
    assert all("sketch" not in d for d in tagged)
    # the record stays small: one line of hex per sketch
    text = (tracked.inc.runs_dir / f"{exp.run_id}.json").read_text()
    assert len(text) < 40_000 and text.count("\n") < 200


def test_names_decide_the_context_when_none_is_given(tracked: Any) -> None:
    frame = _frame(50, 3)
    with inc.track_experiment("ctx", increment=tracked.inc.id, role="baseline", workspace=tracked.ws) as exp:
        for name in ("train", "Training_set", "x_train", "pretrained_embeddings", "valid", "test"):
            exp.log_dataset(frame, name)
    record = read_run_record(tracked.inc.runs_dir / f"{exp.run_id}.json")
    contexts = {d.name: d.context for d in record.datasets}
    assert contexts == {
        "train": "training",
        "Training_set": "training",
        "x_train": "training",
        "pretrained_embeddings": "evaluation",
        "valid": "evaluation",
        "test": "evaluation",
    }
