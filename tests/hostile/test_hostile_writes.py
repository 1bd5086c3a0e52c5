"""Writes and deletes stay inside the workspace (and out of .git); symlinked folders are refused."""

from __future__ import annotations

import shutil

import pytest

from inc.evidence import RunRecord, seal, write_run_record
from inc_testing.hostile import Hostile, tree_digest


def test_symlinked_living_docs_folder_never_deletes_outside(hostile: Hostile) -> None:
    assert hostile.run("docs").returncode == 0
    pages = hostile.root / "living-docs" / "increments"
    shutil.rmtree(pages)
    pages.symlink_to(hostile.outside / "notes")  # ln -s ~/notes living-docs/increments
    shutil.rmtree(hostile.inc)  # 0001-fraud.md in ~/notes now looks obsolete
    hostile.run("docs").assert_named_failure("outside the workspace", codes=(2,))
    assert (hostile.outside / "notes" / "0001-fraud.md").read_text() == "my private notes\n"
    hostile.assert_outside_untouched()


def test_living_docs_dir_cannot_be_the_root_or_git(hostile: Hostile) -> None:
    config = hostile.root / "inc.yaml"
    original = config.read_text()
    for value in ('"."', ".git/docs"):
        config.write_text(original.replace("living_docs_dir: living-docs", f"living_docs_dir: {value}"))
        hostile.run("docs").assert_named_failure("living_docs_dir", codes=(2,))
    config.write_text(original)
    assert not (hostile.root / "README.md").exists()  # living docs never wrote over the root
    hostile.run("docs", "--html", ".git/site").assert_named_failure(".git", codes=(2,))
    assert not (hostile.root / ".git" / "site").exists()
    shutil.rmtree(hostile.root / "living-docs", ignore_errors=True)
    (hostile.root / "living-docs").symlink_to(hostile.root)  # ln -s . living-docs
    hostile.run("docs").assert_named_failure("workspace root", codes=(2,))


def _outside_increment(hostile: Hostile) -> None:
    """increments/0002-evil -> outside/increment (a copy of a real increment)."""
    target = hostile.outside / "increment"
    for name in ("increment.yaml", "spec.md", "plan.md", "tasks.md", "monitoring.yaml"):
        text = (
            (hostile.inc / name)
            .read_text()
            .replace('id: "0001"', 'id: "0002"')
            .replace('slug: "fraud"', 'slug: "evil"')
        )
        (target / name).write_text(text)
    record = seal(
        RunRecord(
            run_id="deadbeef",
            increment="0002",
            name="m",
            role="candidate",
            status="FINISHED",
            metrics={"roc_auc": 0.9},
        )
    )
    write_run_record(target / "runs", record)
    (hostile.root / "increments" / "0002-evil").symlink_to(target)
    hostile.before = tree_digest(hostile.outside)


def test_symlinked_increment_folder_is_refused_by_every_command(hostile: Hostile) -> None:
    _outside_increment(hostile)
    hostile.commit()
    gate = hostile.run("gate")
    gate.assert_named_failure("0002-evil", "symlink", codes=(1,))
    assert "structure" in gate.output
    hostile.run("choose", "2", "deadbeef").assert_named_failure("symlink", codes=(2,))
    hostile.run("list").assert_named_failure("symlink", codes=(2,))
    hostile.run("docs").assert_named_failure("symlink", codes=(2,))
    hostile.assert_outside_untouched()


def test_loadtest_run_id_with_a_path_is_refused_before_anything_is_written(hostile: Hostile) -> None:
    pytest.importorskip("sklearn")  # inc loadtest needs the ml extra before it looks at the run
    data = hostile.root / "data.csv"
    data.write_text("a,b\n1,2\n")
    for run in ("../../../../inc", "../../etc/passwd"):
        probe = hostile.run(
            "loadtest", "1", "--run", run, "--data", "data.csv", "--url", "http://127.0.0.1:9/invocations"
        )
        probe.assert_named_failure("run id", codes=(2,))
    assert not (hostile.root / "increments" / "inc.json").exists()
    assert not list(hostile.root.rglob("passwd.json"))
    hostile.assert_outside_untouched()
