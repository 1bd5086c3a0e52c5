"""Fixtures of the gate tests: a fully passing increment built with the evidence writers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inc.gate.done import rebuild_docs
from inc.meta import Metric, ModelRef
from inc.scaffold import new_increment
from inc.workspace import Workspace
from inc_testing.gate_evidence import (
    FEATURES,
    commit_all,
    fill_documents,
    link_reports,
    monitoring_yaml,
    set_meta,
    write_evaluation,
    write_explain,
    write_loadtest,
    write_reference,
    write_run,
)
from inc_testing.planted_builder import build_honest_repo, relocate_store

GOOD_FOLDS = [0.69, 0.71, 0.70, 0.72, 0.68]


@pytest.fixture
def ready(workspace: Workspace) -> Path:
    """Increment 0001, status active, every check passing; committed. Returns its folder."""
    path = new_increment(workspace, "fraud-detection", target=0.6).increment.path  # the spec states 0.6
    fill_documents(path)
    sha = write_reference(workspace.root)
    (path / "monitoring.yaml").write_text(monitoring_yaml(FEATURES, alert_below=0.55, reference_sha=sha))
    set_meta(path, status="active", metric=Metric(name="roc_auc", goal="maximize", target=0.6))
    code_commit = commit_all(workspace.root, "spec and plan")
    write_run(path, "base1", "baseline", 0.5, commit=code_commit)
    write_run(path, "cand2", "candidate", 0.62, GOOD_FOLDS, commit=code_commit)
    write_run(path, "cand3", "candidate", 0.61, GOOD_FOLDS, commit=code_commit)
    chosen = write_run(path, "cand1", "candidate", 0.70, GOOD_FOLDS, commit=code_commit)
    write_explain(path, "cand1")
    write_evaluation(path, "cand1")
    write_loadtest(path, "cand1")
    link_reports(path, chosen)
    set_meta(path, chosen_run="cand1", model=ModelRef(name="0001-fraud-detection", version="1"))
    rebuild_docs(workspace)
    commit_all(workspace.root, "evidence")
    return path


@pytest.fixture(scope="session")
def honest_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The honest repository, built once per session."""
    pytest.importorskip("mlflow")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        return build_honest_repo(tmp_path_factory.mktemp("planted") / "repo")


@pytest.fixture
def repo(honest_repo: Path, tmp_path: Path) -> Path:
    """A private copy of the honest repository (git history, ledger, MLflow store)."""
    target = tmp_path / "repo"
    shutil.copytree(honest_repo, target, symlinks=True)
    relocate_store(honest_repo, target)  # the copy's runs read and write its own artifacts
    return target
