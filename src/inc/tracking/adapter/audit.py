"""Reads for ``inc gate --verify``: metric histories with their times, artifact digests, MLmodel flavors.

Part of the MLflow wrapper (``inc.tracking.adapter``); mlflow is imported inside functions. Nothing
here loads a model or runs code from it: the MLmodel file is YAML read by MLflow's safe loader and
artifacts are hashed as bytes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inc.tracking.adapter.runs import _is_not_found, _mlflow, client, session


@contextmanager
def _quiet() -> Iterator[None]:
    """No download progress bars on stderr (unless the user asked for them)."""
    key = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
    added = key not in os.environ
    if added:
        os.environ[key] = "false"
    try:
        yield
    finally:
        if added:
            os.environ.pop(key, None)


@dataclass(frozen=True)
class MetricPoint:
    """One logged value of a metric: value, step and the time it was logged (ms since the epoch)."""

    value: float
    step: int
    timestamp: int


def metric_points(uri: str, run_id: str, keys: list[str]) -> dict[str, list[MetricPoint]]:
    """Every logged value of each of ``keys`` (absent keys are left out), in step then time order."""
    with session(uri):
        mlclient = client(uri)
        found: dict[str, list[MetricPoint]] = {}
        for key in dict.fromkeys(keys):
            try:
                history = mlclient.get_metric_history(run_id, key)
            except Exception as exc:
                if _is_not_found(exc):
                    continue
                raise
            if history:
                points = [MetricPoint(float(m.value), int(m.step), int(m.timestamp)) for m in history]
                found[key] = sorted(points, key=lambda p: (p.step, p.timestamp))
        return found


def _listed(mlclient: Any, run_id: str, artifact_path: str) -> bool:
    parent = artifact_path.rpartition("/")[0] or None
    try:
        items = mlclient.list_artifacts(run_id, parent)
    except Exception as exc:
        if _is_not_found(exc):
            return False
        raise
    return any(item.path == artifact_path and not item.is_dir for item in items)


def artifact_sha256(uri: str, run_id: str, artifact_path: str) -> str | None:
    """sha256 of the run's artifact file ``artifact_path`` as the server holds it; None when absent."""
    from inc.evidence import sha256_file

    mlflow = _mlflow()
    with session(uri), _quiet(), tempfile.TemporaryDirectory(prefix="inc-verify-") as tmp:
        mlclient = client(uri)
        if not _listed(mlclient, run_id, artifact_path):
            return None
        local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=artifact_path, dst_path=tmp)
        return sha256_file(Path(local))


def model_flavors(uri: str, model_uri: str) -> dict[str, dict[str, Any]] | None:
    """The flavors section of a logged model's MLmodel file; None when the model does not exist."""
    mlflow = _mlflow()
    with session(uri), _quiet():
        client(uri)
        try:
            info = mlflow.models.get_model_info(model_uri)
        except Exception as exc:
            if _is_not_found(exc) or "does not exist" in str(exc) or "No such file" in str(exc):
                return None
            raise
        return {name: dict(conf) for name, conf in info.flavors.items()}


def serialization_of(flavors: dict[str, dict[str, Any]], flavor: str | None) -> str | None:
    """How the MLmodel file says the model was serialized (skops, cloudpickle, ubj...); None if unsaid."""
    if flavor == "xgboost" and "xgboost" in flavors:
        fmt = flavors["xgboost"].get("model_format")
        return str(fmt) if fmt else None
    sklearn = flavors.get("sklearn", {})
    if sklearn.get("serialization_format"):
        return str(sklearn["serialization_format"])
    lgb = flavors.get("lightgbm", {})
    if flavor == "lightgbm" and str(lgb.get("data", "")).endswith((".lgb", ".txt")):
        return "lightgbm-text"
    return None


def model_run_id(uri: str, model_uri: str) -> str | None:
    """The run a logged model came from (``models:/m-...``, ``runs:/<run>/...`` or ``models:/name/v``).

    None when the model is unknown to the server or its URI names no run.
    """
    if model_uri.startswith("runs:/"):
        return model_uri.removeprefix("runs:/").split("/", 1)[0] or None
    if not model_uri.startswith("models:/"):
        return None
    rest = model_uri.removeprefix("models:/")
    with session(uri):
        mlclient = client(uri)
        try:
            if rest.startswith("m-") and "/" not in rest:
                return str(mlclient.get_logged_model(rest).source_run_id or "") or None
            name, _, version = rest.partition("/")
            return str(mlclient.get_model_version(name, version).run_id or "") or None
        except Exception as exc:
            if _is_not_found(exc) or "not found" in str(exc).lower():
                return None
            raise
