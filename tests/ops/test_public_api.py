"""The Python API: each public name of ``inc`` called for real (a real sklearn model on a real
MLflow store, real SHAP, a real HTTP server on 127.0.0.1), and each the command's code path."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from typing import Any

import pytest

import inc
from inc.cli import main
from inc.errors import UserError
from inc.evidence import read_run_record

pytestmark = pytest.mark.ml


def make_frame(n: int, seed: int = 0, shift: float = 0.0) -> Any:
    """Rows with the trained model's four features (``amount`` moved by ``shift``)."""
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


PUBLIC = {
    "ModelExplainer",
    "drift",
    "evaluate",
    "explain",
    "gate",
    "load_test_model",
    "load_workspace",
    "loadtest",
    "track_experiment",
}


def test_one_import_lists_every_name_and_stays_light() -> None:
    code = (
        "import sys, inc\n"
        "names = set(inc.__all__)\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('mlflow', 'shap', 'sklearn', 'pandas', 'numpy', 'matplotlib', 'scipy')]\n"
        "print(sorted(names)); print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    names, heavy = out.splitlines()
    assert set(ast.literal_eval(names)) >= PUBLIC
    assert heavy == "[]"
    assert set(dir(inc)) >= PUBLIC


def test_the_callable_gate_package_still_imports_its_submodules() -> None:
    import inc.api
    import inc.gate.runner
    from inc.gate.runner import run_gate

    assert callable(inc.gate) and inc.loadtest is inc.api.loadtest and inc.drift is inc.api.drift
    assert inc.gate.runner.run_gate is run_gate


def _roomy_target(run_copy: Any) -> float:
    """A p95 target a loaded machine meets too: these tests check the API, not the speed."""
    run_copy.inc.save_meta(run_copy.inc.meta.model_copy(update={"latency_p95_ms": 5000.0}))
    return 5000.0


def test_inc_loadtest_is_the_loadtest_command(run_copy: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _roomy_target(run_copy)
    result = inc.loadtest(
        "1", run_copy.run_id, run_copy.data, requests=60, batch_size=2, workspace=run_copy.ws
    )
    assert result.path is not None and result.path.name == f"loadtest-{run_copy.run_id}-in-process.json"
    assert result.passed and result.record_updated
    assert [s["batch_size"] for s in result.report.series] == [1, 2]
    from_api = json.loads(result.path.read_text())

    code = main(
        [
            "loadtest",
            "1",
            "--run",
            run_copy.run_id,
            "--data",
            str(run_copy.data),
            "--requests",
            "60",
            "--batch-size",
            "2",
            "--format",
            "json",
        ]
    )
    from_cli = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(from_cli) == set(from_api)
    same = ("run_id", "mode", "loop", "batch_size", "requests", "failures", "target_p95_ms", "model_uri")
    assert {k: from_cli[k] for k in same} == {k: from_api[k] for k in same}


def test_inc_drift_is_the_drift_command(run_copy: Any, capsys: pytest.CaptureFixture[str]) -> None:
    current = run_copy.ws.root / "current.csv"
    make_frame(400, seed=9, shift=1.0).to_csv(current, index=False)
    result = inc.drift("1", current, run_copy.data, workspace=run_copy.ws)
    assert "amount" in result.alerts and "age" not in result.alerts
    assert result.path.is_file()

    code = main(
        ["drift", "1", "--reference", str(run_copy.data), "--current", str(current), "--format", "json"]
    )
    assert code == 1  # an alert
    shown = json.loads(capsys.readouterr().out)
    assert shown["features"] == result.report.model_dump(mode="json")["features"]


def test_inc_gate_returns_the_verdict_that_format_json_prints(
    run_copy: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    verdict = inc.gate(["1"], workspace=run_copy.ws)
    assert verdict.increments[0].check("load_test").status == "fail"  # none was run
    code = main(["gate", "1", "--format", "json"])
    assert code == (0 if verdict.passed else 1)
    printed = capsys.readouterr().out
    assert printed == verdict.to_json() + "\n"
    assert json.loads(printed) == verdict.to_dict()
    assert verdict.to_dict()["increments"][0]["id"] == "0001"


def test_load_test_model_records_an_open_loop_test(run_copy: Any, stalling_server: Any) -> None:
    url = stalling_server(stall_every=0)
    rows = make_frame(10, seed=3)
    target = _roomy_target(run_copy)
    result = inc.load_test_model(
        api_url=url,
        target_rps=40,
        duration=1,
        increment="1",
        run_id=run_copy.run_id,
        payload=rows,
        workspace=run_copy.ws,
    )
    report = result.report
    assert result.path is not None and result.path.name == f"loadtest-{run_copy.run_id}-http-open.json"
    assert report.loop == "open" and report.target_rps == 40 and report.failures == 0
    assert report.requests == 40 and report.dropped == 0 and report.achieved_rps
    assert report.target_p95_ms == target and report.passed is True
    record = read_run_record(run_copy.inc.runs_dir / f"{run_copy.run_id}.json")
    assert f"reports/{result.path.name}" in {r.path for r in record.reports}


def test_load_test_model_without_an_increment_only_measures(stalling_server: Any) -> None:
    url = stalling_server(stall_every=0)
    result = inc.load_test_model(
        api_url=url,
        target_rps=30,
        duration=0.5,
        payload={"dataframe_split": {"columns": ["amount"], "data": [[1.0]]}},
    )
    assert result.path is None and result.report.requests == 15 and result.report.failures == 0
    assert result.report.passed is None  # no target to judge against


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target_rps": 0, "duration": 1}, "--rps 0: must be positive"),
        ({"target_rps": 10, "duration": -1}, "--duration -1"),
        ({"target_rps": 10, "duration": 1, "payload": None}, "payload"),
        ({"target_rps": 10, "duration": 1, "payload": 3}, "payload=int"),
        ({"target_rps": 10, "duration": 1, "increment": "1"}, "give both increment= and run_id="),
    ],
)
def test_load_test_model_bad_input(stalling_server: Any, kwargs: dict[str, Any], message: str) -> None:
    arguments = {"payload": b"{}", **kwargs}
    with pytest.raises(UserError, match=re.escape(message)):
        inc.load_test_model(api_url=stalling_server(), **arguments)


def test_model_explainer_writes_the_shap_report_of_the_chosen_run(run_copy: Any, native_model: Any) -> None:
    pytest.importorskip("shap")
    background = make_frame(120, seed=4)
    explainer = inc.ModelExplainer(native_model, background)
    result = explainer.generate_all_reports(increment="0001", X_explain=background.head(30))
    assert result.run_id == run_copy.run_id  # the chosen run, as no run_id was given
    assert result.summary.method == "tree" and result.summary.n_explained == 30
    assert {f.feature for f in result.summary.global_importance} == {"amount", "age", "hour", "score"}
    record = read_run_record(run_copy.inc.runs_dir / f"{run_copy.run_id}.json")
    assert any(r.kind == "explain" for r in record.reports)


def test_model_explainer_without_run_id_or_chosen_run_says_what_to_pass(
    run_copy: Any, native_model: Any
) -> None:
    run_copy.inc.save_meta(run_copy.inc.meta.model_copy(update={"chosen_run": None}))
    with pytest.raises(UserError, match="pass run_id=exp.run_id"):
        inc.ModelExplainer(native_model, make_frame(20)).generate_all_reports(increment="0001")
    assert not list(run_copy.inc.reports_dir.glob("explain-*"))


def test_evaluate_is_the_evaluation_report(run_copy: Any, native_model: Any) -> None:
    pytest.importorskip("inc.evaluation.report")
    X = make_frame(200, seed=6)
    y = (X["amount"] + 0.05 * X["age"] > 2).astype(int)
    result = inc.evaluate(
        native_model,
        X,
        y,
        increment="0001",
        run_id=run_copy.run_id,
        workspace=run_copy.ws,
        log_artifacts=False,
    )
    assert result.run_id == run_copy.run_id and result.report_dir.is_dir()
