"""monitoring.yaml: schema, the fresh template, and ``inc monitoring check`` against the chosen run.

No ML library is needed here: records and SHAP summaries are evidence files written as the
tracking and explain code write them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inc.cli import main
from inc.errors import ConfigError
from inc.evidence import ExplainSummary, ModelInfo, RunRecord, write_evidence, write_run_record
from inc.increment import Increment
from inc.ops.monitoring import check_monitoring, load_monitoring, run_monitoring_check
from inc.ops.monitoring_schema import MonitoringConfig
from inc.workspace import Workspace

RUN_ID = "a1b2c3d4e5f6"
INPUTS = ["amount", "age", "hour", "merchant"]
COMPLETE = """\
schema: 1
features:
  - {name: amount, method: psi}
  - {name: age, method: ks, warn: 0.1, alert: 0.2}
  - {name: hour, method: wasserstein}
  - {name: merchant, kind: categorical, method: chi2}
prediction_drift: {column: prediction, method: psi}
performance: {metric: roc_auc, alert_below: 0.8, label_delay_days: 14}
reference: {path: data/reference.parquet, sha256: "%s"}
schedule: "0 6 * * *"
alert_route: "#fraud-alerts"
""" % ("0" * 64)


def _chosen(ws: Workspace, fraud: Path, inputs: list[str], top: list[str] | None = None) -> Increment:
    inc = ws.find("0001")
    record = RunRecord(
        run_id=RUN_ID,
        increment="0001",
        name="rf",
        role="candidate",
        status="FINISHED",
        model=ModelInfo(uri="models:/m-1", inputs=inputs),
    )
    write_run_record(inc.runs_dir, record)
    if top is not None:
        summary = ExplainSummary(
            run_id=RUN_ID,
            method="tree",
            shap_version="0.46",
            n_explained=10,
            background_size=0,
            global_importance=[{"feature": f, "mean_abs_shap": 1.0 / (i + 1)} for i, f in enumerate(top)],
        )
        write_evidence(inc.reports_dir / f"explain-{RUN_ID}" / "summary.json", summary)
    inc.save_meta(inc.meta.model_copy(update={"chosen_run": RUN_ID}))
    return ws.find("0001")


def test_fresh_template_loads_but_is_incomplete(workspace: Workspace, fraud: Path) -> None:
    inc = workspace.find("0001")
    config = load_monitoring(inc.monitoring_path)
    assert config.features == [] and config.performance is None
    assert config.prediction_drift is not None and config.prediction_drift.thresholds == (0.1, 0.25)
    problems = run_monitoring_check(inc)
    text = "\n".join(problems)
    for field in ("features", "performance", "reference", "alert_route", "chosen_run"):
        assert f"field '{field}'" in text, field


def test_psi_defaults_and_method_defaults() -> None:
    config = MonitoringConfig.model_validate(
        {"features": [{"name": "a"}, {"name": "b", "method": "ks"}, {"name": "c", "warn": 0.3}]}
    )
    assert config.features[0].thresholds == (0.1, 0.25)
    assert config.features[1].thresholds == (0.1, 0.2)
    assert config.features[2].thresholds == (0.3, 0.3)  # alert raised to the given warn


def test_complete_config_covering_the_chosen_run_passes(
    workspace: Workspace, fraud: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inc = _chosen(workspace, fraud, INPUTS, top=["amount", "merchant"])
    inc.monitoring_path.write_text(COMPLETE)
    assert run_monitoring_check(inc) == []
    monkeypatch.chdir(workspace.root)
    assert main(["monitoring", "check", "1"]) == 0
    assert "ok" in capsys.readouterr().out


def test_unwatched_input_top_feature_and_foreign_feature_are_listed(
    workspace: Workspace, fraud: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inc = _chosen(workspace, fraud, [*INPUTS, "device"], top=["device", "amount"])
    inc.monitoring_path.write_text(COMPLETE.replace("features:\n", "features:\n  - {name: zip}\n"))
    problems = run_monitoring_check(inc)
    assert any("model inputs not watched: device" in p for p in problems)
    assert any("top SHAP features not watched: device" in p for p in problems)
    assert any("not inputs of the chosen model: zip" in p for p in problems)
    monkeypatch.chdir(workspace.root)
    assert main(["monitoring", "check", "1", "--format", "json"]) == 1
    shown = json.loads(capsys.readouterr().out)
    assert shown["ok"] is False and len(shown["problems"]) == 3


def test_check_monitoring_takes_inputs_and_top_features(workspace: Workspace, fraud: Path) -> None:
    inc = workspace.find("0001")
    inc.monitoring_path.write_text(COMPLETE)
    assert check_monitoring(inc, INPUTS, ["amount"]) == []
    assert check_monitoring(inc, INPUTS, ["income"]) == [
        f"{inc.monitoring_path}: field 'features': top SHAP features not watched: income"
    ]


def test_missing_sha256_and_performance_are_problems(workspace: Workspace, fraud: Path) -> None:
    inc = workspace.find("0001")
    text = COMPLETE.replace(', sha256: "' + "0" * 64 + '"', "").replace(
        "performance: {metric: roc_auc, alert_below: 0.8, label_delay_days: 14}", "performance: null"
    )
    inc.monitoring_path.write_text(text)
    problems = check_monitoring(inc, INPUTS, [])
    assert any("reference.sha256" in p for p in problems)
    assert any("field 'performance'" in p for p in problems)


@pytest.mark.parametrize(
    ("replace", "by", "field", "reason"),
    [
        ("method: psi}", "method: kl}", "features.0.method", "Input should be 'psi'"),
        ("warn: 0.1, alert: 0.2}", "warn: 0.1, alert: 1.2}", "features.1", "out of range for ks"),
        ("warn: 0.1, alert: 0.2}", "warn: 0.2, alert: 0.1}", "features.1", "must not exceed alert"),
        ("kind: categorical, method: chi2", "kind: categorical, method: ks", "features.3", "needs numbers"),
        ("alert_below: 0.8, ", "", "performance", "exactly one of alert_below"),
        ("label_delay_days: 14", "label_delay_days: -1", "performance.label_delay_days", "greater than"),
        ('"0 6 * * *"', '"every morning"', "schedule", "not a cron schedule"),
        ("path: data/reference.parquet, ", "", "reference", "exactly one of path"),
        ("alert_route:", "alert_rout:", "alert_rout", "unknown key"),
    ],
)
def test_invalid_config_exit_2_with_file_field_reason(
    workspace: Workspace,
    fraud: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    replace: str,
    by: str,
    field: str,
    reason: str,
) -> None:
    inc = _chosen(workspace, fraud, INPUTS)
    text = COMPLETE.replace(replace, by, 1)
    assert text != COMPLETE
    inc.monitoring_path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_monitoring(inc.monitoring_path)
    assert str(inc.monitoring_path) in info.value.message
    assert f"field '{field}'" in info.value.message and reason in info.value.message
    monkeypatch.chdir(workspace.root)
    assert main(["monitoring", "check", "1"]) == 2
    assert f"field '{field}'" in capsys.readouterr().err
    assert inc.monitoring_path.read_text() == text  # nothing rewritten
    # the gate's entry point reports the same message as a problem instead of raising
    assert any(f"field '{field}'" in p for p in check_monitoring(inc, INPUTS, []))


def test_schema_command_publishes_the_methods(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "monitoring"]) == 0
    text = capsys.readouterr().out
    assert "jensen_shannon" in text and "label_delay_days" in text and "alert_route" in text
