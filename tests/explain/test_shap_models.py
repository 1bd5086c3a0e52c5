"""SHAP reports on real models: explainer choice, additivity, importances, hashes, ledger link."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from inc.evidence import ExplainSummary, parse_evidence, read_run_record, sha256_file
from inc.explainability import adapter as shap_adapter
from inc.explainability.report import explain

pytestmark = pytest.mark.ml


def _raw(model: Any, X: Any, background: Any = None) -> shap_adapter.RawShap:
    plan = shap_adapter.plan_explainer(model, (background if background is not None else X).iloc[:60])
    return shap_adapter.compute(plan, X)


def _sum(raw: shap_adapter.RawShap) -> np.ndarray:
    """Model output in the explained space reconstructed from SHAP: base + sum over features."""
    return raw.base + raw.values.sum(axis=1)


def _check_files(report_dir: Path, summary: ExplainSummary) -> None:
    on_disk = parse_evidence(ExplainSummary, report_dir / "summary.json")
    assert on_disk.model_dump() == summary.model_dump()
    names = {p.file for p in summary.plots}
    assert {"beeswarm.png", "bar.png", "waterfall-1.png", "dependence-1.png"} <= names
    for plot in summary.plots:
        assert sha256_file(report_dir / plot.file) == plot.sha256, plot.file
    report = summary.model_dump()["report"]
    assert sha256_file(report_dir / report["file"]) == report["sha256"]
    text = (report_dir / "report.md").read_text()
    for name in names:
        assert f"({name})" in text  # every plot is shown in report.md
    values = [g.mean_abs_shap for g in summary.global_importance]
    assert values == sorted(values, reverse=True)


def test_gbm_binary_is_tree_additive_and_complete(fraud: Path, workspace: Any, binary: Any) -> None:
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=0).fit(binary.X, binary.y)
    rows = binary.X.iloc[:120]
    result = explain(model, binary.X, rows, increment="1", run_id="gbm", workspace=workspace)

    summary = result.summary
    assert summary.method == "tree"
    assert summary.n_explained == 120
    assert {g.feature for g in summary.global_importance} == set(binary.X.columns)
    assert result.report_dir == fraud / "reports" / "explain-gbm"
    _check_files(result.report_dir, summary)
    # the rows shown as waterfalls carry the model's own log-odds
    margin = model.decision_function(binary.X)
    kinds = {r["kind"] for r in summary.model_dump()["rows"]}
    assert kinds == {"highest", "lowest", "median"}
    for row in summary.model_dump()["rows"]:
        assert row["score"] == pytest.approx(margin[int(row["index"])], abs=1e-6)
    scores = [r["score"] for r in summary.model_dump()["rows"]]
    assert max(scores) == pytest.approx(margin[:120].max(), abs=1e-6)
    assert min(scores) == pytest.approx(margin[:120].min(), abs=1e-6)
    raw = _raw(model, rows)
    np.testing.assert_allclose(_sum(raw)[:, 0], model.decision_function(rows), atol=1e-6)


def test_random_forest_binary_explains_positive_probability(workspace: Any, fraud: Path, binary: Any) -> None:
    from sklearn.ensemble import RandomForestClassifier

    model = RandomForestClassifier(n_estimators=15, max_depth=5, random_state=0).fit(binary.X, binary.y)
    rows = binary.X.iloc[:100]
    raw = _raw(model, rows)
    assert raw.values.shape == (100, 8, 1)
    np.testing.assert_allclose(_sum(raw)[:, 0], model.predict_proba(rows)[:, 1], atol=1e-6)
    result = explain(model, binary.X, rows, increment="1", run_id="rf", workspace=workspace)
    dumped = result.summary.model_dump()
    assert dumped["method"] == "tree" and dumped["output_space"] == "probability"
    assert dumped["outputs"] == ["1"]
    assert {g.feature for g in result.summary.global_importance} == set(binary.X.columns)
    _check_files(result.report_dir, result.summary)


def test_logistic_regression_uses_linear_explainer(workspace: Any, fraud: Path, binary: Any) -> None:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=500).fit(binary.X, binary.y)
    rows = binary.X.iloc[:80]
    raw = _raw(model, rows)
    np.testing.assert_allclose(_sum(raw)[:, 0], model.decision_function(rows), atol=1e-6)
    result = explain(
        model, binary.X, rows, increment="1", run_id="logreg", workspace=workspace, max_background=50
    )
    assert result.method == "linear"
    assert result.summary.background_size == 50
    assert {g.feature for g in result.summary.global_importance} == set(binary.X.columns)
    # the strongest coefficient (times spread) ranks first
    contrib = np.abs(model.coef_[0]) * binary.X.iloc[:50].std().to_numpy()
    assert result.summary.global_importance[0].feature in {
        binary.X.columns[i] for i in np.argsort(contrib)[-2:]
    }
    _check_files(result.report_dir, result.summary)


@pytest.mark.parametrize("final", ["logreg", "gbm"])
def test_pipeline_with_scaler_and_one_hot_is_explained_on_transformed_features(
    workspace: Any, fraud: Path, mixed: Any, mixed_pipeline: Any, final: str
) -> None:
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    est = (
        LogisticRegression(max_iter=500)
        if final == "logreg"
        else GradientBoostingClassifier(n_estimators=15, max_depth=2, random_state=0)
    )
    pipe = mixed_pipeline(est).fit(mixed.X, mixed.y)
    rows = mixed.X.iloc[:80]
    result = explain(pipe, mixed.X, rows, increment="1", run_id=f"pipe-{final}", workspace=workspace)
    dumped = result.summary.model_dump()
    assert dumped["method"] == ("linear" if final == "logreg" else "tree")
    assert dumped["feature_space"] == "transformed"
    names = set(pipe[:-1].get_feature_names_out())
    assert {g.feature for g in result.summary.global_importance} == names
    assert "cat__channel_web" in names
    raw = _raw(pipe, rows)
    np.testing.assert_allclose(_sum(raw)[:, 0], pipe.decision_function(rows), atol=1e-6)
    _check_files(result.report_dir, result.summary)
    # summed back to the input columns: each once, a one-hot column as one (per-row sum, then abs)
    by_input = {item["feature"]: item for item in dumped["input_importance"]}
    assert set(by_input) == set(mixed.X.columns)
    single = {g.feature: g.mean_abs_shap for g in result.summary.global_importance}
    assert by_input["amount"]["mean_abs_shap"] == pytest.approx(single["num__amount"])
    dummies = by_input["channel"]["columns"]
    assert sorted(dummies) == ["cat__channel_phone", "cat__channel_store", "cat__channel_web"]
    assert 0 < by_input["channel"]["mean_abs_shap"] <= sum(single[d] for d in dummies) + 1e-12
    if final == "gbm":  # the tree path needs no background: recompute the per-row sum exactly
        order = list(pipe[:-1].get_feature_names_out())
        channel = [order.index(name) for name in dummies]
        expected = np.abs(raw.values[:, channel, 0].sum(axis=1)).mean()
        assert by_input["channel"]["mean_abs_shap"] == pytest.approx(expected)
    assert "## By input column" in (result.report_dir / "report.md").read_text()


def test_pipeline_with_other_model_goes_through_predict_on_raw_columns(
    workspace: Any, fraud: Path, mixed: Any, mixed_pipeline: Any
) -> None:
    from sklearn.neighbors import KNeighborsClassifier

    pipe = mixed_pipeline(KNeighborsClassifier(n_neighbors=7)).fit(mixed.X, mixed.y)
    rows = mixed.X.iloc[:12]
    raw = _raw(pipe, rows, mixed.X.iloc[:30])
    np.testing.assert_allclose(_sum(raw)[:, 0], pipe.predict_proba(rows)[:, 1], atol=1e-6)
    result = explain(pipe, mixed.X, rows, increment="1", run_id="knn", workspace=workspace, max_background=30)
    dumped = result.summary.model_dump()
    assert dumped["method"] == "permutation"
    assert dumped["feature_space"] == "raw"
    assert {g.feature for g in result.summary.global_importance} == set(mixed.X.columns)
    assert any("KNeighborsClassifier" in note for note in dumped["notes"])
    channel = next(g for g in dumped["global_importance"] if g["feature"] == "channel")
    assert channel["effect"].startswith("highest for 'web'")  # the data adds +1.5 log-odds for web
    _check_files(result.report_dir, result.summary)


@pytest.mark.parametrize("kind", ["rf", "gbm", "logreg"])
def test_three_classes_per_class_and_mean(workspace: Any, fraud: Path, three_class: Any, kind: str) -> None:
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    model = {
        "rf": RandomForestClassifier(n_estimators=10, max_depth=5, random_state=0),
        "gbm": GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0),
        "logreg": LogisticRegression(max_iter=500),
    }[kind].fit(three_class.X, three_class.y)
    rows = three_class.X.iloc[:90]
    raw = _raw(model, rows)
    assert raw.values.shape == (90, 6, 3)
    expected = model.predict_proba(rows) if kind == "rf" else model.decision_function(rows)
    if kind == "logreg":  # multinomial: additive in the per-class linear scores
        expected = rows.to_numpy() @ model.coef_.T + model.intercept_
    np.testing.assert_allclose(_sum(raw), expected, atol=1e-6)

    result = explain(model, three_class.X, rows, increment="1", run_id=f"three-{kind}", workspace=workspace)
    dumped = result.summary.model_dump()
    assert dumped["method"] == ("linear" if kind == "logreg" else "tree")
    assert dumped["outputs"] == ["0", "1", "2"]
    per_class = dumped["per_class_importance"]
    assert set(per_class) == {"0", "1", "2"}
    overall = {g.feature: g.mean_abs_shap for g in result.summary.global_importance}
    assert set(overall) == set(three_class.X.columns)
    for feature, value in overall.items():
        mean = np.mean(
            [next(i["mean_abs_shap"] for i in per_class[c] if i["feature"] == feature) for c in per_class]
        )
        assert value == pytest.approx(mean)
    files = {p.file for p in result.summary.plots}
    assert {"beeswarm-class-0.png", "beeswarm-class-1.png", "beeswarm-class-2.png"} <= files
    _check_files(result.report_dir, result.summary)


@pytest.mark.parametrize("kind", ["xgboost", "lightgbm", "hist", "extra", "tree", "gbr"])
def test_tree_path_is_chosen_whenever_it_applies(kind: str, binary: Any) -> None:
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        GradientBoostingRegressor,
        HistGradientBoostingClassifier,
    )
    from sklearn.tree import DecisionTreeClassifier

    X, y = binary.X, binary.y
    if kind == "xgboost":
        xgb = pytest.importorskip("xgboost")
        model = xgb.XGBClassifier(n_estimators=10, max_depth=3).fit(X, y)
        margin = model.predict(X.iloc[:50], output_margin=True)
    elif kind == "lightgbm":
        lgb = pytest.importorskip("lightgbm")
        model = lgb.LGBMClassifier(n_estimators=10, num_leaves=8, verbose=-1).fit(X, y)
        margin = model.predict(X.iloc[:50], raw_score=True)
    elif kind == "gbr":
        model = GradientBoostingRegressor(n_estimators=10, max_depth=2).fit(X, X["f0"] * 2 + y)
        margin = model.predict(X.iloc[:50])
    else:
        cls = {
            "hist": HistGradientBoostingClassifier(max_iter=10),
            "extra": ExtraTreesClassifier(5),
            "tree": DecisionTreeClassifier(max_depth=4),
        }[kind]
        model = cls.fit(X, y)
        margin = (
            model.decision_function(X.iloc[:50]) if kind == "hist" else model.predict_proba(X.iloc[:50])[:, 1]
        )
    plan = shap_adapter.plan_explainer(model, X.iloc[:40])
    assert plan.method == "tree"
    raw = shap_adapter.compute(plan, X.iloc[:50])
    np.testing.assert_allclose(_sum(raw)[:, 0], margin, atol=1e-4)


def test_ledger_record_points_at_report_and_is_replaced_on_rerun(
    workspace: Any, fraud: Path, binary: Any, add_record: Any
) -> None:
    from sklearn.ensemble import RandomForestClassifier

    record_path = add_record(fraud / "runs", "run-abc", model=False)  # nothing to prove the object against
    model = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(binary.X, binary.y)
    first = explain(model, binary.X, binary.X.iloc[:40], increment="1", run_id="run-abc", workspace=workspace)
    assert first.ledger_path == record_path
    record = read_run_record(record_path)  # the seal still holds
    refs = [r for r in record.reports if r.kind == "explain"]
    assert len(refs) == 1
    assert refs[0].path == "reports/explain-run-abc/summary.json"
    assert refs[0].sha256 == sha256_file(fraud / refs[0].path)
    assert record.params == {"n_estimators": "20"}  # nothing else changed

    second = explain(
        model, binary.X, binary.X.iloc[:60], increment="1", run_id="run-abc", workspace=workspace
    )
    record = read_run_record(record_path)
    refs = [r for r in record.reports if r.kind == "explain"]
    assert len(refs) == 1 and refs[0].sha256 == second.summary_sha256 != first.summary_sha256
    assert json.loads((fraud / refs[0].path).read_text())["n_explained"] == 60
    leftovers = [p.name for p in (fraud / "reports").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_progress_bar_path_and_reruns_give_the_same_report(workspace: Any, fraud: Path, binary: Any) -> None:
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0).fit(binary.X, binary.y)
    plain = explain(
        model, binary.X, binary.X, increment="1", run_id="p1", workspace=workspace, progress=False
    )
    fractions: list[float] = []
    barred = explain(
        model, binary.X, binary.X, increment="1", run_id="p2", workspace=workspace, progress=fractions.append
    )
    assert fractions == sorted(fractions) and len(fractions) > 1 and fractions[-1] == 1.0
    a = [(g.feature, round(g.mean_abs_shap, 10)) for g in plain.summary.global_importance]
    b = [(g.feature, round(g.mean_abs_shap, 10)) for g in barred.summary.global_importance]
    assert a == b
    # same values give byte-identical plots: a rerun reproduces the recorded hashes
    assert [(p.file, p.sha256) for p in plain.summary.plots] == [
        (p.file, p.sha256) for p in barred.summary.plots
    ]
