"""Ops fixtures: one real tracked run with a saved sklearn model per session, copied per test."""

from __future__ import annotations

import itertools
import json
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from inc.increment import Increment
from inc.workspace import Workspace
from inc_testing import git

FEATURES = ["amount", "age", "hour", "score"]
run_git = git


def make_frame(n: int, seed: int = 0, shift: float = 0.0) -> object:
    """A numeric frame with the model's four features (``amount`` moved by ``shift`` std)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "amount": rng.normal(size=n) + shift,
            "age": rng.normal(40, 10, size=n),
            "hour": rng.integers(0, 24, size=n).astype("float64"),
            "score": rng.uniform(size=n),
        }
    )


@dataclass
class TrainedRun:
    """A workspace folder holding increment 0001 with one linked, chosen run with a saved model."""

    root: Path
    run_id: str
    tracking_uri: str
    data: Path


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> TrainedRun:
    """Train a small RandomForest through ``inc.track_experiment`` on a real SQLite store."""
    pytest.importorskip("mlflow")
    pytest.importorskip("sklearn")
    from sklearn.ensemble import RandomForestClassifier

    from inc import track_experiment
    from inc.scaffold import init_workspace, new_increment
    from inc.tracking.runs_table import choose

    base = tmp_path_factory.mktemp("ops-run")
    root = base / "repo"
    root.mkdir()
    run_git(root, "init", "-q", "-b", "main")
    init_workspace(root, github=False)
    uri = f"sqlite:///{(base / 'mlflow.db').as_posix()}"
    config = root / "inc.yaml"
    config.write_text(config.read_text() + f"tracking_uri: {uri}\n")
    ws = Workspace.discover(root)
    new_increment(ws, "fraud-detection")
    X = make_frame(300)
    y = (X["amount"] + 0.05 * X["age"] > 2).astype(int)  # type: ignore[index]
    model = RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0).fit(X, y)
    with track_experiment("rf", increment="0001", workspace=ws) as exp:
        exp.log_params({"n_estimators": 8})
        exp.log_metrics({"roc_auc": 0.9})
        exp.save_model(model, input_example=X.head(5))  # type: ignore[attr-defined]
        exp.log_note("small forest for the ops tests")
    choose(ws, "0001", exp.run_id)
    data = root / "data.csv"
    make_frame(200, seed=1).to_csv(data, index=False)  # type: ignore[attr-defined]
    run_git(root, "add", ".")
    run_git(root, "commit", "-q", "-m", "trained")
    return TrainedRun(root, exp.run_id, uri, data)


@dataclass
class RunCopy:
    """A per-test copy of the trained workspace."""

    ws: Workspace
    inc: Increment
    run_id: str
    data: Path


@pytest.fixture
def run_copy(trained_run: TrainedRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunCopy:
    """A private copy of the trained workspace (same tracking store), cwd set to it."""
    root = tmp_path / "ws"
    shutil.copytree(trained_run.root, root)
    monkeypatch.chdir(root)
    ws = Workspace.discover(root)
    return RunCopy(ws, ws.find("0001"), trained_run.run_id, root / "data.csv")


@pytest.fixture(scope="session")
def native_model(trained_run: TrainedRun) -> object:
    """The trained run's model loaded back through the adapter, as the load test loads it."""
    from inc.evidence import read_run_record
    from inc.tracking import adapter as mlflow_adapter

    inc = Workspace.discover(trained_run.root).find("0001")
    record = read_run_record(inc.runs_dir / f"{trained_run.run_id}.json")
    assert record.model is not None
    return mlflow_adapter.load_native_model(record.model.uri, trained_run.tracking_uri)


# --------------------------------------------------------------------------- HTTP scorers


@pytest.fixture(scope="session")
def mlflow_scorer(trained_run: TrainedRun) -> Iterator[str]:
    """MLflow's own scoring app (``mlflow.pyfunc.scoring_server``) for the trained model, under
    uvicorn in a thread on 127.0.0.1: the server ``mlflow models serve`` runs, without the
    subprocess and environment set-up. Yields its /invocations URL."""
    import mlflow
    import uvicorn
    from mlflow.pyfunc import scoring_server

    from inc.evidence import read_run_record

    inc = Workspace.discover(trained_run.root).find("0001")
    record = read_run_record(inc.runs_dir / f"{trained_run.run_id}.json")
    assert record.model is not None
    mlflow.set_tracking_uri(trained_run.tracking_uri)
    model = mlflow.pyfunc.load_model(record.model.uri)
    server = uvicorn.Server(
        uvicorn.Config(scoring_server.init(model), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "scoring server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/invocations"
    server.should_exit = True
    thread.join(10)


class _Faulty(BaseHTTPRequestHandler):
    """Answers like a scoring server, but every ``fail_every``-th request gets a 500 and every
    ``slow_every``-th one sleeps ``sleep_s`` first."""

    fail_every = 0
    slow_every = 0
    sleep_s = 0.0
    counter = itertools.count(1)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        assert "dataframe_split" in body
        n = next(self.counter)
        if self.slow_every and n % self.slow_every == 0:
            time.sleep(self.sleep_s)
        if self.fail_every and n % self.fail_every == 0:
            self._answer(500, b'{"error_code": "INTERNAL_ERROR", "message": "boom"}')
            return
        rows = len(body["dataframe_split"]["data"])
        self._answer(200, json.dumps({"predictions": [0] * rows}).encode())

    def _answer(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def faulty_server() -> Iterator[Callable[..., str]]:
    """A factory of real HTTP servers on 127.0.0.1 that fail or stall on some requests."""
    servers: list[ThreadingHTTPServer] = []

    def start(fail_every: int = 0, slow_every: int = 0, sleep_s: float = 0.0) -> str:
        handler = type(
            "Handler",
            (_Faulty,),
            {
                "fail_every": fail_every,
                "slow_every": slow_every,
                "sleep_s": sleep_s,
                "counter": itertools.count(1),
            },
        )
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/invocations"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def unreachable_url() -> str:
    """A loopback URL nothing listens on (the port was bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    return f"http://127.0.0.1:{port}/invocations"


# --------------------------------------------------------------------------- stalling server


class _Stalling(BaseHTTPRequestHandler):
    """Keep-alive scoring server: one request at a time; every ``stall_every``-th held ``stall_s``."""

    protocol_version = "HTTP/1.1"
    stall_every = 50
    stall_s = 0.2
    lock = threading.Lock()
    counter = itertools.count(1)

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        with self.lock:
            if self.stall_every and next(self.counter) % self.stall_every == 0:
                time.sleep(self.stall_s)
        rows = len(body["dataframe_split"]["data"]) if "dataframe_split" in body else 1
        payload = json.dumps({"predictions": [0] * rows}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out and hung up is expected here


@pytest.fixture
def stalling_server() -> Iterator[Callable[..., str]]:
    """A factory of stalling servers on 127.0.0.1; yields ``start(stall_every, stall_s) -> url``."""
    servers: list[_QuietServer] = []

    def start(stall_every: int = 50, stall_s: float = 0.2) -> str:
        handler = type(
            "Handler",
            (_Stalling,),
            {
                "stall_every": stall_every,
                "stall_s": stall_s,
                "lock": threading.Lock(),
                "counter": itertools.count(1),
            },
        )
        server = _QuietServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/invocations"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
