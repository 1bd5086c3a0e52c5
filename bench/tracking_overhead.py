"""Overhead of ``inc.track_experiment`` over the same logging done with raw MLflow calls.

Both sides log to the same kind of store (a fresh SQLite store in a temp folder): the same params,
final metrics, 5 CV fold scores (one batched request each), a note, and a skops-saved
RandomForest registered as a model version tagged with the increment. Runs alternate
raw/inc to share machine noise; medians are compared. Budget (DESIGN.md section 8): < 1.10x.

Three variants: the model with pinned pip requirements (low noise: what inc itself adds), the
model with MLflow's default requirement inference (a subprocess of several seconds, noisy on a
busy machine), and no model at all, where inc's fixed costs (ledger record with fsync, git commit
lookup, re-reading the run) are most visible. The budget applies to the runs with a model.

Usage: python bench/tracking_overhead.py [--reps N] [--trees N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

PARAMS = {"n_estimators": 20, "max_depth": 6, "min_samples_leaf": 2, "class_weight": "balanced"}
FOLDS = [0.91, 0.92, 0.9, 0.93, 0.91]


def _data(trees: int) -> tuple[Any, Any]:
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(500, 8)), columns=[f"f{i}" for i in range(8)])
    y = (X["f0"] + X["f1"] * X["f2"] > 0).astype(int)
    model = RandomForestClassifier(n_estimators=trees, max_depth=6, random_state=0).fit(X, y)
    return X, model


def raw_mlflow(uri: str, inc_id: str, name: str, X: Any, model: Any, with_model: bool,
               reqs: list[str] | None) -> None:
    """What a team would write by hand for the same evidence."""
    import mlflow
    import skops.io
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name(f"raw/{name}")
    if experiment is None:
        artifacts = (Path(uri[len("sqlite:///"):]).parent / "mlartifacts").as_uri()
        experiment_id = client.create_experiment(f"raw/{name}", artifact_location=artifacts)
    else:
        experiment_id = experiment.experiment_id
    tags = {"inc.increment": inc_id, "inc.slug": name, "inc.role": "candidate"}
    with mlflow.start_run(experiment_id=experiment_id, run_name="rf", tags=tags) as run:
        mlflow.log_params(PARAMS)
        mlflow.log_metrics({"roc_auc": 0.92, "f1": 0.81})
        now = int(time.time() * 1000)
        mean = statistics.fmean(FOLDS)
        client.log_batch(run.info.run_id, metrics=[
            *(Metric("cv_roc_auc", v, now, i) for i, v in enumerate(FOLDS)),
            Metric("cv_roc_auc_mean", mean, now, 0),
            Metric("cv_roc_auc_std", statistics.pstdev(FOLDS), now, 0),
        ])
        if with_model:
            trusted = skops.io.get_untrusted_types(data=skops.io.dumps(model))
            info = mlflow.sklearn.log_model(
                model, name="model", input_example=X[:5], registered_model_name=f"raw-{name}",
                serialization_format="skops", skops_trusted_types=trusted, pip_requirements=reqs,
            )
            client.set_model_version_tag(f"raw-{name}", info.registered_model_version,
                                         "inc.increment", inc_id)
        mlflow.set_tag("mlflow.note.content", "why this configuration")


def with_inc(ws: Any, inc_id: str, X: Any, model: Any, with_model: bool,
             reqs: list[str] | None) -> None:
    """The same through inc: the ledger record is written on exit."""
    import inc

    with inc.track_experiment("rf", increment=inc_id, role="candidate", workspace=ws) as exp:
        exp.log_params(PARAMS)
        exp.log_metrics({"roc_auc": 0.92, "f1": 0.81})
        exp.log_cv(FOLDS, metric="roc_auc")
        if with_model:
            exp.save_model(model, input_example=X[:5], pip_requirements=reqs)
        exp.log_note("why this configuration")


def _workspace(root: Path) -> tuple[Any, str, str]:
    from inc.scaffold import init_workspace, new_increment
    from inc.workspace import Workspace

    repo = root / "repo"
    repo.mkdir()
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@x"}
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    init_workspace(repo)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "init"], cwd=repo, check=True, env=env)
    ws = Workspace.discover(repo)
    increment = new_increment(ws, "bench-overhead").increment
    return ws, increment.id, increment.meta.slug


def _timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(reps: int, trees: int, with_model: bool, reqs: list[str] | None,
            root: Path) -> tuple[float, float]:
    """Median seconds of (raw, inc) over ``reps`` alternating repetitions after a warm-up."""
    ws, inc_id, slug = _workspace(root)
    uri = os.environ["MLFLOW_TRACKING_URI"]
    X, model = _data(trees)
    raw = lambda: raw_mlflow(uri, inc_id, slug, X, model, with_model, reqs)  # noqa: E731
    ours = lambda: with_inc(ws, inc_id, X, model, with_model, reqs)  # noqa: E731
    raw()
    ours()  # warm-up: imports, store connections, requirement-inference caches
    raw_times, inc_times = [], []
    for _ in range(reps):
        raw_times.append(_timed(raw))
        inc_times.append(_timed(ours))
    return statistics.median(raw_times), statistics.median(inc_times)


def main() -> int:
    """Run both variants and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--trees", type=int, default=20)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory(prefix="inc-bench-") as tmp:
        root = Path(tmp)
        os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{root / 'mlflow.db'}"
        os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = "true"
        pinned = ["scikit-learn", "skops"]
        variants = [
            ("model, pinned requirements", True, pinned, True),
            ("model, MLflow-inferred requirements", True, None, True),
            ("no model (fixed costs only)", False, None, False),
        ]
        ok = True
        for index, (label, with_model, reqs, budgeted) in enumerate(variants):
            sub = root / f"v{index}"
            sub.mkdir()
            raw_s, inc_s = measure(args.reps, args.trees, with_model, reqs, sub)
            ratio = inc_s / raw_s
            print(f"{label:36s} raw mlflow {raw_s * 1000:8.1f} ms  track_experiment "
                  f"{inc_s * 1000:8.1f} ms  ratio {ratio:.3f}x  (median of {args.reps})", flush=True)
            ok = ok and (ratio < 1.10 or not budgeted)
        print(f"budget track_experiment < 1.10x raw MLflow (with a model): {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
