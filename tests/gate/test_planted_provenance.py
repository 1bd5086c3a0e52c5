"""Planted defects of the "Provenance laundering" and "Messages" kinds, on the honest increment.

The honest increment's runs were tracked after ``train.py`` (listed under ``code:`` in
increment.yaml) was committed: each record holds that commit, a clean-tree flag and the code's
digest. Here the code changes after the runs and the team relinks with the real ``inc sync``
(which must never stamp HEAD), a run is trained from an uncommitted ``train.py``, a commit is
amended away, a record's provenance is forged and resealed. Then the messages: one root cause,
one failure, with the command that fixes it.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inc.evidence import RunRecord, read_run_record, write_run_record
from inc.gate.roots import NEEDS_CHOSEN
from inc_testing import GIT_ENV, git
from inc_testing.gate_evidence import commit_all, set_meta
from inc_testing.planted_builder import (
    INC,
    assert_planted,
    chosen_id,
    docs,
    failing,
    gate,
    inc_dir,
    meta,
    runs_of,
)

pytestmark = pytest.mark.ml


def record_path(root: Path, run_id: str) -> Path:
    return inc_dir(root) / "runs" / f"{run_id}.json"


def forge(root: Path, run_id: str, change: Callable[[RunRecord], dict[str, Any]]) -> None:
    """Edit a ledger record and reseal it (its sha256 recomputed), as a forger with write access would."""
    path = record_path(root, run_id)
    record = read_run_record(path)
    write_run_record(path.parent, record.model_copy(update=change(record)))


def sync(root: Path) -> None:
    """The real ``inc sync 0001`` (CLI), against the honest repository's MLflow store."""
    from inc.cli import main

    assert main(["-C", str(root), "sync", "0001"]) == 0


def touch_train_py(root: Path) -> None:
    with (root / "train.py").open("a", encoding="utf-8") as handle:
        handle.write('MODELS["forest"].set_params(n_estimators=400)  # more trees\n')


# --- provenance laundering ----------------------------------------------------------------------


def train_py_changed_committed_and_synced(root: Path) -> None:
    """The code changes after the runs; committed; `inc sync` must not make the old runs look new."""
    touch_train_py(root)
    commit_all(root, "more trees")
    sync(root)
    record = read_run_record(record_path(root, chosen_id(root)))
    assert record.git_commit != git(root, "rev-parse", "HEAD")  # sync never stamps HEAD


def chosen_git_commit_null(root: Path) -> None:
    forge(root, chosen_id(root), lambda r: {"git_commit": None})


def chosen_git_commit_unknown(root: Path) -> None:
    forge(root, chosen_id(root), lambda r: {"git_commit": "0badc0de" * 5})


def chosen_dirty_flag_forged_clean_code_digest_kept(root: Path) -> None:
    """The digest says train.py had other content at run start than any commit: forged digest."""

    def change(record: RunRecord) -> dict[str, Any]:
        assert record.code is not None
        code = record.code.model_copy(update={"files": {"train.py": "0" * 64}})
        return {"code": code}

    forge(root, chosen_id(root), change)


def code_listed_in_increment_yaml_changed_after_a_run_without_digest(root: Path) -> None:
    """A chosen run logged with plain MLflow holds its commit (``mlflow.source.git.commit``) but no
    code digest; train.py, listed under ``code:``, changes in a later commit."""
    forge(root, chosen_id(root), lambda r: {"code": None})
    touch_train_py(root)
    commit_all(root, "more trees")


def spec_changed_after_the_runs(root: Path) -> None:
    """The spec's input changes after the runs (a new field): the runs answer another question."""
    spec = inc_dir(root) / "spec.md"
    spec.write_text(spec.read_text().replace("### Input\n", "### Input\nAlso the device fingerprint.\n", 1))
    commit_all(root, "spec: device fingerprint")


def train_py_edited_after_the_runs(root: Path) -> None:
    """Uncommitted edit of train.py after the runs: the evidence no longer describes this code."""
    touch_train_py(root)


def train_py_deleted(root: Path) -> None:
    git(root, "rm", "-q", "train.py")
    commit_all(root, "train.py moved to the notebook")


def new_training_code_in_the_increment(root: Path) -> None:
    """A feature module added to the increment folder after the runs: training code they never saw."""
    (inc_dir(root) / "features.py").write_text("def amount_bucket(x):\n    return int(x // 100)\n")
    commit_all(root, "feature buckets")


def sync_after_an_amend(root: Path) -> None:
    """The training commit is amended away (train.py reworded), then `inc sync`.

    The runs' commit is no longer in HEAD's history, and the code they recorded is not there.
    """
    trained_on = read_run_record(record_path(root, chosen_id(root))).git_commit
    assert trained_on
    git(root, "reset", "-q", "--soft", "HEAD~1")  # take the evidence commit apart
    git(root, "stash", "-q")
    assert git(root, "rev-parse", "HEAD") == trained_on
    touch_train_py(root)
    git(root, "add", "train.py")
    git(root, "commit", "-q", "--amend", "-m", "spec, plan and data (amended)")
    git(root, "stash", "pop", "-q")
    commit_all(root, "evidence")
    sync(root)
    assert read_run_record(record_path(root, chosen_id(root))).git_commit == trained_on


def trained_from_an_uncommitted_train_py(root: Path) -> None:
    """For real: train.py modified, not committed, then the forest tracked again and chosen, with its
    SHAP report, evaluation and load test; the team never commits train.py."""
    from sklearn.ensemble import RandomForestClassifier

    from inc.tracking.experiment import ProvenanceWarning
    from inc.tracking.runs_table import choose
    from inc.workspace import Workspace
    from inc_testing.planted_builder import _data, _track, make_reports

    touch_train_py(root)
    ws = Workspace.discover(root)
    data = _data()
    forest = RandomForestClassifier(n_estimators=15, max_depth=4, random_state=0)
    with pytest.warns(ProvenanceWarning, match=r"training from uncommitted changes \(train.py\)"):
        run = _track(ws, "forest", "candidate", forest, data, save=True)
    choose(ws, "0001", run)
    make_reports(ws, forest, data, run, log_artifacts=False)
    record = read_run_record(record_path(root, run))
    assert record.git_dirty is True and record.dirty_files == ["train.py"]


def status_done_by_hand_and_docs_rebuilt(root: Path) -> None:
    """`status: done` typed by hand and `inc docs` run: the docs are current, but `inc done` never ran."""
    set_meta(inc_dir(root), status="done")


def chosen_commit_restamped_after_a_code_change(root: Path) -> None:
    """The launderer's full job: train.py changed and committed, then the chosen record's commit set
    to HEAD and its code digest recomputed from the files now, resealed. Only the dates betray it."""
    from inc.increment import Increment
    from inc.provenance import code_files, digest_files

    start = read_run_record(record_path(root, chosen_id(root))).start_time
    assert start
    touch_train_py(root)
    a_day_later = (dt.datetime.fromisoformat(start) + dt.timedelta(days=1)).isoformat()
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": a_day_later, "GIT_COMMITTER_DATE": a_day_later}
    subprocess.run(["git", "commit", "-q", "-am", "more trees"], cwd=root, env=env, check=True)
    head = git(root, "rev-parse", "HEAD")
    inc = Increment.load(inc_dir(root))
    digest = digest_files(root, code_files(root, inc))
    forge(root, chosen_id(root), lambda r: {"git_commit": head, "code": digest})


# --- messages: one root cause, one failure, the command that fixes it ----------------------------


def chosen_record_deleted(root: Path) -> None:
    record_path(root, chosen_id(root)).unlink()


def chosen_record_truncated(root: Path) -> None:
    path = record_path(root, chosen_id(root))
    path.write_text(path.read_text()[:200])


def chosen_run_names_an_unlinked_run(root: Path) -> None:
    set_meta(inc_dir(root), chosen_run="0123456789abcdef0123456789abcdef")


def chosen_run_is_the_rule_baseline(root: Path) -> None:
    """chosen_run set by hand to the amount rule (the strongest baseline)."""
    rule = next(p.stem for p in runs_of(root, "baseline") if read_run_record(p).name == "amount-rule")
    set_meta(inc_dir(root), chosen_run=rule)


def chosen_run_emptied_and_no_candidate_logs_the_metric(root: Path) -> None:
    for path in runs_of(root, "candidate"):
        forge(root, path.stem, lambda r: {"metrics": {k: v for k, v in r.metrics.items() if k != "roc_auc"}})
    set_meta(inc_dir(root), chosen_run=None)


Planting = tuple[Callable[[Path], None], str, str]

PLANTINGS: list[Planting] = [
    (
        train_py_changed_committed_and_synced,
        "staleness",
        "training code differs from the chosen run's: train.py",
    ),
    (chosen_git_commit_null, "staleness", "the chosen run records no git commit"),
    (chosen_git_commit_unknown, "staleness", "commit 0badc0de is not in HEAD's history"),
    (
        chosen_dirty_flag_forged_clean_code_digest_kept,
        "staleness",
        "training code differs from the chosen run's: train.py",
    ),
    (
        code_listed_in_increment_yaml_changed_after_a_run_without_digest,
        "staleness",
        "training code changed in 1 commit(s) after the chosen run's commit",  # then ': train.py'
    ),
    (
        spec_changed_after_the_runs,
        "staleness",
        "): increments/0001-fraud-detection/spec.md; rerun the experiments",
    ),
    (train_py_edited_after_the_runs, "staleness", "training code differs from the chosen run's: train.py"),
    (train_py_deleted, "staleness", "training code differs from the chosen run's: train.py (missing)"),
    (
        new_training_code_in_the_increment,
        "staleness",
        "increments/0001-fraud-detection/features.py (new)",
    ),
    (
        sync_after_an_amend,
        "staleness",
        "training code differs from the chosen run's: train.py; its commit ",
    ),
    (
        chosen_commit_restamped_after_a_code_change,
        "staleness",
        "after the run started (",  # 'the commit was written into the record afterwards'
    ),
    (status_done_by_hand_and_docs_rebuilt, "living_docs", "status was set by hand; run 'inc done 0001'"),
    (
        trained_from_an_uncommitted_train_py,
        "staleness",
        "the chosen run was trained from uncommitted changes (train.py)",
    ),
]

MESSAGES: list[tuple[Callable[[Path], None], str]] = [
    (chosen_record_deleted, "has no record in runs/: link it with 'inc link 0001 "),
    (chosen_record_truncated, "does not load: restore it from git, or re-link it with 'inc link 0001 "),
    (
        chosen_run_names_an_unlinked_run,
        "chosen run 0123456789abcdef0123456789abcdef has no record in runs/: link it with "
        "'inc link 0001 0123456789abcdef0123456789abcdef', or choose a linked run with 'inc choose 0001 RUN_ID'",
    ),
    (
        chosen_run_is_the_rule_baseline,
        "is a baseline run, not a candidate; choose a candidate with 'inc choose 0001 RUN_ID'",
    ),
    (
        chosen_run_emptied_and_no_candidate_logs_the_metric,
        "no chosen run, and no candidate logs roc_auc to pick one by; log roc_auc, or 'inc choose 0001 RUN_ID'",
    ),
]


@pytest.mark.parametrize(("plant", "check", "needle"), PLANTINGS, ids=[p[0].__name__ for p in PLANTINGS])
def test_planted_provenance_fails_exactly_its_check(
    repo: Path, plant: Callable[[Path], None], check: str, needle: str
) -> None:
    assert_planted(repo, plant, check, needle)


@pytest.mark.parametrize(("plant", "needle"), MESSAGES, ids=[p[0].__name__ for p in MESSAGES])
def test_one_root_cause_one_failure_with_its_command(
    repo: Path, plant: Callable[[Path], None], needle: str
) -> None:
    """The root cause fails `experiments` once, with the command that fixes it; every check that
    judges the chosen run says "skipped: needs experiments" and none repeats the cause."""
    plant(repo)
    docs(repo)
    v = gate(repo)
    assert failing(v) == ["experiments"], [(c.id, c.detail) for c in v.checks if c.status == "fail"]
    root = v.check("experiments").detail
    assert needle in root, root
    assert root.count("inc link") + root.count("inc choose") <= 2, root
    for name in NEEDS_CHOSEN:
        detail = v.check(name).detail
        assert v.check(name).status == "skip" and detail.startswith("skipped: needs experiments"), (
            name,
            detail,
        )
        assert "inc link" not in detail and "inc choose" not in detail, (name, detail)
        assert "save the model" not in detail and "input_example" not in detail, (name, detail)


def test_corpus_is_large_enough() -> None:
    assert len(PLANTINGS) + len(MESSAGES) >= 13
    names = [p[0].__name__ for p in PLANTINGS] + [m[0].__name__ for m in MESSAGES]
    assert len(set(names)) == len(names)


def test_the_honest_runs_record_their_training_code(repo: Path) -> None:
    """The corpus is only worth something if the honest runs carry provenance to launder."""
    head_of_training = git(repo, "rev-list", "-n", "1", "HEAD", "--", "train.py")
    for path in (inc_dir(repo) / "runs").glob("*.json"):
        record = read_run_record(path)
        assert record.git_commit and record.git_dirty is False, record
        assert record.code is not None and set(record.code.files) == {"train.py"}, record.code
        assert git(repo, "merge-base", "--is-ancestor", head_of_training, record.git_commit) == ""
    assert meta(repo).code == ["train.py"]


def test_sync_never_stamps_head_on_a_plain_mlflow_run(repo: Path) -> None:
    """A run logged with plain MLflow (no commit tag) is linked by `inc sync` with no commit, never
    HEAD's; were it chosen, the gate would say it records no git commit."""
    import mlflow

    from inc.tracking.adapter import resolve_tracking_uri
    from inc.workspace import Workspace

    uri = resolve_tracking_uri(Workspace.discover(repo))
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(f"inc/{INC}")
    with mlflow.start_run(run_name="notebook-gbm") as run:
        mlflow.set_tags({"inc.increment": "0001", "inc.role": "candidate"})
        mlflow.log_metric("roc_auc", 0.96)
    sync(repo)
    record = read_run_record(record_path(repo, run.info.run_id))
    assert record.git_commit is None and record.code is None
    assert record.status == "FINISHED"
