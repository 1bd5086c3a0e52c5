"""MLflow models: logging with the right flavor and serialization, registry versions, loading.

Part of the MLflow wrapper (``inc.mlflow_adapter``); mlflow is imported inside functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inc.errors import NotFoundError, TrackingError
from inc.mlflow_adapter.runs import _is_not_found, _mlflow, client, session
from inc.tracking_uri import redact_text


def get_model_version(uri: str, name: str, version: str) -> dict[str, Any] | None:
    """A registered model version as ``{name, version, run_id, tags}``, or None when missing."""
    with session(uri):
        try:
            found = client(uri).get_model_version(name, version)
        except Exception as exc:
            if _is_not_found(exc):
                return None
            raise
        return {"name": found.name, "version": str(found.version), "run_id": found.run_id,
                "tags": dict(found.tags)}


def model_versions_of_run(uri: str, run_id: str) -> list[dict[str, str]]:
    """Registered model versions created from ``run_id`` as ``{name, version, source}``."""
    with session(uri):
        found = client(uri).search_model_versions(f"run_id = '{run_id}'")
        return [{"name": v.name, "version": str(v.version), "source": v.source or ""} for v in found]


def set_model_version_tag(uri: str, name: str, version: str, key: str, value: str) -> None:
    """Tag a registered model version."""
    client(uri).set_model_version_tag(name, version, key, value)


def load_native_model(model_uri: str, tracking_uri: str) -> Any:
    """Load a logged model as its native object (sklearn, XGBoost or LightGBM). Runs model code."""
    mlflow = _mlflow()
    with session(tracking_uri):
        client(tracking_uri)
        try:
            flavors = mlflow.models.get_model_info(model_uri).flavors
        except Exception as exc:
            raise NotFoundError(
                f"cannot read model {model_uri}: {redact_text(str(exc), tracking_uri)[:300]}"
            ) from None
        for flavor in ("xgboost", "lightgbm", "sklearn"):
            if flavor in flavors:
                module = getattr(mlflow, flavor)
                return module.load_model(model_uri)
        raise TrackingError(
            f"model {model_uri} has flavors {sorted(flavors)}; inc loads sklearn, xgboost or lightgbm"
        )


# --------------------------------------------------------------------------- models


@dataclass
class LoggedModel:
    """What ``log_model`` produced: where the model is and how it was saved."""

    uri: str
    registered_name: str | None
    version: str | None
    flavor: str
    serialization: str
    inputs: list[str]


def register_version(uri: str, name: str, model_uri: str, run_id: str | None, attempts: int = 6) -> str:
    """Register ``model_uri`` as a new version of ``name``; safe when trainings run in parallel.

    MLflow's own ``registered_model_name=`` path races when several processes create the
    same registered model at once on a shared server (one of them sees "already exists",
    then "not found"). Creating the model first, tolerating "already exists", and retrying
    a "not found" with a short backoff gives each concurrent registration its own version.
    """
    import time

    from mlflow.exceptions import MlflowException

    registry = client(uri)
    model_id = model_uri.removeprefix("models:/") if model_uri.startswith("models:/m-") else None
    for attempt in range(attempts):
        try:
            try:
                registry.create_registered_model(name)
            except MlflowException as exc:
                if getattr(exc, "error_code", "") != "RESOURCE_ALREADY_EXISTS":
                    raise
            version = registry.create_model_version(name, source=model_uri, run_id=run_id, model_id=model_id)
            return str(version.version)
        except MlflowException as exc:
            if getattr(exc, "error_code", "") != "RESOURCE_DOES_NOT_EXIST" or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def log_model(
    uri: str, model: Any, name: str, input_example: Any = None,
    registered_name: str | None = None, serialization: str | None = None,
    pip_requirements: list[str] | None = None,
) -> LoggedModel:
    """Log ``model`` to the active run with its flavor, signature and (optionally) a registry version.

    scikit-learn and LightGBM's sklearn API are saved with skops (the types the model uses are
    listed as trusted so a RandomForest or a pipeline loads back); XGBoost in its own format.
    ``serialization`` may ask for ``cloudpickle`` explicitly; it is never chosen silently.
    ``pip_requirements`` skips MLflow's requirement inference (a subprocess taking seconds).
    """
    from inc import modelkinds

    mlflow = _mlflow()
    client(uri)
    flavor = modelkinds.flavor_of(model)
    options: dict[str, Any] = {"name": name, "input_example": input_example,
                               "pip_requirements": pip_requirements}
    if flavor == "xgboost":
        fmt = serialization or "ubj"
        options["model_format"] = fmt
        info = mlflow.xgboost.log_model(model, **options)
    else:
        fmt = serialization or "skops"
        options["serialization_format"] = fmt
        if fmt == "skops" and not modelkinds.is_lgb_booster(model):
            options["skops_trusted_types"] = modelkinds.skops_trusted_types(model)
        module = mlflow.lightgbm if flavor == "lightgbm" else mlflow.sklearn
        if modelkinds.is_lgb_booster(model):
            fmt = "lightgbm-text"
            options.pop("serialization_format")
        info = module.log_model(model, **options)
    active = mlflow.active_run()
    run_id = active.info.run_id if active is not None else None
    version = register_version(uri, registered_name, str(info.model_uri), run_id) if registered_name else None
    return LoggedModel(
        uri=str(info.model_uri),
        registered_name=registered_name,
        version=str(version) if version is not None else None,
        flavor=flavor,
        serialization=fmt,
        inputs=modelkinds.input_names(model, input_example),
    )
