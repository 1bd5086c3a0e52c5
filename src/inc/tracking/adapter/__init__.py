"""The MLflow wrapper: the only package that imports mlflow. Everything else in ``inc`` goes
through these functions, so the rest of the code does not know MLflow's API.

``audit``: what ``inc gate --verify`` reads (metric histories, artifact digests, MLmodel flavors).
``runs``: sessions (probe, bounded retries, credential-free errors), experiments, reading and
writing runs. ``models``: logging models with the right flavor and serialization, registry
versions, loading a model back (which runs its code: never on the gate's path).
"""

from __future__ import annotations

from inc.tracking.adapter.audit import (
    MetricPoint,
    artifact_sha256,
    metric_points,
    model_flavors,
    model_run_id,
    serialization_of,
)
from inc.tracking.adapter.inputs import (
    dataset_input,
    dataset_inputs,
    log_child_runs,
    log_inputs,
    log_report,
    run_artifacts,
)
from inc.tracking.adapter.models import (
    LoggedModel,
    get_alias,
    get_model_version,
    load_native_model,
    log_model,
    model_digest,
    model_versions_of_run,
    register_version,
    set_alias,
    set_model_version_tag,
)
from inc.tracking.adapter.runs import (
    RunData,
    client,
    delete_run_tag,
    end_run,
    ensure_experiment,
    find_run_ids,
    forget_experiment,
    get_run,
    http_limits,
    log_artifacts,
    log_batch,
    probe,
    search_tagged_runs,
    session,
    set_run_tags,
    start_run,
    tracking_error,
)
from inc.tracking.uri import (
    ARTIFACTS_DIR,
    EMBEDDED_DB,
    artifact_location,
    is_http,
    password_of,
    redact_text,
    redact_uri,
    resolve_tracking_uri,
)

__all__ = [
    "ARTIFACTS_DIR",
    "EMBEDDED_DB",
    "LoggedModel",
    "MetricPoint",
    "RunData",
    "artifact_location",
    "artifact_sha256",
    "client",
    "dataset_input",
    "dataset_inputs",
    "delete_run_tag",
    "end_run",
    "ensure_experiment",
    "find_run_ids",
    "forget_experiment",
    "get_alias",
    "get_model_version",
    "get_run",
    "http_limits",
    "is_http",
    "load_native_model",
    "log_artifacts",
    "log_batch",
    "log_child_runs",
    "log_inputs",
    "log_model",
    "log_report",
    "metric_points",
    "model_digest",
    "model_flavors",
    "model_run_id",
    "model_versions_of_run",
    "password_of",
    "probe",
    "redact_text",
    "redact_uri",
    "register_version",
    "resolve_tracking_uri",
    "run_artifacts",
    "search_tagged_runs",
    "serialization_of",
    "session",
    "set_alias",
    "set_model_version_tag",
    "set_run_tags",
    "start_run",
    "tracking_error",
]
