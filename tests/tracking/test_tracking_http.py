"""Over HTTP to a real `mlflow server` on 127.0.0.1; dead servers; passwords in tracking URIs."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

import pytest

import inc
from inc.cli import main
from inc.errors import TrackingError
from inc.evidence import read_run_record
from inc.workspace import Workspace

pytestmark = pytest.mark.server
SECRET = "s3cr3t-Pa55"


def _with_password(url: str) -> str:
    return url.replace("http://", f"http://alice:{SECRET}@")


def _dead_url() -> str:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://alice:{SECRET}@127.0.0.1:{port}"


def test_tracking_over_http_with_a_password_in_the_uri_never_writes_it(
    workspace: Workspace,
    mlflow_server: str,
    tracked_at: Any,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    small_data: tuple[Any, Any],
) -> None:
    from sklearn.tree import DecisionTreeClassifier

    X, y = small_data
    tracked = tracked_at(_with_password(mlflow_server))
    caplog.set_level(logging.DEBUG)
    with inc.track_experiment("tree", increment=tracked.inc.id, workspace=workspace) as exp:
        exp.log_params({"max_depth": 2})
        exp.log_metrics({"roc_auc": 0.8})
        exp.log_cv([0.8, 0.79, 0.81], metric="roc_auc")
        exp.save_model(DecisionTreeClassifier(max_depth=2).fit(X, y), input_example=X[:2])
    path = tracked.inc.runs_dir / f"{exp.run_id}.json"
    record = read_run_record(path)
    assert record.tracking_uri == mlflow_server.replace("http://", "http://alice@")
    assert record.model is not None and record.model.version is not None

    # the run is on the server: link and verify over HTTP too
    assert main(["-C", str(workspace.root), "link", tracked.inc.id, exp.run_id]) == 0
    from inc.tracking.runs_table import choose
    from inc.tracking.verify import verify_runs

    choose(workspace, tracked.inc.id, exp.run_id)
    assert verify_runs(workspace, workspace.find(tracked.inc.id)) == []

    out, err = capfd.readouterr()
    assert SECRET not in path.read_text()
    assert SECRET not in caplog.text and SECRET not in out and SECRET not in err
    assert SECRET not in tracked.inc.meta_path.read_text()


def test_an_unreachable_server_fails_fast_and_clearly_with_nothing_written(
    workspace: Workspace,
    tracked_at: Any,
    capfd: pytest.CaptureFixture[str],
) -> None:
    tracked = tracked_at(_dead_url())
    started = time.monotonic()
    with (
        pytest.raises(TrackingError) as caught,
        inc.track_experiment("x", increment=tracked.inc.id, workspace=workspace),
    ):
        pytest.fail("the block must not run without a tracking server")
    assert time.monotonic() - started < 30
    message = str(caught.value)
    assert "unreachable" in message and "127.0.0.1" in message and SECRET not in message
    assert not tracked.inc.runs_dir.exists()

    for args in (["link", tracked.inc.id, "abc123"], ["sync", tracked.inc.id]):
        started = time.monotonic()
        assert main(["-C", str(workspace.root), *args]) == 2
        assert time.monotonic() - started < 30
    out, err = capfd.readouterr()
    assert "unreachable" in err and SECRET not in out + err
    assert not tracked.inc.runs_dir.exists()
