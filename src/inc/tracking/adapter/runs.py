"""MLflow sessions, errors, experiments and runs (part of the ``inc.tracking.adapter`` wrapper).

mlflow is imported inside functions so that importing this module stays cheap and works without
the ml extra. Errors from mlflow, requests or the network become ``TrackingError`` messages that
never contain credentials (see ``redact_uri``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from inc.errors import IncError, MissingExtraError, NotFoundError, TrackingError
from inc.tracking.uri import (
    artifact_location,
    is_http,
    password_of,
    redact_text,
    redact_uri,
)

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient


PROBE_TIMEOUT_S = 5.0
PROBE_TTL_S = 30.0
# Limits for inc's own calls to an HTTP tracking server (used only when the user set none):
# a dead server is reported in seconds, not after minutes of exponential retries.
HTTP_LIMITS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "20",
}


# --------------------------------------------------------------------------- sessions and errors


def _mlflow() -> Any:
    try:
        import mlflow
    except ImportError as exc:
        raise MissingExtraError("mlflow is not installed") from exc
    return mlflow


@contextmanager
def http_limits(uri: str) -> Iterator[None]:
    """Short retries and timeouts for inc's calls to an HTTP server (unless the user set their own)."""
    if not is_http(uri):
        yield
        return
    wanted = dict(HTTP_LIMITS)
    if password_of(uri):  # mlflow prints "View run at <uri>" with the password in it
        wanted["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = "true"
    added = [key for key in wanted if key not in os.environ]
    for key in added:
        os.environ[key] = wanted[key]
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)


_answered: dict[str, float] = {}


def probe(uri: str) -> None:
    """Fail fast with a TrackingError when an HTTP tracking server does not answer.

    A server that answered in the last ``PROBE_TTL_S`` seconds is not asked again.
    """
    if not is_http(uri) or time.monotonic() - _answered.get(uri, -PROBE_TTL_S) < PROBE_TTL_S:
        return
    import requests

    parts = urlsplit(uri)
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    base = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    auth = (unquote(parts.username or ""), password_of(uri) or "") if parts.username else None
    try:
        requests.get(f"{base}/health", timeout=PROBE_TIMEOUT_S, auth=auth)
    except requests.RequestException as exc:
        raise TrackingError(
            f"tracking server {redact_uri(uri)} is unreachable ({type(exc).__name__}); "
            "start it, or point MLFLOW_TRACKING_URI / inc.yaml tracking_uri at a running one"
        ) from None
    _answered[uri] = time.monotonic()


@contextmanager
def session(uri: str) -> Iterator[None]:
    """Probe the server, bound its retries, and turn failures into credential-free TrackingErrors."""
    probe(uri)
    with http_limits(uri):
        try:
            yield
        except IncError:
            raise
        except Exception as exc:
            raise tracking_error(exc, uri) from None


def tracking_error(exc: BaseException, uri: str) -> TrackingError:
    """A TrackingError for ``exc`` whose message names the (redacted) store and never a password."""
    detail = redact_text(str(exc).strip().splitlines()[0] if str(exc).strip() else "", uri)
    return TrackingError(f"tracking store {redact_uri(uri)}: {type(exc).__name__}: {detail}")


_clients: dict[str, Any] = {}


def client(uri: str) -> MlflowClient:
    """An MlflowClient bound to ``uri`` (also made the process's current tracking URI)."""
    mlflow = _mlflow()
    # The fluent APIs used for models read these globals; set both every time, since another
    # workspace in the same process may have moved them. mlflow.set_tracking_uri also exports
    # MLFLOW_TRACKING_URI, which would then win inc's own URI precedence for every later
    # workspace in this process: put the environment back as it was.
    saved = {key: os.environ.get(key) for key in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    if uri not in _clients:
        from mlflow.tracking import MlflowClient

        from inc.tracking.store_lock import first_open_lock, sqlite_path

        with first_open_lock(uri):  # concurrent first runs: one schema migration at a time
            fresh = MlflowClient(tracking_uri=uri, registry_uri=uri)
            if sqlite_path(uri) is not None:
                fresh.search_experiments(max_results=1)  # opens (creates, migrates) the tracking store
                fresh.search_registered_models(max_results=1)  # and the registry store
        _clients[uri] = fresh
    return _clients[uri]


_experiments: dict[tuple[str, str], str] = {}


def ensure_experiment(uri: str, name: str) -> str:
    """The id of experiment ``name``, created (with the store's artifact location) when missing.

    Remembered per process: a training script starting many runs asks the store once.
    """
    from mlflow.exceptions import MlflowException

    if (uri, name) in _experiments:
        return _experiments[(uri, name)]
    mlclient = client(uri)
    experiment = mlclient.get_experiment_by_name(name)
    if experiment is None or experiment.lifecycle_stage != "active":
        try:
            experiment_id = str(mlclient.create_experiment(name, artifact_location=artifact_location(uri)))
        except MlflowException:
            # Another process created it between our lookup and our create (parallel trainings
            # on a shared server): use theirs. Anything else is re-raised.
            experiment = mlclient.get_experiment_by_name(name)
            if experiment is None:
                raise
            experiment_id = str(experiment.experiment_id)
    else:
        experiment_id = str(experiment.experiment_id)
    _experiments[(uri, name)] = experiment_id
    return experiment_id


def forget_experiment(uri: str, name: str) -> None:
    """Drop a remembered experiment id (after the store said it no longer exists)."""
    _experiments.pop((uri, name), None)


# --------------------------------------------------------------------------- reading runs


@dataclass
class RunData:
    """A run as plain data, detached from mlflow's entities."""

    run_id: str
    experiment_id: str
    name: str
    status: str
    start_time: int | None
    end_time: int | None
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metric_history: dict[str, list[float]] = field(default_factory=dict)
    lifecycle: str = "active"  # "deleted" for a run deleted in the UI (kept until garbage-collected)

    def tag_json(self, key: str) -> Any:
        """A tag holding JSON, parsed (None when absent or malformed)."""
        raw = self.tags.get(key)
        if not raw:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return None


def _run_data(run: Any) -> RunData:
    info, data = run.info, run.data
    return RunData(
        run_id=info.run_id,
        experiment_id=str(info.experiment_id),
        name=info.run_name or data.tags.get("mlflow.runName", "") or info.run_id,
        status=info.status,
        start_time=info.start_time,
        end_time=info.end_time,
        params=dict(data.params),
        metrics={k: float(v) for k, v in data.metrics.items()},
        tags=dict(data.tags),
        lifecycle=str(getattr(info, "lifecycle_stage", "active") or "active"),
    )


def get_run(uri: str, run_id: str, history: tuple[str, ...] = ()) -> RunData:
    """Read one run (and the history of the named metrics); NotFoundError when it does not exist."""
    with session(uri):
        mlclient = client(uri)
        try:
            run = mlclient.get_run(run_id)
        except Exception as exc:
            if _is_not_found(exc):
                raise NotFoundError(
                    f"run {run_id!r} does not exist in tracking store {redact_uri(uri)}; "
                    "check the id in the MLflow UI or with 'inc sync'"
                ) from None
            raise
        result = _run_data(run)
        for key in history:
            if key in result.metrics:
                points = sorted(mlclient.get_metric_history(run_id, key), key=lambda m: m.step)
                result.metric_history[key] = [float(m.value) for m in points]
        return result


def _is_not_found(exc: Exception) -> bool:
    code = getattr(exc, "error_code", "")
    return code in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE") or "not found" in str(exc)


def search_tagged_runs(uri: str, tag: str, value: str) -> list[RunData]:
    """Every run in any experiment whose tag ``tag`` equals ``value`` (deleted runs excluded)."""
    with session(uri):
        mlclient = client(uri)
        experiment_ids = [e.experiment_id for e in mlclient.search_experiments()]
        found: list[RunData] = []
        token: str | None = None
        while experiment_ids:
            page = mlclient.search_runs(
                experiment_ids,
                filter_string=f"tags.`{tag}` = '{value}'",
                max_results=1000,
                page_token=token,
            )
            found.extend(_run_data(run) for run in page)
            token = page.token
            if not token:
                break
        return found


# --------------------------------------------------------------------------- writing


def start_run(uri: str, experiment_id: str, name: str, tags: dict[str, str]) -> str:
    """Start (and make active) a run; returns its id."""
    mlflow = _mlflow()
    client(uri)
    nested = mlflow.active_run() is not None
    run = mlflow.start_run(experiment_id=experiment_id, run_name=name, tags=tags, nested=nested)
    return str(run.info.run_id)


def end_run(uri: str, run_id: str, status: str) -> None:
    """End ``run_id`` with ``status`` (``FINISHED``, ``FAILED``, ``KILLED``) on the store.

    Whatever happens (store unreachable, Ctrl-C), the run is no longer active in this thread
    afterwards: a run left active would swallow the next ``mlflow.start_run`` of the process.
    A failure to reach the store is still raised.
    """
    mlflow = _mlflow()
    try:
        with session(uri):
            active = mlflow.active_run()
            if active is not None and active.info.run_id == run_id:
                client(uri)
                mlflow.end_run(status=status)  # takes it off the stack, then marks it on the store
            else:  # the block ended it, or left a run of its own on top: leave that one alone
                client(uri).set_terminated(run_id, status)
    finally:
        _forget_active_run(run_id)


def _forget_active_run(run_id: str) -> None:
    """Take ``run_id`` off this thread's stack of active runs, without a request to the store."""
    from mlflow.environment_variables import MLFLOW_RUN_ID
    from mlflow.tracking import fluent

    stack = fluent._active_run_stack.get()
    kept = [run for run in stack if run.info.run_id != run_id]
    if len(kept) != len(stack):
        stack[:] = kept
        MLFLOW_RUN_ID.unset()


def log_batch(
    uri: str,
    run_id: str,
    params: dict[str, str] | None = None,
    metrics: dict[str, float] | None = None,
    tags: dict[str, str] | None = None,
    steps: dict[str, list[float]] | None = None,
) -> None:
    """Log params, metrics, tags and stepped metric series in one request."""
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.utils.time import get_current_time_millis

    now = get_current_time_millis()
    entries = [Metric(k, float(v), now, 0) for k, v in (metrics or {}).items()]
    for key, values in (steps or {}).items():
        entries.extend(Metric(key, float(v), now, step) for step, v in enumerate(values))
    client(uri).log_batch(
        run_id,
        metrics=entries,
        params=[Param(k, str(v)) for k, v in (params or {}).items()],
        tags=[RunTag(k, str(v)) for k, v in (tags or {}).items()],
    )


def find_run_ids(uri: str, prefix: str, limit: int = 5000) -> list[str]:
    """Ids of runs (any experiment) starting with ``prefix``; at most ``limit`` runs are scanned."""
    with session(uri):
        mlclient = client(uri)
        experiment_ids = [e.experiment_id for e in mlclient.search_experiments()]
        found: list[str] = []
        token: str | None = None
        scanned = 0
        while experiment_ids and scanned < limit:
            page = mlclient.search_runs(experiment_ids, max_results=1000, page_token=token)
            scanned += len(page)
            found.extend(run.info.run_id for run in page if run.info.run_id.startswith(prefix))
            token = page.token
            if not token:
                break
        return found


def delete_run_tag(uri: str, run_id: str, key: str) -> None:
    """Remove a tag from a run (nothing happens when it is not set)."""
    with session(uri):
        try:
            client(uri).delete_tag(run_id, key)
        except Exception as exc:
            if not _is_not_found(exc) and "No tag with name" not in str(exc):
                raise


def set_run_tags(uri: str, run_id: str, tags: dict[str, str]) -> None:
    """Set tags on an existing run."""
    with session(uri):
        log_batch(uri, run_id, tags=tags)


def log_artifacts(tracking_uri: str, run_id: str, local_dir: str | Path, artifact_path: str) -> None:
    """Upload the files of ``local_dir`` to ``run_id`` under ``artifact_path``."""
    with session(tracking_uri):
        client(tracking_uri).log_artifacts(run_id, str(local_dir), artifact_path)
