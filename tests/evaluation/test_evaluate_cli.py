"""``inc evaluate`` end to end: a run tracked on a real SQLite MLflow store, its model loaded back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inc.cli import main
from inc.evidence import read_run_record
from inc_testing import git

pytestmark = pytest.mark.ml
pytest.importorskip("mlflow")


def test_inc_evaluate_writes_the_report_logs_it_and_refuses_bad_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    import inc
    from inc.scaffold import init_workspace, new_increment
    from inc.tracking import adapter as mlflow_adapter
    from inc.workspace import Workspace

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    root = tmp_path / "ws"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    init_workspace(root)
    ws = Workspace.discover(root)
    increment = new_increment(ws, "churn").increment.path
    X, y = make_classification(600, 4, n_informative=3, n_redundant=0, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = LogisticRegression().fit(frame[:300], y[:300])
    with inc.track_experiment("lr", increment="1", role="candidate", workspace=ws) as exp:
        exp.log_metrics({"roc_auc": 0.9})
        exp.save_model(model, input_example=frame.iloc[:5])
    data = root / "holdout.csv"
    frame[300:].assign(label=y[300:], region=np.where(frame.a[300:] > 0, "north", "south")).to_csv(
        data, index=False
    )
    monkeypatch.chdir(root)

    code = main(
        [
            "evaluate",
            "1",
            "--run",
            exp.run_id,
            "--data",
            "holdout.csv",
            "--target",
            "label",
            "--slice-by",
            "country",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "no column 'country'" in err and "region" in err
    assert not (increment / "reports").exists()

    code = main(
        [
            "evaluate",
            "1",
            "--run",
            exp.run_id,
            "--data",
            "holdout.csv",
            "--target",
            "label",
            "--slice-by",
            "region",
            "--threshold",
            "0.4",
            "--format",
            "json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out
    assert out["threshold"] == 0.4 and out["worst_slice"]["column"] == "region" and out["artifacts_logged"]
    record = read_run_record(increment / "runs" / f"{exp.run_id}.json")
    assert [r.kind for r in record.reports] == ["evaluation"]
    logged = mlflow_adapter.client(mlflow_adapter.resolve_tracking_uri(ws)).list_artifacts(
        exp.run_id, f"eval-{exp.run_id}"
    )
    assert {Path(a.path).name for a in logged} >= {"summary.json", "predictions.json.gz", "roc.png"}
    assert main(["show", "1"]) == 0
