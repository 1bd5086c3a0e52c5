"""``inc docs`` on the command line: exit codes, messages, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inc.cli import main
from inc.workspace import Workspace


def _run(ws: Workspace, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["-C", str(ws.root), "docs", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_docs_then_check_then_stale_check_exits_1_naming_the_page(
    docs_ws: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(docs_ws, capsys=capsys)
    assert code == 0 and "wrote   living-docs/README.md" in out and "10 written" in out
    code, out, _ = _run(docs_ws, "--check", capsys=capsys)
    assert code == 0 and "living docs are current (10 pages)" in out
    spec = docs_ws.increments_dir / "0001-fraud-detection/spec.md"
    spec.write_text(spec.read_text() + "\n## Caveats\n\nFails on new merchants.\n")
    code, _, err = _run(docs_ws, "--check", capsys=capsys)
    assert code == 1
    assert "living docs are stale" in err and "living-docs/increments/0001-fraud-detection.md" in err
    assert "runbooks" not in err
    code, out, _ = _run(docs_ws, "--format", "json", capsys=capsys)
    data = json.loads(out)
    assert code == 0 and data["written"] == ["living-docs/increments/0001-fraud-detection.md"]
    card = (docs_ws.living_docs_dir / "increments/0001-fraud-detection.md").read_text()
    assert "Fails on new merchants." in card.split("## Caveats and recommendations")[1]


@pytest.mark.parametrize("where", ["increments/site", "living-docs/site", "."])
def test_html_refuses_a_folder_inside_increments_or_over_the_workspace(
    docs_ws: Workspace, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(docs_ws, "--html", str(docs_ws.root / where), capsys=capsys)
    assert code == 2 and "--html" in err
    assert not (docs_ws.root / where / "index.html").exists()


def test_html_refuses_a_foreign_non_empty_folder_and_check_with_html(
    docs_ws: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    code, _, err = _run(docs_ws, "--html", str(foreign), capsys=capsys)
    assert code == 2 and "not empty" in err and (foreign / "notes.txt").read_text() == "keep me"
    code, _, err = _run(docs_ws, "--check", "--html", str(tmp_path / "x"), capsys=capsys)
    assert code == 2 and "--check and --html" in err


def test_docs_outside_a_workspace_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(tmp_path), "docs"]) == 2
    assert "not inside an inc workspace" in capsys.readouterr().err
