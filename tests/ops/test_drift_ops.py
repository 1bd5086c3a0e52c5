"""``inc drift``: a known shift is flagged, unshifted features are not, categoricals by frequency,
thresholds from monitoring.yaml, and bad input exits 2 with nothing lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from inc.cli import main
from inc.workspace import Workspace

pytestmark = pytest.mark.ml
N = 3000


def _numeric(seed: int, shift: float = 0.0) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "amount": rng.normal(100, 20, size=N) + shift * 20,  # shift in standard deviations
            "age": rng.normal(40, 10, size=N),
            "hour": rng.integers(0, 24, size=N).astype("float64"),
        }
    )


def _categorical(seed: int, probs: list[float]) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "country": rng.choice(["de", "fr", "it", "es"], size=N, p=probs),
            "channel": rng.choice(["web", "app"], size=N, p=[0.6, 0.4]),
            "amount": rng.normal(size=N),
        }
    )


@pytest.fixture
def inc_dir(workspace: Workspace, fraud: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fresh increment 0001, cwd at the workspace root."""
    monkeypatch.chdir(workspace.root)
    return fraud


def _drift(root: Path, ref: Path, cur: Path, *extra: str) -> int:
    return main(["drift", "1", "--reference", str(ref), "--current", str(cur), *extra])


def _report(inc_dir: Path) -> dict[str, Any]:
    (path,) = sorted((inc_dir / "reports").glob("drift-*.json"))
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _by_feature(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["feature"]: f for f in report["features"]}


def test_a_one_std_shift_is_flagged_and_unshifted_features_are_not(
    workspace: Workspace, inc_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref, cur = workspace.root / "ref.csv", workspace.root / "cur.parquet"
    _numeric(1).to_csv(ref, index=False)
    _numeric(2, shift=1.0).to_parquet(cur)
    code = _drift(workspace.root, ref, cur)
    captured = capsys.readouterr()
    assert code == 1  # so a scheduled job fails
    assert "drift over the alert threshold: amount" in captured.err
    assert "amount" in captured.out and "alert" in captured.out
    report = _report(inc_dir)
    assert set(report) >= {"reference", "current", "features", "drifted"}
    assert report["reference"] == "ref.csv" and report["current"] == "cur.parquet"
    assert report["drifted"] == ["amount"]
    feats = _by_feature(report)
    assert feats["amount"]["status"] == "alert" and feats["amount"]["psi"] > 0.25
    assert feats["amount"]["ks_stat"] > 0.3 and feats["amount"]["ks_pvalue"] < 1e-6
    for name in ("age", "hour"):
        assert feats[name]["status"] == "ok", feats[name]
        assert feats[name]["psi"] < 0.1 and feats[name]["ks_stat"] < 0.1


def test_no_shift_exits_0(workspace: Workspace, inc_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref, cur = workspace.root / "ref.csv", workspace.root / "cur.csv"
    _numeric(1).to_csv(ref, index=False)
    _numeric(2).to_csv(cur, index=False)
    assert _drift(workspace.root, ref, cur, "--format", "json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["drifted"] == [] and {f["status"] for f in shown["features"]} == {"ok"}


def test_categorical_frequencies_psi_and_chi_square(
    workspace: Workspace, inc_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (inc_dir / "monitoring.yaml").write_text(
        "schema: 1\n"
        "features:\n"
        "  - {name: country, method: chi2}\n"
        "  - {name: channel, method: psi}\n"
        "  - {name: amount, method: ks}\n"
    )
    ref, cur = workspace.root / "ref.csv", workspace.root / "cur.csv"
    _categorical(1, [0.4, 0.3, 0.2, 0.1]).to_csv(ref, index=False)
    _categorical(2, [0.1, 0.2, 0.3, 0.4]).to_csv(cur, index=False)
    assert _drift(workspace.root, ref, cur) == 1
    feats = _by_feature(_report(inc_dir))
    country, channel = feats["country"], feats["channel"]
    assert country["kind"] == "categorical" and country["method"] == "chi2"
    assert country["status"] == "alert" and country["chi2_pvalue"] < 1e-6 and country["value"] > 0.2
    assert country["psi"] > 0.25 and country["ks_stat"] is None
    assert channel["kind"] == "categorical" and channel["status"] == "ok" and channel["psi"] < 0.1
    assert feats["amount"]["method"] == "ks" and feats["amount"]["status"] == "ok"


def test_thresholds_come_from_monitoring_yaml(workspace: Workspace, inc_dir: Path) -> None:
    (inc_dir / "monitoring.yaml").write_text(
        "features:\n  - {name: amount, method: ks, warn: 0.05, alert: 0.6}\n  - {name: age}\n"
    )
    ref, cur = workspace.root / "ref.csv", workspace.root / "cur.csv"
    _numeric(1).to_csv(ref, index=False)
    _numeric(2, shift=1.0).to_csv(cur, index=False)
    assert _drift(workspace.root, ref, cur) == 0  # D ~ 0.38: over warn, under alert
    report = _report(inc_dir)
    assert report["warned"] == ["amount"] and report["drifted"] == []
    assert set(_by_feature(report)) == {"amount", "age"}  # only the watched features
    assert report["thresholds_from"].endswith("monitoring.yaml")


def test_reference_defaults_to_monitoring_yaml_and_its_hash_is_checked(
    workspace: Workspace, inc_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from inc.evidence import sha256_file

    ref, cur = workspace.root / "ref.csv", workspace.root / "cur.csv"
    _numeric(1).to_csv(ref, index=False)
    _numeric(2).to_csv(cur, index=False)
    digest = sha256_file(ref)
    (inc_dir / "monitoring.yaml").write_text(f"reference: {{path: ref.csv, sha256: '{digest}'}}\n")
    assert main(["drift", "1", "--current", str(cur)]) == 0
    assert _report(inc_dir)["reference_sha256"] == digest
    ref.write_text(ref.read_text() + "1,2,3\n")
    assert main(["drift", "1", "--current", str(cur)]) == 2
    assert "reference.sha256" in capsys.readouterr().err


def test_prediction_column_is_compared_with_the_prediction_rule(workspace: Workspace, inc_dir: Path) -> None:
    (inc_dir / "monitoring.yaml").write_text(
        "features: [{name: age}]\nprediction_drift: {column: proba, method: jensen_shannon}\n"
    )
    ref_frame, cur_frame = _numeric(1), _numeric(2)
    ref_frame["proba"] = ref_frame["age"] / 100
    cur_frame["proba"] = cur_frame["age"] / 100 + 0.2
    ref, cur = workspace.root / "ref.csv", workspace.root / "cur.csv"
    ref_frame.to_csv(ref, index=False)
    cur_frame.to_csv(cur, index=False)
    assert _drift(workspace.root, ref, cur) == 1
    proba = _by_feature(_report(inc_dir))["proba"]
    assert proba["role"] == "prediction" and proba["method"] == "jensen_shannon"
    assert proba["status"] == "alert"


# --------------------------------------------------------------------------- bad input


def _earlier_report(inc_dir: Path) -> tuple[Path, bytes]:
    path = inc_dir / "reports" / "drift-2020-01-01.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text('{"earlier": true}\n')
    return path, path.read_bytes()


def _assert_nothing_written(inc_dir: Path, earlier: tuple[Path, bytes]) -> None:
    assert sorted((inc_dir / "reports").glob("drift-*.json")) == [earlier[0]]
    assert earlier[0].read_bytes() == earlier[1]


def test_different_columns_exit_2(
    workspace: Workspace, inc_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    earlier = _earlier_report(inc_dir)
    ref, cur = workspace.root / "ref.csv", workspace.root / "cur.csv"
    _numeric(1).to_csv(ref, index=False)
    _numeric(2).rename(columns={"hour": "hour_of_day"}).to_csv(cur, index=False)
    assert _drift(workspace.root, ref, cur) == 2
    err = capsys.readouterr().err
    assert "different columns" in err and "only in" in err and "hour_of_day" in err
    _assert_nothing_written(inc_dir, earlier)


@pytest.mark.parametrize("content", ["", "amount,age,hour\n"], ids=["empty", "header-only"])
def test_empty_files_exit_2(
    workspace: Workspace, inc_dir: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    earlier = _earlier_report(inc_dir)
    ref, cur = workspace.root / "ref.csv", workspace.root / "cur.csv"
    _numeric(1).to_csv(ref, index=False)
    cur.write_text(content)
    assert _drift(workspace.root, ref, cur) == 2
    assert "cur.csv" in capsys.readouterr().err
    _assert_nothing_written(inc_dir, earlier)


@pytest.mark.parametrize(
    ("yaml_text", "field", "reason"),
    [
        ("features: [{name: amount, method: hellinger}]", "features.0.method", "Input should be"),
        ("features: [{name: amount, method: psi, alert: 20}]", "features.0", "out of range for psi"),
        ("features: [{name: amount, method: ks, warn: 1.5}]", "features.0", "out of range for ks"),
        ("features: [{name: amount, warn: 0.3, alert: 0.2}]", "features.0", "must not exceed alert"),
        ("features: [{name: amount, warn: -0.1}]", "features.0", "must be > 0"),
    ],
)
def test_bad_monitoring_yaml_exit_2_names_file_field_reason(
    workspace: Workspace,
    inc_dir: Path,
    capsys: pytest.CaptureFixture[str],
    yaml_text: str,
    field: str,
    reason: str,
) -> None:
    earlier = _earlier_report(inc_dir)
    monitoring = inc_dir / "monitoring.yaml"
    monitoring.write_text(yaml_text + "\n")
    ref, cur = workspace.root / "ref.csv", workspace.root / "cur.csv"
    _numeric(1).to_csv(ref, index=False)
    _numeric(2).to_csv(cur, index=False)
    assert _drift(workspace.root, ref, cur) == 2
    err = capsys.readouterr().err
    assert "monitoring.yaml" in err and f"field '{field}'" in err and reason in err
    assert monitoring.read_text() == yaml_text + "\n"
    _assert_nothing_written(inc_dir, earlier)


def test_ks_on_a_categorical_column_exit_2(
    workspace: Workspace, inc_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (inc_dir / "monitoring.yaml").write_text("features: [{name: country, method: ks}]\n")
    ref, cur = workspace.root / "ref.csv", workspace.root / "cur.csv"
    _categorical(1, [0.25] * 4).to_csv(ref, index=False)
    _categorical(2, [0.25] * 4).to_csv(cur, index=False)
    assert _drift(workspace.root, ref, cur) == 2
    assert "'country' is categorical" in capsys.readouterr().err


def test_watched_feature_missing_from_the_data_exit_2(
    workspace: Workspace, inc_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (inc_dir / "monitoring.yaml").write_text("features: [{name: income}]\n")
    ref, cur = workspace.root / "ref.csv", workspace.root / "cur.csv"
    _numeric(1).to_csv(ref, index=False)
    _numeric(2).to_csv(cur, index=False)
    assert _drift(workspace.root, ref, cur) == 2
    err = capsys.readouterr().err
    assert "field 'features'" in err and "income" in err


def test_ks_on_sorted_arrays_matches_scipy_on_large_samples_with_ties() -> None:
    import numpy as np
    from scipy import stats

    from inc.ops.stats import ks_sorted

    rng = np.random.default_rng(7)
    a = np.round(rng.normal(size=20_000), 2)  # ties on purpose
    b = np.round(rng.normal(0.03, 1.0, size=15_000), 2)
    expected = stats.ks_2samp(a, b)
    d, p = ks_sorted(np.sort(a), np.sort(b))
    assert d == pytest.approx(float(expected.statistic))
    assert p == pytest.approx(float(expected.pvalue))


def test_missing_values_are_a_bin_of_their_own() -> None:
    import numpy as np

    from inc.ops.stats import numeric_stats

    rng = np.random.default_rng(8)
    ref = rng.normal(size=4000)
    cur = rng.normal(size=4000)
    cur[:1200] = np.nan  # 30% missing now, none before
    stats = numeric_stats(ref, cur)
    assert stats.psi > 0.25  # missingness drift is drift
    assert stats.ks_stat is not None and stats.ks_stat < 0.05  # the values themselves did not move
