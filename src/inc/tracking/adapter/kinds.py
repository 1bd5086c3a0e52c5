"""What kind of model an object is, what inputs it takes, and which types skops must trust.

No mlflow here (that is ``inc.tracking.adapter``); ML libraries are imported inside functions.
"""

from __future__ import annotations

from typing import Any

from inc.errors import UserError


def _module_root(obj: Any) -> str:
    return type(obj).__module__.split(".", 1)[0]


def is_lgb_booster(model: Any) -> bool:
    """True for a raw ``lightgbm.Booster`` (saved in LightGBM's own text format)."""
    return _module_root(model) == "lightgbm" and type(model).__name__ == "Booster"


def flavor_of(model: Any) -> str:
    """``xgboost``, ``lightgbm`` or ``sklearn``; anything else is refused with a clear message."""
    root = _module_root(model)
    if root == "xgboost":
        return "xgboost"
    if root == "lightgbm":
        return "lightgbm"
    if hasattr(model, "fit") and hasattr(model, "get_params"):  # the scikit-learn estimator API
        return "sklearn"
    raise UserError(
        f"save_model: {type(model).__module__}.{type(model).__name__} is not a scikit-learn, "
        "XGBoost or LightGBM model; log it with mlflow directly and link the run with 'inc link'"
    )


def skops_trusted_types(model: Any) -> list[str]:
    """The types skops would refuse when loading ``model`` (e.g. ``sklearn.tree._tree.Tree``).

    The model is the caller's own object at save time, so its types are trusted; the list is
    recorded in the MLmodel file and used again when the model is loaded. Serializing a whole
    forest just to list its types costs as much as saving it, so ensembles of identical
    sub-estimators (forests, boosting, bagging) are probed with their first member only.
    """
    import skops.io

    try:
        return sorted(skops.io.get_untrusted_types(data=skops.io.dumps(_probe(model))))
    except Exception as exc:
        raise UserError(
            f"save_model: skops cannot serialize {type(model).__name__} ({exc}); "
            "pass serialization='cloudpickle' to save_model to accept pickle explicitly"
        ) from None


def _same_kind(items: Any) -> bool:
    """True when every item has the same class as the first (and so the same persisted types)."""
    first = type(items[0])
    return all(type(item) is first for item in items)


def _probe(model: Any, depth: int = 0) -> Any:
    """A shallow copy of ``model`` whose homogeneous ``estimators_`` keep one member (recursively)."""
    import copy

    members: Any = getattr(model, "estimators_", None)
    steps = getattr(model, "steps", None)
    if depth > 8:
        return model
    if isinstance(members, list) and len(members) > 1 and _same_kind(members):
        probe = copy.copy(model)
        probe.estimators_ = [_probe(members[0], depth + 1)]
        return probe
    if type(members).__module__ == "numpy" and getattr(members, "ndim", 0) == 2 and members.shape[0] > 1:
        flat = list(members.ravel())
        if flat and _same_kind(flat):  # gradient boosting: an (n_estimators, K) array of trees
            probe = copy.copy(model)
            probe.estimators_ = members[:1]
            return probe
    if isinstance(steps, list) and steps:
        probe = copy.copy(model)
        probe.steps = [(name, _probe(step, depth + 1)) for name, step in steps]
        return probe
    return model


def input_names(model: Any, input_example: Any = None) -> list[str]:
    """Column names the model takes: the input example's columns, else ``feature_names_in_``."""
    columns = getattr(input_example, "columns", None)
    if columns is not None:
        return [str(c) for c in columns]
    for attr in ("feature_names_in_", "feature_names", "feature_name_"):
        names = getattr(model, attr, None)
        if callable(names):
            try:
                names = names()
            except Exception:
                names = None
        if names is not None and len(names):
            return [str(n) for n in names]
    steps = getattr(model, "steps", None)
    if steps:
        return input_names(steps[0][1])
    return []


# Import name -> distribution names to try, for the packages a saved model needs at load time.
_DISTRIBUTIONS = {
    "sklearn": ("scikit-learn",),
    "xgboost": ("xgboost", "xgboost-cpu"),
    "lightgbm": ("lightgbm",),
    "skops": ("skops",),
    "cloudpickle": ("cloudpickle",),
    "numpy": ("numpy",),
    "scipy": ("scipy",),
    "pandas": ("pandas",),
}
_FLAVOR_MODULES = {
    "sklearn": ("sklearn",),
    "xgboost": ("xgboost", "sklearn"),
    "lightgbm": ("lightgbm", "sklearn"),
}
_NOT_PACKAGES = {"__main__", "builtins", "inc", "mlflow"}


def _component_modules(model: Any) -> set[str]:
    """Top-level modules of the model's class and of every estimator nested in it (pipelines)."""
    found = {_module_root(model)}
    get_params = getattr(model, "get_params", None)
    if callable(get_params):
        try:
            params = get_params(deep=True)
        except Exception:
            params = {}
        for value in params.values():
            if hasattr(value, "fit") or hasattr(value, "transform"):
                found.add(_module_root(value))
    return found - _NOT_PACKAGES


def _pin(module: str) -> str | None:
    """``dist==version`` of the installed distribution providing ``module`` (None when unknown)."""
    from importlib import metadata

    for dist in _DISTRIBUTIONS.get(module, (module,)):
        try:
            return f"{dist}=={metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
    for dist in _packages_distributions().get(module, []):
        try:
            return f"{dist}=={metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
    return None


_dist_map: dict[str, list[str]] = {}


def _packages_distributions() -> dict[str, list[str]]:
    # Scanning every installed distribution costs ~0.1-0.3 s: only for a module not in the table.
    if not _dist_map:
        from importlib import metadata

        _dist_map.update(metadata.packages_distributions())
    return _dist_map


def pinned_requirements(model: Any, flavor: str, serialization: str) -> list[str]:
    """Requirements of a saved model pinned to the versions installed in this environment.

    Read with ``importlib.metadata`` (milliseconds) instead of MLflow's inference, which starts a
    subprocess that loads the model (seconds). Covers the flavor's library, the serializer, the
    numeric stack and the libraries of every estimator nested in the model.
    """
    modules = [*_FLAVOR_MODULES.get(flavor, ()), "numpy", "scipy", "pandas"]
    if serialization == "skops":
        modules.append("skops")
    elif serialization == "cloudpickle":
        modules.append("cloudpickle")
    modules += sorted(_component_modules(model) - set(modules))
    pins = [pin for module in dict.fromkeys(modules) if (pin := _pin(module)) is not None]
    return sorted(dict.fromkeys(pins))
