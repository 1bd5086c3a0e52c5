"""The leakage check on the gate's evidence fixture (no ML library): which datasets of the chosen
run it compares, what it says when there is nothing to compare, and its place behind the
``experiments`` root cause."""

from __future__ import annotations

from pathlib import Path

from inc.evidence import DatasetFingerprint, read_run_record, write_run_record
from inc.gate.model import IncrementVerdict
from inc.gate.runner import run_gate
from inc.workspace import Workspace
from inc_testing.gate_evidence import random_hashes, set_meta, sketched


def _verdict(ws: Workspace, strict: bool = False) -> IncrementVerdict:
    return run_gate(Workspace.discover(ws.root), ["0001"], strict=strict).increments[0]


def _log(ready: Path, datasets: list[DatasetFingerprint]) -> None:
    path = ready / "runs" / "cand1.json"
    write_run_record(path.parent, read_run_record(path).model_copy(update={"datasets": datasets}))


def _train_and_test(shared: int, test_rows: int = 20) -> list[DatasetFingerprint]:
    rows = random_hashes(400 + test_rows, seed=5)
    test = rows[400 : 400 + test_rows - shared] + rows[:shared]
    return [sketched("train", "training", rows[:400], k=1024), sketched("test", "evaluation", test)]


def test_the_honest_fixture_passes_with_its_estimate(workspace: Workspace, ready: Path) -> None:
    check = _verdict(workspace, strict=True).check("leakage")
    assert check.status == "pass"
    assert check.detail.startswith(
        "0.0% (exact, all 20 distinct test rows compared) of 'test' rows also in 'train'"
    )
    assert check.evidence == ["increments/0001-fraud-detection/runs/cand1.json"]


def test_two_shared_rows_in_twenty_fail(workspace: Workspace, ready: Path) -> None:
    _log(ready, _train_and_test(shared=2))
    check = _verdict(workspace).check("leakage")
    assert check.status == "fail" and not check.blocking  # active increment: progress, blocks under --strict
    assert "an estimated 10.0% (exact, all 20 distinct test rows compared) of 'test' rows" in check.detail
    assert "more than the 1.0% allowed (policy.leakage_share in inc.yaml)" in check.detail
    assert _verdict(workspace, strict=True).check("leakage").blocking


def test_only_the_chosen_run_is_judged(workspace: Workspace, ready: Path) -> None:
    path = ready / "runs" / "cand2.json"
    leaky = [sketched("train", "training", [1, 2, 3]), sketched("test", "evaluation", [1, 2, 3])]
    write_run_record(path.parent, read_run_record(path).model_copy(update={"datasets": leaky}))
    assert _verdict(workspace, strict=True).check("leakage").status == "pass"


def test_no_pair_warns_and_fails_under_strict(workspace: Workspace, ready: Path) -> None:
    _log(ready, _train_and_test(shared=0)[:1])
    check = _verdict(workspace).check("leakage")
    assert check.status == "warn"
    assert "logged no test (evaluation) dataset ('train' as training)" in check.detail
    assert 'exp.log_dataset(X_train, "train") and exp.log_dataset(X_test, "test")' in check.detail
    strict = _verdict(workspace, strict=True).check("leakage")
    assert strict.status == "fail" and strict.blocking


def test_an_old_record_is_judged_by_hash_only(workspace: Workspace, ready: Path) -> None:
    plain = [d.model_copy(update={"sketch": None, "context": None}) for d in _train_and_test(shared=2)]
    _log(ready, plain)
    check = _verdict(workspace, strict=True).check("leakage")
    assert check.status == "warn"  # the names say which is which; the rows were never sketched
    assert "'train' has no row sketch (logged by an earlier inc): rows were not compared" in check.detail
    same = [plain[0], plain[1].model_copy(update={"sha256": plain[0].sha256})]
    _log(ready, same)
    assert "are the same data (sha256" in _verdict(workspace, strict=True).check("leakage").detail


def test_a_test_set_other_than_the_evaluated_one_is_named(workspace: Workspace, ready: Path) -> None:
    _log(ready, _train_and_test(shared=0, test_rows=60))  # the evaluation report scored 20 rows
    check = _verdict(workspace, strict=True).check("leakage")
    assert check.status == "fail"
    assert (
        "reports/eval-cand1/summary.json scored 20 rows, but no logged test set has that many ('test' 60)"
        in (check.detail)
    )


def test_a_missing_chosen_record_skips_leakage(workspace: Workspace, ready: Path) -> None:
    set_meta(ready, chosen_run="gone")
    v = _verdict(workspace, strict=True)
    assert v.check("experiments").status == "fail"
    assert v.check("leakage").status == "skip"
    assert v.check("leakage").detail.startswith("skipped: needs experiments")
