"""The only module importing shap: explainer choice, the raw SHAP computation, and shap's plots.

Choice, in order (the first that applies wins):

1. ``tree``: ``shap.TreeExplainer`` on tree ensembles (scikit-learn, XGBoost, LightGBM), with
   path-dependent perturbation (no background needed, exact); multi-class scikit-learn
   GradientBoosting, which shap refuses, is converted to shap's own tree format first.
2. ``linear``: ``shap.LinearExplainer`` on models with ``coef_``/``intercept_``, against a sampled
   background.
3. ``permutation``: model-agnostic, through the model's prediction function, with a sampled
   background (non-numeric columns are coded as integers for shap and decoded for the model).

A scikit-learn Pipeline whose last step is a tree or linear model is explained on its transformed
features (names from ``get_feature_names_out``); any other Pipeline goes through path 3 on its raw
columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shap
from shap.utils._exceptions import InvalidModelError

Matrix = Any  # a numpy array or a DataFrame, as the explainer takes it


@dataclass
class Plan:
    """How a model will be explained."""

    method: str  # tree | linear | permutation
    explainer: Any
    to_matrix: Callable[[pd.DataFrame], Matrix]
    feature_names: list[str]
    feature_space: str  # raw | transformed
    output_space: str  # log_odds | probability | margin | prediction
    outputs: list[str]  # one label per explained output (positive class, classes, "prediction")
    background_size: int
    model_class: str
    notes: list[str] = field(default_factory=list)
    decode: Callable[[np.ndarray], np.ndarray] | None = None  # coded matrix -> display values


@dataclass
class RawShap:
    """SHAP values normalised to ``values[n, f, k]`` and ``base[n, k]`` (k outputs)."""

    values: np.ndarray
    base: np.ndarray
    data: np.ndarray
    display: np.ndarray | None


def shap_version() -> str:
    """The installed shap version."""
    return str(shap.__version__)


def model_class(model: Any) -> str:
    """``module.Class`` of a model object."""
    return f"{type(model).__module__}.{type(model).__qualname__}"


def class_labels(model: Any) -> list[str] | None:
    """The classes of a classifier as text, or None for regressors."""
    classes = getattr(model, "classes_", None)
    if classes is None:
        return None
    return [str(c) for c in np.asarray(classes).ravel()]


def plan_explainer(model: Any, background: pd.DataFrame) -> Plan:
    """Choose the explainer for ``model`` (see the module docstring for the order)."""
    notes: list[str] = []
    head, final = _split_pipeline(model)
    if head is not None:
        background_t, names = _transform(head, background, notes)
        plan = _tree_plan(final, background_t, names, notes) or _linear_plan(
            final, background_t, names, notes
        )
        if plan is not None:
            plan.to_matrix = lambda frame: _transform(head, frame, [])[0]
            plan.feature_space = "transformed"
            plan.model_class = f"{model_class(model)}[{model_class(final)}]"
            return plan
        notes.append(
            f"the pipeline's last step {type(final).__name__} is neither a tree nor a linear model: "
            "explained through the pipeline's prediction function on the raw columns"
        )
        return _permutation_plan(model, background, notes)
    names = [str(c) for c in background.columns]
    return (
        _tree_plan(model, background, names, notes)
        or _linear_plan(model, background, names, notes)
        or _permutation_plan(model, background, notes)
    )


def compute(
    plan: Plan, rows: pd.DataFrame, on_chunk: Callable[[int], None] | None = None, chunks: int = 1
) -> RawShap:
    """Run the chosen explainer on ``rows``; ``on_chunk(n)`` is called after each chunk of rows."""
    matrix = plan.to_matrix(rows)
    parts = np.array_split(np.arange(len(rows)), max(1, min(chunks, len(rows))))
    values, bases = [], []
    for part in parts:
        chunk = matrix.iloc[part] if isinstance(matrix, pd.DataFrame) else matrix[part]
        v, b = _explain_chunk(plan, chunk)
        values.append(v)
        bases.append(b)
        if on_chunk is not None:
            on_chunk(len(part))
    data = np.asarray(matrix, dtype=float)
    display = plan.decode(data) if plan.decode is not None else None
    raw_values = np.concatenate(values)
    raw_base = np.concatenate(bases)
    return RawShap(*_normalise(raw_values, raw_base, len(plan.outputs)), data, display)


def _explain_chunk(plan: Plan, chunk: Matrix) -> tuple[np.ndarray, np.ndarray]:
    if plan.method == "permutation":
        result = plan.explainer(chunk, silent=True)
        return np.asarray(result.values), np.asarray(result.base_values)
    values = np.asarray(plan.explainer.shap_values(chunk))
    expected = np.asarray(plan.explainer.expected_value, dtype=float).ravel()
    if values.ndim == 3 and values.shape[0] != len(chunk):  # old list-of-classes layout
        values = np.moveaxis(values, 0, -1)
    base = np.tile(expected, (len(chunk), 1))
    return values, base


def _normalise(values: np.ndarray, base: np.ndarray, n_outputs: int) -> tuple[np.ndarray, np.ndarray]:
    if values.ndim == 2:
        values = values[:, :, None]
    base = base.reshape(len(values), -1)
    if values.shape[2] == 2 and n_outputs == 1:  # binary reported per class: keep the positive one
        values, base = values[:, :, 1:], base[:, 1:]
    return values.astype(float), base.astype(float)


# -- pipelines ---------------------------------------------------------------------------------


def _split_pipeline(model: Any) -> tuple[Any, Any]:
    steps = getattr(model, "steps", None)
    if type(model).__name__ != "Pipeline" or not steps or len(steps) < 2:
        return None, model
    return model[:-1], model[-1]


def _transform(head: Any, frame: pd.DataFrame, notes: list[str]) -> tuple[np.ndarray, list[str]]:
    out = head.transform(frame)
    if hasattr(out, "toarray"):
        out = out.toarray()
    matrix = np.asarray(out, dtype=float)
    try:
        names = [str(n) for n in head.get_feature_names_out()]
    except (AttributeError, ValueError, TypeError) as exc:
        names = [f"x{i}" for i in range(matrix.shape[1])]
        notes.append(f"transformed feature names unavailable ({exc}); using x0..x{len(names) - 1}")
    return matrix, names


# -- tree --------------------------------------------------------------------------------------


def _tree_plan(model: Any, background: Matrix, names: list[str], notes: list[str]) -> Plan | None:
    target = _gbm_multiclass_as_trees(model)
    try:
        explainer = shap.TreeExplainer(target if target is not None else model)
        background_size = 0
    except InvalidModelError:
        return None
    except Exception as exc:  # path-dependent refused (e.g. no node counts): use the background
        try:
            explainer = shap.TreeExplainer(model, data=background, feature_perturbation="interventional")
        except Exception:
            notes.append(f"tree explainer refused {type(model).__name__}: {exc}")
            return None
        background_size = len(background)
    outputs = _outputs(model)
    tree_output = getattr(explainer.model, "tree_output", None)
    if target is not None:
        notes.append("multi-class GradientBoosting converted to shap trees (one output per class)")
    return Plan(
        method="tree",
        explainer=explainer,
        to_matrix=lambda frame: frame,
        feature_names=names,
        feature_space="raw",
        output_space=_tree_space(tree_output, outputs),
        outputs=outputs,
        background_size=background_size,
        model_class=model_class(model),
        notes=notes,
    )


def _tree_space(tree_output: Any, outputs: list[str]) -> str:
    if tree_output in ("log_odds", "probability"):
        return str(tree_output)
    return "prediction" if outputs == ["prediction"] else "margin"


def _gbm_multiclass_as_trees(model: Any) -> dict[str, Any] | None:
    """scikit-learn multi-class GradientBoosting as shap's tree dict (shap supports binary only)."""
    if type(model).__name__ != "GradientBoostingClassifier":
        return None
    estimators = getattr(model, "estimators_", None)
    if estimators is None or estimators.shape[1] < 2:
        return None
    k = estimators.shape[1]
    trees = []
    for stage in estimators:
        for cls, regressor in enumerate(stage):
            tree = regressor.tree_
            values = np.zeros((tree.node_count, k))
            values[:, cls] = tree.value[:, 0, 0] * model.learning_rate
            trees.append(
                {
                    "children_left": tree.children_left,
                    "children_right": tree.children_right,
                    "children_default": tree.children_left,
                    "features": tree.feature,
                    "thresholds": tree.threshold.astype(np.float64),
                    "values": values,
                    "node_sample_weight": tree.weighted_n_node_samples.astype(np.float64),
                }
            )
    probe = np.zeros((1, model.n_features_in_))
    base = np.asarray(model._raw_predict_init(probe)[0], dtype=float)
    return {"trees": trees, "base_offset": base, "tree_output": "log_odds", "input_dtype": np.float32}


# -- linear ------------------------------------------------------------------------------------


def _linear_plan(model: Any, background: Matrix, names: list[str], notes: list[str]) -> Plan | None:
    if not (hasattr(model, "coef_") and hasattr(model, "intercept_")):
        return None
    try:
        masker = shap.maskers.Independent(background, max_samples=len(background))
        explainer = shap.LinearExplainer(model, masker)
    except InvalidModelError:
        return None
    outputs = _outputs(model)
    is_logistic = "Logistic" in type(model).__name__
    space = "prediction" if outputs == ["prediction"] else ("log_odds" if is_logistic else "margin")
    return Plan(
        method="linear",
        explainer=explainer,
        to_matrix=lambda frame: np.asarray(frame, dtype=float),
        feature_names=names,
        feature_space="raw",
        output_space=space,
        outputs=outputs,
        background_size=len(background),
        model_class=model_class(model),
        notes=notes,
    )


# -- model-agnostic ----------------------------------------------------------------------------


def _permutation_plan(model: Any, background: pd.DataFrame, notes: list[str]) -> Plan:
    coder = _Coder(background)
    predict, space = _prediction_function(model)
    outputs = _outputs(model)

    def f(coded: np.ndarray) -> np.ndarray:
        return predict(coder.decode_frame(coded))

    coded_background = coder.encode(background)
    n_features = coded_background.shape[1]
    max_evals = max(2 * n_features + 1, min(500, 10 * (2 * n_features + 1)))
    masker = shap.maskers.Independent(coded_background, max_samples=len(background))
    explainer = shap.PermutationExplainer(f, masker, seed=0, max_evals=max_evals)
    return Plan(
        method="permutation",
        explainer=explainer,
        to_matrix=coder.encode,
        feature_names=[str(c) for c in background.columns],
        feature_space="raw",
        output_space=space,
        outputs=outputs,
        background_size=len(background),
        model_class=model_class(model),
        notes=notes,
        decode=coder.decode_display if coder.coded else None,
    )


def _prediction_function(model: Any) -> tuple[Callable[[pd.DataFrame], np.ndarray], str]:
    classes = class_labels(model)
    if classes is None:
        return (lambda frame: np.asarray(model.predict(frame), dtype=float)), "prediction"
    binary = len(classes) == 2
    if hasattr(model, "predict_proba"):

        def proba(frame: pd.DataFrame) -> np.ndarray:
            p = np.asarray(model.predict_proba(frame), dtype=float)
            return p[:, 1] if binary else p

        return proba, "probability"

    def margin(frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(model.decision_function(frame), dtype=float)

    return margin, "margin"


def _outputs(model: Any) -> list[str]:
    classes = class_labels(model)
    if classes is None:
        return ["prediction"]
    return [classes[1]] if len(classes) == 2 else classes


class _Coder:
    """Codes non-numeric columns as integers (shap's maskers need numbers) and back."""

    def __init__(self, reference: pd.DataFrame) -> None:
        self.columns = list(reference.columns)
        self.dtypes = reference.dtypes.to_dict()
        self.categories: dict[Any, list[Any]] = {}
        for column in self.columns:
            if not pd.api.types.is_numeric_dtype(reference[column]) or pd.api.types.is_bool_dtype(
                reference[column]
            ):
                self.categories[column] = list(pd.unique(reference[column].astype(object)))
        self.coded = bool(self.categories)

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        out = np.empty((len(frame), len(self.columns)), dtype=float)
        for i, column in enumerate(self.columns):
            values = frame[column]
            if column in self.categories:
                known = self.categories[column]
                for value in pd.unique(values.astype(object)):
                    if value not in known:
                        known.append(value)
                index = {v: j for j, v in enumerate(known)}
                out[:, i] = [index[v] for v in values.astype(object)]
            else:
                out[:, i] = np.asarray(values, dtype=float)
        return out

    def decode_frame(self, coded: np.ndarray) -> pd.DataFrame:
        frame = pd.DataFrame(coded, columns=self.columns)
        for column, known in self.categories.items():
            frame[column] = np.asarray(known, dtype=object)[frame[column].to_numpy().astype(int)]
        return frame.astype(self.dtypes)

    def decode_display(self, coded: np.ndarray) -> np.ndarray:
        return self.decode_frame(coded).to_numpy(dtype=object)


# -- plots (drawn on the current matplotlib figure; saving is inc.explainability.plots' job) -------------


def _explanation(
    values: np.ndarray,
    base: np.ndarray | float,
    data: np.ndarray,
    display: np.ndarray | None,
    names: list[str],
) -> Any:
    return shap.Explanation(values, base_values=base, data=data, display_data=display, feature_names=names)


@contextmanager
def _seeded() -> Iterator[None]:
    """shap's plots jitter and shuffle with numpy's global RNG: fix it (then restore it) so the
    same values give byte-identical PNGs, and the hashes in summary.json are reproducible."""
    state = np.random.get_state()
    np.random.seed(0)
    try:
        yield
    finally:
        np.random.set_state(state)


def draw_beeswarm(
    values: np.ndarray, base: np.ndarray, data: np.ndarray, names: list[str], max_display: int
) -> None:
    """shap's beeswarm summary for ``values[n, f]``."""
    with _seeded():
        shap.plots.beeswarm(
            _explanation(values, base, data, None, names),
            max_display=max_display,
            show=False,
            plot_size=(7.0, 0.35 * min(max_display, len(names)) + 1.5),
        )


def draw_waterfall(
    values: np.ndarray,
    base: float,
    data: np.ndarray,
    display: np.ndarray | None,
    names: list[str],
    max_display: int,
) -> None:
    """shap's waterfall for one row (``values[f]``)."""
    with _seeded():
        shap.plots.waterfall(
            _explanation(values, base, data, display, names), max_display=max_display, show=False
        )


def draw_dependence(
    values: np.ndarray, base: np.ndarray, data: np.ndarray, names: list[str], feature: int, ax: Any
) -> None:
    """shap's scatter (dependence) plot of one feature, coloured by its strongest interaction."""
    explanation = _explanation(values, base, data, None, names)
    with _seeded():
        shap.plots.scatter(explanation[:, feature], color=explanation, ax=ax, show=False)
