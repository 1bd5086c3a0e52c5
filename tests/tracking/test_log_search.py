"""exp.log_search: each trial of a real sklearn search or Optuna study is a nested MLflow run."""

from __future__ import annotations

from typing import Any

import pytest

import inc
from inc.errors import UserError
from inc.evidence import read_run_record


def _children(uri: str, parent: Any) -> list[Any]:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    return list(
        client.search_runs(
            [parent.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{parent.run_id}'"
        )
    )


def test_a_grid_search_logs_one_nested_run_per_candidate(tracked: Any, small_data: tuple[Any, Any]) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    X, y = small_data
    search = GridSearchCV(
        LogisticRegression(max_iter=200), {"C": [0.1, 1.0, 10.0]}, cv=3, scoring="roc_auc"
    ).fit(X, y)
    with inc.track_experiment("tuned", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        info = exp.log_search(search)
    assert info.kind == "GridSearchCV" and info.trials == 3 and info.scoring == "roc_auc"
    children = _children(tracked.uri, exp)
    assert sorted(float(c.data.params["C"]) for c in children) == [0.1, 1.0, 10.0]
    scores = {c.data.params["C"]: c.data.metrics["score"] for c in children}
    assert scores[str(search.best_params_["C"])] == pytest.approx(search.best_score_)
    assert all(c.info.status == "FINISHED" and "inc.increment" not in c.data.tags for c in children)

    record = read_run_record(exp.record_path)  # type: ignore[arg-type]
    assert record.search is not None and record.search.best_params == {"C": str(search.best_params_["C"])}
    assert record.params["best.C"] == str(search.best_params_["C"])
    assert record.metrics["search_best_score"] == pytest.approx(search.best_score_)
    assert len(list(tracked.inc.runs_dir.glob("*.json"))) == 1, "trials are not ledger records"


def test_a_randomized_search_is_logged_too(tracked: Any, small_data: tuple[Any, Any]) -> None:
    from sklearn.model_selection import RandomizedSearchCV
    from sklearn.tree import DecisionTreeClassifier

    X, y = small_data
    search = RandomizedSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": [1, 2, 3, 4], "min_samples_leaf": [1, 5]},
        n_iter=4,
        cv=3,
        random_state=0,
    ).fit(X, y)
    with inc.track_experiment("tuned", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        assert exp.log_search(search).trials == 4
    assert len(_children(tracked.uri, exp)) == 4


def test_an_optuna_study_is_logged_with_its_best_trial(tracked: Any) -> None:
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(lambda t: (t.suggest_float("x", -3, 3) - 1) ** 2, n_trials=6)
    with inc.track_experiment("optuna", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        info = exp.log_search(study)
    assert info.kind == "optuna" and info.trials == 6 and info.scoring == "minimize"
    assert info.best_score == pytest.approx(study.best_value)
    assert float(info.best_params["x"]) == pytest.approx(study.best_params["x"])
    assert len(_children(tracked.uri, exp)) == 6


def test_bad_searches_are_user_errors_naming_the_cause(tracked: Any, capsys: Any) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    with inc.track_experiment("bad", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        with pytest.raises(UserError, match="never fitted.*search.fit"):
            exp.log_search(GridSearchCV(LogisticRegression(), {"C": [1.0]}))
        with pytest.raises(UserError, match="is not a GridSearchCV"):
            exp.log_search({"C": 1})
        optuna = pytest.importorskip("optuna")
        with pytest.raises(UserError, match="no completed trial"):
            exp.log_search(optuna.create_study())
    assert read_run_record(exp.record_path).search is None  # type: ignore[arg-type]
    assert UserError("x").exit_code == 2
