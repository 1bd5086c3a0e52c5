"""``inc gate --verify`` on what a run logged beyond params and metrics: datasets, model, reports.

The datasets: each fingerprint as the run's ``inc.datasets`` tag (else its MLflow inputs) holds it.
The model: its registered version exists and belongs to the run, the logged model came from the
run, the sha256 over its files on the server equals the ledger's, and its MLmodel file says the
serialization the ledger says. The reports: each report of the run (linked from its record, or
named after it in ``reports/``) is an artifact of the run with the same sha256. Nothing here
loads a model: files are hashed as bytes and the MLmodel file is read as YAML by MLflow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inc.errors import IncError
from inc.evidence import ModelInfo, RunRecord
from inc.increment import EVALUATION_PREFIX, EXPLAIN_PREFIX
from inc.tracking import ledger
from inc.tracking.verify import Difference, Target, local_digest, safely, shown

if TYPE_CHECKING:
    from inc.increment import Increment
    from inc.tracking.adapter import RunData

_PICKLED = ("pickle", "cloudpickle")
_MODEL_FIELDS = ("uri", "registered_name", "version", "flavor", "serialization", "inputs", "sha256")


# --------------------------------------------------------------------------- datasets

_DATASET_KNOWN = ("name", "sha256", "shape", "context", "columns")


def dataset_differences(target: Target, record: RunRecord, run: RunData, where: str) -> list[Difference]:
    """Dataset fingerprints against the run's ``inc.datasets`` tag, else its MLflow dataset inputs."""
    tagged = run.tag_json(ledger.TAG_DATASETS)
    if not isinstance(tagged, list):  # too long for a tag: the inputs hold name and digest
        return _input_differences(target, record, where) if record.datasets else []
    theirs = {d.get("name"): d for d in tagged if isinstance(d, dict)}
    out = []
    for mine in record.datasets:
        other = theirs.pop(mine.name, None)
        if other is None:
            out.append(Difference(where, f"dataset {mine.name}", shown(mine.sha256[:12]), "none"))
            continue
        mine_data = mine.model_dump()
        for name in ("sha256", "shape", "context", *(k for k in other if k not in _DATASET_KNOWN)):
            a, b = mine_data.get(name), other.get(name)
            if name not in ("sha256", "shape") and (name not in other or name not in mine_data):
                continue  # a key the tag or an older record lacks
            if a != b:
                out.append(Difference(where, f"dataset {mine.name}.{name}", shown(a), shown(b)))
    out += [
        Difference(where, f"dataset {name}", "none", shown(str(d.get("sha256", ""))[:12]))
        for name, d in theirs.items()
    ]
    return out


def _input_differences(target: Target, record: RunRecord, where: str) -> list[Difference]:
    """Names and digests (sha256's first 32 hex digits) of the run's MLflow dataset inputs."""
    from inc.tracking import adapter

    inputs = {d["name"]: d["digest"] for d in adapter.dataset_inputs(target.uri, record.run_id)}
    if not inputs:
        return []  # logged before inc recorded inputs: nothing on the server to compare with
    out = []
    for mine in record.datasets:
        digest = inputs.get(mine.name)
        if digest is None or digest != mine.sha256[: len(digest)]:
            out.append(Difference(where, f"dataset {mine.name}.sha256", shown(mine.sha256), shown(digest)))
    return out


# --------------------------------------------------------------------------- the model


def model_differences(target: Target, record: RunRecord, run: RunData, where: str) -> list[Difference]:
    """The record's model against the run's ``inc.model`` tag, the registry and the model's files."""
    tagged = run.tag_json(ledger.TAG_MODEL)
    tagged = tagged if isinstance(tagged, dict) and "uri" in tagged else None
    mine = record.model
    if mine is None:
        return [] if tagged is None else [Difference(where, "model", "null", shown(tagged["uri"]))]
    out = []
    if tagged is not None:
        for name in _MODEL_FIELDS:
            a, b = getattr(mine, name), tagged.get(name)
            recomputed = name == "sha256" and bool(a)  # digest_differences hashes the files themselves
            if a != b and not recomputed and not (name == "inputs" and not a and not b):
                out.append(Difference(where, f"model.{name}", shown(a), shown(b)))
    out += registered_differences(target, mine, record.run_id, where)
    known, origin = origin_differences(target, mine, record.run_id, where)
    out += origin
    if known:
        out += digest_differences(target, mine, where)
        out += serialization_differences(target, mine, where)
    return out


def registered_differences(target: Target, mine: ModelInfo, run_id: str, where: str) -> list[Difference]:
    """The registered version exists, belongs to the run, is the logged model, carries the increment."""
    from inc.tracking import adapter

    if not (mine.registered_name and mine.version):
        return []
    label = f"{mine.registered_name} v{mine.version}"
    found = adapter.get_model_version(target.uri, mine.registered_name, mine.version)
    if found is None:
        return [Difference(where, "model.version", shown(label), "none", "the version is not registered")]
    out = []
    if found["run_id"] != run_id:
        out.append(
            Difference(
                where,
                "model.version",
                f"{label} of run {run_id}",
                f"{label} of run {found['run_id']}",
                "the registered version belongs to another run",
            )
        )
    model_id = found.get("model_id") or ""
    if model_id and mine.uri.startswith("models:/m-") and mine.uri != f"models:/{model_id}":
        out.append(
            Difference(
                where, "model.uri", shown(mine.uri), shown(f"models:/{model_id}"), f"{label} is another model"
            )
        )
    tag = found["tags"].get(ledger.TAG_INCREMENT)
    if tag is not None and tag.lstrip("0") != target.inc.id.lstrip("0"):
        out.append(
            Difference(where, f"model version tag {ledger.TAG_INCREMENT}", shown(target.inc.id), shown(tag))
        )
    return out


def origin_differences(
    target: Target, mine: ModelInfo, run_id: str, where: str
) -> tuple[bool, list[Difference]]:
    """(whether the server knows the model, differences): the logged model must come from the run."""
    from inc.tracking import adapter

    owner = safely(adapter.model_run_id, target.uri, mine.uri)
    if isinstance(owner, IncError):
        return False, [Difference(where, "model.uri", shown(mine.uri), "unreadable", owner.message)]
    if owner is None:
        return False, [
            Difference(where, "model.uri", shown(mine.uri), "none", "the server has no such model")
        ]
    if owner != run_id:
        return True, [Difference(where, "model.uri", f"{mine.uri} of run {run_id}", f"logged by run {owner}")]
    return True, []


def digest_differences(target: Target, mine: ModelInfo, where: str) -> list[Difference]:
    """The sha256 over the model's files on the server against the ledger's."""
    from inc.tracking import adapter

    if not mine.sha256:
        return []
    digest = safely(adapter.model_digest, target.uri, mine.uri)
    if isinstance(digest, IncError):
        return [Difference(where, "model.sha256", shown(mine.sha256), "unreadable", digest.message)]
    if digest != mine.sha256:
        return [
            Difference(
                where,
                "model.sha256",
                shown(mine.sha256),
                shown(digest),
                "the model's files on the server hash otherwise",
            )
        ]
    return []


def serialization_differences(target: Target, mine: ModelInfo, where: str) -> list[Difference]:
    """The flavor and serialization the model's MLmodel file states against the ledger's."""
    from inc.tracking import adapter

    flavors = safely(adapter.model_flavors, target.uri, mine.uri)
    if flavors is None or isinstance(flavors, IncError):
        return []
    out = []
    if mine.flavor and mine.flavor not in flavors:
        out.append(
            Difference(
                where, "model.flavor", shown(mine.flavor), shown(sorted(flavors)), "as the MLmodel file says"
            )
        )
    said = adapter.serialization_of(flavors, mine.flavor)
    unsafe_hidden = mine.serialization is None and said in _PICKLED  # a plain run's record says nothing
    if said is not None and (
        unsafe_hidden or (mine.serialization is not None and said != mine.serialization)
    ):
        out.append(
            Difference(
                where,
                "model.serialization",
                shown(mine.serialization),
                shown(said),
                "as the MLmodel file says",
            )
        )
    return out


# --------------------------------------------------------------------------- reports


def _commands(inc: Increment, run_id: str) -> dict[str, str]:
    return {
        EXPLAIN_PREFIX: f"inc explain {inc.id} --run {run_id} --data FILE",
        EVALUATION_PREFIX: f"inc evaluate {inc.id} --run {run_id} --data FILE --target COL",
        "loadtest-": f"inc loadtest {inc.id} --run {run_id} --data FILE",
    }


def run_reports(inc: Increment, record: RunRecord) -> dict[str, str | None]:
    """Each report of the run (increment-relative path) -> the sha256 it must have (None: missing).

    Linked reports must have the digest their record holds; reports named after the run that the
    gate reads (SHAP and evaluation summaries, load tests) but the record does not link, their
    current digest.
    """
    from inc.ops.files import run_reports as loadtest_reports

    wanted: dict[str, str | None] = {ref.path: ref.sha256 for ref in record.reports}
    named = [
        inc.explain_dir(record.run_id) / "summary.json",
        inc.evaluation_dir(record.run_id) / "summary.json",
        *loadtest_reports(inc.reports_dir, record.run_id),
    ]
    for path in named:
        if path.is_file():
            wanted.setdefault(path.relative_to(inc.path).as_posix(), local_digest(path))
    return wanted


def artifact_path(inc: Increment, rel: str) -> str | None:
    """Where a report lands among the run's artifacts: its path under ``reports/`` (None: outside)."""
    path = (inc.path / rel).resolve()
    try:
        return path.relative_to(inc.reports_dir.resolve()).as_posix()
    except ValueError:
        return None


def report_differences(target: Target, record: RunRecord, where: str) -> list[Difference]:
    """Every report of the run must be an artifact of the run on the server, with the same sha256."""
    from inc.tracking import adapter

    inc = target.inc
    out = []
    for rel, expected in sorted(run_reports(inc, record).items()):
        name = artifact_path(inc, rel)
        if name is None or expected is None:
            continue  # a link outside reports/ or to nothing: the offline checks fail it
        found: Any = safely(adapter.artifact_sha256, target.uri, record.run_id, name)
        if isinstance(found, IncError):
            out.append(Difference(where, f"report {rel}", shown(expected[:12]), "unreadable", found.message))
        elif found is None:
            out.append(
                Difference(
                    where, f"report {rel}", shown(expected[:12]), "not logged", _not_logged(inc, record, name)
                )
            )
        elif found != expected:
            out.append(
                Difference(
                    where,
                    f"report {rel}",
                    shown(expected[:12]),
                    shown(found[:12]),
                    "the report differs from the one logged to the run (sha256); if it was remade "
                    "while the store was unreachable, remake it with the store reachable",
                )
            )
    return out


def _not_logged(inc: Increment, record: RunRecord, name: str) -> str:
    commands = _commands(inc, record.run_id)
    command = next((cmd for prefix, cmd in commands.items() if name.startswith(prefix)), None)
    how = f"'{command}'" if command else "the command that wrote it"
    return (
        f"not an artifact of run {record.run_id} on the server; re-run {how} with the tracking store "
        "reachable (without --no-log / log_artifacts=False): it logs the report to the run"
    )
