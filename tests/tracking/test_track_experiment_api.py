"""track_experiment on a real SQLite MLflow store: the run, the registry and the ledger record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import inc
from inc.errors import NotFoundError, UserError
from inc.evidence import read_run_record
from inc.tracking import adapter


def _client(uri: str) -> Any:
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def test_a_tracked_run_is_logged_registered_and_sealed_in_the_ledger(
    tracked: Any, small_data: tuple[Any, Any]
) -> None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = small_data
    model = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=4, random_state=0))
    model.fit(X, y)
    with inc.track_experiment(
        "rf-v1", increment=tracked.inc.id, role="candidate", workspace=tracked.ws
    ) as exp:
        exp.log_params({"n_estimators": 4, "max_depth": None})
        exp.log_metrics({"roc_auc": 0.91})
        exp.log_cv([0.9, 0.92, 0.88, 0.91, 0.89], metric="roc_auc")
        exp.log_dataset(X, name="train")
        info = exp.save_model(model, input_example=X[:5])
        exp.log_note("a forest beats the linear baseline on interactions")

    path = tracked.inc.runs_dir / f"{exp.run_id}.json"
    record = read_run_record(path)  # the sha256 seal verifies
    assert record.increment == tracked.inc.id
    assert record.role == "candidate" and record.status == "FINISHED"
    assert record.params == {"n_estimators": "4", "max_depth": "null"}
    assert record.metrics["roc_auc"] == 0.91
    assert record.cv is not None and record.cv.folds == [0.9, 0.92, 0.88, 0.91, 0.89]
    assert record.note.startswith("a forest")
    assert record.git_commit and len(record.git_commit) == 40
    assert record.datasets[0].shape == [80, 3]
    assert [c.name for c in record.datasets[0].columns] == ["amount", "age", "hour"]
    assert record.model is not None
    assert record.model.registered_name == tracked.inc.name
    assert record.model.flavor == "sklearn" and record.model.serialization == "skops"
    assert record.model.inputs == ["amount", "age", "hour"]
    assert record.model.version == info.version

    client = _client(tracked.uri)
    run = client.get_run(exp.run_id)
    assert run.data.tags["inc.increment"] == tracked.inc.id
    assert run.data.tags["inc.slug"] == tracked.inc.meta.slug
    assert run.data.tags["inc.role"] == "candidate"
    assert client.get_experiment(run.info.experiment_id).name == f"inc/{tracked.inc.name}"
    version = client.get_model_version(tracked.inc.name, info.version)
    assert version.tags["inc.increment"] == tracked.inc.id

    loaded = adapter.load_native_model(info.uri, tracked.uri)
    assert type(loaded).__name__ == "Pipeline"
    assert (loaded.predict(X) == model.predict(X)).all()
    store_dir = Path(tracked.uri[len("sqlite:///") :]).parent
    assert list((store_dir / "mlartifacts").rglob("MLmodel")), "artifacts live beside the store"


def test_an_exception_in_the_block_fails_the_run_records_it_and_propagates(tracked: Any) -> None:
    with (
        pytest.raises(ZeroDivisionError),
        inc.track_experiment(
            "broken", increment=tracked.inc.name, role="baseline", workspace=tracked.ws
        ) as exp,
    ):
        exp.log_params({"alpha": 0.1})
        _ = 1 / 0
    record = read_run_record(tracked.inc.runs_dir / f"{exp.run_id}.json")
    assert record.status == "FAILED" and record.role == "baseline"
    assert record.params == {"alpha": "0.1"}
    assert _client(tracked.uri).get_run(exp.run_id).info.status == "FAILED"


def test_unknown_increment_is_refused_before_any_run_starts(tracked: Any) -> None:
    before = len(_client(tracked.uri).search_experiments())
    with (
        pytest.raises(NotFoundError, match="no increment '0042'"),
        inc.track_experiment("x", increment="0042", workspace=tracked.ws),
    ):
        pass
    assert len(_client(tracked.uri).search_experiments()) == before
    assert not tracked.inc.runs_dir.exists()


def test_bad_role_and_bad_metric_values_are_user_errors(tracked: Any) -> None:
    with (
        pytest.raises(UserError, match="role 'champion'"),
        inc.track_experiment("x", increment=tracked.inc.id, role="champion", workspace=tracked.ws),
    ):
        pass
    with (
        pytest.raises(UserError, match="not a number"),
        inc.track_experiment("x", increment=tracked.inc.id, workspace=tracked.ws) as exp,
    ):
        exp.log_metrics({"roc_auc": "high"})
    assert read_run_record(tracked.inc.runs_dir / f"{exp.run_id}.json").status == "FAILED"


@pytest.mark.parametrize("kind", ["xgboost", "lightgbm"])
def test_boosting_libraries_are_saved_with_their_flavor(
    kind: str, tracked: Any, small_data: tuple[Any, Any]
) -> None:
    X, y = small_data
    if kind == "xgboost":
        xgboost = pytest.importorskip("xgboost")
        model = xgboost.XGBClassifier(n_estimators=3, max_depth=2).fit(X, y)
    else:
        lightgbm = pytest.importorskip("lightgbm")
        model = lightgbm.LGBMClassifier(n_estimators=3, num_leaves=4, verbose=-1).fit(X, y)
    with inc.track_experiment(kind, increment=tracked.inc.id, workspace=tracked.ws) as exp:
        info = exp.save_model(model, input_example=X[:3])
    record = json.loads((tracked.inc.runs_dir / f"{exp.run_id}.json").read_text())
    assert record["model"]["flavor"] == kind
    assert record["model"]["serialization"] == ("ubj" if kind == "xgboost" else "skops")
    loaded = adapter.load_native_model(info.uri, tracked.uri)
    assert (loaded.predict(X) == model.predict(X)).all()


def test_a_non_model_is_refused_with_a_hint(tracked: Any) -> None:
    with (
        pytest.raises(UserError, match="not a scikit-learn"),
        inc.track_experiment("x", increment=tracked.inc.id, workspace=tracked.ws) as exp,
    ):
        exp.save_model(object())


def test_log_artifacts_attaches_report_files_to_a_run(tracked: Any, tmp_path: Path) -> None:
    with inc.track_experiment("with-report", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        exp.log_metrics({"roc_auc": 0.7})
    report = tmp_path / "report"
    report.mkdir()
    (report / "summary.json").write_text('{"ok": true}')
    adapter.log_artifacts(tracked.uri, exp.run_id, report, "explain")
    listed = [item.path for item in _client(tracked.uri).list_artifacts(exp.run_id, "explain")]
    assert listed == ["explain/summary.json"]
