"""Bad input to inc.explain / inc explain: exit 2, a message naming the problem, nothing half-written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from inc.cli import main
from inc.errors import UserError
from inc.explainability.report import explain

pytestmark = pytest.mark.ml


@pytest.fixture(scope="module")
def gbm(binary: Any) -> Any:
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0).fit(binary.X, binary.y)


def _nothing_written(fraud: Path, run_id: str) -> None:
    reports = fraud / "reports"
    assert not (reports / f"explain-{run_id}").exists()
    if reports.exists():
        assert [p.name for p in reports.iterdir() if p.name.startswith(".")] == []


def test_columns_not_matching_the_model_name_missing_and_extra(
    workspace: Any, fraud: Path, gbm: Any, binary: Any
) -> None:
    bad = binary.X.drop(columns=["f1", "f3"]).assign(zzz=1.0)
    with pytest.raises(UserError) as info:
        explain(gbm, binary.X, bad, increment="1", run_id="cols", workspace=workspace)
    message = str(info.value)
    assert info.value.exit_code == 2
    assert "X_explain" in message and "missing f1, f3" in message and "extra zzz" in message
    _nothing_written(fraud, "cols")


def test_columns_in_another_order_are_accepted(workspace: Any, fraud: Path, gbm: Any, binary: Any) -> None:
    shuffled = binary.X[list(reversed(binary.X.columns))]
    result = explain(gbm, shuffled, shuffled.iloc[:30], increment="1", run_id="order", workspace=workspace)
    assert {g.feature for g in result.summary.global_importance} == set(binary.X.columns)


def test_empty_frame_is_refused(workspace: Any, fraud: Path, gbm: Any, binary: Any) -> None:
    with pytest.raises(UserError, match=r"X_explain: empty \(0 rows") as info:
        explain(gbm, binary.X, binary.X.iloc[:0], increment="1", run_id="empty", workspace=workspace)
    assert info.value.exit_code == 2
    _nothing_written(fraud, "empty")


def test_nans_the_model_cannot_take(workspace: Any, fraud: Path, gbm: Any, binary: Any) -> None:
    holes = binary.X.iloc[:50].copy()
    holes.loc[holes.index[:4], "f2"] = np.nan
    with pytest.raises(UserError) as info:
        explain(gbm, binary.X, holes, increment="1", run_id="nan", workspace=workspace)
    message = str(info.value)
    assert info.value.exit_code == 2
    assert "NaN" in message and "f2 (4)" in message and "GradientBoostingClassifier" in message
    _nothing_written(fraud, "nan")


def test_nans_a_model_can_take_are_explained(workspace: Any, fraud: Path, binary: Any) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    holes = binary.X.copy()
    holes.loc[holes.index[:30], "f2"] = np.nan
    model = HistGradientBoostingClassifier(max_iter=10).fit(holes, binary.y)
    result = explain(model, holes, holes.iloc[:60], increment="1", run_id="hgb-nan", workspace=workspace)
    assert result.method == "tree"


def test_bad_run_id_is_refused_before_writing(workspace: Any, fraud: Path, gbm: Any, binary: Any) -> None:
    with pytest.raises(UserError, match="run id"):
        explain(gbm, binary.X, binary.X, increment="1", run_id="../escape", workspace=workspace)
    assert not (fraud / "escape").exists() and not (fraud / "reports").exists()


def test_failure_while_writing_keeps_the_previous_report(
    workspace: Any, fraud: Path, gbm: Any, binary: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inc.explainability import summary as shap_summary

    first = explain(gbm, binary.X, binary.X.iloc[:30], increment="1", run_id="keep", workspace=workspace)
    before = {p.name: p.read_bytes() for p in first.report_dir.iterdir()}

    def broken(*args: Any, **kwargs: Any) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(shap_summary, "render_report", broken)  # fault injected after the plots
    with pytest.raises(OSError, match="disk full"):
        explain(gbm, binary.X, binary.X.iloc[:60], increment="1", run_id="keep", workspace=workspace)
    after = {p.name: p.read_bytes() for p in first.report_dir.iterdir()}
    assert after == before
    assert [p.name for p in (fraud / "reports").iterdir() if p.name.startswith(".")] == []


def test_cli_run_without_a_model(
    workspace: Any,
    fraud: Path,
    binary: Any,
    add_record: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_record(fraud / "runs", "nomodel", model=False)
    data = tmp_path / "rows.csv"
    binary.X.to_csv(data, index=False)
    code = main(["-C", str(workspace.root), "explain", "1", "--run", "nomodel", "--data", str(data)])
    err = capsys.readouterr().err
    assert code == 2
    assert "runs/nomodel.json" in err and "has no model" in err
    _nothing_written(fraud, "nomodel")


def test_cli_unlinked_run_and_missing_file(
    workspace: Any, fraud: Path, add_record: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["-C", str(workspace.root), "explain", "1", "--run", "nosuch", "--data", "x.csv"])
    assert code == 2 and "inc link 0001 nosuch" in capsys.readouterr().err
    add_record(fraud / "runs", "linked")
    code = main(
        [
            "-C",
            str(workspace.root),
            "explain",
            "1",
            "--run",
            "linked",
            "--data",
            str(tmp_path / "missing.csv"),
        ]
    )
    assert code == 2 and "missing.csv: no such file" in capsys.readouterr().err
    (tmp_path / "rows.txt").write_text("a,b\n1,2\n")
    code = main(
        ["-C", str(workspace.root), "explain", "1", "--run", "linked", "--data", str(tmp_path / "rows.txt")]
    )
    assert code == 2 and "use .csv or .parquet" in capsys.readouterr().err
