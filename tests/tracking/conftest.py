"""Tracking fixtures: one real SQLite MLflow store per session, one real `mlflow server` on loopback."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from inc.increment import Increment
from inc.scaffold import new_increment
from inc.workspace import Workspace
from inc_testing import free_port, stop_group, wait_healthy

pytest.importorskip("mlflow")
pytest.importorskip("sklearn")

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite tracking store shared by the session (artifacts in its mlartifacts/)."""
    from mlflow.tracking import MlflowClient

    folder = tmp_path_factory.mktemp("mlstore")
    uri = f"sqlite:///{(folder / 'mlflow.db').as_posix()}"
    MlflowClient(tracking_uri=uri).search_experiments()  # runs the migrations once
    return uri


@dataclass
class Tracked:
    """A workspace with a fresh increment whose slug is unique in the shared store."""

    ws: Workspace
    inc: Increment
    uri: str

    def reload(self) -> Increment:
        """The increment as it is on disk now."""
        return self.ws.find(self.inc.id)


def make_tracked(workspace: Workspace, uri: str, monkeypatch: pytest.MonkeyPatch) -> Tracked:
    """Point MLFLOW_TRACKING_URI at ``uri`` and create increment 0001-fraud-<n>."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    inc = new_increment(workspace, f"fraud-{os.getpid()}-{next(_counter)}").increment
    return Tracked(workspace, inc, uri)


@pytest.fixture
def tracked_at(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Tracked]:
    """Make a tracked workspace for a given tracking URI."""
    return lambda uri: make_tracked(workspace, uri, monkeypatch)


@pytest.fixture
def tracked(workspace: Workspace, sqlite_store: str, monkeypatch: pytest.MonkeyPatch) -> Tracked:
    """A workspace tracking to the session's SQLite store."""
    return make_tracked(workspace, sqlite_store, monkeypatch)


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `mlflow server` on 127.0.0.1 (SQLite backend and served artifacts in tmp); its URL."""
    folder = tmp_path_factory.mktemp("mlserver")
    port = free_port()
    log = folder / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--backend-store-uri",
        f"sqlite:///{folder / 'server.db'}",
        "--serve-artifacts",
        "--artifacts-destination",
        (folder / "artifacts").as_uri(),
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        stop_group(proc)


@pytest.fixture
def small_data() -> tuple[object, object]:
    """A small synthetic classification frame (X, y)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "amount": rng.normal(size=80),
            "age": rng.normal(size=80),
            "hour": rng.integers(0, 24, size=80).astype("float64"),
        }
    )
    y = (X["amount"] + 0.5 * X["age"] > 0).astype(int)
    return X, y
