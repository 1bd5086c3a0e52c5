"""The docs build remembers what it produced: nothing changed -> no render; any change -> render."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inc import cachedir
from inc.gate.runner import run_gate
from inc.livedocs import build
from inc.livedocs.build import build_docs
from inc.workspace import Workspace
from inc_testing import git


def _no_render(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("rendered although nothing changed")

    monkeypatch.setattr(build, "render_pages", fail)


def test_nothing_changed_answers_from_the_cache(docs_ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build_docs(docs_ws)
    assert first.written
    _no_render(monkeypatch)
    again = build_docs(docs_ws)
    check = build_docs(docs_ws, check=True)
    assert again.written == [] and again.stale == [] and len(again.unchanged) == len(first.written)
    assert check.ok and len(check.unchanged) == len(first.written)


def test_any_input_change_renders_again(docs_ws: Workspace) -> None:
    build_docs(docs_ws)
    spec = docs_ws.increments_dir / "0001-fraud-detection" / "spec.md"
    spec.write_text(spec.read_text().replace("## Problem definition", "## Problem definition\n\nNew line."))
    assert "living-docs/increments/0001-fraud-detection.md" in build_docs(docs_ws, check=True).stale
    build_docs(docs_ws)
    (docs_ws.living_docs_dir / "models.md").write_text("edited by hand\n")  # an output edited
    assert build_docs(docs_ws, check=True).stale == ["living-docs/models.md"]
    (docs_ws.living_docs_dir / "increments" / "0042-ghost.md").write_text("obsolete\n")
    assert "living-docs/increments/0042-ghost.md" in build_docs(docs_ws, check=True).stale


def test_template_override_change_renders_again(docs_ws: Workspace) -> None:
    build_docs(docs_ws)
    override = docs_ws.templates_dir / "docs"
    override.mkdir(parents=True)
    (override / "models.md.j2").write_text("# Models (ours)\n")
    assert build_docs(docs_ws, check=True).stale == ["living-docs/models.md"]


def test_a_cache_from_elsewhere_is_not_trusted(
    docs_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_docs(docs_ws)
    copy = tmp_path / "copy"
    shutil.copytree(docs_ws.root, copy, symlinks=True)  # as a clone with the cache committed would be
    card = copy / "living-docs" / "increments" / "0001-fraud-detection.md"
    card.write_text("forged\n")
    payload = cachedir.read(docs_ws.root, "docs.json")
    assert payload is not None and cachedir.read(copy, "docs.json") is None
    assert (
        "living-docs/increments/0001-fraud-detection.md"
        in build_docs(Workspace.discover(copy), check=True).stale
    )


def test_cache_is_git_ignored_and_the_gate_never_writes_it(docs_ws: Workspace) -> None:
    git(docs_ws.root, "add", "-A")
    git(docs_ws.root, "commit", "-q", "-m", "docs workspace")
    run_gate(Workspace.discover(docs_ws.root), strict=True)
    assert not (docs_ws.root / cachedir.CACHE_DIR).exists()
    build_docs(docs_ws)
    assert (docs_ws.root / cachedir.CACHE_DIR / "docs.json").is_file()
    assert ".inc-cache" not in git(docs_ws.root, "status", "--porcelain", "--untracked-files=all")


def test_a_symlinked_input_is_never_cached(docs_ws: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "notes.md"
    outside.write_text("x\n")
    (docs_ws.increments_dir / "0001-fraud-detection" / "notes.md").symlink_to(outside)
    build_docs(docs_ws)
    assert cachedir.read(docs_ws.root, "docs.json") is None


def _stale_without_cache(ws: Workspace) -> list[str]:
    shutil.rmtree(ws.root / ".inc-cache", ignore_errors=True)
    return build_docs(ws, check=True, remember=False).stale


def test_a_same_size_edit_of_reference_data_outside_the_increments_is_stale(docs_ws: Workspace) -> None:
    """The readiness table is the gate's verdict, which hashes monitoring's reference data (here a
    workspace file, data/reference.csv): editing it must not answer 'current' from the cache."""
    build_docs(docs_ws)
    reference = docs_ws.root / "data" / "reference.csv"
    text = reference.read_text()
    reference.write_text(text.replace("12.5", "12.6"))  # same size, new content
    stale = build_docs(docs_ws, check=True).stale
    assert "living-docs/increments/0001-fraud-detection.md" in stale
    assert stale == _stale_without_cache(docs_ws)


def test_a_same_size_edit_of_a_plot_is_stale(docs_ws: Workspace) -> None:
    """The gate hashes the SHAP plots against the report's record: a replaced plot of the same
    size changes the verdict the card shows, so the cache must not hide it."""
    build_docs(docs_ws)
    plot = next((docs_ws.increments_dir / "0001-fraud-detection" / "reports").glob("explain-*/bar.png"))
    data = bytearray(plot.read_bytes())
    data[-5] ^= 0xFF
    plot.write_bytes(bytes(data))
    stale = build_docs(docs_ws, check=True).stale
    assert "living-docs/increments/0001-fraud-detection.md" in stale
    assert stale == _stale_without_cache(docs_ws)
