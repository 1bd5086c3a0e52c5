"""``inc.track_experiment``: an MLflow run tied to an increment, sealed into its ledger on exit.

mlflow is reached only through ``inc.tracking.adapter``; the ledger operations the CLI calls
live in ``inc.tracking.ledger`` and ``inc.tracking.runs_table``.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc.errors import UserError, require_ml
from inc.evidence import CV, DatasetFingerprint, ModelInfo, RowSketch, RunRecord, SearchInfo, read_run_record
from inc.fsutil import ensure_inside
from inc.tracking import ledger
from inc.workspace import as_workspace

if TYPE_CHECKING:
    from inc.increment import Increment
    from inc.provenance import Provenance
    from inc.workspace import Workspace

__all__ = ["Experiment", "ProvenanceWarning", "track_experiment"]

FLUSH_EVERY_S = 2.0


class ProvenanceWarning(UserWarning):
    """A run started from uncommitted changes or outside git: the gate cannot tie it to code."""


_TAG_LIMIT = 5000  # MLflow tag values are bounded; longer JSON stays in the ledger only


class Experiment:
    """The object ``track_experiment`` yields: log to the run, then the ledger is written on exit."""

    def __init__(
        self,
        ws: Workspace,
        inc: Increment,
        uri: str,
        run_id: str,
        role: str = "candidate",
        experiment_id: str = "",
        provenance: Provenance | None = None,
    ) -> None:
        self._ws, self._inc, self._uri = ws, inc, uri
        self.run_id = run_id
        self.role = role
        self.experiment_id = experiment_id
        self.provenance = provenance
        self.search: SearchInfo | None = None
        self.cv: CV | None = None
        self.datasets: list[DatasetFingerprint] = []
        self._wide_sketches: dict[str, RowSketch] = {}  # wider training samples (fingerprint.widen_training)
        self.model: ModelInfo | None = None
        self.note = ""
        self.record: RunRecord | None = None
        self.record_path: Path | None = None
        self._buffer = _Buffer()
        self._last_flush = time.monotonic()

    @property
    def increment(self) -> Increment:
        """The increment this run belongs to."""
        return self._inc

    def _log(self, **kwargs: Any) -> None:
        # Writes are batched: one request per FLUSH_EVERY_S (and before a model, and at the end)
        # instead of one per call, so tracking through inc costs no more than raw MLflow.
        self._buffer.add(**kwargs)
        if time.monotonic() - self._last_flush >= FLUSH_EVERY_S:
            self.flush()

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Log hyper-parameters (values are stored as text)."""
        self._log(params={str(k): _param_text(v) for k, v in params.items()})

    def log_metrics(self, metrics: Mapping[str, float]) -> None:
        """Log final metric values."""
        self._log(metrics={str(k): _number(k, v) for k, v in metrics.items()})

    def log_cv(self, scores: Sequence[float], metric: str | None = None, splits: Any = None) -> CV:
        """Log per-fold scores of ``metric`` (default: the increment's metric) with mean and std.

        ``splits`` (the splitter, e.g. ``StratifiedKFold(5, shuffle=True, random_state=0)``, or the
        ``(train, test)`` index pairs) is fingerprinted so the gate can pair these folds with a
        baseline's logged on the same splits.
        """
        from inc.comparison import split_fingerprint

        name = metric or self._inc.meta.metric.name
        folds = [_number(f"{name} fold", v) for v in scores]
        if len(folds) < 2:
            raise UserError(f"log_cv({name!r}): need at least 2 fold scores, got {len(folds)}")
        self.cv = CV(metric=name, folds=folds, splits=split_fingerprint(splits))
        key = ledger.cv_metric_key(name)
        self._log(
            metrics={f"{key}_mean": self.cv.mean, f"{key}_std": self.cv.std},
            steps={key: folds},
            tags={ledger.TAG_CV: json.dumps(self.cv.model_dump())},
        )
        return self.cv

    def log_dataset(self, data: Any, name: str = "train", context: str | None = None) -> DatasetFingerprint:
        """Fingerprint a dataset (sha256 of content, shape, columns and dtypes) and record it.

        It is also logged as an MLflow dataset input (name, digest, schema) with the context
        ``training`` or ``evaluation`` (default: ``training`` for a name like "train",
        "X_train" or "training_set", else ``evaluation``), so ``run.inputs.dataset_inputs`` and
        the MLflow UI show it. The ledger also keeps a sketch of the row hashes (a bottom-k
        sample, ``inc.tracking.fingerprint``) so the gate's ``leakage`` check can estimate how
        many test rows are also in train: log ``exp.log_dataset(X_train, "train")`` and
        ``exp.log_dataset(X_test, "test")`` the same way (both features only, or both with the
        target column; with the target, a row differing only by its label counts as different).
        """
        from inc.tracking import adapter
        from inc.tracking.fingerprint import for_run

        found, wide = for_run(data, name, context)
        kind = str(found.context)
        self.datasets = [d for d in self.datasets if d.name != name] + [found]
        if wide is not None:
            self._wide_sketches[name] = wide
        self._buffer.inputs[name] = adapter.dataset_input(data, name, found.sha256, kind)
        self._log(tags=_fitting({ledger.TAG_DATASETS: _datasets_json(self.datasets)}))
        return found

    def save_model(
        self,
        model: Any,
        input_example: Any = None,
        name: str = "model",
        serialization: str | None = None,
        pip_requirements: list[str] | None = None,
    ) -> ModelInfo:
        """Log the model with its signature; a candidate's is registered as a version of the increment.

        Baselines are never registered (the registry holds models that may ship). The version is
        tagged ``inc.increment``. sklearn/LightGBM models are saved with skops, XGBoost natively;
        ``serialization="cloudpickle"`` must be asked for explicitly. Requirements are pinned to
        the installed versions of the model's libraries unless ``pip_requirements`` is given.
        The ledger records the sha256 over the logged model's files.
        """
        from inc.tracking import adapter

        registered = ledger.model_name(self._inc) if self.role == "candidate" else None
        self.flush()  # the run holds its params and metrics before the (slow) model upload
        with adapter.session(self._uri):
            logged = adapter.log_model(
                self._uri,
                model,
                name,
                input_example,
                registered,
                serialization,
                pip_requirements,
                {ledger.TAG_INCREMENT: self._inc.id},
            )
        self.model = ModelInfo(
            uri=logged.uri,
            registered_name=logged.registered_name,
            version=logged.version,
            flavor=logged.flavor,
            serialization=logged.serialization,
            inputs=logged.inputs,
            sha256=logged.sha256,
        )
        self._log(tags=_fitting({ledger.TAG_MODEL: json.dumps(self.model.model_dump())}))
        return self.model

    def log_search(self, search: Any, name: str | None = None) -> SearchInfo:
        """Log a fitted GridSearchCV/RandomizedSearchCV or an Optuna study as this run's search.

        Each trial becomes a nested run with its params and score; the best trial's params go on
        this run as ``best.<param>`` params, its score as ``search_best_score``. The ledger records
        the search, which counts as evidence for the tuning task. An unfitted search or a study
        without a completed trial is a UserError naming the cause.
        """
        from inc.searches import trials_of
        from inc.tracking import adapter

        found = trials_of(search)
        prefix = name or found.kind
        children = [
            _Child(
                f"{prefix}-{t.number}",
                t.params,
                {"score": t.score, **({"score_std": t.std} if t.std is not None else {})},
                {"inc.search.trial": str(t.number)},
            )
            for t in found.trials
        ]
        self.flush()
        adapter.log_child_runs(self._uri, self.experiment_id, self.run_id, children)
        self.search = SearchInfo(
            kind=found.kind,
            trials=len(found.trials),
            scoring=found.scoring,
            best_score=found.best_score,
            best_params={k: _param_text(v) for k, v in found.best_params.items()},
        )
        metrics = {"search_best_score": found.best_score} if found.best_score is not None else {}
        self._log(
            params={f"best.{k}": v for k, v in self.search.best_params.items()},
            metrics=metrics,
            tags={ledger.TAG_SEARCH: json.dumps(self.search.model_dump())},
        )
        return self.search

    def log_note(self, text: str) -> None:
        """Why this run exists (shown as the run's description in MLflow and in the ledger)."""
        self.note = f"{self.note}\n{text}".strip() if self.note else text.strip()
        self._log(tags={ledger.TAG_NOTE: self.note})

    def flush(self) -> None:
        """Send everything logged since the last flush to the run in one request."""
        from inc.tracking import adapter

        self._last_flush = time.monotonic()
        if self._buffer.empty:
            return
        batch, self._buffer = self._buffer, _Buffer()
        with adapter.session(self._uri):
            if batch.params or batch.metrics or batch.tags or batch.steps:
                adapter.log_batch(
                    self._uri,
                    self.run_id,
                    params=batch.params,
                    metrics=batch.metrics,
                    tags=batch.tags,
                    steps=batch.steps,
                )
            adapter.log_inputs(self._uri, self.run_id, list(batch.inputs.values()))


@dataclass
class _Child:
    """A nested run to create (one trial of a search)."""

    name: str
    params: dict[str, Any]
    metrics: dict[str, float]
    tags: dict[str, str]


@dataclass
class _Buffer:
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    steps: dict[str, list[float]] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)  # dataset name -> MLflow DatasetInput

    @property
    def empty(self) -> bool:
        return not (self.params or self.metrics or self.tags or self.steps or self.inputs)

    def add(
        self,
        params: dict[str, str] | None = None,
        metrics: dict[str, float] | None = None,
        tags: dict[str, str] | None = None,
        steps: dict[str, list[float]] | None = None,
    ) -> None:
        self.params.update(params or {})
        self.metrics.update(metrics or {})
        self.tags.update(tags or {})
        self.steps.update(steps or {})


def _param_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _number(name: Any, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UserError(f"metric {name!r}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise UserError(f"metric {name!r}: {number} is not a finite number")
    return number


def _datasets_json(datasets: list[DatasetFingerprint]) -> str:
    """The datasets tag: the row sketches stay in the ledger only (a tag value is bounded)."""
    plain = [d.model_dump(exclude={"sketch"}) for d in datasets]
    text = json.dumps(plain)
    if len(text) <= _TAG_LIMIT:
        return text
    return json.dumps([{**d, "columns": []} for d in plain])


def _fitting(tags: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in tags.items() if len(v) <= _TAG_LIMIT}


@contextmanager
def track_experiment(
    name: str,
    increment: str,
    role: str = "candidate",
    workspace: Workspace | str | Path | None = None,
) -> Iterator[Experiment]:
    """Run the block inside an MLflow run linked to ``increment``; write ``runs/<run_id>.json`` on exit.

    The run is tagged ``inc.increment``/``inc.slug``/``inc.role`` in experiment ``inc/<id>-<slug>``.
    Its provenance (commit, dirty flag, training-code digest) is captured first; training from
    uncommitted changes or outside git warns (``ProvenanceWarning``) with the fix.
    An exception in the block ends the run FAILED (KILLED for Ctrl-C), records it so and is re-raised.
    """
    from inc.provenance import capture
    from inc.tracking import adapter

    ws = as_workspace(workspace)
    inc = ws.find(str(increment))
    ensure_inside(ws.root, inc.runs_dir)  # refuse a runs/ leading outside before any run starts
    ledger.check_role(role)
    if not name or not name.strip():
        raise UserError("track_experiment: name must not be empty")
    require_ml("mlflow")
    uri = adapter.resolve_tracking_uri(ws)
    found = capture(ws.root, inc)
    problem = found.warning()
    if problem:
        warnings.warn(f"{inc.name}: {problem}", ProvenanceWarning, stacklevel=3)
    tags = {
        ledger.TAG_INCREMENT: inc.id,
        ledger.TAG_SLUG: inc.meta.slug,
        ledger.TAG_ROLE: role,
        **ledger.provenance_tags(found.commit, found.dirty, found.code),
    }
    with adapter.session(uri):
        experiment = ledger.experiment_name(inc)
        experiment_id = adapter.ensure_experiment(uri, experiment)
        try:
            run_id = adapter.start_run(uri, experiment_id, name, tags)
        except Exception:  # the remembered experiment was deleted meanwhile: look it up again
            adapter.forget_experiment(uri, experiment)
            experiment_id = adapter.ensure_experiment(uri, experiment)
            run_id = adapter.start_run(uri, experiment_id, name, tags)
    exp = Experiment(ws, inc, uri, run_id, role, experiment_id, found)
    try:
        yield exp
    except BaseException as exc:
        _finish(exp, "KILLED" if isinstance(exc, KeyboardInterrupt) else "FAILED", reraise=False)
        raise
    _finish(exp, "FINISHED", reraise=True)


def _finish(exp: Experiment, status: str, reraise: bool) -> None:
    """End the run and write its record; on the failure path never mask the user's exception."""
    from inc.tracking import adapter

    try:
        try:
            exp.flush()
        except Exception:
            status = "FAILED"
            raise
        finally:
            adapter.end_run(exp._uri, exp.run_id, status)
        _write_record(exp)
    except Exception:
        if reraise:
            raise


def _write_record(exp: Experiment) -> None:
    from inc.tracking import adapter

    inc = exp.increment
    run = adapter.get_run(exp._uri, exp.run_id)
    record = ledger.record_from_run(run, inc, run.tags.get(ledger.TAG_ROLE, "candidate"), exp._uri)
    local: dict[str, Any] = {
        "cv": exp.cv or record.cv,
        "model": exp.model or record.model,
        "note": exp.note or record.note,
        "search": exp.search or record.search,
    }
    found = exp.provenance
    if found is not None:  # what was captured at run start, in full (tags may be cut)
        local.update(
            git_commit=found.commit, git_dirty=found.dirty, dirty_files=found.dirty_files, code=found.code
        )
    if exp.datasets:
        from inc.tracking.fingerprint import widen_training

        local["datasets"] = widen_training(exp.datasets, exp._wide_sketches)
    record = record.model_copy(update=local)
    exp.record_path, _ = ledger.save_record(inc.runs_dir, record, exp._ws.root)
    exp.record = read_run_record(exp.record_path)
