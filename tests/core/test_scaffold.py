"""inc init and inc new on real git repositories."""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from inc.errors import ConfigError, UserError
from inc.increment import Increment
from inc.markdown import PLACEHOLDER, find_section, parse_sections
from inc.scaffold import init_workspace, new_increment, slugify
from inc.workspace import Workspace
from inc_testing import git


def test_init_creates_the_workspace(git_repo: Path) -> None:
    result = init_workspace(git_repo)
    assert (git_repo / "inc.yaml").is_file()
    assert (git_repo / "increments").is_dir()
    assert (git_repo / "living-docs").is_dir()
    workflow = yaml.safe_load((git_repo / ".github/workflows/inc-gate.yml").read_text())
    assert "inc gate --changed" in str(workflow)
    ignored = (git_repo / ".gitignore").read_text().splitlines()
    assert "mlflow.db" in ignored and "mlartifacts/" in ignored
    assert "inc.yaml" in result.created


def test_init_is_idempotent_and_keeps_user_files(git_repo: Path) -> None:
    (git_repo / ".gitignore").write_text("node_modules/\nmlflow.db\n")
    init_workspace(git_repo)
    (git_repo / "inc.yaml").write_text("schema: 1\nincrements_dir: increments\n# mine\n")
    (git_repo / ".github/workflows/inc-gate.yml").write_text("name: my own gate\n")
    before = {p: p.read_bytes() for p in git_repo.rglob("*") if p.is_file() and ".git/" not in str(p)}
    second = init_workspace(git_repo)
    after = {p: p.read_bytes() for p in git_repo.rglob("*") if p.is_file() and ".git/" not in str(p)}
    assert before == after
    assert second.created == []
    assert (git_repo / ".gitignore").read_text().count("mlflow.db") == 1


def test_init_without_github(git_repo: Path) -> None:
    init_workspace(str(git_repo), github=False)  # a plain string path works too
    assert not (git_repo / ".github").exists()


def test_new_renders_the_ml_workflow(workspace: Workspace) -> None:
    result = new_increment(workspace, "Fraud Detection", problem="classification")
    inc = result.increment
    assert inc.path.name == "0001-fraud-detection"
    assert inc.meta.metric.name == "roc_auc" and inc.meta.status == "planned"
    spec = parse_sections(inc.read_doc("spec.md"))
    for title in (
        "Problem definition",
        "Data requirements",
        "Model requirements",
        "Baseline comparison plan",
        "Evaluation metrics",
        "Deployment considerations",
    ):
        section = find_section(spec, title)
        assert section is not None, title
    assert "PR-AUC" in inc.read_doc("spec.md")
    plan = parse_sections(inc.read_doc("plan.md"))
    ab = find_section(plan, "A/B test plan")
    assert ab is not None and ab.has_placeholder
    assert find_section(plan, "Rollback plan") is not None
    ids = [task.id for task in inc.tasks]
    assert ids[0] == "T-001" and len(ids) == len(set(ids)) >= 12
    assert not any(task.done for task in inc.tasks)
    assert (inc.path / "monitoring.yaml").is_file()


def test_regression_template_lists_regression_metrics(workspace: Workspace) -> None:
    inc = new_increment(workspace, "price", problem="regression").increment
    assert inc.meta.metric.name == "rmse" and inc.meta.metric.goal == "minimize"
    text = inc.read_doc("spec.md")
    assert "MAPE" in text and "ROC-AUC" not in text


def test_numbers_increase(workspace: Workspace) -> None:
    names = [new_increment(workspace, f"m{i}").increment.name for i in range(3)]
    assert names == ["0001-m0", "0002-m1", "0003-m2"]


def test_parallel_new_gives_distinct_numbers(workspace: Workspace) -> None:
    exe = Path(sys.executable).parent / "inc"

    def run(i: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(exe), "new", f"model-{i}", "--format", "json"],
            cwd=workspace.root,
            capture_output=True,
            text=True,
            check=False,
        )

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, range(8)))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    numbers = sorted(p.name[:4] for p in workspace.increment_dirs())
    assert numbers == [f"{i:04d}" for i in range(1, 9)]
    assert not [p for p in workspace.increments_dir.glob(".*") if p.name != ".gitkeep"]


def test_number_taken_on_another_branch_is_skipped(workspace: Workspace) -> None:
    root = workspace.root
    git(root, "checkout", "-q", "-b", "feature")
    new_increment(workspace, "on-feature")
    new_increment(workspace, "second-on-feature")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "feature increments")
    git(root, "checkout", "-q", "main")
    assert workspace.increment_dirs() == []
    assert new_increment(workspace, "on-main").increment.id == "0003"


def test_number_on_remote_tracking_branch_is_skipped(workspace: Workspace, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(workspace.root), str(clone))
    colleague = Workspace.discover(clone)
    new_increment(colleague, "theirs")
    git(clone, "add", ".")
    git(clone, "commit", "-q", "-m", "theirs")
    git(clone, "push", "-q", "origin", "HEAD:refs/heads/theirs")
    mine = tmp_path / "mine"
    git(tmp_path, "clone", "-q", str(workspace.root), str(mine))
    assert new_increment(Workspace.discover(mine), "mine").increment.id == "0002"


def test_non_git_folder_numbers_from_the_folder(tmp_path: Path) -> None:
    init_workspace(tmp_path, github=False)
    ws = Workspace.discover(tmp_path)
    result = new_increment(ws, "plain")
    assert result.increment.id == "0001"
    assert len([n for n in result.notes if "not a git repository" in n]) == 1


def test_repository_template_overrides_packaged(workspace: Workspace) -> None:
    (workspace.root / "templates").mkdir()
    (workspace.root / "templates/spec.md.j2").write_text("# {{ title }} by our team\n\nOurs.\n")
    inc = new_increment(workspace, "custom").increment
    assert inc.read_doc("spec.md") == "# Custom by our team\n\nOurs.\n"
    assert PLACEHOLDER in inc.read_doc("plan.md")


def test_repository_template_is_sandboxed(workspace: Workspace) -> None:
    (workspace.root / "templates").mkdir()
    hostile = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    (workspace.root / "templates/spec.md.j2").write_text(hostile)
    with pytest.raises(ConfigError):
        new_increment(workspace, "hostile")
    assert workspace.increment_dirs() == []


@pytest.mark.parametrize("name", ["", "   ", "a/b", "../escape", "x" * 61, "!!!"])
def test_bad_names_are_refused_and_nothing_written(workspace: Workspace, name: str) -> None:
    with pytest.raises(UserError):
        new_increment(workspace, name)
    assert workspace.increment_dirs() == []
    assert not any(workspace.increments_dir.glob(".*claim"))


def test_slugify() -> None:
    assert slugify("Fraud Detection v2") == "fraud-detection-v2"
    assert slugify("x" * 60) == "x" * 60


def test_created_metadata_roundtrips(workspace: Workspace) -> None:
    inc = new_increment(workspace, "churn", title='Churn "risk": v1', metric="f1", target=0.7).increment
    again = Increment.load(inc.path)
    assert again.meta.title == 'Churn "risk": v1'
    assert again.meta.metric.name == "f1" and again.meta.metric.target == 0.7


@pytest.mark.parametrize("in_git", [True, False], ids=["git", "no-git"])
def test_increments_folder_leading_outside_is_refused(
    tmp_path: Path, in_git: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """DESIGN 9: no path outside the workspace is written; a clear exit 2, not an internal error."""
    from inc.cli import main

    root = tmp_path / "repo"
    root.mkdir()
    if in_git:
        git(root, "init", "-q", "-b", "main")
    init_workspace(root, github=False)
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(root / "increments")  # only a .gitkeep in a fresh workspace
    (root / "increments").symlink_to(outside, target_is_directory=True)
    code = main(["-C", str(root), "new", "escape"])
    err = capsys.readouterr().err
    assert list(outside.iterdir()) == [], "inc new wrote outside the workspace"
    assert code == 2 and "outside the workspace" in err, (code, err)
