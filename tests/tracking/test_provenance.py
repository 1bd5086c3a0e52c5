"""Provenance captured at run start (commit, dirty tree, code digest), never stamped afterwards,
and judged by the gate's staleness check under --strict (real git repository, real SQLite store)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import inc
from inc.evidence import read_run_record
from inc.gate.checks.ops import check_staleness
from inc.gate.context import EvidenceSet, GateConfig
from inc.tracking.experiment import ProvenanceWarning
from inc.tracking.ledger import link
from inc.tracking.runs_table import choose
from inc_testing import git

TRAIN = "import sklearn\n\ndef train():\n    return 1\n"


def _commit_code(tracked: Any, text: str = TRAIN) -> str:
    (tracked.inc.path / "train.py").write_text(text)
    git(tracked.ws.root, "add", "-A")
    git(tracked.ws.root, "commit", "-q", "-m", "training code")
    return git(tracked.ws.root, "rev-parse", "HEAD").strip()


def _track(tracked: Any, name: str = "cand") -> Any:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with inc.track_experiment(name, increment=tracked.inc.id, workspace=tracked.ws) as exp:
            exp.log_metrics({"roc_auc": 0.9})
    exp.caught = [w for w in caught if issubclass(w.category, ProvenanceWarning)]
    return exp


def _staleness(tracked: Any, strict: bool) -> Any:
    current = tracked.reload()
    config = GateConfig(tracked.ws, strict=strict)
    return check_staleness(current, EvidenceSet(current, config), config)


def test_a_clean_run_records_commit_and_code_digest_and_passes_strict(tracked: Any) -> None:
    head = _commit_code(tracked)
    exp = _track(tracked)
    assert exp.caught == []
    record = read_run_record(exp.record_path)
    assert record.git_commit == head and record.git_dirty is False
    assert record.code is not None
    assert list(record.code.files) == [f"{tracked.ws.relpath(tracked.inc.path)}/train.py"]
    choose(tracked.ws, tracked.inc.id, exp.run_id)
    git(tracked.ws.root, "add", "-A")
    git(tracked.ws.root, "commit", "-q", "-m", "evidence")
    outcome = _staleness(tracked, strict=True)
    assert outcome.status == "pass", outcome.detail


def test_training_from_a_dirty_tree_warns_with_the_fix_and_fails_strict(tracked: Any) -> None:
    _commit_code(tracked)
    (tracked.inc.path / "train.py").write_text(TRAIN + "# tweaked, not committed\n")
    exp = _track(tracked)
    assert len(exp.caught) == 1
    message = str(exp.caught[0].message)
    assert "uncommitted changes" in message and "git commit" in message and "train.py" in message
    record = read_run_record(exp.record_path)
    assert record.git_dirty is True and any(f.endswith("train.py") for f in record.dirty_files)

    choose(tracked.ws, tracked.inc.id, exp.run_id)
    git(tracked.ws.root, "add", "-A")
    git(tracked.ws.root, "commit", "-q", "-m", "commit afterwards does not launder the run")
    strict = _staleness(tracked, strict=True)
    assert strict.status == "fail" and "uncommitted changes" in strict.detail
    assert "train.py" in strict.detail
    assert _staleness(tracked, strict=False).status == "warn"


def test_code_changed_after_the_run_fails_strict_naming_the_files(tracked: Any) -> None:
    _commit_code(tracked)
    (tracked.ws.root / "lib").mkdir()
    (tracked.ws.root / "lib" / "features.py").write_text("X = 1\n")
    meta = tracked.inc.meta_path
    meta.write_text(meta.read_text() + "code: [lib]\n")
    git(tracked.ws.root, "add", "-A")
    git(tracked.ws.root, "commit", "-q", "-m", "shared feature code")
    exp = _track(tracked)
    record = read_run_record(exp.record_path)
    assert "lib/features.py" in record.code.files  # type: ignore[union-attr]
    choose(tracked.ws, tracked.inc.id, exp.run_id)
    git(tracked.ws.root, "add", "-A")
    git(tracked.ws.root, "commit", "-q", "-m", "evidence")
    assert _staleness(tracked, strict=True).status == "pass"

    (tracked.ws.root / "lib" / "features.py").write_text("X = 2\n")
    (tracked.inc.path / "evaluate.py").write_text("print('new')\n")
    outcome = _staleness(tracked, strict=True)
    assert outcome.status == "fail"
    assert "lib/features.py" in outcome.detail and "evaluate.py (new)" in outcome.detail


def test_link_and_sync_never_stamp_head_on_a_run_without_a_commit(
    tracked: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    _commit_code(tracked)
    mlflow.set_tracking_uri(tracked.uri)
    mlflow.set_experiment("plain-notebook")
    with mlflow.start_run(tags={"inc.increment": tracked.inc.id}) as run:
        mlflow.log_metric("roc_auc", 0.8)
    result = link(tracked.ws, tracked.inc.id, run.info.run_id)
    assert result.record.git_commit is None  # HEAD is known here, and still not written
    choose(tracked.ws, tracked.inc.id, run.info.run_id)
    outcome = _staleness(tracked, strict=True)
    assert outcome.status == "fail" and "records no git commit" in outcome.detail

    with mlflow.start_run(
        tags={"inc.increment": tracked.inc.id, "mlflow.source.git.commit": "a" * 40}
    ) as tagged:
        mlflow.log_metric("roc_auc", 0.8)
    assert link(tracked.ws, tracked.inc.id, tagged.info.run_id).record.git_commit == "a" * 40


def test_an_edited_readme_is_not_dirty_code_and_relinking_drops_a_stamped_commit(tracked: Any) -> None:
    import mlflow

    from inc.evidence import write_run_record

    _commit_code(tracked)
    (tracked.ws.root / "README.md").write_text("# notes, not code\n")
    exp = _track(tracked)
    assert exp.caught == [] and read_run_record(exp.record_path).git_dirty is False

    mlflow.set_tracking_uri(tracked.uri)
    mlflow.set_experiment("plain-notebook")
    with mlflow.start_run(tags={"inc.increment": tracked.inc.id}) as run:
        mlflow.log_metric("roc_auc", 0.8)
    record = link(tracked.ws, tracked.inc.id, run.info.run_id).record
    head = git(tracked.ws.root, "rev-parse", "HEAD").strip()
    write_run_record(tracked.inc.runs_dir, record.model_copy(update={"git_commit": head}))  # an old link
    assert link(tracked.ws, tracked.inc.id, run.info.run_id).record.git_commit is None
