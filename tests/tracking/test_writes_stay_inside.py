"""DESIGN 9: no path outside the workspace is ever written; symlinks that lead outside are refused.

The ledger (runs/) is written by ``inc link``/``inc sync`` and ``track_experiment``; a runs/ folder
that is a symlink to a folder outside the workspace must be refused, not written through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inc.cli import main


def _plain_run(uri: str, increment: str) -> str:
    import mlflow

    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("plain-team-experiment")
    with mlflow.start_run(tags={"inc.increment": increment, "inc.role": "baseline"}) as run:
        mlflow.log_param("C", "1.0")
        mlflow.log_metrics({"roc_auc": 0.7})
    return str(run.info.run_id)


@pytest.fixture
def outside_runs(tracked: Any, tmp_path: Path) -> Path:
    """runs/ of the tracked increment is a symlink to a folder outside the workspace."""
    outside = tmp_path / "outside-runs"
    outside.mkdir()
    tracked.inc.runs_dir.symlink_to(outside, target_is_directory=True)
    return outside


@pytest.mark.parametrize("command", ["link", "sync"])
def test_link_and_sync_refuse_a_runs_folder_leading_outside(
    tracked: Any, outside_runs: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = _plain_run(tracked.uri, tracked.inc.id)
    args = [command, tracked.inc.id] + ([run_id] if command == "link" else [])
    code = main(["-C", str(tracked.ws.root), *args])
    _, err = capsys.readouterr()
    assert list(outside_runs.iterdir()) == [], "a ledger record was written outside the workspace"
    assert code == 2 and "outside the workspace" in err, err


def test_track_experiment_refuses_a_runs_folder_leading_outside(tracked: Any, outside_runs: Path) -> None:
    import inc
    from inc.errors import IncError

    with (
        pytest.raises(IncError, match="outside the workspace"),
        inc.track_experiment("x", increment=tracked.inc.id, workspace=tracked.ws) as exp,
    ):
        exp.log_metrics({"roc_auc": 0.7})
        exp.log_note("must not reach a file outside the workspace")
    assert list(outside_runs.iterdir()) == []
