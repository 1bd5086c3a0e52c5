"""inc link / sync / runs / choose through the CLI, on the session's SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

import inc
from inc.cli import main
from inc.evidence import ReportRef, read_run_record, write_run_record
from inc.yamlio import load_yaml


def _plain_run(
    uri: str, tags: dict[str, str], metrics: dict[str, float], folds: list[float] | None = None
) -> str:
    """A run logged with plain MLflow calls (no inc), as a team's existing code would."""
    import mlflow

    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("plain-team-experiment")
    with mlflow.start_run(tags=tags) as run:
        mlflow.log_param("C", "1.0")
        mlflow.log_metrics(metrics)
        for step, value in enumerate(folds or []):
            mlflow.log_metric("cv_roc_auc", value, step=step)
    return str(run.info.run_id)


def _cli(ws: Any, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["-C", str(ws.root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _tracked_run(tracked: Any, name: str, role: str, auc: float, folds: list[float]) -> str:
    with inc.track_experiment(name, increment=tracked.inc.id, role=role, workspace=tracked.ws) as exp:
        exp.log_params({"model": name})
        exp.log_metrics({"roc_auc": auc})
        exp.log_cv(folds, metric="roc_auc")
        exp.log_note(f"{name} run")
    return exp.run_id


def test_sync_pulls_plain_mlflow_runs_tagged_with_the_increment(
    tracked: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = _plain_run(
        tracked.uri,
        {"inc.increment": tracked.inc.id, "inc.role": "baseline"},
        {"roc_auc": 0.7},
        folds=[0.68, 0.7, 0.72],
    )
    other = _plain_run(
        tracked.uri, {"inc.increment": tracked.inc.id, "inc.slug": "another-project"}, {"roc_auc": 0.5}
    )
    code, out, _ = _cli(tracked.ws, "sync", tracked.inc.id, "--format", "json", capsys=capsys)
    assert code == 0
    written = json.loads(out)["written"]
    assert any(ours in path for path in written)
    assert not any(other in path for path in written), "same number, other project's slug"
    record = read_run_record(tracked.inc.runs_dir / f"{ours}.json")
    assert record.role == "baseline" and record.params == {"C": "1.0"}
    assert record.cv is not None and record.cv.folds == [0.68, 0.7, 0.72]
    code, out, _ = _cli(tracked.ws, "sync", tracked.inc.id, capsys=capsys)
    assert code == 0 and "0 written" in out, "a second sync rewrites nothing"


def test_link_checks_the_run_and_its_increment_tag(tracked: Any, capsys: pytest.CaptureFixture[str]) -> None:
    foreign = _plain_run(tracked.uri, {"inc.increment": "0007"}, {"roc_auc": 0.8})
    code, _, err = _cli(tracked.ws, "link", tracked.inc.id, foreign, capsys=capsys)
    assert code == 2 and "tagged with increment '0007'" in err and "--force" in err
    assert not (tracked.inc.runs_dir / f"{foreign}.json").exists()

    code, out, _ = _cli(
        tracked.ws, "link", tracked.inc.id, foreign, "--force", "--role", "baseline", capsys=capsys
    )
    assert code == 0 and "linked" in out
    assert read_run_record(tracked.inc.runs_dir / f"{foreign}.json").role == "baseline"
    import mlflow

    assert mlflow.get_run(foreign).data.tags["inc.increment"] == tracked.inc.id

    code, _, err = _cli(tracked.ws, "link", tracked.inc.id, "0123456789abcdef0123456789abcdef", capsys=capsys)
    assert code == 2 and "does not exist" in err

    code, _, err = _cli(tracked.ws, "link", "0099", foreign, capsys=capsys)
    assert code == 2 and "no increment '0099'" in err


def test_relinking_keeps_the_reports_other_commands_attached(tracked: Any) -> None:
    from inc.tracking.ledger import link

    run_id = _tracked_run(tracked, "lr", "candidate", 0.8, [0.8, 0.79])
    path = tracked.inc.runs_dir / f"{run_id}.json"
    record = read_run_record(path)
    report = ReportRef(kind="explain", path=f"reports/explain-{run_id}/summary.json", sha256="0" * 64)
    write_run_record(tracked.inc.runs_dir, record.model_copy(update={"reports": [report]}))
    result = link(tracked.ws, tracked.inc.id, run_id)
    assert result.record.reports == [report]
    assert read_run_record(path).reports == [report]


def test_runs_table_compares_with_the_best_baseline_and_choose_records_the_pick(
    tracked: Any, small_data: tuple[Any, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from sklearn.linear_model import LogisticRegression

    X, y = small_data
    weak = _tracked_run(tracked, "majority", "baseline", 0.5, [0.5, 0.5, 0.5])
    best = _tracked_run(tracked, "logreg", "baseline", 0.8, [0.78, 0.8, 0.82])
    with inc.track_experiment("gbm", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        exp.log_metrics({"roc_auc": 0.9})
        exp.log_cv([0.88, 0.9, 0.92], metric="roc_auc")
        info = exp.save_model(LogisticRegression().fit(X, y), input_example=X[:2])
    code, out, _ = _cli(tracked.ws, "runs", tracked.inc.id, "--format", "json", capsys=capsys)
    assert code == 0
    table = json.loads(out)
    assert table["best_baseline"] == best and table["metric"] == "roc_auc"
    rows = {row["run_id"]: row for row in table["rows"]}
    assert set(rows) == {weak, best, exp.run_id}
    assert rows[exp.run_id]["delta"] == pytest.approx(0.1)
    assert rows[exp.run_id]["improvement"] == pytest.approx(0.125)
    assert rows[exp.run_id]["cv_folds"] == 3 and rows[exp.run_id]["cv_mean"] == pytest.approx(0.9)
    assert rows[exp.run_id]["model_version"] == info.version
    assert rows[weak]["delta"] == pytest.approx(-0.3)

    code, out, _ = _cli(tracked.ws, "runs", tracked.inc.id, capsys=capsys)
    assert code == 0 and "+0.1000 (+12.5%)" in out and "best baseline" in out

    code, out, _ = _cli(tracked.ws, "choose", tracked.inc.id, exp.run_id[:10], capsys=capsys)
    assert code == 0 and f"model {tracked.inc.name} v{info.version}" in out
    meta = load_yaml(tracked.inc.meta_path)
    assert meta["chosen_run"] == exp.run_id
    assert meta["model"] == {"name": tracked.inc.name, "version": info.version}

    code, _, err = _cli(tracked.ws, "choose", tracked.inc.id, "feedface", capsys=capsys)
    assert code == 2 and "not in" in err and "inc link" in err


def test_runs_needs_only_the_ledger(tracked: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _tracked_run(tracked, "lr", "baseline", 0.7, [0.7, 0.71])
    code = (
        "import sys; from inc.cli import main\n"
        f"rc = main(['-C', {str(tracked.ws.root)!r}, 'runs', '1', '--format', 'json'])\n"
        "assert 'mlflow' not in sys.modules and 'sklearn' not in sys.modules, 'ML import'\n"
        "sys.exit(rc)\n"
    )
    env = {
        "MLFLOW_TRACKING_URI": "http://127.0.0.1:9",
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }  # the code under test, not another checkout's
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"][0]["metric"] == 0.7


def test_verify_runs_reports_a_ledger_that_disagrees_with_the_server(tracked: Any) -> None:
    from inc.tracking.runs_table import choose
    from inc.tracking.verify import verify_runs

    base = _tracked_run(tracked, "base", "baseline", 0.7, [0.7, 0.7])
    cand = _tracked_run(tracked, "cand", "candidate", 0.9, [0.9, 0.9])
    choose(tracked.ws, tracked.inc.id, cand)
    assert verify_runs(tracked.ws, tracked.reload()) == []

    record = read_run_record(tracked.inc.runs_dir / f"{base}.json")
    doctored = record.model_copy(update={"metrics": {**record.metrics, "roc_auc": 0.6}})
    write_run_record(tracked.inc.runs_dir, doctored)  # re-sealed: only the server can tell
    differences = verify_runs(tracked.ws, tracked.reload())
    assert len(differences) == 1
    assert base in differences[0] and "metric roc_auc: ledger 0.6, server 0.7" in differences[0]
