"""Training for the fraud-detection increment: baselines, candidates, 5-fold stratified CV.

Every run is logged through ``inc.track_experiment`` and becomes committed evidence in
``runs/<run_id>.json``. Run it from anywhere: ``python increments/0001-fraud-detection/train.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import inc
from inc.demo.data import transactions

HERE = Path(__file__).resolve().parent
TARGET = "is_fraud"
METRIC = "roc_auc"
SEED = 7
CATEGORICAL = ["merchant_category"]


def split(seed: int = SEED) -> tuple[Any, Any, Any, Any]:
    """The frozen train/test split (stratified, 25% held out)."""
    frame = transactions(seed=seed)
    features, labels = frame.drop(columns=TARGET), frame[TARGET]
    return train_test_split(features, labels, test_size=0.25, stratify=labels, random_state=seed)


def folds() -> StratifiedKFold:
    """5-fold stratified CV, shuffled with a fixed seed."""
    return StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)


def pipeline(model: Any, numeric: list[str], scale: bool) -> Pipeline:
    """One-hot encode the merchant category, scale numbers for linear models."""
    encode = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    numbers = StandardScaler() if scale else "passthrough"
    pre = ColumnTransformer([("cat", encode, CATEGORICAL), ("num", numbers, numeric)])
    return Pipeline([("pre", pre), ("model", model)])


def held_out_metrics(labels: Any, scores: Any) -> dict[str, float]:
    """Test-set metrics at the 0.5 threshold plus the ranking metrics."""
    predicted = (scores >= 0.5).astype(int)
    return {
        METRIC: float(roc_auc_score(labels, scores)),
        "pr_auc": float(average_precision_score(labels, scores)),
        "precision": float(precision_score(labels, predicted, zero_division=0)),
        "recall": float(recall_score(labels, predicted, zero_division=0)),
        "f1": float(f1_score(labels, predicted, zero_division=0)),
    }


def rule_fold_scores(x_train: Any, y_train: Any) -> list[float]:
    """The amount rule has nothing to fit: score each validation fold by the amount alone."""
    return [
        float(roc_auc_score(y_train.iloc[valid], x_train["amount"].iloc[valid]))
        for _, valid in folds().split(x_train, y_train)
    ]


def run_baselines(increment: str, root: Path, data: tuple[Any, Any, Any, Any]) -> list[str]:
    """Majority class, stratified random, and the amount rule the team uses today."""
    x_train, x_test, y_train, y_test = data
    run_ids = []
    for name, strategy in (("majority", "most_frequent"), ("stratified", "stratified")):
        model = DummyClassifier(strategy=strategy, random_state=SEED)
        with inc.track_experiment(f"baseline-{name}", increment=increment, role="baseline",
                                  workspace=root) as exp:
            exp.log_params({"strategy": strategy})
            exp.log_cv(cross_val_score(model, x_train, y_train, cv=folds(), scoring=METRIC), metric=METRIC,
                       splits=folds())
            model.fit(x_train, y_train)
            exp.log_metrics(held_out_metrics(y_test, model.predict_proba(x_test)[:, 1]))
            exp.log_dataset(x_train, name="train")
            exp.log_note(f"{name} baseline: the floor any model must clear")
            run_ids.append(exp.run_id)
    with inc.track_experiment("baseline-amount-rule", increment=increment, role="baseline",
                              workspace=root) as exp:
        exp.log_params({"rule": "score = amount"})
        exp.log_cv(rule_fold_scores(x_train, y_train), metric=METRIC, splits=folds())
        amount = x_test["amount"].to_numpy()
        exp.log_metrics(held_out_metrics(y_test, amount / amount.max()))
        exp.log_dataset(x_train, name="train")
        exp.log_note("the current production rule: flag large amounts")
        run_ids.append(exp.run_id)
    return run_ids


def candidates(numeric: list[str]) -> dict[str, tuple[Pipeline, dict[str, Any]]]:
    """Three candidates, simple to complex."""
    params: dict[str, dict[str, Any]] = {
        "logistic-regression": {"C": 1.0, "max_iter": 1000},
        "random-forest": {"n_estimators": 150, "min_samples_leaf": 5, "max_depth": 12},
        "gradient-boosting": {"n_estimators": 120, "max_depth": 3, "learning_rate": 0.05},
    }
    return {
        "logistic-regression": (pipeline(LogisticRegression(**params["logistic-regression"]), numeric, True),
                                params["logistic-regression"]),
        "random-forest": (pipeline(RandomForestClassifier(random_state=SEED, n_jobs=2,
                                                          **params["random-forest"]), numeric, False),
                          params["random-forest"]),
        "gradient-boosting": (pipeline(GradientBoostingClassifier(random_state=SEED,
                                                                  **params["gradient-boosting"]), numeric, False),
                              params["gradient-boosting"]),
    }


def run_candidates(increment: str, root: Path, data: tuple[Any, Any, Any, Any]) -> dict[str, str]:
    """Cross-validate, fit and register each candidate; returns run ids by name."""
    x_train, x_test, y_train, y_test = data
    numeric = [c for c in x_train.columns if c not in CATEGORICAL]
    run_ids = {}
    for name, (model, params) in candidates(numeric).items():
        with inc.track_experiment(name, increment=increment, role="candidate", workspace=root) as exp:
            exp.log_params(params)
            exp.log_cv(cross_val_score(model, x_train, y_train, cv=folds(), scoring=METRIC), metric=METRIC,
                       splits=folds())
            model.fit(x_train, y_train)
            exp.log_metrics(held_out_metrics(y_test, model.predict_proba(x_test)[:, 1]))
            exp.log_dataset(x_train, name="train")
            exp.log_dataset(x_test, name="test")
            exp.save_model(model, input_example=x_train.head(5))
            exp.log_note(f"{name}: one-hot merchant category, {len(numeric)} numeric features")
            run_ids[name] = exp.run_id
    return run_ids


def train(root: Path | None = None) -> dict[str, Any]:
    """Run every baseline and candidate of this increment; returns the run ids."""
    root = root or HERE.parents[1]
    increment = HERE.name[:4]
    np.random.seed(SEED)
    data = split()
    return {
        "baselines": run_baselines(increment, root, data),
        "candidates": run_candidates(increment, root, data),
    }


if __name__ == "__main__":
    print(train(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
