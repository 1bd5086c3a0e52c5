"""``inc gate --verify``: every ledger record of an increment against the tracking server.

A record's ``sha256`` is an unkeyed hash of the record itself: anyone who can edit the file can
reseal it. What the gate reads from the ledger is therefore compared here with what the server
holds for the same run: name, role, increment tag, status, times, provenance, params, metrics,
fold scores, datasets, the model (registry version, the run it came from, the digest of its
files, its serialization as the MLmodel file says) and the reports (logged as artifacts of the
run, compared by digest). A judged metric logged more than once, or after the run ended, fails
too, and so does a FINISHED baseline on the server that the ledger leaves out.

mlflow is reached only through ``inc.tracking.adapter``. Nothing here loads a model.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc.errors import IncError, NotFoundError, require_ml
from inc.evidence import CV, RunRecord, read_run_record, sha256_file
from inc.tracking import ledger

if TYPE_CHECKING:
    from inc.increment import Increment
    from inc.tracking.adapter import RunData
    from inc.workspace import Workspace


@dataclass(frozen=True)
class Difference:
    """One field on which a ledger record and the tracking server disagree."""

    where: str  # the record file (workspace-relative)
    field: str
    ledger: str
    server: str
    note: str = ""

    def __str__(self) -> str:
        if not self.ledger and not self.server:
            return f"{self.where}: {self.field}: {self.note}"
        text = f"{self.where}: {self.field}: ledger {self.ledger}, server {self.server}"
        return f"{text}: {self.note}" if self.note else text


def shown(value: Any) -> str:
    """A value as the messages show it (JSON: strings quoted, none as null)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return json.dumps(value, default=str)


@dataclass
class Target:
    """What every comparison of one increment needs: the store, the increment, the workspace."""

    uri: str
    inc: Increment
    ws: Workspace

    def rel(self, path: Path) -> str:
        """A workspace-relative path."""
        return self.ws.relpath(path)


def verify_runs(ws: Workspace, inc: Increment) -> list[str]:
    """Differences between the ledger and the tracking server, one line each (empty: they agree).

    Every record in ``runs/`` is compared (candidates and baselines, chosen or not). A dead server
    raises TrackingError; without mlflow, MissingExtraError.
    """
    return [str(d) for d in verify_increment(ws, inc)]


def verify_increment(ws: Workspace, inc: Increment) -> list[Difference]:
    """Every difference between the increment's ledger and the tracking server."""
    from inc.tracking import adapter

    require_ml("mlflow")
    target = Target(adapter.resolve_tracking_uri(ws), inc, ws)
    found = committed_store(target)
    known: list[str] = []
    for path in inc.run_paths():
        record = read_run_record(path, verify=False)
        known.append(record.run_id)
        found.extend(verify_record(target, record, target.rel(path)))
    found.extend(missing_baselines(target, known))
    return found


def committed_store(target: Target) -> list[Difference]:
    """A SQLite store committed to the repository: whoever can push can forge it, so it proves nothing."""
    from inc.gitutil import GitError, is_tracked, open_repo
    from inc.tracking.store_lock import sqlite_path

    path = sqlite_path(target.uri)
    repo = open_repo(target.ws.root)
    try:
        tracked = path is not None and repo is not None and is_tracked(repo, path)
    except GitError:
        tracked = False
    if not tracked:
        return []
    assert path is not None
    return [
        Difference(
            target.rel(path),
            "tracking store",
            "",
            "",
            "the store --verify reads is a file committed to the repository, which anyone who can push "
            "can rewrite; verify against the team's tracking server (MLFLOW_TRACKING_URI)",
        )
    ]


def verify_record(target: Target, record: RunRecord, where: str) -> list[Difference]:
    """Differences between one record and its run on the server."""
    from inc.tracking import adapter

    try:
        run = adapter.get_run(target.uri, record.run_id)
    except NotFoundError:
        return [
            Difference(
                where, "run", shown(record.run_id), "none", "the run does not exist on the tracking server"
            )
        ]
    found = run_fields(record, run, target.inc, where)
    if run.lifecycle != "active":
        found.append(
            Difference(where, "run", "active", shown(run.lifecycle), "the run was deleted on the server")
        )
    found += diff_values(where, "param", record.params, run.params)
    found += diff_values(
        where, "metric", record.metrics, {k: v for k, v in run.metrics.items() if math.isfinite(v)}
    )
    found += cv_differences(target, record, run, where)
    from inc.tracking.verify_history import history_differences

    found += history_differences(target, record, run, where)
    from inc.tracking.verify_artifacts import dataset_differences, model_differences, report_differences

    found += dataset_differences(target, record, run, where)

    found += model_differences(target, record, run, where)
    found += report_differences(target, record, where)
    return found


# --------------------------------------------------------------------------- the run itself


def _same_increment(tag: str | None, inc: Increment) -> bool:
    if not tag:
        return False
    tag = tag.strip()
    numeric = tag.isascii() and tag.isdigit()
    return tag in (inc.id, inc.name) or (numeric and int(tag) == int(inc.id))


def _when(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).replace(microsecond=0)


def server_time(millis: int | None) -> dt.datetime | None:
    if millis is None:
        return None
    return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC).replace(microsecond=0)


def run_fields(record: RunRecord, run: RunData, inc: Increment, where: str) -> list[Difference]:
    """Name, role, increment tag, status, start/end times, note and provenance."""
    out = []
    tag = run.tags.get(ledger.TAG_INCREMENT)
    if not _same_increment(tag, inc):
        out.append(
            Difference(
                where,
                f"tag {ledger.TAG_INCREMENT}",
                shown(inc.id),
                shown(tag),
                f"the run is not tagged with this increment ({inc.name})",
            )
        )
    slug = run.tags.get(ledger.TAG_SLUG)
    if slug is not None and slug != inc.meta.slug:  # same number, another project on a shared server
        out.append(
            Difference(
                where,
                f"tag {ledger.TAG_SLUG}",
                shown(inc.meta.slug),
                shown(slug),
                "the run belongs to another project's increment of the same number",
            )
        )
    role = run.tags.get(ledger.TAG_ROLE)
    if role != record.role:
        out.append(Difference(where, "role", shown(record.role), shown(role)))
    pairs: list[tuple[str, Any, Any]] = [
        ("name", record.name, run.name),
        ("status", record.status, run.status),
        ("note", record.note.strip(), run.tags.get(ledger.TAG_NOTE, "").strip()),
    ]
    out += [
        Difference(where, name, shown(mine), shown(theirs)) for name, mine, theirs in pairs if mine != theirs
    ]
    for name, text, millis in (
        ("start_time", record.start_time, run.start_time),
        ("end_time", record.end_time, run.end_time),
    ):
        theirs = server_time(millis)
        if _when(text) != theirs:
            out.append(Difference(where, name, shown(text), shown(theirs.isoformat() if theirs else None)))
    return out + provenance_differences(record, run, where)


def provenance_differences(record: RunRecord, run: RunData, where: str) -> list[Difference]:
    """The commit, dirty flag and code digest captured at run start, as the run's tags hold them."""
    out = []
    inc_commit = run.tags.get(ledger.TAG_INC_GIT)
    expected = inc_commit or run.tags.get(ledger.TAG_GIT)
    if (inc_commit and record.git_commit != inc_commit) or (
        record.git_commit and record.git_commit != expected
    ):
        out.append(Difference(where, "git_commit", shown(record.git_commit), shown(expected)))
    dirty = run.tags.get(ledger.TAG_DIRTY)
    if dirty is not None and record.git_dirty != (dirty == "true"):
        out.append(Difference(where, "git_dirty", shown(record.git_dirty), shown(dirty == "true")))
    code = run.tag_json(ledger.TAG_CODE)
    if isinstance(code, dict) and code.get("sha256"):
        mine = record.code.sha256 if record.code else None
        if mine != code["sha256"]:
            out.append(Difference(where, "code.sha256", shown(mine), shown(code["sha256"])))
        theirs = code.get("files")  # absent when the listing was too long for a tag
        files = record.code.files if record.code else {}
        if isinstance(theirs, dict):
            out += diff_values(where, "code file", files, theirs)
    search = run.tag_json(ledger.TAG_SEARCH)
    if isinstance(search, dict):
        mine_search = record.search.model_dump() if record.search else None
        if mine_search != search:
            out.append(Difference(where, "search", shown(mine_search), shown(search)))
    return out


def diff_values(where: str, kind: str, mine: dict[str, Any], theirs: dict[str, Any]) -> list[Difference]:
    """One difference per key whose value differs (floats compared with ``math.isclose``)."""
    out = []
    for key in sorted(set(mine) | set(theirs)):
        a, b = mine.get(key), theirs.get(key)
        if isinstance(a, float) and isinstance(b, float) and math.isclose(a, b):
            continue
        if a != b:
            out.append(Difference(where, f"{kind} {key}", shown(a), shown(b)))
    return out


# --------------------------------------------------------------------------- folds and histories


def server_cv(target: Target, record: RunRecord, run: RunData) -> CV | None:
    """The fold scores the run holds: the ``inc.cv`` tag, else the stepped ``cv_<metric>`` history."""
    tagged = run.tag_json(ledger.TAG_CV)
    if isinstance(tagged, dict) and "metric" in tagged and "folds" in tagged:
        try:
            return CV.model_validate(tagged)
        except ValueError:
            return None
    from inc.tracking import adapter

    metric = record.cv.metric if record.cv else target.inc.meta.metric.name
    key = ledger.cv_metric_key(metric)
    if key not in run.metrics:
        return None
    points = adapter.metric_points(target.uri, record.run_id, [key]).get(key, [])
    return CV(metric=metric, folds=[p.value for p in points]) if points else None


def cv_differences(target: Target, record: RunRecord, run: RunData, where: str) -> list[Difference]:
    """Fold scores, their metric and split fingerprint against what the run holds."""
    theirs = server_cv(target, record, run)
    mine = record.cv
    if mine is None or theirs is None:
        if mine is None and theirs is None:
            return []
        return [Difference(where, "cv", _cv_text(mine), _cv_text(theirs))]
    out = []
    if mine.metric != theirs.metric:
        out.append(Difference(where, "cv.metric", shown(mine.metric), shown(theirs.metric)))
    if len(mine.folds) != len(theirs.folds):
        out.append(Difference(where, "cv.folds", _cv_text(mine), _cv_text(theirs)))
    else:
        for i, (a, b) in enumerate(zip(mine.folds, theirs.folds, strict=True)):
            if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
                out.append(Difference(where, f"cv fold {i + 1} ({mine.metric})", shown(a), shown(b)))
    if mine.splits != theirs.splits and (mine.splits or theirs.splits):
        out.append(Difference(where, "cv.splits", shown(mine.splits), shown(theirs.splits)))
    return out


def _cv_text(cv: CV | None) -> str:
    return "none" if cv is None else f"{len(cv.folds)} folds of {cv.metric} {shown(cv.folds)}"


# --------------------------------------------------------------------------- baselines left out


def missing_baselines(target: Target, known: list[str]) -> list[Difference]:
    """FINISHED baselines the server tags with this increment (number and slug) that the ledger leaves out."""
    from inc.tracking import adapter

    inc = target.inc
    out = []
    for run in adapter.search_tagged_runs(target.uri, ledger.TAG_INCREMENT, inc.id):
        if (
            run.run_id in known
            or run.tags.get(ledger.TAG_SLUG) != inc.meta.slug  # without it: maybe another project's
            or ledger.TAG_UNLINKED in run.tags
            or run.tags.get(ledger.TAG_ROLE) != "baseline"
            or run.status != "FINISHED"
        ):
            continue
        out.append(
            Difference(
                target.rel(inc.runs_dir),
                f"baseline run {run.run_id} ({run.name})",
                "no record",
                "FINISHED baseline of this increment",
                f"a baseline left out of the ledger changes the comparison; 'inc sync {inc.id}' brings it "
                f"back, 'inc unlink {inc.id} {run.run_id}' drops it on purpose",
            )
        )
    return out


def local_digest(path: Path) -> str | None:
    """sha256 of a local file, None when it is missing."""
    try:
        return sha256_file(path)
    except OSError:
        return None


def safely(call: Any, *args: Any) -> Any:
    """``call(*args)``, or the IncError it raised (the server could not answer for this item)."""
    try:
        return call(*args)
    except IncError as exc:
        return exc
