"""Team mode end to end: PostgreSQL-backed `mlflow server`, four trainings at once, sync,
gate --verify and explain over HTTP, and the server stopped in the middle of a run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from inc.cli import main
from inc.errors import TrackingError
from inc.evidence import read_run_record
from inc.scaffold import init_workspace, new_increment
from inc.workspace import Workspace

TRAIN = textwrap.dedent(
    """
    import sys
    from sklearn.datasets import load_breast_cancer
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import inc

    kind, root = sys.argv[1], sys.argv[2]
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :6]
    models = {
        "logreg": make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)),
        "forest-a": RandomForestClassifier(n_estimators=20, random_state=1),
        "forest-b": RandomForestClassifier(n_estimators=20, max_depth=3, random_state=2),
        "majority": DummyClassifier(strategy="most_frequent"),
    }
    model = models[kind]
    role = "baseline" if kind == "majority" else "candidate"
    with inc.track_experiment(kind, increment="0001", role=role, workspace=root) as exp:
        exp.log_params({"kind": kind})
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        scores = cross_val_score(model, X, y, cv=folds, scoring="roc_auc")
        exp.log_cv(scores, metric="roc_auc")
        model.fit(X, y)
        exp.log_metrics({"roc_auc": float(scores.mean())})
        exp.log_dataset(X, name="train")
        if role == "candidate":
            exp.save_model(model, input_example=X.head(3))
        exp.log_note(f"team-mode training of {kind}")
    print(exp.run_id)
    """
)


def _workspace(git_repo: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    init_workspace(git_repo)
    ws = Workspace.discover(git_repo)
    new_increment(ws, "fraud-detection")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
    monkeypatch.chdir(git_repo)
    (git_repo / "train_team.py").write_text(TRAIN)
    return ws


def _train_in_parallel(ws: Workspace, url: str, kinds: list[str]) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "MLFLOW_TRACKING_URI": url}
    procs = [
        subprocess.Popen(
            [sys.executable, "train_team.py", kind, str(ws.root)],
            cwd=ws.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for kind in kinds
    ]
    results = []
    for proc, kind in zip(procs, kinds, strict=True):
        out, err = proc.communicate(timeout=900)
        results.append(subprocess.CompletedProcess([kind], proc.returncode, out, err))
    return results


def test_four_trainings_sync_verify_and_explain_over_http(
    git_repo: Path,
    team_server: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = team_server.url  # type: ignore[attr-defined]
    ws = _workspace(git_repo, url, monkeypatch)
    results = _train_in_parallel(ws, url, ["logreg", "forest-a", "forest-b", "majority"])
    assert all(r.returncode == 0 for r in results), [r.stderr[-3000:] for r in results if r.returncode]
    inc = ws.find("1")
    records = [read_run_record(p) for p in inc.run_paths()]
    assert len(records) == 4
    assert {r.tracking_uri for r in records} == {url}
    versions = sorted(int(r.model.version) for r in records if r.model and r.model.version)
    assert versions == [1, 2, 3]  # concurrent registrations got distinct versions

    # a run logged with plain MLflow plus the tag is picked up by `inc sync`
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=url)
    experiment = client.get_experiment_by_name("inc/0001-fraud-detection")
    assert experiment is not None
    plain = client.create_run(
        experiment.experiment_id, run_name="rule", tags={"inc.increment": "0001", "inc.role": "baseline"}
    )
    client.log_metric(plain.info.run_id, "roc_auc", 0.61)
    client.log_param(plain.info.run_id, "rule", "amount > 500")
    client.set_terminated(plain.info.run_id)
    assert main(["sync", "0001"]) == 0
    assert (inc.runs_dir / f"{plain.info.run_id}.json").is_file()

    best = max((r for r in records if r.role == "candidate"), key=lambda r: r.metrics["roc_auc"])
    assert main(["choose", "0001", best.run_id]) == 0
    capsys.readouterr()
    assert main(["gate", "0001", "--verify", "--format", "json"]) in (0, 1)
    report = json.loads(capsys.readouterr().out)
    experiments = next(c for c in report["increments"][0]["checks"] if c["id"] == "experiments")
    assert "match the tracking server" in experiments["detail"], experiments

    # the server changes behind the ledger's back: --verify names the run and the metric
    client.log_metric(best.run_id, "roc_auc", 0.99)
    main(["gate", "0001", "--verify", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    experiments = next(c for c in report["increments"][0]["checks"] if c["id"] == "experiments")
    assert experiments["status"] == "fail"
    assert best.run_id in experiments["detail"] and "roc_auc" in experiments["detail"]

    # inc explain loads the chosen model from the server's artifact store over HTTP
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    data = git_repo / "holdout.csv"
    X.iloc[:120, :6].assign(target=y[:120]).to_csv(data, index=False)
    assert main(["explain", "0001", "--run", best.run_id, "--data", str(data), "--target", "target"]) == 0
    summary = json.loads((inc.reports_dir / f"explain-{best.run_id}" / "summary.json").read_text())
    assert summary["run_id"] == best.run_id and len(summary["global_importance"]) == 6


def test_server_stopped_mid_run_then_restarted(
    git_repo: Path,
    team_server: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import mlflow

    import inc as inc_api
    from inc.tracking.adapter import runs as mlflow_runs

    server = team_server
    url = server.url  # type: ignore[attr-defined]
    ws = _workspace(git_repo, url, monkeypatch)
    inc = ws.find("1")
    with inc_api.track_experiment("kept", increment="0001", role="baseline", workspace=ws) as exp:
        exp.log_metrics({"roc_auc": 0.5})
        exp.log_note("logged before the outage")
    kept = inc.runs_dir / f"{exp.run_id}.json"
    kept_bytes = kept.read_bytes()

    with (
        pytest.raises(TrackingError) as err,
        inc_api.track_experiment("interrupted", increment="0001", workspace=ws) as exp2,
    ):
        exp2.log_params({"a": 1})
        server.stop()  # type: ignore[attr-defined]
        started = time.monotonic()  # from the outage on: about 2 s (refused connections, one retry)
        mlflow_runs._answered.clear()  # as on a busy machine: the last health answer has expired
        exp2.log_metrics({"roc_auc": 0.9})
    assert time.monotonic() - started < 30
    assert mlflow.active_run() is None  # the run is not left active for the next one
    assert "127.0.0.1" in str(err.value)
    interrupted = inc.runs_dir / f"{exp2.run_id}.json"
    if interrupted.exists():  # a record, if any, is complete and says the run did not finish
        assert read_run_record(interrupted).status != "FINISHED"
    assert not [p for p in inc.runs_dir.iterdir() if p.name.startswith(".")]
    assert kept.read_bytes() == kept_bytes

    server.start()  # type: ignore[attr-defined]
    with inc_api.track_experiment("after-restart", increment="0001", workspace=ws) as exp3:
        exp3.log_metrics({"roc_auc": 0.8})
        exp3.log_note("rerun after the restart")
    assert read_run_record(inc.runs_dir / f"{exp3.run_id}.json").status == "FINISHED"
    assert kept.read_bytes() == kept_bytes
