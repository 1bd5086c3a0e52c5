"""The metric catalog and ``inc new``: every known metric gets its direction, aliases resolve,
an unknown metric needs ``--goal``, and an unreachable relative margin is named up front."""

from __future__ import annotations

import pytest

from inc.cli import main
from inc.errors import UserError
from inc.metrics import CATALOG, goal_of, lookup, same_metric
from inc.scaffold import new_increment
from inc.workspace import Workspace

MAXIMIZED = {
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "f1_macro",
    "f1_micro",
    "f1_weighted",
    "precision_macro",
    "recall_weighted",
    "roc_auc",
    "roc_auc_ovr",
    "roc_auc_ovo",
    "pr_auc",
    "average_precision",
    "mcc",
    "cohen_kappa",
    "r2",
    "explained_variance",
    "ndcg@10",
    "ndcg_at_5",
    "map@10",
    "mrr",
    "precision@5",
    "recall@20",
    "silhouette",
    "calinski_harabasz",
}
MINIMIZED = {
    "log_loss",
    "logloss",
    "brier_score",
    "brier",
    "hamming_loss",
    "error_rate",
    "ece",
    "expected_calibration_error",
    "rmse",
    "RMSE",
    "neg_root_mean_squared_error",
    "mse",
    "mae",
    "mape",
    "smape",
    "medae",
    "rmsle",
    "pinball",
    "davies_bouldin",
    "neg_log_loss",
}


@pytest.mark.parametrize("name", sorted(MAXIMIZED | MINIMIZED))
def test_catalog_knows_the_direction(name: str) -> None:
    assert goal_of(name) == ("maximize" if name in MAXIMIZED else "minimize")


def test_aliases_name_the_same_metric() -> None:
    assert same_metric("roc_auc", "AUC") and same_metric("rmse", "neg_root_mean_squared_error")
    assert same_metric("ndcg@10", "ndcg_at_10") and not same_metric("ndcg@10", "ndcg@5")
    assert not same_metric("roc_auc", "accuracy")
    assert lookup("mcc") is not None and lookup("mcc").range_text == "[-1, 1]"  # type: ignore[union-attr]
    assert lookup("rmse").range_text == "[0, inf)"  # type: ignore[union-attr]
    assert lookup("no_such_metric") is None


@pytest.mark.parametrize("info", CATALOG, ids=[m.name for m in CATALOG])
def test_inc_new_writes_the_catalog_direction_for_every_metric(workspace: Workspace, info: object) -> None:
    name = info.name  # type: ignore[attr-defined]
    inc = new_increment(workspace, f"m-{name.replace('_', '-')}", metric=name, target=0.5).increment
    assert inc.meta.metric.goal == info.goal  # type: ignore[attr-defined]
    assert inc.meta.metric.name == name


def test_unknown_metric_needs_goal_exit_2(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["-C", str(workspace.root), "new", "churn", "--metric", "uplift_at_risk", "--target", "3"])
    err = capsys.readouterr().err
    assert code == 2 and "--goal maximize or --goal minimize" in err and "uplift_at_risk" in err
    assert not list(workspace.increment_dirs())
    code = main(
        [
            "-C",
            str(workspace.root),
            "new",
            "churn",
            "--metric",
            "uplift_at_risk",
            "--goal",
            "minimize",
            "--target",
            "3",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "metric uplift_at_risk: minimize (lower is better), target 3" in out
    assert workspace.find("churn").meta.metric.goal == "minimize"


def test_goal_against_the_catalog_is_kept_with_a_note(workspace: Workspace) -> None:
    result = new_increment(workspace, "odd", metric="r2", goal="minimize", target=0.1)
    assert result.increment.meta.metric.goal == "minimize"
    assert any("r2 is usually maximized" in note for note in result.notes)


def test_error_metric_without_target_gets_a_placeholder(workspace: Workspace) -> None:
    result = new_increment(workspace, "prices", problem="regression")
    inc = result.increment
    assert inc.meta.metric.name == "rmse" and inc.meta.metric.target is None
    assert (
        "target: null}   # TODO(inc): set the target value of rmse"
        in (inc.path / "increment.yaml").read_text()
    )
    spec = inc.read_doc("spec.md")
    assert "TODO(inc): The target value of rmse" in spec and "1.0" not in spec
    assert any("no --target given" in note for note in result.notes)


def test_inc_new_warns_about_an_unreachable_relative_margin(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-C", str(workspace.root), "new", "fraud", "--metric", "roc_auc", "--target", "0.9"]) == 0
    captured = capsys.readouterr()
    assert "metric roc_auc: maximize (higher is better), target 0.9" in captured.out
    assert "a 20% relative margin cannot be met once the best baseline reaches 0.833" in captured.err
    assert "(a baseline at 0.846 would need 1.015)" in captured.err
    assert "'margin_mode: error_reduction'" in captured.err and "0.846 -> 0.877" in captured.err
    spec = workspace.find("fraud").read_doc("spec.md")
    assert "With a best baseline at 0.846, 20% needs roc_auc 1.015 (roc_auc cannot exceed 1" in spec
    assert "20% needs roc_auc 0.877." in spec


def test_templates_per_problem_type(workspace: Workspace) -> None:
    for problem, wanted, unwanted in (
        ("regression", "DummyRegressor", "majority"),
        ("ranking", "popularity", "class balance"),
        ("clustering", "random assignment", "stratified"),
    ):
        inc = new_increment(workspace, f"p-{problem}", problem=problem, target=1.0).increment
        text = "\n".join(inc.read_doc(doc) for doc in ("spec.md", "plan.md", "tasks.md")).lower()
        assert wanted.lower() in text and unwanted not in text, problem


def test_goal_flag_is_validated() -> None:
    from inc.scaffold import _metric_choice

    with pytest.raises(UserError, match="choose maximize or minimize"):
        _metric_choice("classification", "roc_auc", "up", 0.9)


def test_metric_info_is_read_only_and_compared_by_value() -> None:
    import pytest

    info = lookup("auc")
    assert info is not None
    assert info == lookup("roc_auc") and hash(info) == hash(lookup("roc_auc"))
    assert info != lookup("f1") and {info, lookup("roc_auc")} == {info}
    assert info.needs_proba and info.aliases[0] == "auc" and "roc_auc" in repr(info)
    with pytest.raises(AttributeError):
        info.goal = "minimize"  # type: ignore[misc]
