"""Tuning evidenced by a logged search; `inc done` points the registry alias at the shipped version."""

from __future__ import annotations

from pathlib import Path

import pytest

from inc.evidence import SearchInfo, read_run_record, write_run_record
from inc.gate.done import CHAMPION_ALIAS, close_increment
from inc.gate.runner import run_gate
from inc.workspace import Workspace


def _tasks_outcome(ws: Workspace) -> str:
    verdict = run_gate(Workspace.discover(ws.root), ["0001"]).increments[0]
    return next(c.status for c in verdict.checks if c.id == "tasks")


def test_an_open_tuning_task_counts_as_done_when_the_chosen_run_logged_a_search(
    workspace: Workspace, ready: Path
) -> None:
    tasks = ready / "tasks.md"
    tasks.write_text(tasks.read_text().replace("- [x] T-006", "- [ ] T-006"))
    assert _tasks_outcome(workspace) == "fail"
    path = ready / "runs" / "cand1.json"
    record = read_run_record(path)
    search = SearchInfo(kind="GridSearchCV", trials=6, best_score=0.7, best_params={"C": "1.0"})
    write_run_record(ready / "runs", record.model_copy(update={"search": search}))
    assert _tasks_outcome(workspace) == "pass"
    tasks.write_text(tasks.read_text().replace("- [x] T-007", "- [ ] T-007"))
    assert _tasks_outcome(workspace) == "fail", "only the tuning task is evidenced by a search"


def test_done_sets_the_champion_alias_and_tags_the_shipped_version(
    workspace: Workspace, ready: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("mlflow")
    pytest.importorskip("sklearn")
    import pandas as pd
    from mlflow.tracking import MlflowClient
    from sklearn.linear_model import LogisticRegression

    import inc

    uri = f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"
    (tmp_path / "store").mkdir()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    X = pd.DataFrame({"amount": [0.0, 1.0, 2.0, 3.0], "hour": [1.0, 2.0, 3.0, 4.0]})
    with inc.track_experiment("lr", increment="0001", workspace=workspace) as exp:
        exp.log_metrics({"roc_auc": 0.61})
        exp.log_note("the registered model the chosen record names")
        info = exp.save_model(LogisticRegression().fit(X, [0, 1, 0, 1]), input_example=X[:2])
    assert (info.registered_name, info.version) == ("0001-fraud-detection", "1")

    result = close_increment(Workspace.discover(workspace.root), "0001")
    assert result.closed, result.gate
    assert any(f"{CHAMPION_ALIAS!r} -> 0001-fraud-detection v1" in n for n in result.notes)
    version = MlflowClient(tracking_uri=uri).get_model_version_by_alias(
        "0001-fraud-detection", CHAMPION_ALIAS
    )
    assert version.version == "1" or version.version == 1
    assert version.tags["inc.gate"] == "passed" and version.tags["inc.increment"] == "0001"


def test_done_without_a_tracking_store_closes_and_says_the_alias_was_not_set(
    workspace: Workspace, ready: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'absent' / 'mlflow.db'}")
    result = close_increment(Workspace.discover(workspace.root), "0001")
    assert result.closed
    assert any(n.startswith("registry alias not set") for n in result.notes)
    assert not (tmp_path / "absent").exists()
