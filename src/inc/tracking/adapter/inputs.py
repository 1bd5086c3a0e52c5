"""Evidence beyond params and metrics, in MLflow's own terms (part of ``inc.tracking.adapter``).

Dataset inputs (so the MLflow UI lists a run's data with digest, schema and context), nested
runs for the trials of a hyper-parameter search, and reports logged as artifacts of their run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc.errors import IncError
from inc.tracking.adapter.runs import client, get_run, log_artifacts, session
from inc.tracking.uri import redact_uri, resolve_tracking_uri

if TYPE_CHECKING:
    from inc.workspace import Workspace


def dataset_input(data: Any, name: str, digest: str, context: str) -> Any:
    """An MLflow ``DatasetInput`` for ``data`` (pandas or numpy) with inc's digest and a context tag.

    The digest is the first 32 hex digits of inc's sha256 (MLflow stores at most 36 characters);
    the schema and row count are MLflow's own, so the UI shows them.
    """
    from mlflow.data.numpy_dataset import from_numpy
    from mlflow.data.pandas_dataset import from_pandas
    from mlflow.entities import DatasetInput, InputTag
    from mlflow.utils.mlflow_tags import MLFLOW_DATASET_CONTEXT

    short = digest[:32]
    dataset: Any
    if type(data).__module__.split(".", 1)[0] == "pandas":
        frame = data.to_frame() if hasattr(data, "to_frame") and not hasattr(data, "columns") else data
        dataset = from_pandas(frame, name=name, digest=short)
    else:
        import numpy as np

        dataset = from_numpy(np.asarray(data), name=name, digest=short)
    return DatasetInput(dataset._to_mlflow_entity(), tags=[InputTag(MLFLOW_DATASET_CONTEXT, context)])


def log_inputs(uri: str, run_id: str, inputs: list[Any], attempts: int = 4) -> None:
    """Log dataset inputs (from ``dataset_input``) to a run in one request.

    Parallel trainings logging the same dataset to one experiment race inside MLflow's store
    (both insert the dataset row; one hits its unique key). The loser retries: by then the row
    exists and MLflow reuses it.
    """
    import time

    if not inputs:
        return
    for attempt in range(attempts):
        try:
            client(uri).log_inputs(run_id, datasets=inputs)
            return
        except Exception as exc:
            text = str(exc)
            raced = "dataset" in text.lower() and ("unique" in text.lower() or "duplicate" in text.lower())
            if not raced or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def dataset_inputs(uri: str, run_id: str) -> list[dict[str, str]]:
    """The run's dataset inputs as ``{name, digest, context}``."""
    with session(uri):
        run = client(uri).get_run(run_id)
        out = []
        for item in run.inputs.dataset_inputs if run.inputs is not None else []:
            context = next((t.value for t in item.tags if t.key == "mlflow.data.context"), "")
            out.append({"name": item.dataset.name, "digest": item.dataset.digest, "context": context})
        return out


def log_child_runs(uri: str, experiment_id: str, parent_run_id: str, children: list[Any]) -> list[str]:
    """Create one finished nested run per child (``name``, ``params``, ``metrics``); their ids."""
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID
    from mlflow.utils.time import get_current_time_millis

    ids = []
    with session(uri):
        mlclient = client(uri)
        for child in children:
            run = mlclient.create_run(
                experiment_id, run_name=child.name, tags={MLFLOW_PARENT_RUN_ID: parent_run_id, **child.tags}
            )
            now = get_current_time_millis()
            mlclient.log_batch(
                run.info.run_id,
                metrics=[Metric(k, float(v), now, 0) for k, v in child.metrics.items()],
                params=[Param(k, str(v)) for k, v in child.params.items()],
                tags=[RunTag("mlflow.runName", child.name)],
            )
            mlclient.set_terminated(run.info.run_id, "FINISHED")
            ids.append(str(run.info.run_id))
    return ids


def log_report(ws: Workspace, run_id: str, path: Path, artifact_path: str = "") -> str | None:
    """Log a report (a file or a folder) as artifacts of ``run_id``; None, or why it was not logged.

    Best effort, for every report writer (SHAP, evaluation, load test, drift): a report stays
    valid evidence in the increment when no store is reachable, and the reason is returned for
    the command to show. A folder lands under ``<artifact_path>/<folder name>/``, a file under
    ``<artifact_path>/`` (the run's root by default), named as in the increment's reports/.
    """
    try:
        uri = resolve_tracking_uri(ws)
        if uri.startswith("sqlite:///") and not Path(uri[len("sqlite:///") :].split("?")[0]).is_file():
            return f"no tracking store at {redact_uri(uri)}: report not logged to MLflow"
        get_run(uri, run_id)
        if path.is_dir():
            log_artifacts(uri, run_id, path, f"{artifact_path}/{path.name}".strip("/"))
        else:
            with session(uri):
                client(uri).log_artifact(run_id, str(path), artifact_path or None)
    except IncError as exc:
        return f"report not logged to MLflow: {exc.message}"
    return None


def run_artifacts(uri: str, run_id: str, path: str = "") -> list[str]:
    """Paths of a run's artifacts under ``path`` (recursively)."""
    with session(uri):
        mlclient = client(uri)
        found: list[str] = []
        pending = [path or None]
        while pending:
            for item in mlclient.list_artifacts(run_id, pending.pop()):
                if item.is_dir:
                    pending.append(item.path)
                else:
                    found.append(item.path)
        return sorted(found)
