"""``inc.evaluate`` on real scikit-learn models: the report, the ledger link, the gate's recomputation."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LinearRegression, LogisticRegression

from inc.errors import UserError
from inc.evaluation import recompute as rc
from inc.evaluation.report import evaluate
from inc.evaluation.schema import EvaluationSummary
from inc.evidence import RunRecord, read_run_record, sha256_file, write_run_record
from inc.gate.checks.evaluation import check_evaluation
from inc.gate.context import EvidenceSet, GateConfig
from inc.increment import Increment
from inc.meta import Metric
from inc.scaffold import new_increment
from inc.workspace import Workspace

FEATURES = ["f0", "f1", "f2", "f3"]


def _binary(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    X, y = make_classification(
        n, 4, n_informative=3, n_redundant=0, weights=[0.7], random_state=seed, flip_y=0.1
    )
    frame = pd.DataFrame(X, columns=FEATURES)
    return frame, y


@pytest.fixture
def inc_path(workspace: Workspace) -> Path:
    path = new_increment(workspace, "fraud-detection").increment.path
    record = RunRecord(
        run_id="run1",
        increment="0001",
        name="cand",
        role="candidate",
        status="FINISHED",
        metrics={"log_loss": 0.4},
        note="candidate",
    )
    write_run_record(path / "runs", record)
    return path


def _set(path: Path, **changes: Any) -> None:
    inc = Increment.load(path)
    inc.save_meta(inc.meta.model_copy(update=changes))


def _check(ws: Workspace, path: Path) -> Any:
    _set(path, chosen_run="run1")
    inc = Increment.load(path)
    return check_evaluation(inc, EvidenceSet(inc, GateConfig(Workspace.discover(ws.root))), GateConfig(ws))


def _fit(seed: int = 0) -> tuple[LogisticRegression, pd.DataFrame, np.ndarray]:
    X, y = _binary(seed=seed)
    model = LogisticRegression().fit(X[:300], y[:300])
    return model, X[300:].reset_index(drop=True), y[300:]


def test_binary_report_links_the_ledger_and_passes_the_gate(workspace: Workspace, inc_path: Path) -> None:
    model, X, y = _fit()
    X = X.assign(segment=np.where(X.f0 > 0, "high", "low"))
    result = evaluate(
        model,
        X[FEATURES],
        y,
        increment="0001",
        run_id="run1",
        workspace=workspace,
        slices={"segment": X.segment},
        threshold=0.35,
        log_artifacts=False,
    )
    s = result.summary
    scores = model.predict_proba(X[FEATURES])[:, 1]
    assert s.value == pytest.approx(skm.roc_auc_score(y, scores), abs=1e-12)
    assert s.ci[0] < s.value < s.ci[1]
    assert s.threshold == 0.35 and s.threshold_source == "given by the caller"
    assert s.metrics["recall"] == pytest.approx(skm.recall_score(y, scores >= 0.35))
    assert s.confusion["counts"] == skm.confusion_matrix(y, scores >= 0.35).tolist()
    assert {p.file for p in s.plots} == {
        "roc.png",
        "pr.png",
        "confusion.png",
        "calibration.png",
        "scores.png",
        "threshold.png",
    }
    assert s.worst_slice is not None and s.worst_slice.column == "segment"
    low = s.worst_slice.value == "low"
    mask = (X.segment == s.worst_slice.value).to_numpy()
    assert s.worst_slice.metric == pytest.approx(skm.roc_auc_score(y[mask], scores[mask]), abs=1e-12) or low
    record = read_run_record(inc_path / "runs" / "run1.json")
    entry = next(r for r in record.reports if r.kind == "evaluation")
    assert entry.sha256 == sha256_file(result.report_dir / "summary.json")
    assert entry.model_extra["stored_value"] == s.stored_value  # type: ignore[index]
    assert entry.model_extra["model_digest"].startswith("pickle-sha256:")  # type: ignore[index]
    outcome = _check(workspace, inc_path)
    assert outcome.status == "pass", outcome.detail
    assert (
        "roc_auc" in outcome.detail
        and "threshold 0.35" in outcome.detail
        and "worst slice segment=" in outcome.detail
    )


def test_rebuild_with_nothing_changed_writes_nothing(workspace: Workspace, inc_path: Path) -> None:
    model, X, y = _fit()
    first = evaluate(model, X, y, increment="0001", run_id="run1", workspace=workspace, log_artifacts=False)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in first.report_dir.iterdir()}
    ledger = (inc_path / "runs" / "run1.json").stat().st_mtime_ns
    second = evaluate(model, X, y, increment="0001", run_id="run1", workspace=workspace, log_artifacts=False)
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in second.report_dir.iterdir()}
    assert before == after
    assert (inc_path / "runs" / "run1.json").stat().st_mtime_ns == ledger
    assert not [p for p in (inc_path / "reports").iterdir() if p.name.startswith(".")]


def _tamper_ledger_value(inc_path: Path, value: float) -> None:
    record = read_run_record(inc_path / "runs" / "run1.json")
    refs = [
        r.model_copy(update={"stored_value": value}) if r.kind == "evaluation" else r for r in record.reports
    ]
    write_run_record(
        inc_path / "runs", record.model_copy(update={"reports": refs})
    )  # re-sealed: hash is fine


def test_gate_recomputes_and_catches_a_resealed_ledger_value(workspace: Workspace, inc_path: Path) -> None:
    model, X, y = _fit()
    result = evaluate(model, X, y, increment="0001", run_id="run1", workspace=workspace, log_artifacts=False)
    _tamper_ledger_value(inc_path, result.summary.stored_value + 1e-6)
    outcome = _check(workspace, inc_path)
    assert outcome.status == "fail" and "recomputed from predictions.json.gz" in outcome.detail


def test_gate_catches_predictions_rewritten_with_matching_hashes(
    workspace: Workspace, inc_path: Path
) -> None:
    """A hurried team improves the stored scores and re-hashes everything: the metric no longer recomputes."""
    model, X, y = _fit()
    result = evaluate(model, X, y, increment="0001", run_id="run1", workspace=workspace, log_artifacts=False)
    folder = result.report_dir
    data = rc.read_predictions(folder / "predictions.json.gz")
    data["scores"] = [
        0.99 if label == 1 else s for label, s in zip(data["labels"], data["scores"], strict=True)
    ]
    with gzip.open(folder / "predictions.json.gz", "wb") as handle:
        handle.write(json.dumps(data).encode())
    summary = EvaluationSummary.model_validate_json((folder / "summary.json").read_text())
    files = [f.model_copy(update={"sha256": sha256_file(folder / f.file)}) for f in summary.files]
    (folder / "summary.json").write_text(
        summary.model_copy(update={"files": files}).model_dump_json(by_alias=True)
    )
    record = read_run_record(inc_path / "runs" / "run1.json")
    refs = [r.model_copy(update={"sha256": sha256_file(folder / "summary.json")}) for r in record.reports]
    write_run_record(inc_path / "runs", record.model_copy(update={"reports": refs}))
    outcome = _check(workspace, inc_path)
    assert outcome.status == "fail" and "the ledger says" in outcome.detail


def test_gate_fails_on_missing_report_and_changed_plot(workspace: Workspace, inc_path: Path) -> None:
    outcome = _check(workspace, inc_path)
    assert (
        outcome.status == "fail"
        and "no evaluation report" in outcome.detail
        and "inc evaluate" in outcome.detail
    )
    model, X, y = _fit()
    result = evaluate(model, X, y, increment="0001", run_id="run1", workspace=workspace, log_artifacts=False)
    with (result.report_dir / "roc.png").open("ab") as handle:
        handle.write(b"x")
    outcome = _check(workspace, inc_path)
    assert outcome.status == "fail" and "roc.png sha256 differs" in outcome.detail


def test_policy_slice_min_and_calibration(workspace: Workspace, inc_path: Path) -> None:
    model, X, y = _fit()
    segment = np.where(X.f1 > 0, "a", "b")
    result = evaluate(
        model,
        X,
        y,
        increment="0001",
        run_id="run1",
        workspace=workspace,
        slices={"segment": segment},
        log_artifacts=False,
    )
    worst = result.summary.worst_slice
    assert worst is not None and worst.metric is not None
    _set(inc_path, slice_min=worst.metric + 0.01)
    outcome = _check(workspace, inc_path)
    assert outcome.status == "fail" and f"worst slice segment={worst.value}" in outcome.detail
    _set(inc_path, slice_min=worst.metric - 0.01, calibration_max_ece=0.0001)
    outcome = _check(workspace, inc_path)
    assert outcome.status == "fail" and "calibration error" in outcome.detail
    _set(inc_path, calibration_max_ece=0.9)
    assert _check(workspace, inc_path).status == "pass"


def test_large_test_sets_store_a_stratified_sample(workspace: Workspace, inc_path: Path) -> None:
    X, y = _binary(3000, seed=3)
    model = LogisticRegression().fit(X, y)
    result = evaluate(
        model,
        X,
        y,
        increment="0001",
        run_id="run1",
        workspace=workspace,
        log_artifacts=False,
        max_stored_rows=500,
        replicates=20,
    )
    s = result.summary
    assert s.sampled and s.rows == 3000 and 490 <= s.stored_rows <= 500
    data = rc.read_predictions(result.report_dir / "predictions.json.gz")
    assert abs(sum(data["labels"]) / len(data["labels"]) - y.mean()) < 0.01  # class shares kept
    assert "of 3000 rows stored (seeded stratified sample)" in (result.report_dir / "report.md").read_text()
    assert _check(workspace, inc_path).status == "pass"


def _nothing_written(path: Path) -> None:
    assert not (path / "reports").exists() or not any((path / "reports").iterdir())


@pytest.mark.parametrize("case", ["lengths", "single_class", "nan_scores", "absent_slice", "text_target"])
def test_bad_input_is_a_user_error_and_writes_nothing(
    workspace: Workspace, inc_path: Path, case: str
) -> None:
    model, X, y = _fit()
    kwargs: dict[str, Any] = {
        "increment": "0001",
        "run_id": "run1",
        "workspace": workspace,
        "log_artifacts": False,
    }
    expected = {
        "lengths": "lengths differ",
        "single_class": "single class",
        "nan_scores": "NaN",
        "absent_slice": "slice column 'region' is not in the data",
        "text_target": "not numeric",
    }[case]
    if case == "lengths":
        args: tuple[Any, ...] = (model, X, y[:-1])
    elif case == "single_class":
        keep = y == 0
        args = (model, X[keep], y[keep])
    elif case == "nan_scores":

        class Broken:
            classes_ = np.array([0, 1])

            def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
                out = model.predict_proba(frame)
                out[3] = np.nan
                return out

        args = (Broken(), X, y)
    elif case == "absent_slice":
        args, kwargs["slices"] = (model, X, y), ["region"]
    else:
        _set(inc_path, problem="regression", metric=Metric(name="rmse", goal="minimize", target=1.0))
        args = (LinearRegression().fit(X, y), X, np.array(["a"] * len(y), dtype=object))
    with pytest.raises(UserError, match=expected) as info:
        evaluate(*args, **kwargs)
    assert info.value.exit_code == 2
    _nothing_written(inc_path)
    assert not any(r.kind == "evaluation" for r in read_run_record(inc_path / "runs" / "run1.json").reports)


def test_multiclass_report(workspace: Workspace, inc_path: Path) -> None:
    X, y = make_classification(900, 6, n_informative=4, n_classes=3, random_state=1)
    labels = np.array(["cat", "dog", "owl"])[y]
    model = LogisticRegression(max_iter=500).fit(X[:450], labels[:450])
    _set(inc_path, metric=Metric(name="f1_macro", goal="maximize", target=0.5))
    result = evaluate(
        model,
        X[450:],
        labels[450:],
        increment="0001",
        run_id="run1",
        workspace=workspace,
        log_artifacts=False,
        replicates=30,
    )
    s = result.summary
    predicted = model.predict(X[450:])
    assert s.task == "multiclass" and s.value == pytest.approx(
        skm.f1_score(labels[450:], predicted, average="macro")
    )
    assert [r["class"] for r in s.per_class] == ["cat", "dog", "owl"]
    assert s.metrics["roc_auc"] == pytest.approx(
        skm.roc_auc_score(labels[450:], model.predict_proba(X[450:]), multi_class="ovr")
    )
    assert {p.file for p in s.plots} == {"confusion.png", "per_class.png"}
    assert _check(workspace, inc_path).status == "pass"


def test_regression_report(workspace: Workspace, inc_path: Path) -> None:
    X, y = make_regression(800, 5, noise=10, random_state=2)
    model = LinearRegression().fit(X[:400], y[:400])
    _set(inc_path, problem="regression", metric=Metric(name="rmse", goal="minimize", target=50))
    result = evaluate(
        model,
        X[400:],
        y[400:],
        increment="0001",
        run_id="run1",
        workspace=workspace,
        log_artifacts=False,
        replicates=30,
    )
    s = result.summary
    p = model.predict(X[400:])
    assert s.value == pytest.approx(skm.root_mean_squared_error(y[400:], p))
    assert set(s.intervals) == {"rmse", "mae", "mape", "r2"}
    assert len(s.model_extra["deciles"]) == 10  # type: ignore[index]
    assert {p.file for p in s.plots} == {
        "pred_vs_actual.png",
        "residuals.png",
        "residual_hist.png",
        "error_by_decile.png",
    }
    assert _check(workspace, inc_path).status == "pass"


def test_ranking_report(workspace: Workspace, inc_path: Path) -> None:
    rng = np.random.default_rng(4)
    X = pd.DataFrame(rng.normal(size=(600, 3)), columns=["a", "b", "c"])
    relevance = np.clip(np.round(X.a.to_numpy() + rng.normal(0, 0.5, 600)), 0, 3)
    groups = np.repeat([f"q{i}" for i in range(60)], 10)
    model = LinearRegression().fit(X, relevance)
    _set(
        inc_path,
        problem="ranking",
        metric=Metric(name="ndcg@5", goal="maximize", target=0.5),
        ranking_k=[3, 5],
    )
    result = evaluate(
        model,
        X,
        relevance,
        increment="0001",
        run_id="run1",
        workspace=workspace,
        groups=groups,
        log_artifacts=False,
        replicates=30,
    )
    s = result.summary
    scores = model.predict(X).reshape(60, 10)
    assert s.metric == "ndcg_at_5"
    assert s.value == pytest.approx(skm.ndcg_score(relevance.reshape(60, 10), scores, k=5))
    assert [row["k"] for row in s.model_extra["at_k"]] == [3, 5]  # type: ignore[index]
    assert _check(workspace, inc_path).status == "pass"


def test_model_card_shows_evaluation_before_shap(workspace: Workspace, inc_path: Path) -> None:
    from inc.livedocs.build import build_docs
    from inc.livedocs.html import build_site

    model, X, y = _fit()
    segment = np.where(X.f1 > 0, "a", "b")
    evaluate(
        model,
        X,
        y,
        increment="0001",
        run_id="run1",
        workspace=workspace,
        slices={"segment": segment},
        threshold=0.4,
        log_artifacts=False,
    )
    _set(inc_path, chosen_run="run1")
    build_docs(Workspace.discover(workspace.root))
    card = (workspace.root / "living-docs" / "increments" / "0001-fraud-detection.md").read_text()
    summary_line = next(line for line in card.splitlines() if line.startswith("- Evaluation: roc_auc"))
    assert (
        "operating threshold 0.4000 (given by the caller)" in summary_line
        and "worst slice segment = " in summary_line
    )
    assert card.index("## Evaluation\n") < card.index("## Explainability")
    links = [
        card.index(f"reports/eval-run1/{name}")
        for name in ("roc.png", "pr.png", "confusion.png", "calibration.png")
    ]
    assert links == sorted(links)
    assert "| evaluation report recomputed | pass |" in card  # the gate's own verdict on the report
    site = build_site(Workspace.discover(workspace.root), workspace.root / "site")
    assert site is not None
    assert (
        workspace.root / "site" / "sources" / "0001-fraud-detection" / "reports" / "eval-run1" / "roc.png"
    ).is_file()
    assert build_docs(Workspace.discover(workspace.root)).written == []  # rebuilt with nothing changed


def test_gate_fails_when_the_run_logged_another_value_and_on_an_edited_summary(
    workspace: Workspace, inc_path: Path
) -> None:
    model, X, y = _fit()
    result = evaluate(model, X, y, increment="0001", run_id="run1", workspace=workspace, log_artifacts=False)
    record = read_run_record(inc_path / "runs" / "run1.json")
    write_run_record(inc_path / "runs", record.model_copy(update={"metrics": {"roc_auc": 0.99}}))
    outcome = _check(workspace, inc_path)
    assert (
        outcome.status == "fail"
        and "the run logged roc_auc 0.99 but its stored predictions give" in outcome.detail
    )
    # the card's number edited, every hash redone and the record re-sealed: the gate still sees it
    folder = result.report_dir
    summary = EvaluationSummary.model_validate_json((folder / "summary.json").read_text())
    (folder / "summary.json").write_text(
        summary.model_copy(update={"value": 0.99}).model_dump_json(by_alias=True)
    )
    record = read_run_record(inc_path / "runs" / "run1.json")
    refs = [r.model_copy(update={"sha256": sha256_file(folder / "summary.json")}) for r in record.reports]
    write_run_record(inc_path / "runs", record.model_copy(update={"reports": refs}))
    outcome = _check(workspace, inc_path)
    assert (
        outcome.status == "fail" and "which is not what its predictions and the ledger give" in outcome.detail
    )


def test_a_report_of_a_run_without_a_logged_model_is_not_bound(workspace: Workspace, inc_path: Path) -> None:
    """Nothing to prove against: the report records the run id only, and once the run's record
    names a model (a digest the report does not carry) the gate says the report is not bound."""
    from inc.evidence import ModelInfo

    model, X, y = _fit()
    result = evaluate(model, X, y, increment="0001", run_id="run1", workspace=workspace, log_artifacts=False)
    assert result.summary.model_sha256 is None and result.summary.model_digest.startswith("pickle-sha256:")
    assert any("is not bound to a model" in note for note in result.notes)
    record = read_run_record(inc_path / "runs" / "run1.json")
    info = ModelInfo(uri="models:/m-1", sha256="a" * 64)
    write_run_record(inc_path / "runs", record.model_copy(update={"model": info}))
    _set(inc_path, chosen_run="run1")
    inc = Increment.load(inc_path)
    strict = GateConfig(workspace, strict=True)
    outcome = check_evaluation(inc, EvidenceSet(inc, strict), strict)
    assert outcome.status == "fail" and "does not record 'model_uri', 'model_sha256'" in outcome.detail
    assert "regenerate it with 'inc evaluate 0001 --run run1 --data FILE --target COL'" in outcome.detail


def test_a_run_whose_logged_model_cannot_be_read_is_refused(workspace: Workspace, inc_path: Path) -> None:
    from inc.errors import NotFoundError
    from inc.evidence import ModelInfo

    record = read_run_record(inc_path / "runs" / "run1.json")
    write_run_record(inc_path / "runs", record.model_copy(update={"model": ModelInfo(uri="models:/m-1")}))
    model, X, y = _fit()
    with pytest.raises(NotFoundError, match="cannot read model models:/m-1"):
        evaluate(model, X, y, increment="0001", run_id="run1", workspace=workspace, log_artifacts=False)
    assert not (inc_path / "reports" / "eval-run1").exists()
