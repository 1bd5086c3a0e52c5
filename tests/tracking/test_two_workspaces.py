"""Two workspaces in one process each track to their own store (no leaked global URI)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from inc.evidence import read_run_record
from inc.scaffold import init_workspace, new_increment
from inc.workspace import Workspace


def _workspace(base: Path, name: str) -> tuple[Workspace, str]:
    root = base / name
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    init_workspace(root, github=False)
    uri = f"sqlite:///{(base / f'{name}.db').as_posix()}"
    (root / "inc.yaml").write_text((root / "inc.yaml").read_text() + f"tracking_uri: {uri}\n")
    ws = Workspace.discover(root)
    new_increment(ws, name)
    return ws, uri


def test_second_workspace_is_not_sent_to_the_first_store(tmp_path: Path) -> None:
    from inc import track_experiment

    first, first_uri = _workspace(tmp_path, "first")
    second, second_uri = _workspace(tmp_path, "second")
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    run_ids = {}
    for ws, auc in ((first, 0.7), (second, 0.8)):
        with track_experiment("run", increment="0001", workspace=ws) as exp:
            exp.log_metrics({"roc_auc": auc})
            exp.log_note("one run per workspace")
        record = read_run_record(ws.find("1").runs_dir / f"{exp.run_id}.json")
        assert record.tracking_uri == (first_uri if ws is first else second_uri)
        run_ids[ws.root.name] = exp.run_id
    assert "MLFLOW_TRACKING_URI" not in os.environ
    # each run is in its own store, with its own metric, and not in the other store
    for name, uri, other, auc in (("first", first_uri, "second", 0.7), ("second", second_uri, "first", 0.8)):
        client = MlflowClient(tracking_uri=uri)
        assert client.get_run(run_ids[name]).data.metrics["roc_auc"] == auc
        with pytest.raises(MlflowException):
            client.get_run(run_ids[other])
