"""``inc.tracking.verify`` on real runs: ``inc.track_experiment`` and plain MLflow on a fresh SQLite
store per test (so no other test's runs tagged ``inc.increment=0001`` are on it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import inc
from inc.evidence import read_run_record, write_run_record
from inc.tracking.verify import verify_increment, verify_runs

pytestmark = pytest.mark.ml


@pytest.fixture
def fresh(tracked_at: Callable[[str], Any], tmp_path: Path) -> Any:
    """A tracked workspace on its own SQLite store."""
    return tracked_at(f"sqlite:///{(tmp_path / 'store' / 'mlflow.db').as_posix()}")


@pytest.fixture(autouse=True)
def _store_folder(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()


def _model(small_data: tuple[Any, Any]) -> Any:
    from sklearn.linear_model import LogisticRegression

    X, y = small_data
    return LogisticRegression(max_iter=200).fit(X, y)


def _run(
    t: Any,
    name: str,
    role: str,
    auc: float,
    model: Any = None,
    data: Any = None,
    serialization: str | None = None,
    relog: float | None = None,
) -> str:
    with inc.track_experiment(name, increment=t.inc.id, role=role, workspace=t.ws) as exp:
        exp.log_params({"model": name})
        exp.log_metrics({"roc_auc": auc})
        if relog is not None:  # the same key logged again later in the run
            exp.flush()
            exp.log_metrics({"roc_auc": relog})
        exp.log_cv([auc - 0.01, auc, auc + 0.01], metric="roc_auc")
        if data is not None:
            exp.log_dataset(data, name="train")
        if model is not None:
            exp.save_model(model, input_example=data[:5], serialization=serialization)
        exp.log_note(f"{name}: {role}")
    return exp.run_id


def _reseal(t: Any, run_id: str, **changes: Any) -> None:
    path = t.inc.runs_dir / f"{run_id}.json"
    write_run_record(path.parent, read_run_record(path).model_copy(update=changes))


def _lines(t: Any) -> list[str]:
    return verify_runs(t.ws, t.reload())


def test_honest_runs_and_their_reports_match_the_server(fresh: Any, small_data: tuple[Any, Any]) -> None:
    from inc import evaluate
    from inc.ops.loadtest import LoadTestOptions, run_loadtest

    X, y = small_data
    _run(fresh, "base", "baseline", 0.6, data=X)
    cand = _run(fresh, "cand", "candidate", 0.8, model=_model(small_data), data=X)
    evaluate(_model(small_data), X, y, increment=fresh.inc.id, run_id=cand, workspace=fresh.ws, replicates=20)
    data = fresh.ws.root / "rows.csv"
    X.to_csv(data, index=False)
    run_loadtest(fresh.ws, fresh.reload(), cand, data, LoadTestOptions(requests=20, warmup=2))
    record = read_run_record(fresh.inc.runs_dir / f"{cand}.json")
    assert {r.kind for r in record.reports} == {"evaluation", "loadtest"}
    assert _lines(fresh) == []


def test_each_field_a_forger_edits_is_one_line_naming_file_field_and_values(
    fresh: Any, small_data: tuple[Any, Any]
) -> None:
    X, _ = small_data
    base = _run(fresh, "base", "baseline", 0.6, data=X)
    cand = _run(fresh, "cand", "candidate", 0.8, model=_model(small_data), data=X)
    record = read_run_record(fresh.inc.runs_dir / f"{cand}.json")
    assert record.cv is not None and record.model is not None
    _reseal(
        fresh,
        cand,
        params={"model": "xgboost"},
        cv=record.cv.model_copy(update={"folds": [0.9, 0.9, 0.9]}),
        model=record.model.model_copy(update={"sha256": "a" * 64}),
    )
    _reseal(fresh, base, role="candidate", status="FAILED")
    lines = _lines(fresh)
    where = f"increments/{fresh.inc.name}/runs/{cand}.json"
    assert f'{where}: param model: ledger "xgboost", server "cand"' in lines
    assert f"{where}: cv fold 1 (roc_auc): ledger 0.9, server 0.79" in lines
    assert any(line.startswith(f'{where}: model.sha256: ledger "{"a" * 64}"') for line in lines)
    assert (
        f'increments/{fresh.inc.name}/runs/{base}.json: role: ledger "candidate", server "baseline"' in lines
    )
    assert (
        f'increments/{fresh.inc.name}/runs/{base}.json: status: ledger "FAILED", server "FINISHED"' in lines
    )


def test_a_metric_logged_twice_fails_even_when_the_last_value_agrees(fresh: Any) -> None:
    run = _run(fresh, "cand", "candidate", 0.8, relog=0.8)
    (line,) = _lines(fresh)
    assert f"{run}.json: metric roc_auc history: ledger 0.8, server 2 values (0.8, 0.8)" in line
    assert "logged more than once" in line


def test_a_metric_relogged_after_the_run_ended_is_named_so(fresh: Any) -> None:
    from mlflow.tracking import MlflowClient

    run = _run(fresh, "cand", "candidate", 0.8)
    time.sleep(0.01)
    MlflowClient(fresh.uri).log_metric(run, "cv_roc_auc_mean", 0.8)
    lines = _lines(fresh)
    assert any(
        "metric cv_roc_auc_mean history" in line and "re-logged after the run ended" in line for line in lines
    )


def test_a_run_of_another_project_with_the_same_increment_number(fresh: Any) -> None:
    from mlflow.tracking import MlflowClient

    run = _run(fresh, "cand", "candidate", 0.8)
    MlflowClient(fresh.uri).set_tag(run, "inc.slug", "churn-model")  # as the other project's run is tagged
    (line,) = _lines(fresh)
    assert f'tag inc.slug: ledger "{fresh.inc.meta.slug}", server "churn-model"' in line
    assert "another project's increment of the same number" in line


def test_a_pickled_model_recorded_as_skops_is_caught_from_the_mlmodel_file(
    fresh: Any, small_data: tuple[Any, Any]
) -> None:
    from mlflow.tracking import MlflowClient

    X, _ = small_data
    run = _run(fresh, "cand", "candidate", 0.8, model=_model(small_data), data=X, serialization="cloudpickle")
    record = read_run_record(fresh.inc.runs_dir / f"{run}.json")
    assert record.model is not None and record.model.serialization == "cloudpickle"
    model = record.model.model_copy(update={"serialization": "skops"})
    _reseal(fresh, run, model=model)
    MlflowClient(fresh.uri).set_tag(run, "inc.model", model.model_dump_json())  # the tag forged too
    (line,) = _lines(fresh)
    assert 'model.serialization: ledger "skops", server "cloudpickle": as the MLmodel file says' in line


def test_a_report_not_logged_names_the_command_that_logs_it(fresh: Any, small_data: tuple[Any, Any]) -> None:
    from inc import evaluate

    X, y = small_data
    run = _run(fresh, "cand", "candidate", 0.8, model=_model(small_data), data=X)
    evaluate(
        _model(small_data),
        X,
        y,
        increment=fresh.inc.id,
        run_id=run,
        workspace=fresh.ws,
        replicates=20,
        log_artifacts=False,
    )
    (line,) = _lines(fresh)
    assert f"report reports/eval-{run}/summary.json" in line and "server not logged" in line
    assert f"'inc evaluate {fresh.inc.id} --run {run} --data FILE --target COL'" in line


def test_a_record_for_a_run_the_server_does_not_have(fresh: Any) -> None:
    run = _run(fresh, "cand", "candidate", 0.8)
    path = fresh.inc.runs_dir / f"{run}.json"
    ghost = "f" * 32
    write_run_record(path.parent, read_run_record(path).model_copy(update={"run_id": ghost}))
    (difference,) = [d for d in verify_increment(fresh.ws, fresh.reload()) if ghost in d.where]
    assert difference.field == "run" and "does not exist on the tracking server" in str(difference)


def test_a_plain_mlflow_run_linked_with_inc_link_verifies(fresh: Any, small_data: tuple[Any, Any]) -> None:
    import mlflow

    from inc.tracking.ledger import link

    mlflow.set_tracking_uri(fresh.uri)
    mlflow.set_registry_uri(fresh.uri)  # an earlier test in this process may have set another one
    mlflow.set_experiment("plain-team-experiment")
    with mlflow.start_run() as run:
        mlflow.log_param("C", "1.0")
        mlflow.log_metric("roc_auc", 0.8)
        for step, value in enumerate([0.78, 0.8, 0.82]):
            mlflow.log_metric("cv_roc_auc", value, step=step)
        mlflow.sklearn.log_model(_model(small_data), name="model", registered_model_name=fresh.inc.name)
    link(fresh.ws, fresh.inc.id, run.info.run_id)
    record = read_run_record(fresh.inc.runs_dir / f"{run.info.run_id}.json")
    assert record.model is not None and record.model.version == "1" and record.cv is not None
    assert _lines(fresh) == []
