"""Evidence files read without pydantic: JSON under the read limits, hashes, and the gate's
readers, which give plain read-only objects (``inc.light``) and fall back to the pydantic models
of ``inc.evidence`` only for data the plain reading is not sure of.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc import light, limits
from inc.errors import UserError
from inc.fsutil import canonical_json
from inc.sha import sha256

if TYPE_CHECKING:
    from inc.evidence import RunRecord


# MLflow's own rule for run ids (a 32-hex uuid in practice): no '/', no '.', no '..'.
RUN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,255}$"
_RUN_ID_RE = re.compile(RUN_ID_PATTERN)


def check_run_id(run_id: str) -> str:
    """``run_id`` stripped, when it is shaped like an MLflow run id; a UserError otherwise.

    Run ids name files (``runs/<id>.json``, ``reports/loadtest-<id>.json``): a '/' or '..'
    would write elsewhere in the workspace.
    """
    value = run_id.strip() if isinstance(run_id, str) else ""
    if not _RUN_ID_RE.match(value):
        shown = repr(run_id)[:60]
        raise UserError(
            f"run id {shown}: not an MLflow run id (letters, digits, '-' and '_', starting with a "
            "letter or digit); copy it from 'inc runs' or the MLflow UI"
        )
    return value


class EvidenceError(UserError):
    """An evidence file is missing, malformed or fails its hash."""


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_hash(data: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of a record without its ``sha256`` key."""
    body = {key: value for key, value in data.items() if key != "sha256"}
    return sha256(canonical_json(body).encode("utf-8")).hexdigest()


def read_json(path: Path) -> Any:
    """Parse a JSON evidence file under the read limits; errors name the file and line.

    Over ``limits.json_mb``, nested deeper than ``limits.json_depth``, NaN/Infinity or an
    integer longer than a metric can be: an EvidenceError naming the file and the limit.
    """
    try:
        return limits.parse_json(limits.read_text(path, "json"), str(path))
    except FileNotFoundError as exc:
        raise EvidenceError(f"{path}: missing") from exc
    except limits.LimitError as exc:
        raise EvidenceError(exc.message) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        where = f" line {line}" if line else ""
        raise EvidenceError(f"{path}:{where}: not valid JSON ({exc})") from exc
    except OSError as exc:
        raise EvidenceError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def verify_hash(data: dict[str, Any], path: Path) -> None:
    """A record whose ``sha256`` is not the hash of its content: an EvidenceError naming the file."""
    if data.get("sha256") != record_hash(data):
        raise EvidenceError(
            f"{path}: sha256 does not match its content (edited by hand?); "
            "re-link the run with 'inc link' to restore it"
        )


def as_model(kind: str, data: Any, path: Path) -> Any:
    """``data`` of the file ``path`` read as the model of ``kind`` (an ``inc.fastcheck.MODELS``
    entry): a plain object when ``inc.light`` is sure, else the pydantic model, whose error
    names the file and the field."""
    read = light.load(kind, data)
    if read is not None:
        return read
    from inc.evidence import _validated

    return _validated(light.model_class(kind), data, path)


def read_report(kind: str, path: Path) -> Any:
    """A JSON report (``explain_summary``, ``loadtest_report``...) read for the gate."""
    return as_model(kind, read_json(path), path)


def read_record(path: Path, verify: bool = True) -> RunRecord:
    """A ledger record read for the gate, with the same checks as ``inc.evidence.read_run_record``."""
    data = read_json(path)
    record: RunRecord = as_model("run_record", data, path)
    if verify:
        verify_hash(data, path)
    return record
