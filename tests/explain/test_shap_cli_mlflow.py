"""``inc explain`` end to end: a run trained through track_experiment on a real SQLite MLflow store."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from inc.cli import main
from inc.evidence import ExplainSummary, parse_evidence, read_run_record, sha256_file
from inc_testing import git

pytestmark = pytest.mark.ml
pytest.importorskip("mlflow")


@dataclass
class Trained:
    """A workspace (embedded SQLite store) with one tracked run holding a saved model."""

    root: Path
    increment: Path
    run_id: str
    data: Path
    X: Any


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, binary: Any) -> Iterator[Trained]:
    from sklearn.ensemble import RandomForestClassifier

    import inc
    from inc.scaffold import init_workspace, new_increment
    from inc.workspace import Workspace

    saved = os.environ.pop("MLFLOW_TRACKING_URI", None)
    root = tmp_path_factory.mktemp("explain-ws")
    git(root, "init", "-q", "-b", "main")
    init_workspace(root)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "init")
    ws = Workspace.discover(root)
    increment = new_increment(ws, "churn").increment.path
    model = RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0).fit(binary.X, binary.y)
    with inc.track_experiment("rf-v1", increment="1", role="candidate", workspace=ws) as exp:
        exp.log_params({"n_estimators": 8})
        exp.log_metrics({"roc_auc": 0.9})
        exp.save_model(model, input_example=binary.X.iloc[:5])
    data = root / "holdout.csv"
    binary.X.assign(label=binary.y).iloc[:150].to_csv(data, index=False)
    yield Trained(root, increment, exp.run_id, data, binary.X)
    if saved is not None:
        os.environ["MLFLOW_TRACKING_URI"] = saved


def test_inc_explain_writes_report_updates_ledger_and_logs_artifacts(
    trained: Trained, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlflow.tracking import MlflowClient

    code = main(
        [
            "-C",
            str(trained.root),
            "explain",
            "1",
            "--run",
            trained.run_id,
            "--data",
            str(trained.data),
            "--target",
            "label",
            "--format",
            "json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "executes its code" in err
    result = json.loads(out)
    assert result["method"] == "tree"
    assert result["artifacts_logged"] is True
    report = trained.increment / "reports" / f"explain-{trained.run_id}"
    summary = parse_evidence(ExplainSummary, report / "summary.json")
    assert summary.run_id == trained.run_id and summary.n_explained == 150
    assert {g.feature for g in summary.global_importance} == set(trained.X.columns)
    for plot in summary.plots:
        assert sha256_file(report / plot.file) == plot.sha256

    record = read_run_record(trained.increment / "runs" / f"{trained.run_id}.json")
    [ref] = [r for r in record.reports if r.kind == "explain"]
    assert ref.path == f"reports/explain-{trained.run_id}/summary.json"
    assert ref.sha256 == sha256_file(report / "summary.json") == result["summary_sha256"]

    uri = f"sqlite:///{(trained.root / 'mlflow.db').as_posix()}"
    logged = {Path(a.path).name for a in MlflowClient(uri).list_artifacts(trained.run_id, report.name)}
    assert {"summary.json", "report.md", "beeswarm.png"} <= logged


def test_inc_explain_refuses_data_not_matching_the_model_signature(
    trained: Trained, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.parquet"
    trained.X.drop(columns=["f0"]).assign(extra_col=1.0).iloc[:40].to_parquet(bad)
    report = trained.increment / "reports" / f"explain-{trained.run_id}"
    before = {p.name: p.read_bytes() for p in report.iterdir()} if report.exists() else {}
    code = main(["-C", str(trained.root), "explain", "1", "--run", trained.run_id, "--data", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert "missing f0" in err and "extra extra_col" in err
    after = {p.name: p.read_bytes() for p in report.iterdir()} if report.exists() else {}
    assert after == before
