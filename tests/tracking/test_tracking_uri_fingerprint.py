"""Tracking URI precedence and redaction; dataset fingerprints."""

from __future__ import annotations

import pytest

from inc.tracking.adapter import artifact_location, redact_text, redact_uri, resolve_tracking_uri
from inc.workspace import Workspace


def test_tracking_uri_precedence_env_then_config_then_embedded(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedded = resolve_tracking_uri(workspace)
    assert embedded == f"sqlite:///{(workspace.root / 'mlflow.db').resolve().as_posix()}"
    assert artifact_location(embedded) == (workspace.root / "mlartifacts").resolve().as_uri()

    config = workspace.root / "inc.yaml"
    config.write_text(config.read_text() + "tracking_uri: http://mlflow.internal:5000\n")
    ws = Workspace.discover(workspace.root)
    assert resolve_tracking_uri(ws) == "http://mlflow.internal:5000"
    assert artifact_location("http://mlflow.internal:5000") is None, "the server decides"

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:////elsewhere/x.db")
    assert resolve_tracking_uri(ws) == "sqlite:////elsewhere/x.db"


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("http://alice:pw@host:5000/path", "http://alice@host:5000/path"),
        ("https://:token@host", "https://host"),
        ("postgresql://u:p%40ss@db:5432/mlflow", "postgresql://u@db:5432/mlflow"),
        ("sqlite:////tmp/mlflow.db", "sqlite:////tmp/mlflow.db"),
        ("http://host:5000", "http://host:5000"),
    ],
)
def test_redact_uri_drops_passwords(uri: str, expected: str) -> None:
    assert redact_uri(uri) == expected


def test_redact_text_removes_a_decoded_password_anywhere() -> None:
    text = "connection to db failed for password p@ss (postgresql://u:p%40ss@db/x)"
    cleaned = redact_text(text, "postgresql://u:p%40ss@db/x")
    assert "p@ss" not in cleaned and "p%40ss" not in cleaned


def test_fingerprint_tracks_content_columns_and_dtypes() -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    from inc.tracking.fingerprint import fingerprint

    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "z"]})
    first = fingerprint(frame, "train")
    assert first.shape == [3, 2]
    assert [(c.name, c.dtype) for c in first.columns] == [("a", "float64"), ("b", str(frame["b"].dtype))]
    assert fingerprint(frame.copy(), "train").sha256 == first.sha256
    changed = frame.copy()
    changed.loc[1, "a"] = 2.5
    assert fingerprint(changed, "train").sha256 != first.sha256
    assert fingerprint(frame.rename(columns={"a": "c"}), "train").sha256 != first.sha256
    assert fingerprint(frame.astype({"a": "float32"}), "train").sha256 != first.sha256

    array = np.arange(12, dtype="int64").reshape(4, 3)
    fp = fingerprint(array, "test")
    assert fp.shape == [4, 3] and len(fp.columns) == 3 and fp.columns[0].dtype == "int64"
    assert fingerprint(array.astype("float64"), "test").sha256 != fp.sha256
    assert fingerprint(array.reshape(3, 4), "test").sha256 != fp.sha256
