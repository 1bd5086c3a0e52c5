"""MLflow models: logging with the right flavor and serialization, registry versions, loading.

Part of the MLflow wrapper (``inc.tracking.adapter``); mlflow is imported inside functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from inc.errors import NotFoundError, TrackingError
from inc.tracking.adapter.runs import _is_not_found, _mlflow, client, session
from inc.tracking.uri import redact_text


def _version_or_none(uri: str, fetch: Callable[[Any], Any]) -> dict[str, Any] | None:
    """``fetch(client)``'s model version (name, version, run_id, tags, source, model_id); None if absent."""
    with session(uri):
        try:
            found = fetch(client(uri))
        except Exception as exc:
            if _is_not_found(exc):
                return None
            raise
        return {
            "name": found.name,
            "version": str(found.version),
            "run_id": found.run_id,
            "tags": dict(found.tags),
            "source": found.source or "",
            "model_id": getattr(found, "model_id", None) or "",
        }


def get_model_version(uri: str, name: str, version: str) -> dict[str, Any] | None:
    """A registered model version as ``{name, version, run_id, tags}``, or None when missing."""
    return _version_or_none(uri, lambda registry: registry.get_model_version(name, version))


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
    sha256: str | None = None
    requirements: list[str] | None = None


def register_version(
    uri: str,
    name: str,
    model_uri: str,
    run_id: str | None,
    attempts: int = 6,
    tags: dict[str, str] | None = None,
) -> str:
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
            version = registry.create_model_version(
                name, source=model_uri, run_id=run_id, model_id=model_id, tags=tags
            )
            return str(version.version)
        except MlflowException as exc:
            if getattr(exc, "error_code", "") != "RESOURCE_DOES_NOT_EXIST" or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def log_model(
    uri: str,
    model: Any,
    name: str,
    input_example: Any = None,
    registered_name: str | None = None,
    serialization: str | None = None,
    pip_requirements: list[str] | None = None,
    version_tags: dict[str, str] | None = None,
) -> LoggedModel:
    """Log ``model`` to the active run with its flavor, signature and (optionally) a registry version.

    scikit-learn and LightGBM's sklearn API are saved with skops (the types the model uses are
    listed as trusted so a RandomForest or a pipeline loads back); XGBoost in its own format.
    ``serialization`` may ask for ``cloudpickle`` explicitly; it is never chosen silently.
    Requirements are pinned from the running environment (``modelkinds.pinned_requirements``)
    unless ``pip_requirements`` is given: MLflow's inference starts a subprocess taking seconds.
    A registered version is created with ``version_tags`` in the same request.
    """
    from inc.tracking.adapter import kinds as modelkinds

    mlflow = _mlflow()
    client(uri)
    flavor = modelkinds.flavor_of(model)
    options: dict[str, Any] = {"name": name, "input_example": input_example}
    booster = modelkinds.is_lgb_booster(model)
    if flavor == "xgboost":
        module = mlflow.xgboost
        fmt = serialization or "ubj"
        options["model_format"] = fmt
    else:
        module = mlflow.lightgbm if flavor == "lightgbm" else mlflow.sklearn
        fmt = "lightgbm-text" if booster else serialization or "skops"
        if not booster:
            options["serialization_format"] = fmt
        if fmt == "skops":
            options["skops_trusted_types"] = modelkinds.skops_trusted_types(model)
    requirements = (
        pip_requirements
        if pip_requirements is not None
        else modelkinds.pinned_requirements(model, flavor, fmt)
    )
    options["pip_requirements"] = requirements
    info = module.log_model(model, **options)
    active = mlflow.active_run()
    run_id = active.info.run_id if active is not None else None
    version = (
        register_version(uri, registered_name, str(info.model_uri), run_id, tags=version_tags)
        if registered_name
        else None
    )
    return LoggedModel(
        uri=str(info.model_uri),
        registered_name=registered_name,
        version=str(version) if version is not None else None,
        flavor=flavor,
        serialization=fmt,
        inputs=modelkinds.input_names(model, input_example),
        sha256=model_digest(uri, str(info.model_uri)),
        requirements=list(requirements),
    )


# Written by MLflow's client into the model folder when a ``models:/`` URI is downloaded (into the
# store itself for a local one): not part of the model, so not part of its digest.
_CLIENT_FILES = {"registered_model_meta"}


def model_digest(uri: str, model_uri: str) -> str:
    """sha256 over the logged model's files: each file's path and sha256, in path order.

    A local artifact store is read in place; a remote one is downloaded once to a temp folder.
    """
    import hashlib
    import tempfile
    from pathlib import Path

    from inc.evidence import sha256_file

    mlflow = _mlflow()
    with session(uri), tempfile.TemporaryDirectory(prefix="inc-model-") as tmp:
        local = _local_model_dir(uri, model_uri)
        if local is None:
            local = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=tmp))
        digest = hashlib.sha256()
        for path in sorted(p for p in local.rglob("*") if p.is_file() and p.name not in _CLIENT_FILES):
            digest.update(f"{path.relative_to(local).as_posix()}\0{sha256_file(path)}\n".encode())
        return digest.hexdigest()


def _local_model_dir(uri: str, model_uri: str) -> Any:
    """The folder of a logged model in a local (file://) artifact store, or None."""
    from pathlib import Path
    from urllib.parse import unquote, urlsplit

    if not model_uri.startswith("models:/m-"):
        return None
    try:
        location = client(uri).get_logged_model(model_uri.removeprefix("models:/")).artifact_location
    except Exception:
        return None
    parts = urlsplit(location or "")
    if parts.scheme not in ("file", ""):
        return None
    folder = Path(unquote(parts.path))
    return folder if folder.is_dir() else None


def set_alias(uri: str, name: str, version: str, alias: str, tags: dict[str, str]) -> None:
    """Point registry alias ``alias`` of model ``name`` at ``version`` and tag that version."""
    with session(uri):
        registry = client(uri)
        registry.set_registered_model_alias(name, alias, version)
        for key, value in tags.items():
            registry.set_model_version_tag(name, version, key, value)


def get_alias(uri: str, name: str, alias: str) -> dict[str, Any] | None:
    """The version an alias points at, as ``{name, version, run_id, tags}`` (None when unset)."""
    return _version_or_none(uri, lambda registry: registry.get_model_version_by_alias(name, alias))
