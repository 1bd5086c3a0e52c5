"""Names YAML would misread, Unicode and emoji names, secrets in config errors, crash leftovers."""

from __future__ import annotations

import os
import time

import pytest
import yaml

from inc.errors import UserError
from inc.scaffold import new_increment
from inc_testing.hostile import Hostile


def test_names_are_transliterated_quoted_and_unique(hostile: Hostile) -> None:
    from inc.workspace import Workspace

    probe = hostile.run("new", "0042", "--format", "json")  # through the CLI once
    assert probe.returncode == 0, probe.output
    ws = Workspace.discover(hostile.root)
    for name in ("null", "yes", "2024-01-01", "détection-fraude", "Straße", "fraud 🚀 v2"):
        new_increment(ws, name)
    folders = sorted(p.name for p in (hostile.root / "increments").iterdir() if not p.name.startswith("."))
    assert folders == [
        "0001-fraud",
        "0002-0042",
        "0003-null",
        "0004-yes",
        "0005-2024-01-01",
        "0006-detection-fraude",
        "0007-strasse",
        "0008-fraud-v2",
    ]
    for folder in folders[1:]:
        meta = yaml.safe_load((hostile.root / "increments" / folder / "increment.yaml").read_text())
        assert meta["slug"] == folder[5:] and isinstance(meta["slug"], str)
    assert hostile.run("show", "0042").returncode == 0
    hostile.run("new", "Détection fraude").assert_named_failure(
        "already used by 0006-detection-fraude", codes=(2,)
    )
    with pytest.raises(UserError, match="ASCII"):
        new_increment(ws, "🚀🔥")
    made = new_increment(ws, "x", title='Fraud 🚀 "quoted" \\ back').increment
    assert made.meta.title == 'Fraud 🚀 "quoted" \\ back'


def test_non_finite_target_is_refused_and_show_json_stays_json(hostile: Hostile) -> None:
    hostile.run("new", "t", "--target", "nan").assert_named_failure("--target", codes=(2,))
    from inc.workspace import Workspace

    for value in (float("inf"), float("-inf")):
        with pytest.raises(UserError, match="--target"):
            new_increment(Workspace.discover(hostile.root), "t", target=value)
    meta = hostile.inc / "increment.yaml"
    meta.write_text(meta.read_text().replace("target: 0.85", "target: .nan"))
    hostile.run("show", "1", "--format", "json").assert_named_failure("increment.yaml", "target", codes=(2,))


def test_passwords_in_config_errors_are_removed(hostile: Hostile) -> None:
    config = hostile.root / "inc.yaml"
    original = config.read_text()
    for bad in (
        "tracking_url: http://alice:s3cret-pw@mlflow.example.com:5000",
        "tracking_uri: [http://alice:s3cret-pw@mlflow.example.com:5000]",
        "tracking_uri: {url: 'https://bob:s3cret-pw@host/x'}",
    ):
        config.write_text(original + bad + "\n")
        probe = hostile.run("list")
        probe.assert_named_failure("inc.yaml", "tracking_ur", codes=(2,))
        assert "s3cret-pw" not in probe.output


def test_crash_leftovers_are_cleaned_and_numbering_does_not_skip(hostile: Hostile) -> None:
    assert hostile.run("docs").returncode == 0
    docs = hostile.root / "living-docs" / "increments"
    old_tmp = docs / ".0001-fraud.md.abc123.tmp"
    old_tmp.write_bytes(b"")
    past = time.time() - 3600
    os.utime(old_tmp, (past, past))
    young_tmp = docs / ".README.md.def456.tmp"
    young_tmp.write_bytes(b"")  # another build's write in progress: kept
    # a killed 'inc new': its claim (owner pid gone) and its staging folder
    increments = hostile.root / "increments"
    claim = increments / ".0002.claim"
    claim.mkdir()
    (claim / "owner").write_text(f"{os.uname().nodename} 999999999\n")
    staging = increments / ".0002-half.staging"
    staging.mkdir()
    (staging / "spec.md").write_text("half")
    (hostile.inc / "spec.md").write_text((hostile.inc / "spec.md").read_text() + "\nchanged\n")
    assert hostile.run("docs").returncode == 0
    assert not old_tmp.exists() and young_tmp.exists()
    probe = hostile.run("new", "next", "--format", "json")
    assert probe.returncode == 0, probe.output
    assert '"0002"' in probe.stdout
    assert not claim.exists() and not staging.exists()
    ignored = (hostile.root / ".gitignore").read_text()
    assert ".*.tmp" in ignored and ".*.claim/" in ignored and ".*.staging/" in ignored
    from inc_testing import git

    young_tmp.unlink()
    (docs / ".x.md.1.tmp").write_bytes(b"")
    git(hostile.root, "add", "-A")
    assert ".tmp" not in git(hostile.root, "diff", "--cached", "--name-only")
