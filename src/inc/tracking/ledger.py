"""The run ledger: build ``runs/<run_id>.json`` from MLflow runs, link and sync them.

``inc gate --verify`` compares the ledger with the server in ``inc.tracking.verify``.

mlflow is reached only through ``inc.tracking.adapter`` (imported lazily); nothing here is needed
to read the ledger, which the gate and ``inc runs`` do without a tracking server.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc.errors import UserError, require_ml
from inc.evidence import (
    CV,
    CodeDigest,
    DatasetFingerprint,
    ModelInfo,
    RunRecord,
    SearchInfo,
    check_run_id,
    read_run_record,
    seal,
    write_run_record,
)
from inc.fsutil import ensure_inside, pretty_json

if TYPE_CHECKING:
    from inc.increment import Increment
    from inc.tracking.adapter import RunData
    from inc.workspace import Workspace

TAG_INCREMENT = "inc.increment"
TAG_SLUG = "inc.slug"
TAG_ROLE = "inc.role"
TAG_CV = "inc.cv"
TAG_DATASETS = "inc.datasets"
TAG_MODEL = "inc.model"
TAG_NOTE = "mlflow.note.content"
TAG_GIT = "mlflow.source.git.commit"
TAG_INC_GIT = "inc.git.commit"
TAG_DIRTY = "inc.git.dirty"
TAG_CODE = "inc.code"
TAG_SEARCH = "inc.search"
TAG_UNLINKED = "inc.unlinked"
_TAG_LIMIT = 5000
ROLES = ("baseline", "candidate")
# Fields a server cannot give back (reports are linked by other commands): kept on re-link.
_KEPT = ("reports",)
# Not git_commit: a commit the server does not know (HEAD stamped by an older link) is dropped.
_KEPT_WHEN_EMPTY = ("datasets", "git_dirty", "dirty_files", "code", "model", "cv", "note", "search")


def experiment_name(inc: Increment) -> str:
    """The MLflow experiment of an increment: ``inc/<id>-<slug>``."""
    return f"inc/{inc.name}"


def model_name(inc: Increment) -> str:
    """The registered model name of an increment: ``<id>-<slug>``."""
    return inc.name


def check_role(role: str) -> str:
    """Refuse a role other than baseline/candidate."""
    if role not in ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


def _iso(millis: int | None) -> str | None:
    if millis is None:
        return None
    return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC).isoformat(timespec="seconds")


def cv_metric_key(metric: str) -> str:
    """The stepped MLflow metric holding per-fold scores of ``metric``."""
    return f"cv_{metric}"


def _cv_from_run(run: RunData, inc: Increment) -> CV | None:
    tagged = run.tag_json(TAG_CV)
    if isinstance(tagged, dict) and "metric" in tagged and "folds" in tagged:
        return CV.model_validate(tagged)
    key = cv_metric_key(inc.meta.metric.name)
    folds = run.metric_history.get(key)
    return CV(metric=inc.meta.metric.name, folds=folds) if folds else None


def _model_from_run(run: RunData) -> ModelInfo | None:
    tagged = run.tag_json(TAG_MODEL)
    return ModelInfo.model_validate(tagged) if isinstance(tagged, dict) and "uri" in tagged else None


def _datasets_from_run(run: RunData) -> list[DatasetFingerprint]:
    tagged = run.tag_json(TAG_DATASETS)
    if not isinstance(tagged, list):
        return []
    return [DatasetFingerprint.model_validate(d) for d in tagged if isinstance(d, dict)]


def _tagged(run: RunData, key: str, model: Any) -> Any:
    tagged = run.tag_json(key)
    try:
        return model.model_validate(tagged) if isinstance(tagged, dict) else None
    except ValueError:
        return None


def provenance_tags(commit: str | None, dirty: bool | None, code: CodeDigest | None) -> dict[str, str]:
    """Run tags holding the provenance captured at run start (a long code listing is cut)."""
    tags: dict[str, str] = {}
    if commit:
        tags[TAG_INC_GIT] = commit
    if dirty is not None:
        tags[TAG_DIRTY] = "true" if dirty else "false"
    if code is not None:
        text = json.dumps(code.model_dump())
        tags[TAG_CODE] = text if len(text) <= _TAG_LIMIT else json.dumps({"sha256": code.sha256})
    return tags


def _dirty(run: RunData) -> bool | None:
    value = run.tags.get(TAG_DIRTY)
    return None if value is None else value == "true"


def _finite(metrics: dict[str, float]) -> dict[str, float]:
    # JSON has no NaN/inf: they are left out of the record rather than written invalid.
    return {k: v for k, v in metrics.items() if math.isfinite(v)}


def record_from_run(run: RunData, inc: Increment, role: str, tracking_uri: str) -> RunRecord:
    """A ledger record for ``run`` (credentials stripped from the tracking URI).

    The commit comes from the run itself (inc's provenance tag, else MLflow's
    ``mlflow.source.git.commit``) or stays missing: HEAD at link time says nothing about the
    code that trained the run, so it is never written.
    """
    from inc.tracking.adapter import redact_uri

    return RunRecord(
        run_id=run.run_id,
        experiment_id=run.experiment_id,
        tracking_uri=redact_uri(tracking_uri),
        increment=inc.id,
        name=run.name,
        role=check_role(role),
        status=run.status,
        start_time=_iso(run.start_time),
        end_time=_iso(run.end_time),
        git_commit=run.tags.get(TAG_INC_GIT) or run.tags.get(TAG_GIT) or None,
        git_dirty=_dirty(run),
        code=_tagged(run, TAG_CODE, CodeDigest),
        params=dict(run.params),
        metrics=_finite(run.metrics),
        cv=_cv_from_run(run, inc),
        datasets=_datasets_from_run(run),
        model=_model_from_run(run),
        note=run.tags.get(TAG_NOTE, ""),
        search=_tagged(run, TAG_SEARCH, SearchInfo),
    )


def with_registered_model(uri: str, record: RunRecord) -> RunRecord:
    """For a run logged with plain MLflow: the model version registered from it, if any."""
    if record.model is not None:
        return record
    from inc.tracking import adapter

    versions = adapter.model_versions_of_run(uri, record.run_id)
    if not versions:
        return record
    latest = max(versions, key=lambda v: int(v["version"]))
    model = ModelInfo(
        uri=f"models:/{latest['name']}/{latest['version']}",
        registered_name=latest["name"],
        version=latest["version"],
    )
    return record.model_copy(update={"model": model})


def merge_existing(path: Path, fresh: RunRecord) -> RunRecord:
    """Keep what only the ledger knows (linked reports, local details) when re-writing a record."""
    if not path.is_file():
        return fresh
    try:
        old = read_run_record(path, verify=False).model_dump(by_alias=True)
    except UserError:
        return fresh  # a corrupt record is replaced by the server's truth
    data = fresh.model_dump(by_alias=True)
    for key in _KEPT:
        data[key] = old.get(key, data[key])
    for key in _KEPT_WHEN_EMPTY:
        if not data.get(key) and old.get(key):
            data[key] = old[key]
    code, old_code = data.get("code") or {}, old.get("code") or {}
    if not code.get("files") and old_code.get("files") and code.get("sha256") == old_code.get("sha256"):
        data["code"] = old_code  # the tag holds only the digest of a long listing: keep the files
    for key, value in old.items():  # fields added by other tools
        data.setdefault(key, value)
    return RunRecord.model_validate(data)


def save_record(runs_dir: Path, record: RunRecord, root: Path) -> tuple[Path, bool]:
    """Merge with an existing record and write it unless nothing changed. Returns (path, written).

    ``root`` is the workspace: a ``runs/`` folder leading outside it is refused (UserError).
    """
    path = runs_dir / f"{record.run_id}.json"
    ensure_inside(root, path)
    merged = merge_existing(path, record)
    text = pretty_json(seal(merged).model_dump(mode="json", by_alias=True))
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path, False
    return write_run_record(runs_dir, merged, root), True


@dataclass
class LinkResult:
    """The record written by ``inc link``."""

    record: RunRecord
    path: Path
    written: bool

    def as_json(self, ws: Workspace) -> dict[str, Any]:
        """What ``inc link --format json`` prints."""
        return {
            "run_id": self.record.run_id,
            "role": self.record.role,
            "path": ws.relpath(self.path),
            "written": self.written,
        }


@dataclass
class SyncResult:
    """What ``inc sync`` found and wrote."""

    increment: str
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    records: list[RunRecord] = field(default_factory=list)

    def as_json(self, ws: Workspace) -> dict[str, Any]:
        """What ``inc sync --format json`` prints."""
        return {
            "increment": self.increment,
            "written": [ws.relpath(p) for p in self.written],
            "unchanged": [ws.relpath(p) for p in self.unchanged],
        }


def _same_increment(tag: str | None, inc: Increment) -> bool:
    if not tag:
        return True
    tag = tag.strip()
    numeric = tag.isascii() and tag.isdigit()
    return tag in (inc.id, inc.name, inc.meta.slug) or (numeric and int(tag) == int(inc.id))


def link(ws: Workspace, ref: str, run_id: str, role: str | None = None, force: bool = False) -> LinkResult:
    """Pull one MLflow run into the increment's ledger and tag it with the increment."""
    from inc.tracking import adapter

    inc = ws.find(ref)
    if role is not None:
        check_role(role)
    require_ml("mlflow")
    uri = adapter.resolve_tracking_uri(ws)
    full = _server_run_id(uri, inc, check_run_id(run_id))
    run = adapter.get_run(uri, full, history=(cv_metric_key(inc.meta.metric.name),))
    tagged = run.tags.get(TAG_INCREMENT)
    if not _same_increment(tagged, inc) and not force:
        raise UserError(
            f"run {run.run_id} is tagged with increment {tagged!r}, not {inc.name}; "
            "link it anyway with --force"
        )
    final_role = role or run.tags.get(TAG_ROLE) or "candidate"
    check_role(final_role)
    adapter.set_run_tags(
        uri, run.run_id, {TAG_INCREMENT: inc.id, TAG_SLUG: inc.meta.slug, TAG_ROLE: final_role}
    )
    if TAG_UNLINKED in run.tags:
        adapter.delete_run_tag(uri, run.run_id, TAG_UNLINKED)
    record = with_registered_model(uri, record_from_run(run, inc, final_role, uri))
    path, written = save_record(inc.runs_dir, record, ws.root)
    return LinkResult(read_run_record(path), path, written)


def _server_run_id(uri: str, inc: Increment, ref: str) -> str:
    """A full run id for ``ref``: linked runs first, then runs on the server with that prefix."""
    from inc.errors import NotFoundError
    from inc.tracking import adapter
    from inc.tracking.runs_table import match_run_id

    known = linked_run_ids(inc)
    found = match_run_id(ref, known, f"'inc runs {inc.id}'")
    ref = ref.strip()
    if found is not None or len(ref) >= 32:
        return found or ref
    found = match_run_id(ref, adapter.find_run_ids(uri, ref), "the MLflow UI")
    if found is None:
        raise NotFoundError(f"no run id starting with {ref!r} in tracking store {adapter.redact_uri(uri)}")
    return found


@dataclass
class UnlinkResult:
    """What ``inc unlink`` removed."""

    increment: str
    run_id: str
    path: Path
    was_chosen: bool
    notes: list[str] = field(default_factory=list)

    def as_json(self, ws: Workspace) -> dict[str, Any]:
        """What ``inc unlink --format json`` prints."""
        return {
            "increment": self.increment,
            "run_id": self.run_id,
            "path": ws.relpath(self.path),
            "was_chosen": self.was_chosen,
            "notes": self.notes,
        }


def unlink(ws: Workspace, ref: str, run_ref: str, force: bool = False) -> UnlinkResult:
    """Remove a run from the increment's ledger (the MLflow run itself is kept).

    The chosen run is refused unless ``force``; then ``chosen_run`` and ``model`` are cleared in
    increment.yaml (its comments kept). When the tracking store is reachable the run is tagged
    ``inc.unlinked`` so ``inc sync`` does not bring it back; ``inc link`` removes that tag.
    """
    from inc.tracking.runs_table import resolve_run_id

    inc = ws.find(ref)
    run_id = resolve_run_id(inc, run_ref)
    path = ensure_inside(ws.root, inc.runs_dir / f"{run_id}.json")
    chosen = inc.meta.chosen_run == run_id
    if chosen and not force:
        raise UserError(
            f"run {run_id} is the chosen run of {inc.name}; choose another first ('inc choose "
            f"{inc.id} RUN'), or unlink it anyway with --force (chosen_run is then cleared)"
        )
    result = UnlinkResult(inc.name, run_id, path, chosen)
    if chosen:
        inc.save_meta(inc.meta.model_copy(update={"chosen_run": None, "model": None}))
        result.notes.append("chosen_run and model cleared in increment.yaml")
    path.unlink()
    result.notes.extend(_mark_unlinked(ws, inc, run_id))
    return result


def _mark_unlinked(ws: Workspace, inc: Increment, run_id: str) -> list[str]:
    from inc.errors import IncError

    try:
        require_ml("mlflow")
        from inc.tracking import adapter

        uri = adapter.resolve_tracking_uri(ws)
        if uri.startswith("sqlite:///") and not Path(uri[len("sqlite:///") :].split("?")[0]).is_file():
            return ["no tracking store: 'inc sync' may link the run again"]
        adapter.set_run_tags(uri, run_id, {TAG_UNLINKED: inc.id})
    except IncError as exc:
        return [f"run not tagged {TAG_UNLINKED} ({exc.message}); 'inc sync' may link it again"]
    return []


def linked_run_ids(inc: Increment) -> list[str]:
    """Run ids of the increment's ledger (from the file names)."""
    return [path.stem for path in inc.run_paths()]


def sync(ws: Workspace, ref: str) -> SyncResult:
    """Pull every run tagged ``inc.increment=<id>`` (plain MLflow runs too) into the ledger."""
    from inc.tracking import adapter

    inc = ws.find(ref)
    require_ml("mlflow")
    uri = adapter.resolve_tracking_uri(ws)
    history = (cv_metric_key(inc.meta.metric.name),)
    found = [
        run
        for run in adapter.search_tagged_runs(uri, TAG_INCREMENT, inc.id)
        if run.tags.get(TAG_SLUG, inc.meta.slug) == inc.meta.slug  # same number, other project
        and TAG_UNLINKED not in run.tags
    ]  # unlinked on purpose ('inc unlink')
    result = SyncResult(inc.name)
    for summary in found:
        run = (
            adapter.get_run(uri, summary.run_id, history=history) if _needs_history(summary, inc) else summary
        )
        role = run.tags.get(TAG_ROLE, "candidate")
        record = record_from_run(run, inc, role if role in ROLES else "candidate", uri)
        record = with_registered_model(uri, record)
        path, written = save_record(inc.runs_dir, record, ws.root)
        (result.written if written else result.unchanged).append(path)
        result.records.append(read_run_record(path))
    return result


def _needs_history(run: RunData, inc: Increment) -> bool:
    return TAG_CV not in run.tags and cv_metric_key(inc.meta.metric.name) in run.metrics
