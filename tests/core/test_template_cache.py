"""``inc new`` keeps compiled templates in jinja2's per-user cache folder, never in the repository.

The packaged templates are rendered without jinja2 (``inc.plainrender``), so these tests give the
workspace overrides: copies of the packaged templates, which jinja2's sandbox renders."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from inc import templating
from inc.scaffold import new_increment
from inc.workspace import Workspace
from inc_testing import git


@pytest.fixture
def compiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A private temp folder (jinja2 keeps its cache there) and the names of templates compiled."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    names: list[str] = []
    original = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *args: object) -> object:
        names.append(str(name))
        return original(self, source, name, *args)  # type: ignore[call-overload]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    templating._environment.cache_clear()  # a fresh process each time, as each 'inc new' is
    yield names
    templating._environment.cache_clear()


@pytest.fixture
def overrides(workspace: Workspace) -> Workspace:
    """The workspace with its own copy of the five templates of ``inc new``."""
    workspace.templates_dir.mkdir(parents=True, exist_ok=True)
    for name in ("increment.yaml", "spec.md", "plan.md", "tasks.md", "monitoring.yaml"):
        source = templating.packaged_templates_dir() / f"{name}.j2"
        (workspace.templates_dir / f"{name}.j2").write_text(
            source.read_text(encoding="utf-8"), encoding="utf-8"
        )
    return workspace


def _new(ws: Workspace, name: str) -> Path:
    templating._environment.cache_clear()
    return new_increment(ws, name).increment.path


def test_packaged_templates_compile_nothing(workspace: Workspace, compiles: list[str]) -> None:
    assert (_new(workspace, "fraud") / "spec.md").is_file()
    assert compiles == []


def test_second_new_compiles_nothing_and_writes_nothing_in_the_repo(
    overrides: Workspace, compiles: list[str]
) -> None:
    workspace = overrides
    git(workspace.root, "add", "templates")
    git(workspace.root, "commit", "-q", "-m", "template overrides")
    first = _new(workspace, "fraud")
    assert len(compiles) == 5
    compiles.clear()
    second = _new(workspace, "churn")
    assert compiles == []
    for filename in ("spec.md", "tasks.md", "increment.yaml"):
        assert (second / filename).read_text().replace("churn", "fraud").replace("Churn", "Fraud").replace(
            "0002", "0001"
        ) == (first / filename).read_text()
    status = git(workspace.root, "status", "--porcelain", "--untracked-files=all")
    assert all(line[3:].startswith("increments/") for line in status.splitlines()), status


def test_an_edited_override_template_is_compiled_again(workspace: Workspace, compiles: list[str]) -> None:
    override = workspace.templates_dir / "spec.md.j2"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text("# {{ title }}\n\nfirst version\n", encoding="utf-8")
    assert "first version" in (_new(workspace, "fraud") / "spec.md").read_text()
    compiles.clear()
    override.write_text("# {{ title }}\n\nsecond version\n", encoding="utf-8")
    assert "second version" in (_new(workspace, "churn") / "spec.md").read_text()
    assert compiles == ["spec.md.j2"]


def test_no_safe_cache_folder_means_no_cache(overrides: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = overrides

    def refuse(self: object) -> str:
        raise RuntimeError("Cannot determine safe temp directory.")

    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "_get_default_cache_dir", refuse)
    templating._environment.cache_clear()
    try:
        assert (_new(workspace, "fraud") / "spec.md").is_file()
    finally:
        templating._environment.cache_clear()


def test_a_cache_that_cannot_be_written_or_read_is_ignored(
    overrides: Workspace, compiles: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = overrides

    def full(self: object, bucket: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "dump_bytecode", full)
    assert (_new(workspace, "fraud") / "spec.md").is_file()
    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "load_bytecode", full)
    assert (_new(workspace, "churn") / "spec.md").is_file()
    assert len(compiles) == 10  # nothing kept, nothing read: compiled both times
