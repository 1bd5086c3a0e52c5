"""Shared fixtures: real git repositories and workspaces in tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from inc.scaffold import init_workspace, new_increment
from inc.workspace import Workspace
from inc_testing import GIT_ENV, drop_leaked_mlflow_run, git

# ``mlflow.set_tracking_uri`` exports MLFLOW_TRACKING_URI, which wins inc's URI precedence. A
# test (or a session fixture) that calls it would send every later run of the worker to its
# store, so a session fixture built later tracks into a store its inc.yaml does not name.
MLFLOW_ENV = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[object]) -> Iterator[None]:
    """Build shared fixtures without the MLflow URI variables, and leave none behind."""
    if fixturedef.scope == "function":
        yield
        return
    saved = {key: os.environ.pop(key, None) for key in MLFLOW_ENV}
    try:
        yield
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in MLFLOW_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    yield
    for key in MLFLOW_ENV:  # set by mlflow.set_tracking_uri inside the test: monkeypatch did not see it
        os.environ.pop(key, None)


@pytest.fixture(autouse=True)
def _no_mlflow_run_left_active() -> Iterator[None]:
    """Fail the test that leaves an MLflow run active, instead of a later test on the same worker.

    Looks only when mlflow was imported (by this test or an earlier one): core tests stay ML-free.
    """
    yield
    leaked = drop_leaked_mlflow_run()
    if leaked is not None:
        pytest.fail(f"the test left MLflow run {leaked} active (every exit path must end it)")


@pytest.fixture(params=[0o022, 0o077], ids=["umask022", "umask077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under umask 022, then 077; the previous umask is restored afterwards."""
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    """A real git repository with one commit on ``main``."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("# project\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "initial")
    return repo


@pytest.fixture
def workspace(git_repo: Path) -> Workspace:
    """An initialised inc workspace in a real git repository (committed)."""
    init_workspace(git_repo)
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "inc init")
    return Workspace.discover(git_repo)


@pytest.fixture
def chdir_workspace(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """The workspace, with the current folder set to its root."""
    monkeypatch.chdir(workspace.root)
    return workspace


@pytest.fixture
def fraud(workspace: Workspace) -> Path:
    """A fresh increment 0001-fraud-detection; returns its folder."""
    return new_increment(workspace, "fraud-detection").increment.path
