"""``inc monitoring init``: monitoring.yaml from the chosen run, its SHAP ranking and the reference
data, on a real tracked sklearn run with a real SHAP report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inc.cli import main
from inc.evidence import sha256_file
from inc.ops.monitoring import load_monitoring, run_monitoring_check

pytestmark = pytest.mark.ml


def _explain(run: Any, model: Any) -> list[str]:
    """A real SHAP report for the run; returns its features, most important first."""
    pytest.importorskip("shap")
    from inc.explainability.report import explain
    from inc.ops.tabular import read_table

    frame = read_table(run.data, "data")
    result = explain(
        model,
        frame,
        frame.head(60),
        increment="0001",
        run_id=run.run_id,
        workspace=run.ws,
        log_artifacts=False,
        progress=False,
    )
    ranked = sorted(result.summary.global_importance, key=lambda f: -f.mean_abs_shap)
    return [f.feature for f in ranked]


def test_init_writes_a_file_the_check_accepts_once_the_alert_route_is_set(
    run_copy: Any, native_model: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ranking = _explain(run_copy, native_model)
    code = main(["monitoring", "init", "1", "--reference", str(run_copy.data)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "4 features from the model signature" in out and "alert_route" in out

    path = run_copy.inc.monitoring_path
    config = load_monitoring(path)
    assert [f.name for f in config.features] == ranking  # top SHAP features first
    assert all(f.method == "psi" and f.thresholds == (0.1, 0.25) for f in config.features)
    assert config.reference is not None and config.reference.path == "data.csv"
    assert config.reference.sha256 == sha256_file(run_copy.data)
    metric = run_copy.inc.meta.metric
    assert config.performance is not None and config.performance.metric == metric.name
    assert config.performance.alert_below == metric.target
    assert config.prediction_drift is not None and config.schedule
    assert "# SHAP rank 1, mean |SHAP|" in path.read_text()

    problems = run_monitoring_check(run_copy.inc)
    assert len(problems) == 1 and "alert_route" in problems[0]  # left for a person to own
    path.write_text(path.read_text().replace('alert_route: ""', 'alert_route: "#fraud-alerts"'))
    assert run_monitoring_check(run_copy.inc) == []


def test_a_configured_file_is_kept_unless_force(run_copy: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["monitoring", "init", "1", "--reference", str(run_copy.data)]) == 0
    path = run_copy.inc.monitoring_path
    edited = path.read_text().replace('alert_route: ""', 'alert_route: "#ops"')
    path.write_text(edited)
    capsys.readouterr()
    assert main(["monitoring", "init", "1"]) == 2
    err = capsys.readouterr().err
    assert "already configured" in err and "--force" in err
    assert path.read_text() == edited
    path.write_text(edited + "features: [oops\n")  # broken YAML is not replaced without --force either
    assert main(["monitoring", "init", "1"]) == 2
    assert "monitoring.yaml" in capsys.readouterr().err
    assert main(["monitoring", "init", "1", "--force"]) == 0
    config = load_monitoring(path)
    assert config.alert_route == "" and config.reference is None  # replaced, as asked


def test_without_a_shap_report_inputs_keep_their_order_and_a_note_says_so(
    run_copy: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["monitoring", "init", "1", "--format", "json"]) == 0
    import json

    shown = json.loads(capsys.readouterr().out)
    assert shown["features"] == ["amount", "age", "hour", "score"]  # the model signature's order
    assert any("no SHAP report" in note for note in shown["notes"])
    assert any("no --reference" in note for note in shown["notes"])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda root, tmp: _csv(tmp / "outside.csv", "amount,age,hour,score\n1,2,3,4\n"),
            "must be inside the workspace",
        ),
        (
            lambda root, tmp: _csv(root / "narrow.csv", "amount,age\n1,2\n"),
            "missing model input columns: hour, score",
        ),
        (lambda root, tmp: root / "absent.csv", "no such file"),
    ],
)
def test_a_bad_reference_exit_2_and_nothing_written(
    run_copy: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, message: str
) -> None:
    before = run_copy.inc.monitoring_path.read_bytes()
    reference = make(run_copy.ws.root, tmp_path)
    assert main(["monitoring", "init", "1", "--reference", str(reference)]) == 2
    assert message in capsys.readouterr().err
    assert run_copy.inc.monitoring_path.read_bytes() == before


def test_no_chosen_run_exit_2_with_the_fix(run_copy: Any, capsys: pytest.CaptureFixture[str]) -> None:
    run_copy.inc.save_meta(run_copy.inc.meta.model_copy(update={"chosen_run": None}))
    assert main(["monitoring", "init", "1"]) == 2
    assert "inc choose 0001 RUN" in capsys.readouterr().err
    assert main(["monitoring", "init", "1", "--run", run_copy.run_id]) == 0


def _csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
