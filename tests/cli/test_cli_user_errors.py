"""Bad input found by review: each is exit 2 with a message naming what to fix, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from inc.cli import main
from inc.workspace import Workspace
from inc_testing import git


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def test_changed_against_a_base_without_shared_history(
    workspace: Workspace, fraud: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = workspace.root
    git(root, "checkout", "-q", "--orphan", "unrelated")
    git(root, "commit", "-q", "--allow-empty", "-m", "no shared history")
    git(root, "checkout", "-q", "main")
    code, err = run(capsys, "-C", str(root), "gate", "--changed", "--base", "unrelated")
    assert code == 2 and "--base" in err and "unrelated" in err


def test_increments_dir_leaving_the_workspace_is_refused(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace.root / "inc.yaml").write_text("schema: 1\nincrements_dir: ../elsewhere\n")
    code, err = run(capsys, "-C", str(workspace.root), "list")
    assert code == 2 and "inc.yaml" in err and "increments_dir" in err
    assert not (workspace.root.parent / "elsewhere").exists()


def test_template_override_rendering_bad_yaml_names_the_template(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace.root / "templates").mkdir()
    (workspace.root / "templates/increment.yaml.j2").write_text("id: '{{ id }}'\nslug: [broken\n")
    code, err = run(capsys, "-C", str(workspace.root), "new", "churn")
    assert code == 2 and "increment.yaml.j2" in err and "line" in err
    assert workspace.increment_dirs() == []


def test_broken_site_template_override_is_a_user_error(
    workspace: Workspace, fraud: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace.root / "templates/docs").mkdir(parents=True)
    (workspace.root / "templates/docs/site.html.j2").write_text("{% for x in %}\n")
    code, err = run(capsys, "-C", str(workspace.root), "docs", "--html", str(tmp_path / "site"))
    assert code == 2 and "site.html.j2" in err


def test_non_utf8_pyproject_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.inc]\nincrements_dir = "\xff"\n')
    code, err = run(capsys, "-C", str(tmp_path), "list")
    assert code == 2 and "pyproject.toml" in err and "UTF-8" in err


def test_non_utf8_gitignore_is_a_user_error_and_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ignore = tmp_path / ".gitignore"
    ignore.write_bytes(b"caf\xe9/\n")
    code, err = run(capsys, "-C", str(tmp_path), "init", "--no-github")
    assert code == 2 and ".gitignore" in err and "mlflow.db" in err
    assert ignore.read_bytes() == b"caf\xe9/\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore"]  # nothing else written


def test_every_schema_is_printable(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from inc.schemas import schema_names

    assert schema_names() == [
        "drift",
        "evaluation",
        "explain",
        "gate",
        "increment",
        "loadtest",
        "monitoring",
        "run",
    ]
    for name in schema_names():
        assert main(["schema", name]) == 0
        assert "properties" in json.loads(capsys.readouterr().out)
