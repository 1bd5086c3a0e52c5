"""Self-sealed forgeries that only ``inc gate --verify`` can see.

Each planting edits the honest increment as a forger with write access to the repository (not
to the tracking server) would: change a ledger record and recompute its hash through the real
writers (``write_run_record``, ``reseal_reports``). The offline gate cannot tell (it passes,
``--strict``); ``--verify`` re-reads the runs from the embedded MLflow store and fails exactly
``experiments``, naming the record, the field and both values. Two plantings change the server
instead (a tag changed, a metric re-logged after the run ended), as a tracking-store user would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inc.evidence import read_run_record, write_run_record
from inc.gate.model import IncrementVerdict
from inc.gate.runner import run_gate
from inc.workspace import Workspace
from inc_testing.gate_evidence import set_meta
from inc_testing.planted_builder import (
    INC,
    build_honest_repo,
    chosen_id,
    docs,
    failing,
    gate,
    inc_dir,
    reseal_reports,
    rewrite_json,
    runs_of,
)

pytestmark = pytest.mark.ml


def verified(root: Path) -> IncrementVerdict:
    """The verdict of ``inc gate --strict --verify`` on the honest increment's copy."""
    return run_gate(Workspace.discover(root), [INC], strict=True, verify=True).increments[0]


def record_path(root: Path, run_id: str) -> Path:
    return inc_dir(root) / "runs" / f"{run_id}.json"


def named(root: Path, name: str) -> Path:
    """The ledger file of the run called ``name``."""
    for path in sorted((inc_dir(root) / "runs").glob("*.json")):
        if read_run_record(path).name == name:
            return path
    raise AssertionError(name)


def reseal(path: Path, **changes: Any) -> None:
    """Change fields of a record and recompute its hash (what a forger with repo access does)."""
    record = read_run_record(path)
    write_run_record(path.parent, record.model_copy(update=changes))


def client(root: Path) -> Any:
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{(root / 'mlflow.db').resolve().as_posix()}"
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


# --- the plantings --------------------------------------------------------------------------


def metric_edited(root: Path) -> None:
    """The strong baseline's roc_auc lowered: the chosen run's margin looks larger."""
    path = named(root, "amount-rule")
    record = read_run_record(path)
    reseal(path, metrics={**record.metrics, "roc_auc": record.metrics["roc_auc"] - 0.02})


def fold_score_edited(root: Path) -> None:
    """One fold of the strong baseline lowered (its paired folds then lose to the chosen run's)."""
    path = named(root, "amount-rule")
    record = read_run_record(path)
    assert record.cv is not None
    folds = [record.cv.folds[0] - 0.05, *record.cv.folds[1:]]
    reseal(path, cv=record.cv.model_copy(update={"folds": folds}))


def param_edited(root: Path) -> None:
    path = named(root, "logistic")
    record = read_run_record(path)
    reseal(path, params={**record.params, "max_iter": "1000"})


def chosen_run_null_and_a_candidate_inflated(root: Path) -> None:
    """chosen_run cleared (the gate picks), and a candidate it does not pick made to look better."""
    set_meta(inc_dir(root), chosen_run=None)
    forest = read_run_record(record_path(root, chosen_id_before(root)))
    path = named(root, "logistic")
    record = read_run_record(path)
    inflated = min(forest.metrics["roc_auc"] - 0.001, record.metrics["roc_auc"] + 0.02)
    reseal(path, metrics={**record.metrics, "roc_auc": inflated})


_CHOSEN: dict[Path, str] = {}


def chosen_id_before(root: Path) -> str:
    return _CHOSEN[root]


def increment_tag_changed_on_the_server(root: Path) -> None:
    client(root).set_tag(chosen_id(root), "inc.increment", "0002")


def metric_relogged_after_the_run_ended(root: Path) -> None:
    """The same value logged again after the run ended: ledger and latest value still agree."""
    run = chosen_id(root)
    value = read_run_record(record_path(root, run)).metrics["roc_auc"]
    client(root).log_metric(run, "roc_auc", value)


def model_digest_edited(root: Path) -> None:
    path = named(root, "logistic")
    record = read_run_record(path)
    assert record.model is not None and record.model.sha256
    reseal(path, model=record.model.model_copy(update={"sha256": "0" * 64}))


def shave_p95(data: dict[str, Any]) -> None:
    """Halve the load test's p95, in the headline and in its series row alike (consistently, so
    the offline gate cannot tell)."""
    data["p95_ms"] *= 0.5
    for row in data.get("series", []):
        if row.get("batch_size") == data["batch_size"]:
            row["p95_ms"] *= 0.5


def report_edited_and_resealed(root: Path) -> None:
    """The load test's p95 shaved and the record's report hash recomputed."""
    report = next((inc_dir(root) / "reports").glob("loadtest-*.json"))
    rewrite_json(report, shave_p95)
    reseal_reports(root, chosen_id(root))


def registered_version_of_another_run(root: Path) -> None:
    """The tree (no model saved) claims the logistic regression's registered version."""
    logistic = read_run_record(named(root, "logistic"))
    assert logistic.model is not None and logistic.model.version
    reseal(named(root, "tree"), model=logistic.model)


def status_edited(root: Path) -> None:
    """The majority baseline marked KILLED in the ledger (the server says FINISHED)."""
    reseal(named(root, "majority"), status="KILLED")


def role_edited(root: Path) -> None:
    """The majority baseline turned into a candidate in the ledger."""
    reseal(named(root, "majority"), role="candidate")


def baseline_record_deleted(root: Path) -> None:
    """A baseline's record removed: the server still holds the run tagged with the increment."""
    named(root, "majority").unlink()


def name_edited(root: Path) -> None:
    """A trivial baseline renamed as if it were the production rule."""
    reseal(named(root, "majority"), name="production-rule-v2")


def start_time_edited(root: Path) -> None:
    """A run's start moved an hour earlier (e.g. to fall before a code change)."""
    path = named(root, "tree")
    record = read_run_record(path)
    assert record.start_time
    earlier = dt.datetime.fromisoformat(record.start_time) - dt.timedelta(hours=1)
    reseal(path, start_time=earlier.isoformat(timespec="seconds"))


def git_commit_edited(root: Path) -> None:
    """A run's commit replaced by HEAD's (provenance stamped after the fact in the ledger)."""
    from inc_testing import git

    head = git(root, "rev-parse", "HEAD").strip()
    reseal(named(root, "tree"), git_commit=head)


def dataset_hash_edited(root: Path) -> None:
    path = named(root, "tree")
    record = read_run_record(path)
    datasets = [d.model_copy(update={"sha256": "f" * 64}) for d in record.datasets]
    reseal(path, datasets=datasets)


def report_unlinked_and_replaced(root: Path) -> None:
    """The load test's link removed from the record and the report file edited."""
    path = record_path(root, chosen_id(root))
    record = read_run_record(path)
    reseal(path, reports=[r for r in record.reports if r.kind != "loadtest"])
    report = next((inc_dir(root) / "reports").glob("loadtest-*.json"))
    rewrite_json(report, shave_p95)


def model_inputs_edited(root: Path) -> None:
    """A model's inputs in the ledger gain a column the model does not take."""
    path = named(root, "logistic")
    record = read_run_record(path)
    assert record.model is not None
    reseal(path, model=record.model.model_copy(update={"inputs": [*record.model.inputs, "merchant"]}))


def store_committed_to_the_repository(root: Path) -> None:
    """The embedded store committed (forged or not, anyone who can push can rewrite it)."""
    from inc_testing import git

    git(root, "add", "-f", "mlflow.db")
    git(root, "commit", "-q", "-m", "share the tracking store")


PLANTINGS: list[tuple[Callable[[Path], None], str]] = [
    (metric_edited, "metric roc_auc: ledger"),
    (fold_score_edited, "cv fold 1 (roc_auc): ledger"),
    (param_edited, 'param max_iter: ledger "1000", server "200"'),
    (chosen_run_null_and_a_candidate_inflated, "metric roc_auc: ledger"),
    (increment_tag_changed_on_the_server, 'tag inc.increment: ledger "0001", server "0002"'),
    (metric_relogged_after_the_run_ended, "re-logged after the run ended"),
    (model_digest_edited, "model.sha256: ledger"),
    (report_edited_and_resealed, "the report differs from the one logged to the run"),
    (registered_version_of_another_run, "the registered version belongs to another run"),
    (status_edited, 'status: ledger "KILLED", server "FINISHED"'),
    (role_edited, 'role: ledger "candidate", server "baseline"'),
    (baseline_record_deleted, "no record, server FINISHED baseline of this increment"),
    (name_edited, 'name: ledger "production-rule-v2", server "majority"'),
    (start_time_edited, "start_time: ledger"),
    (git_commit_edited, "git_commit: ledger"),
    (dataset_hash_edited, "dataset train.sha256: ledger"),
    (report_unlinked_and_replaced, "the report differs from the one logged to the run"),
    (model_inputs_edited, "model.inputs: ledger"),
    (
        store_committed_to_the_repository,
        "mlflow.db: tracking store: the store --verify reads is a file committed",
    ),
]


@pytest.mark.parametrize(("plant", "needle"), PLANTINGS, ids=[p.__name__ for p, _ in PLANTINGS])
def test_a_self_sealed_forgery_passes_offline_and_fails_verify(
    repo: Path, plant: Callable[[Path], None], needle: str
) -> None:
    _CHOSEN[repo] = chosen_id(repo)
    plant(repo)
    docs(repo)
    offline = gate(repo)
    assert offline.passed, [(c.id, c.detail) for c in offline.checks if c.status == "fail"]
    v = verified(repo)
    assert failing(v) == ["experiments"], [(c.id, c.detail) for c in v.checks if c.status == "fail"]
    experiments = v.check("experiments")
    assert "--verify: the tracking server disagrees with the ledger" in experiments.detail
    assert needle in experiments.detail, experiments.detail
    assert experiments.blocking and not v.passed


def test_a_waiver_does_not_turn_a_verify_failure_off(repo: Path) -> None:
    from inc_testing.planted_builder import waive

    metric_edited(repo)
    waive(repo, "experiments")
    docs(repo)
    experiments = verified(repo).check("experiments")
    assert experiments.status == "fail" and experiments.blocking


@pytest.fixture(scope="module")
def fresh_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An honest repository of this module's own: its store has seen no other test's copy."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        return build_honest_repo(tmp_path_factory.mktemp("fresh") / "repo")


def test_the_honest_increment_passes_verify(fresh_repo: Path) -> None:
    # Built apart from the shared honest repository: in a full run under xdist the shared one's
    # load-test artifact once differed from its committed report (which test wrote it: not found).
    repo = fresh_repo
    v = verified(repo)
    assert v.passed and failing(v) == [], [(c.id, c.detail) for c in v.checks if c.status == "fail"]
    experiments = v.check("experiments")
    assert "--verify: 5 record(s) match the tracking server" in experiments.detail
    assert len(runs_of(repo, "candidate")) == 3 and len(runs_of(repo, "baseline")) == 2
    assert client(repo).get_run(chosen_id(repo)).info.artifact_uri.startswith((repo.resolve()).as_uri())


def test_a_copy_of_the_honest_repository_keeps_its_own_artifacts(repo: Path) -> None:
    """A report logged in one copy leaves the others alone."""
    assert client(repo).get_run(chosen_id(repo)).info.artifact_uri.startswith((repo.resolve()).as_uri())
