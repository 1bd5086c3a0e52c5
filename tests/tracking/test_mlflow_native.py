"""What the MLflow client sees after inc tracked a run: dataset inputs, pinned requirements,
the model digest, no registered baseline, reports as artifacts (real SQLite store)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import inc
from inc.evidence import read_run_record, sha256_file
from inc.tracking import adapter


def _client(uri: str) -> Any:
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _forest(X: Any, y: Any) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, y)


def test_datasets_are_mlflow_inputs_with_digest_schema_and_context(
    tracked: Any, small_data: tuple[Any, Any]
) -> None:
    X, _ = small_data
    with inc.track_experiment("rf", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        train = exp.log_dataset(X[:60], name="train")
        test = exp.log_dataset(X[60:], name="holdout")
        exp.log_dataset(X[60:].to_numpy(), name="holdout-array", context="evaluation")

    run = _client(tracked.uri).get_run(exp.run_id)
    inputs = {d.dataset.name: d for d in run.inputs.dataset_inputs}
    assert set(inputs) == {"train", "holdout", "holdout-array"}
    contexts = {name: {t.key: t.value for t in d.tags}["mlflow.data.context"] for name, d in inputs.items()}
    assert contexts == {"train": "training", "holdout": "evaluation", "holdout-array": "evaluation"}
    assert inputs["train"].dataset.digest == train.sha256[:32]
    assert inputs["holdout"].dataset.digest == test.sha256[:32]
    assert '"name": "amount"' in inputs["train"].dataset.schema
    record = read_run_record(exp.record_path)  # type: ignore[arg-type]
    assert [(d.name, d.context) for d in record.datasets] == [
        ("train", "training"),
        ("holdout", "evaluation"),
        ("holdout-array", "evaluation"),
    ]


def test_requirements_are_pinned_from_the_environment_without_inference(
    tracked: Any, small_data: tuple[Any, Any]
) -> None:
    from importlib import metadata

    import mlflow

    X, y = small_data
    with inc.track_experiment("rf", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        info = exp.save_model(_forest(X, y), input_example=X[:3])
    folder = Path(mlflow.artifacts.download_artifacts(info.uri))
    lines = (folder / "requirements.txt").read_text().split()
    assert f"scikit-learn=={metadata.version('scikit-learn')}" in lines
    assert f"skops=={metadata.version('skops')}" in lines
    assert f"numpy=={metadata.version('numpy')}" in lines
    assert any(line.startswith("mlflow") for line in lines)

    with inc.track_experiment("rf-own", increment=tracked.inc.id, workspace=tracked.ws) as own:
        mine = own.save_model(_forest(X, y), input_example=X[:3], pip_requirements=["scikit-learn", "skops"])
    lines = (Path(mlflow.artifacts.download_artifacts(mine.uri)) / "requirements.txt").read_text().split()
    assert "scikit-learn" in lines and not any(line.startswith("numpy") for line in lines)


def test_the_ledger_holds_the_digest_of_the_logged_model_files(
    tracked: Any, small_data: tuple[Any, Any]
) -> None:
    import mlflow

    X, y = small_data
    with inc.track_experiment("rf", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        info = exp.save_model(_forest(X, y), input_example=X[:3])
    folder = Path(mlflow.artifacts.download_artifacts(info.uri))
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "registered_model_meta"):
        digest.update(f"{path.relative_to(folder).as_posix()}\0{sha256_file(path)}\n".encode())
    record = read_run_record(exp.record_path)  # type: ignore[arg-type]
    assert record.model is not None and record.model.sha256 == digest.hexdigest()
    assert info.sha256 == record.model.sha256
    assert adapter.model_digest(tracked.uri, info.uri) == record.model.sha256  # stable when re-read
    (folder / "model.skops").write_bytes(b"swapped")
    assert adapter.model_digest(tracked.uri, info.uri) != record.model.sha256


def test_baselines_are_never_registered_candidates_are(tracked: Any, small_data: tuple[Any, Any]) -> None:
    from sklearn.dummy import DummyClassifier

    X, y = small_data
    with inc.track_experiment(
        "majority", increment=tracked.inc.id, role="baseline", workspace=tracked.ws
    ) as base:
        baseline = base.save_model(DummyClassifier().fit(X, y), input_example=X[:3])
    with inc.track_experiment("rf", increment=tracked.inc.id, workspace=tracked.ws) as cand:
        candidate = cand.save_model(_forest(X, y), input_example=X[:3])

    assert baseline.registered_name is None and baseline.version is None
    assert baseline.uri.startswith("models:/")  # logged to its run, loadable, just not registered
    client = _client(tracked.uri)
    versions = client.search_model_versions(f"name = '{tracked.inc.name}'")
    assert [(v.run_id, str(v.version)) for v in versions] == [(cand.run_id, candidate.version)]
    assert candidate.version == "1"
    assert dict(versions[0].tags)["inc.increment"] == tracked.inc.id


def test_reports_are_logged_as_artifacts_of_their_run(
    tracked: Any, small_data: tuple[Any, Any], tmp_path: Path
) -> None:
    from inc.ops.loadtest import LoadTestOptions, run_loadtest

    X, y = small_data
    with inc.track_experiment("rf", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        exp.save_model(_forest(X, y), input_example=X[:3])
    data = tmp_path / "holdout.csv"
    X.to_csv(data, index=False)
    result = run_loadtest(
        tracked.ws, tracked.reload(), exp.run_id[:8], data, LoadTestOptions(duration_s=0.2, warmup=2)
    )
    assert result.notes == []
    assert result.report.run_id == exp.run_id  # the short id was resolved
    listed = adapter.run_artifacts(tracked.uri, exp.run_id)
    assert any(name.startswith(f"loadtest-{exp.run_id}") and name.endswith(".json") for name in listed), (
        listed
    )

    folder = tracked.inc.reports_dir / "custom"
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text('{"ok": true}')
    assert adapter.log_report(tracked.ws, exp.run_id, folder) is None
    assert "custom/summary.json" in adapter.run_artifacts(tracked.uri, exp.run_id)


def test_a_report_for_a_store_that_does_not_exist_is_kept_with_a_note(
    tracked: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'none' / 'mlflow.db'}")
    report = tmp_path / "r.json"
    report.write_text("{}")
    note = adapter.log_report(tracked.ws, "0" * 32, report)
    assert note is not None and "no tracking store" in note
    assert not (tmp_path / "none").exists()


def test_skops_types_probed_on_one_ensemble_member_cover_the_whole_model() -> None:
    import skops.io
    from sklearn.datasets import make_classification
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        IsolationForest,
        RandomForestClassifier,
        StackingClassifier,
        VotingClassifier,
    )
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.tree import DecisionTreeClassifier

    from inc.tracking.adapter.kinds import skops_trusted_types

    X, y = make_classification(200, 5, random_state=0)
    models = [
        RandomForestClassifier(4, random_state=0).fit(X, y),
        GradientBoostingClassifier(n_estimators=4).fit(X, y),
        VotingClassifier(
            [
                ("lr", LogisticRegression()),
                ("tree", DecisionTreeClassifier()),
                ("knn", KNeighborsClassifier()),
            ],
            voting="soft",
        ).fit(X, y),
        StackingClassifier([("rf", RandomForestClassifier(3)), ("knn", KNeighborsClassifier())]).fit(X, y),
        IsolationForest(n_estimators=4, random_state=0).fit(X),
    ]
    for model in models:
        data = skops.io.dumps(model)
        trusted = skops_trusted_types(model)
        assert set(skops.io.get_untrusted_types(data=data)) <= set(trusted), type(model).__name__
        skops.io.loads(data, trusted=trusted)  # loads back with exactly that list
