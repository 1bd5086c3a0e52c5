"""Fixtures of the gate tests: a fully passing increment built with the evidence writers."""

from __future__ import annotations

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
    write_run,
)

GOOD_FOLDS = [0.69, 0.71, 0.70, 0.72, 0.68]


@pytest.fixture
def ready(workspace: Workspace) -> Path:
    """Increment 0001, status active, every check passing; committed. Returns its folder."""
    path = new_increment(workspace, "fraud-detection").increment.path
    fill_documents(path)
    (path / "monitoring.yaml").write_text(monitoring_yaml(FEATURES))
    set_meta(path, status="active", metric=Metric(name="roc_auc", goal="maximize", target=0.6))
    code_commit = commit_all(workspace.root, "spec and plan")
    write_run(path, "base1", "baseline", 0.5, commit=code_commit)
    write_run(path, "cand2", "candidate", 0.62, GOOD_FOLDS, commit=code_commit)
    chosen = write_run(path, "cand1", "candidate", 0.70, GOOD_FOLDS, commit=code_commit)
    write_explain(path, "cand1")
    write_evaluation(path, "cand1")
    write_loadtest(path, "cand1")
    link_reports(path, chosen)
    set_meta(path, chosen_run="cand1", model=ModelRef(name="0001-fraud-detection", version="1"))
    rebuild_docs(workspace)
    commit_all(workspace.root, "evidence")
    return path
