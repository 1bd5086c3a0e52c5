"""Explain fixtures: small generated data sets and real fitted models (few trees, few hundred rows)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("shap")
pytest.importorskip("sklearn")

from inc.evidence import RunRecord, write_run_record


@dataclass
class Data:
    """Features and labels."""

    X: Any
    y: Any


def _frame(n: int, features: int, classes: int, seed: int) -> Data:
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n, features, n_informative=4, n_redundant=1, n_classes=classes, random_state=seed
    )
    return Data(pd.DataFrame(X, columns=[f"f{i}" for i in range(features)]), y)


@pytest.fixture(scope="session")
def binary() -> Data:
    """300 rows, 8 numeric features, 2 classes."""
    return _frame(300, 8, 2, 0)


@pytest.fixture(scope="session")
def three_class() -> Data:
    """300 rows, 6 numeric features, 3 classes."""
    return _frame(300, 6, 3, 1)


@pytest.fixture(scope="session")
def mixed() -> Data:
    """300 rows with numeric and categorical columns (for scaler + one-hot pipelines)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, n),
            "age": rng.integers(18, 80, n).astype(float),
            "score": rng.normal(0, 1, n),
            "channel": rng.choice(["web", "store", "phone"], n),
            "country": rng.choice(["de", "fr", "it", "es"], n),
        }
    )
    logit = 0.02 * frame.amount - 0.03 * (frame.age - 50) + frame.score + (frame.channel == "web") * 1.5
    y = (logit + rng.normal(0, 0.5, n) > logit.median()).astype(int).to_numpy()
    return Data(frame, y)


@pytest.fixture(scope="session")
def mixed_pipeline() -> Callable[[Any], Any]:
    """Builds StandardScaler on numbers + OneHotEncoder on categories, then a final model."""
    return _mixed_pipeline


def _mixed_pipeline(final: Any) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    pre = ColumnTransformer(
        [
            ("num", StandardScaler(), ["amount", "age", "score"]),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["channel", "country"]),
        ]
    )
    return Pipeline([("pre", pre), ("model", final)])


@pytest.fixture(scope="session")
def add_record() -> Callable[..., Path]:
    """Writes a sealed ledger record ``runs/<run_id>.json`` (model: null with ``model=False``)."""
    return _add_record


def _add_record(runs_dir: Path, run_id: str, model: bool = True, increment: str = "0001") -> Path:
    from inc.evidence import ModelInfo

    info = ModelInfo(uri=f"runs:/{run_id}/model", flavor="sklearn") if model else None
    record = RunRecord(
        run_id=run_id,
        increment=increment,
        name="candidate-1",
        role="candidate",
        status="FINISHED",
        params={"n_estimators": "20"},
        metrics={"roc_auc": 0.9},
        model=info,
    )
    return write_run_record(runs_dir, record)
