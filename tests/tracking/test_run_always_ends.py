"""track_experiment ends its MLflow run on every exit path, so no run is left active.

A run left active in a process swallows the next ``mlflow.start_run`` ("Run with UUID ... is
already active"). The autouse fixture in tests/conftest.py also fails any test that leaks one.
"""

from __future__ import annotations

from typing import Any

import pytest

import inc
from inc.errors import TrackingError
from inc.evidence import read_run_record


def _status(uri: str, run_id: str) -> str:
    from mlflow.tracking import MlflowClient

    return str(MlflowClient(tracking_uri=uri).get_run(run_id).info.status)


def _unserializable(small_data: tuple[Any, Any]) -> Any:
    """A fitted model skops refuses to save (it holds a lambda), so MLflow's log_model fails."""
    from sklearn.linear_model import LogisticRegression

    X, y = small_data
    model = LogisticRegression().fit(X, y)
    model.postprocess = lambda p: p
    return model


@pytest.mark.parametrize(("error", "status"), [(ZeroDivisionError, "FAILED"), (KeyboardInterrupt, "KILLED")])
def test_an_exception_or_ctrl_c_in_the_block_ends_the_run(
    tracked: Any, error: type[BaseException], status: str
) -> None:
    import mlflow

    with (
        pytest.raises(error),
        inc.track_experiment("stopped", increment=tracked.inc.id, workspace=tracked.ws) as exp,
    ):
        exp.log_params({"alpha": 0.1})
        raise error()
    assert mlflow.active_run() is None
    assert _status(tracked.uri, exp.run_id) == status
    assert read_run_record(tracked.inc.runs_dir / f"{exp.run_id}.json").status == status


def test_a_failed_save_model_ends_the_run_failed(tracked: Any, small_data: tuple[Any, Any]) -> None:
    import mlflow

    X, _ = small_data
    with (
        pytest.raises(TrackingError, match="skops"),
        inc.track_experiment("unsaveable", increment=tracked.inc.id, workspace=tracked.ws) as exp,
    ):
        exp.log_metrics({"roc_auc": 0.7})
        exp.save_model(_unserializable(small_data), input_example=X[:3])
    assert mlflow.active_run() is None
    assert _status(tracked.uri, exp.run_id) == "FAILED"
    record = read_run_record(tracked.inc.runs_dir / f"{exp.run_id}.json")
    assert record.status == "FAILED" and record.model is None and record.metrics == {"roc_auc": 0.7}


def test_a_failed_save_model_caught_in_the_block_still_finishes_the_run(
    tracked: Any, small_data: tuple[Any, Any]
) -> None:
    import mlflow

    X, _ = small_data
    with inc.track_experiment("retried", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        with pytest.raises(TrackingError):
            exp.save_model(_unserializable(small_data), input_example=X[:3])
        exp.log_note("saved without the post-processing hook next time")
    assert mlflow.active_run() is None
    assert read_run_record(tracked.inc.runs_dir / f"{exp.run_id}.json").status == "FINISHED"
    with mlflow.start_run(run_name="plain") as plain:  # the process can start runs again
        pass
    assert _status(tracked.uri, plain.info.run_id) == "FINISHED"


def test_inside_a_users_own_run_only_the_inner_run_ends(tracked: Any) -> None:
    import mlflow

    mlflow.set_tracking_uri(tracked.uri)
    with mlflow.start_run(run_name="outer") as outer:
        with (
            pytest.raises(ValueError, match="bad fold"),
            inc.track_experiment("inner", increment=tracked.inc.id, workspace=tracked.ws) as exp,
        ):
            raise ValueError("bad fold")
        assert mlflow.active_run() is not None and mlflow.active_run().info.run_id == outer.info.run_id
    assert mlflow.active_run() is None
    assert _status(tracked.uri, exp.run_id) == "FAILED"
    assert _status(tracked.uri, outer.info.run_id) == "FINISHED"
