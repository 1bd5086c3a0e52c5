"""Config discovery and validation errors that name the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from inc.config import discover
from inc.errors import ConfigError, NotFoundError, UserError
from inc.increment import Increment
from inc.scaffold import new_increment
from inc.workspace import Workspace


def test_discovery_walks_up(workspace: Workspace) -> None:
    deep = workspace.root / "src" / "pkg"
    deep.mkdir(parents=True)
    assert discover(deep).root == workspace.root.resolve()


def test_pyproject_tool_inc(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.inc]\nincrements_dir = "work"\n')
    ws = Workspace.discover(tmp_path)
    assert ws.increments_dir == tmp_path.resolve() / "work"


def test_outside_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="inc init"):
        discover(tmp_path)


def test_malformed_inc_yaml_names_file_and_line(workspace: Workspace) -> None:
    (workspace.root / "inc.yaml").write_text("schema: 1\nincrements_dir: [oops\n")
    with pytest.raises(ConfigError) as err:
        discover(workspace.root)
    assert "inc.yaml" in str(err.value) and "line" in str(err.value)


def test_unknown_key_in_inc_yaml(workspace: Workspace) -> None:
    (workspace.root / "inc.yaml").write_text("schema: 1\nincrement_dir: x\n")
    with pytest.raises(ConfigError) as err:
        discover(workspace.root)
    message = str(err.value)
    assert "inc.yaml" in message and "increment_dir" in message and "unknown key" in message


def test_mistyped_value_in_increment_yaml(workspace: Workspace, fraud: Path) -> None:
    meta = fraud / "increment.yaml"
    meta.write_text(meta.read_text().replace("cv_min_folds: 5", "cv_min_folds: five"))
    with pytest.raises(ConfigError) as err:
        Increment.load(fraud)
    assert "increment.yaml" in str(err.value) and "cv_min_folds" in str(err.value)
    assert "'five'" in str(err.value)


def test_unknown_key_in_increment_yaml(workspace: Workspace, fraud: Path) -> None:
    meta = fraud / "increment.yaml"
    meta.write_text(meta.read_text() + "colour: blue\n")
    with pytest.raises(ConfigError, match="colour.*unknown key"):
        Increment.load(fraud)


def test_impossible_values_are_refused(workspace: Workspace, fraud: Path) -> None:
    meta = fraud / "increment.yaml"
    meta.write_text(meta.read_text().replace("latency_p95_ms: 100", "latency_p95_ms: -1"))
    with pytest.raises(ConfigError, match="latency_p95_ms"):
        Increment.load(fraud)


def test_unknown_waiver_check_is_refused(workspace: Workspace, fraud: Path) -> None:
    meta = fraud / "increment.yaml"
    text = meta.read_text().replace(
        "waivers: []", "waivers:\n  - {check: vibes, reason: trust me, approved_by: me}"
    )
    meta.write_text(text)
    with pytest.raises(ConfigError, match="waivers.0.check.*unknown check 'vibes'"):
        Increment.load(fraud)


@pytest.mark.parametrize("ref", ["0001", "1", "0001-fraud-detection", "fraud-detection"])
def test_find_by_any_id_form(workspace: Workspace, fraud: Path, ref: str) -> None:
    assert workspace.find(ref).path == fraud


def test_unknown_increment(workspace: Workspace, fraud: Path) -> None:
    with pytest.raises(NotFoundError, match="no increment '0042'.*0001-fraud-detection"):
        workspace.find("0042")


def test_save_meta_is_validated_and_atomic(workspace: Workspace, fraud: Path) -> None:
    inc = Increment.load(fraud)
    before = inc.meta_path.read_bytes()
    bad = inc.meta.model_copy(update={"status": "shipped"})
    with pytest.raises(ValueError, match="status"):
        inc.save_meta(bad)
    assert inc.meta_path.read_bytes() == before
    inc.save_meta(inc.meta.model_copy(update={"status": "active"}))
    assert Increment.load(fraud).meta.status == "active"
    assert [p.name for p in fraud.iterdir() if p.name.startswith(".")] == []
    new_increment(workspace, "second")
