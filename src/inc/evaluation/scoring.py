"""Check the evaluation inputs and get the model's outputs, by problem type.

Every bad input is a ``UserError`` naming the cause, raised before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from inc.errors import UserError

TASKS = ("binary", "multiclass", "regression", "ranking")


@dataclass
class Scored:
    """Labels and model outputs of the test rows, in the shapes the tables and plots use."""

    task: str
    labels: np.ndarray  # binary 0/1, multi-class class index, regression/ranking numbers
    scores: np.ndarray | None = None  # binary: positive-class score; ranking: score
    proba: np.ndarray | None = None  # multi-class: [n, k]
    predicted: np.ndarray | None = None  # multi-class: class index; regression: prediction
    classes: list[str] = field(default_factory=list)
    groups: np.ndarray | None = None  # ranking: query id per row
    probabilistic: bool = True  # binary scores are probabilities (calibration applies)

    def __len__(self) -> int:
        return len(self.labels)


def as_frame(X: Any) -> pd.DataFrame:
    """X_test as a DataFrame (arrays get columns x0, x1, ...)."""
    if isinstance(X, pd.DataFrame):
        return X
    array = np.asarray(X)
    if array.ndim != 2:
        raise UserError(f"X_test must be a table (2 dimensions), got {array.ndim}")
    return pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])


def labels_of(y: Any, rows: int) -> np.ndarray:
    """y_test as a 1-d array of the same length as X_test, without missing values."""
    values = y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)
    if values.ndim != 1:
        raise UserError(f"y_test must be one column, got shape {values.shape}")
    if len(values) != rows:
        raise UserError(f"y_test has {len(values)} labels but X_test has {rows} rows: lengths differ")
    if rows == 0:
        raise UserError("the test set is empty")
    missing = pd.isna(values)
    if missing.any():
        raise UserError(
            f"y_test has {int(missing.sum())} missing label(s) (first at row {int(np.argmax(missing))})"
        )
    return values


def task_of(problem: str, y: np.ndarray, model: Any) -> str:
    """binary / multiclass / regression / ranking from increment.yaml's ``problem`` and the labels."""
    if problem == "classification":
        classes = getattr(model, "classes_", None)
        count = len(classes) if classes is not None else len(np.unique(y))
        return "binary" if count <= 2 else "multiclass"
    if problem in ("regression", "ranking"):
        return problem
    raise UserError(
        f"problem {problem!r}: inc evaluate covers classification, regression and ranking; "
        "waive the evaluation check for this increment with a reason"
    )


def _finite(values: np.ndarray, what: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise UserError(f"{what} are not numbers ({exc})") from exc
    bad = ~np.isfinite(array)
    if bad.any():
        first = int(np.argmax(bad.reshape(len(array), -1).any(axis=1)))
        raise UserError(
            f"{what}: {int(bad.reshape(len(array), -1).any(axis=1).sum())} row(s) are NaN or "
            f"infinite (first at row {first}); fix the model or its inputs"
        )
    return array


def _predict(model: Any, X: Any, method: str) -> np.ndarray:
    try:
        return np.asarray(getattr(model, method)(X))
    except (ValueError, TypeError, KeyError) as exc:
        raise UserError(f"{type(model).__name__}.{method} failed on X_test: {exc}") from exc


def _classes(model: Any, y: np.ndarray) -> list[Any]:
    classes = getattr(model, "classes_", None)
    return list(classes) if classes is not None else sorted(np.unique(y).tolist())


def _indices(y: np.ndarray, classes: list[Any]) -> np.ndarray:
    index = {c: i for i, c in enumerate(classes)}
    text_index = {str(c): i for i, c in enumerate(classes)}
    out = np.empty(len(y), dtype=int)
    for row, value in enumerate(y.tolist()):
        i = index.get(value, text_index.get(str(value)))
        if i is None:
            shown = ", ".join(str(c) for c in classes)
            raise UserError(
                f"y_test holds {value!r} (row {row}), which the model does not know (classes: {shown})"
            )
        out[row] = i
    return out


def score_binary(model: Any, X: Any, y: np.ndarray) -> Scored:
    """Positive-class scores (predict_proba, else decision_function) of a two-class model."""
    classes = _classes(model, y)
    labels = _indices(y, classes)
    if len(classes) < 2 or len(set(labels.tolist())) < 2:
        present = classes[int(labels[0])] if len(labels) else "none"
        raise UserError(
            f"y_test holds a single class ({present!r}): ROC AUC, precision-recall and the "
            "threshold analysis need both classes in the test set"
        )
    if hasattr(model, "predict_proba"):
        scores, probabilistic = _finite(_predict(model, X, "predict_proba"), "model scores")[:, 1], True
    elif hasattr(model, "decision_function"):
        scores, probabilistic = _finite(_predict(model, X, "decision_function"), "model scores"), False
    else:
        raise UserError(f"{type(model).__name__} has neither predict_proba nor decision_function: no scores")
    return Scored(
        "binary", labels, scores=scores, classes=[str(c) for c in classes], probabilistic=probabilistic
    )


def score_multiclass(model: Any, X: Any, y: np.ndarray) -> Scored:
    """Class probabilities and predicted classes of a multi-class model."""
    classes = _classes(model, y)
    labels = _indices(y, classes)
    proba = None
    if hasattr(model, "predict_proba"):
        proba = _finite(_predict(model, X, "predict_proba"), "model probabilities")
    predicted_raw = _predict(model, X, "predict")
    predicted = _indices(predicted_raw, classes)
    return Scored("multiclass", labels, proba=proba, predicted=predicted, classes=[str(c) for c in classes])


def score_regression(model: Any, X: Any, y: np.ndarray) -> Scored:
    """Predictions of a regression model; the target must be numeric."""
    try:
        actual = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise UserError(
            f"the regression target is not numeric (e.g. {y[0]!r}); give a numeric column"
        ) from exc
    predicted = _finite(_predict(model, X, "predict").reshape(len(X), -1)[:, 0], "model predictions")
    return Scored("regression", _finite(actual, "y_test"), predicted=predicted)


def score_ranking(model: Any, X: Any, y: np.ndarray, groups: Any) -> Scored:
    """Scores of a ranking model, with the query each row belongs to."""
    if groups is None:
        raise UserError("a ranking evaluation needs the query of each row: pass groups= (or --group-by COL)")
    group_values = groups.to_numpy() if hasattr(groups, "to_numpy") else np.asarray(groups)
    if len(group_values) != len(X):
        raise UserError(f"groups has {len(group_values)} values but X_test has {len(X)} rows: lengths differ")
    try:
        relevance = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise UserError(f"ranking relevance labels are not numeric (e.g. {y[0]!r})") from exc
    scores = _finite(_predict(model, X, "predict").reshape(len(X), -1)[:, 0], "model scores")
    return Scored(
        "ranking",
        _finite(relevance, "y_test"),
        scores=scores,
        groups=np.asarray([str(g) for g in group_values.tolist()]),
    )


def score(model: Any, X: Any, y: np.ndarray, task: str, groups: Any = None) -> Scored:
    """The model's outputs on the test rows, checked (NaN scores and unknown labels refused)."""
    if task == "binary":
        return score_binary(model, X, y)
    if task == "multiclass":
        return score_multiclass(model, X, y)
    if task == "regression":
        return score_regression(model, X, y)
    return score_ranking(model, X, y, groups)
