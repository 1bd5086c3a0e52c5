"""A complete tracked run through ``inc.track_experiment`` beside the same logging in raw MLflow.

The run: params, final metrics, 5 CV fold scores, two datasets (train and holdout, as MLflow
dataset inputs), a note, and a small skops-saved RandomForest registered as a model version
tagged with the increment. Three ways, on a fresh embedded SQLite store each:

- raw MLflow, requirements inferred: what ``mlflow.sklearn.log_model`` does by default (it starts
  a subprocess that loads the model to see what it imports): the path a user feels;
- raw MLflow, requirements pinned: the same call given the versions inc pins from the running
  environment, i.e. the same work as inc minus inc's own bookkeeping;
- inc: ``track_experiment`` with its defaults (requirements pinned from importlib.metadata,
  provenance captured at run start, model digest, sealed ledger record).

Runs alternate to share machine noise; medians after a warm-up are compared. Budgets (issue 16,
DESIGN.md section 0): inc at most 1.5 s warm, and at most 1.10x raw MLflow with pinned requirements.

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


def raw_mlflow(uri: str, inc_id: str, name: str, X: Any, model: Any, reqs: list[str] | None) -> None:
    """What a team would write by hand for the same evidence."""
    import mlflow
    import skops.io
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name(f"raw/{name}")
    if experiment is None:
        artifacts = (Path(uri[len("sqlite:///") :]).parent / "mlartifacts").as_uri()
        experiment_id = client.create_experiment(f"raw/{name}", artifact_location=artifacts)
    else:
        experiment_id = experiment.experiment_id
    tags = {"inc.increment": inc_id, "inc.slug": name, "inc.role": "candidate"}
    with mlflow.start_run(experiment_id=experiment_id, run_name="rf", tags=tags) as run:
        mlflow.log_params(PARAMS)
        mlflow.log_metrics({"roc_auc": 0.92, "f1": 0.81})
        now = int(time.time() * 1000)
        mean = statistics.fmean(FOLDS)
        client.log_batch(
            run.info.run_id,
            metrics=[
                *(Metric("cv_roc_auc", v, now, i) for i, v in enumerate(FOLDS)),
                Metric("cv_roc_auc_mean", mean, now, 0),
                Metric("cv_roc_auc_std", statistics.pstdev(FOLDS), now, 0),
            ],
        )
        mlflow.log_input(mlflow.data.from_pandas(X[:400], name="train"), context="training")
        mlflow.log_input(mlflow.data.from_pandas(X[400:], name="holdout"), context="evaluation")
        trusted = skops.io.get_untrusted_types(data=skops.io.dumps(model))
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            input_example=X[:5],
            registered_model_name=f"raw-{name}",
            serialization_format="skops",
            skops_trusted_types=trusted,
            pip_requirements=reqs,
        )
        client.set_model_version_tag(f"raw-{name}", info.registered_model_version, "inc.increment", inc_id)
        mlflow.set_tag("mlflow.note.content", "why this configuration")


def with_inc(ws: Any, inc_id: str, X: Any, model: Any) -> None:
    """The same through inc, with its defaults: the ledger record is written on exit."""
    import inc

    with inc.track_experiment("rf", increment=inc_id, role="candidate", workspace=ws) as exp:
        exp.log_params(PARAMS)
        exp.log_metrics({"roc_auc": 0.92, "f1": 0.81})
        exp.log_cv(FOLDS, metric="roc_auc")
        exp.log_dataset(X[:400], name="train")
        exp.log_dataset(X[400:], name="holdout")
        exp.save_model(model, input_example=X[:5])
        exp.log_note("why this configuration")


def _workspace(root: Path) -> tuple[Any, str, str]:
    from inc.scaffold import init_workspace, new_increment
    from inc.workspace import Workspace

    repo = root / "repo"
    repo.mkdir()
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
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


def measure(reps: int, trees: int, root: Path) -> dict[str, float]:
    """Median seconds of each way over ``reps`` alternating repetitions after a warm-up."""
    from inc.tracking.adapter.kinds import pinned_requirements

    ws, inc_id, slug = _workspace(root)
    uri = os.environ["MLFLOW_TRACKING_URI"]
    X, model = _data(trees)
    pinned = pinned_requirements(model, "sklearn", "skops")
    ways: dict[str, Callable[[], None]] = {
        "raw MLflow, requirements inferred": lambda: raw_mlflow(uri, inc_id, slug, X, model, None),
        "raw MLflow, requirements pinned": lambda: raw_mlflow(uri, inc_id, slug, X, model, pinned),
        "inc track_experiment": lambda: with_inc(ws, inc_id, X, model),
    }
    for way in ways.values():
        way()  # warm-up: imports, store connections, caches
    times: dict[str, list[float]] = {label: [] for label in ways}
    for _ in range(reps):
        for label, way in ways.items():
            times[label].append(_timed(way))
    return {label: statistics.median(values) for label, values in times.items()}


def main() -> int:
    """Measure the three ways and print medians, ratios and the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--trees", type=int, default=20)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory(prefix="inc-bench-") as tmp:
        root = Path(tmp)
        os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{root / 'mlflow.db'}"
        os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = "true"
        medians = measure(args.reps, args.trees, root)
    ours = medians["inc track_experiment"]
    pinned = medians["raw MLflow, requirements pinned"]
    inferred = medians["raw MLflow, requirements inferred"]
    for label, seconds in medians.items():
        print(f"{label:36s} {seconds * 1000:8.1f} ms  (median of {args.reps})")
    ratio = ours / pinned
    print(f"inc / raw pinned   {ratio:.3f}x  (budget 1.10x)")
    print(f"inc / raw inferred {ours / inferred:.3f}x  ({inferred / ours:.1f}x faster than MLflow's default)")
    ok = ratio <= 1.10 and ours <= 1.5
    print(f"budget: a tracked run <= 1.5 s warm and <= 1.10x raw pinned: {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
