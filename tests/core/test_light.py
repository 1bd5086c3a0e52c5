"""The gate's plain reading (inc.light): never laxer than the pydantic models, and read the same way."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from inc import fastcheck, light
from inc.config import Config
from inc.evaluation.schema import EvaluationSummary
from inc.evidence import (
    CV,
    CodeDigest,
    ColumnInfo,
    DatasetFingerprint,
    DriftFeature,
    DriftReport,
    ExplainSummary,
    FeatureImportance,
    LoadTestReport,
    ModelInfo,
    ReportRef,
    RowSketch,
    RunRecord,
    SearchInfo,
    seal,
)
from inc.meta import IncrementMeta
from inc.ops.monitoring_schema import MonitoringConfig
from inc_testing.light_same import same

_RECORD = seal(
    RunRecord(
        run_id="a1b2c3",
        increment="0001",
        name="forest",
        role="candidate",
        status="FINISHED",
        start_time="2026-11-01T10:00:00Z",
        end_time="2026-11-01T10:05:00Z",
        git_commit="0" * 40,
        git_dirty=False,
        code=CodeDigest(sha256="f" * 64, files={"train.py": "e" * 64}),
        params={"max_depth": "6"},
        metrics={"roc_auc": 0.81, "f1": 1.0},
        cv=CV(metric="roc_auc", folds=[0.8, 0.82, 0.79, 0.81, 0.8], splits="abc"),
        datasets=[
            DatasetFingerprint(
                name="train",
                sha256="d" * 64,
                shape=[100, 3],
                columns=[ColumnInfo(name="amount", dtype="float64")],
                context="training",
                sketch=RowSketch(
                    method="v1", k=4, rows=100, distinct_rows=90, repeated_rows=20, hashes="0" * 32
                ),
            )
        ],
        model=ModelInfo(uri="runs:/a1b2c3/model", registered_name="m", version="1", inputs=["amount"]),
        note="forest, 200 trees",
        search=SearchInfo(kind="optuna", trials=20, best_score=0.8, best_params={"a": "1"}),
        reports=[ReportRef(kind="explain", path="reports/explain-a1b2c3", sha256="c" * 64)],
    )
)
BASES: dict[str, tuple[type[BaseModel], dict[str, Any]]] = {
    "run_record": (RunRecord, {**_RECORD.model_dump(mode="json", by_alias=True), "later_key": {"x": 1}}),
    "loadtest_report": (
        LoadTestReport,
        LoadTestReport(
            run_id="a1b2c3",
            mode="in-process",
            batch_size=1,
            requests=500,
            failures=0,
            p50_ms=1,
            p95_ms=2.5,
            p99_ms=3,
            max_ms=9,
            throughput_rps=400,
            series=[{"batch_size": 1, "p95_ms": 2.5}],
            host={"cpus": 2},
        ).model_dump(mode="json"),
    ),
    "explain_summary": (
        ExplainSummary,
        ExplainSummary(
            run_id="a1b2c3",
            method="tree",
            shap_version="0.46",
            n_explained=100,
            background_size=50,
            global_importance=[FeatureImportance(feature="amount", mean_abs_shap=1)],
        ).model_dump(mode="json"),
    ),
    "drift_report": (
        DriftReport,
        DriftReport(
            reference="ref.parquet",
            current="cur.parquet",
            features=[DriftFeature(feature="amount", psi=0.3, status="alert")],
            drifted=["amount"],
        ).model_dump(mode="json"),
    ),
    "evaluation_summary": (
        EvaluationSummary,
        {
            "schema": 1,
            "run_id": "a1b2c3",
            "task": "binary",
            "metric": "roc_auc",
            "value": 0.8,
            "stored_value": 0.8,
            "rows": 100,
            "stored_rows": 100,
            "metrics": {"roc_auc": 0.8, "f1": 1},
            "slices": [{"column": "country", "value": "PT", "rows": 10, "metric": 0.7}],
            "worst_slice": {"column": "country", "value": "PT", "rows": 10, "metric": None},
            "files": [{"file": "predictions.json.gz", "sha256": "a" * 64}],
            "stored_value_note": "kept",
        },
    ),
    "monitoring": (
        MonitoringConfig,
        {
            "schema": 1,
            "features": [
                {"name": "amount"},
                {"name": "country", "kind": "categorical", "method": "chi2", "warn": 0.3},
            ],
            "prediction_drift": {"method": "ks", "alert": 0.3},
            "performance": {"metric": "roc_auc", "alert_below": 0.78, "label_delay_days": 7},
            "reference": {"path": "data/ref.csv", "sha256": "a" * 64},
            "schedule": " 0 6 * * * ",
            "alert_route": "#ml-alerts",
        },
    ),
    "config": (
        Config,
        {"increments_dir": "work/increments", "training_paths": ["src"], "policy": {"baseline_margin": 0.1}},
    ),
    "increment": (
        IncrementMeta,
        {
            "schema": 1,
            "id": "0001",
            "slug": "fraud",
            "title": "Fraud",
            "created": dt.date(2026, 11, 22),
            "metric": {"name": "roc_auc", "target": 1},
            "latency": {"batch_size": 8},
            "model": {"name": "m", "version": "3"},
            "waivers": [
                {"check": "load_test", "reason": "r", "approved_by": "b", "expires": dt.date(2026, 12, 1)}
            ],
            "code": ["src/train.py"],
        },
    ),
}
ODD = [None, True, 0, -1, 1, 0.5, 10**30, math.nan, math.inf, "", " ", "x", "in-process", "psi", [], {}, [{}]]
ODD += [{"name": "x"}, dt.date(2026, 1, 1), "2026-01-01", "../up", "0001", "load_test", "0 6 * * *", "0" * 64]


def _variants(base: dict[str, Any]) -> list[dict[str, Any]]:
    """Every key set to every odd value or removed, one level down as well."""
    out = []
    for key in [*base, "unknown"]:
        out.append({k: v for k, v in base.items() if k != key})
        out += [{**base, key: value} for value in ODD]
        inner = base.get(key)
        item = inner[0] if isinstance(inner, list) and inner and isinstance(inner[0], dict) else inner
        if isinstance(item, dict):
            for sub in [*item, "unknown"]:
                for value in [*ODD, "__removed__"]:
                    changed = copy.deepcopy(base)
                    target = changed[key][0] if isinstance(changed[key], list) else changed[key]
                    if value == "__removed__":
                        target.pop(sub, None)
                    else:
                        target[sub] = value
                    out.append(changed)
    return out


@pytest.mark.parametrize("kind", sorted(BASES))
def test_reads_the_base_as_the_model_does(kind: str) -> None:
    model, base = BASES[kind]
    plain = light.load(kind, copy.deepcopy(base))
    assert plain is not None, f"{kind}: the plain reading refused a valid file"
    same(plain, model.model_validate(copy.deepcopy(base)), kind)
    assert plain.model_dump() == model.model_validate(copy.deepcopy(base)).model_dump()
    assert plain.model_dump(mode="json", by_alias=True) == json.loads(
        model.model_validate(copy.deepcopy(base)).model_dump_json(by_alias=True)
    )


@pytest.mark.parametrize("kind", sorted(BASES))
def test_never_accepts_what_the_model_refuses_and_reads_the_same(kind: str) -> None:
    model, base = BASES[kind]
    accepted = 0
    for data in _variants(base):
        plain = light.load(kind, copy.deepcopy(data))
        if plain is None:
            continue
        accepted += 1
        try:
            parsed = model.model_validate(copy.deepcopy(data))
        except ValidationError as exc:
            raise AssertionError(
                f"{kind}: the plain reading accepted what the model refuses: {data}"
            ) from exc
        same(plain, parsed, kind)
    assert accepted > 10  # it does take the common valid shapes


def test_shared_methods_and_validators_agree() -> None:
    record = light.load("run_record", BASES["run_record"][1])
    assert (record.cv.mean, record.cv.std) == (_RECORD.cv.mean, _RECORD.cv.std)  # type: ignore[union-attr]
    sketch = record.datasets[0].sketch
    assert sketch.values() == [0, 0] and sketch.multiplicities() == [1, 1] and not sketch.complete
    mon = light.load("monitoring", BASES["monitoring"][1])
    model = MonitoringConfig.model_validate(BASES["monitoring"][1])
    assert mon.features[0].thresholds == model.features[0].thresholds == (0.1, 0.25)  # psi's defaults
    assert mon.feature("country").thresholds == (0.3, 0.3)  # warn above the default alert lifts it
    assert mon.schedule == model.schedule == "0 6 * * *"  # stripped by the validator
    meta = light.load("increment", BASES["increment"][1])
    assert meta.waiver_for("load_test").approved_by == "b" and meta.waiver_for("tasks") is None


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        ("monitoring", {"features": [{"name": "a"}, {"name": "a"}]}),  # a feature twice
        ("monitoring", {"features": [{"name": "c", "kind": "categorical", "method": "ks"}]}),
        ("monitoring", {"performance": {"metric": "roc_auc", "label_delay_days": 1}}),  # no threshold
        ("monitoring", {"reference": {"path": "a", "uri": "s3://b"}}),
        ("monitoring", {"schedule": "every day"}),
        ("monitoring", {"prediction_drift": {"method": "psi", "warn": 0.3, "alert": 0.2}}),
        ("increment", {"waivers": [{"check": "nope", "reason": "r", "approved_by": "b"}]}),
        ("config", {"living_docs_dir": "../outside"}),
    ],
)
def test_a_validator_refusal_is_left_to_the_model(kind: str, change: dict[str, Any]) -> None:
    model, base = BASES[kind]
    data = {**copy.deepcopy(base), **change}
    assert light.load(kind, data) is None
    with pytest.raises(ValidationError):
        model.model_validate(data)


def test_plain_objects_are_read_only_and_copied_explicitly() -> None:
    meta = light.load("increment", BASES["increment"][1])
    with pytest.raises(AttributeError, match="read-only"):
        meta.status = "done"
    done = meta.model_copy(update={"status": "done"})
    assert (done.status, meta.status) == ("done", "planned")
    assert IncrementMeta.model_validate(done.model_dump(by_alias=True)).status == "done"


def test_every_validator_has_a_current_plain_twin() -> None:
    for kind, entry in fastcheck.generate().items():
        assert entry["opaque"] == [], kind
        for name, info in entry["validators"].items():
            assert name in light.HOOKS, f"{name}: give it a plain twin in inc.light.HOOKS"
            assert light.HOOKS[name][0] == info["digest"], f"{name} changed: review its twin, then its digest"


def test_a_changed_validator_sends_its_model_through_pydantic(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = json.loads(fastcheck.SCHEMA_FILE.read_text(encoding="utf-8"))
    spec["monitoring"]["validators"]["MonitoringConfig._cron"]["digest"] = "changed"
    monkeypatch.setattr(fastcheck, "_spec", lambda: spec)
    light._model.cache_clear()
    try:
        assert light.load("monitoring", BASES["monitoring"][1]) is None
        assert light.load("run_record", BASES["run_record"][1]) is not None
    finally:
        light._model.cache_clear()
