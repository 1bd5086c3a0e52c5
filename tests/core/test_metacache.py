"""inc list / inc show reuse checked YAML data only while the files hash as they did."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from inc import yamlio
from inc.errors import ConfigError
from inc.scaffold import new_increment
from inc.status import list_increments, show_increment
from inc.workspace import Workspace
from inc_testing import git


def _reader(ws: Workspace) -> Workspace:
    return Workspace.discover(ws.root, cached=True)


def _no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(text: str, source: str) -> None:
        raise AssertionError(f"parsed {source} although it did not change")

    monkeypatch.setattr(yamlio, "parse_yaml", fail)


def test_second_listing_parses_nothing(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("fraud", "churn", "ranking"):
        new_increment(workspace, name)
    first = list_increments(_reader(workspace))
    _no_yaml(monkeypatch)
    assert list_increments(_reader(workspace)) == first
    assert show_increment(_reader(workspace), "2").summary.slug == "churn"


def test_a_change_keeping_size_and_time_is_seen(workspace: Workspace) -> None:
    path = new_increment(workspace, "fraud", title="Model A").increment.path / "increment.yaml"
    assert list_increments(_reader(workspace))[0].title == "Model A"
    stat = path.stat()
    path.write_text(path.read_text().replace("Model A", "Model B"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert list_increments(_reader(workspace))[0].title == "Model B"


def test_an_invalid_edit_is_refused_with_file_and_field(workspace: Workspace) -> None:
    path = new_increment(workspace, "fraud").increment.path / "increment.yaml"
    list_increments(_reader(workspace))
    path.write_text(path.read_text().replace("cv_min_folds: 5", "cv_min_folds: 1"))
    with pytest.raises(ConfigError, match="field 'cv_min_folds'") as excinfo:
        list_increments(_reader(workspace))
    assert str(path) in excinfo.value.message
    (workspace.root / "inc.yaml").write_text("increments_dir: /etc\n")
    with pytest.raises(ConfigError, match="field 'increments_dir'"):
        _reader(workspace)


def test_readers_write_only_the_ignored_cache(workspace: Workspace) -> None:
    new_increment(workspace, "fraud")
    git(workspace.root, "add", "-A")
    git(workspace.root, "commit", "-q", "-m", "one increment")
    list_increments(_reader(workspace))
    show_increment(_reader(workspace), "1")
    assert git(workspace.root, "status", "--porcelain", "--untracked-files=all") == ""
    assert (workspace.root / ".inc-cache" / "meta.json").is_file()


def test_a_copied_cache_is_not_used(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_increment(workspace, "fraud")
    list_increments(_reader(workspace))
    copy = tmp_path / "elsewhere"
    shutil.copytree(workspace.root, copy)
    parsed: list[str] = []
    real = yamlio.parse_yaml
    monkeypatch.setattr(
        yamlio, "parse_yaml", lambda text, source: parsed.append(source) or real(text, source)
    )
    list_increments(Workspace.discover(copy, cached=True))
    assert any(source.endswith("increment.yaml") for source in parsed)


def test_task_counts_follow_tasks_md_edits(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from inc import markdown

    tasks = new_increment(workspace, "fraud").increment.path / "tasks.md"
    tasks.write_text("- [ ] T-001 explore\n- [ ] T-002 train\n", encoding="utf-8")
    assert list_increments(_reader(workspace))[0].tasks_done == 0
    calls = []
    monkeypatch.setattr(
        markdown, "parse_tasks", lambda text, real=markdown.parse_tasks: calls.append(text) or real(text)
    )
    assert list_increments(_reader(workspace))[0].tasks_done == 0
    assert calls == []  # remembered by content
    stat = tasks.stat()
    tasks.write_text("- [x] T-001 explore\n- [ ] T-002 train\n", encoding="utf-8")  # same size
    os.utime(tasks, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    row = list_increments(_reader(workspace))[0]
    assert (row.tasks_done, row.tasks_total) == (1, 2) and len(calls) == 1


def test_a_broken_tasks_md_after_a_cached_one_is_still_refused(workspace: Workspace) -> None:
    from inc.limits import LimitError

    tasks = new_increment(workspace, "fraud").increment.path / "tasks.md"
    assert list_increments(_reader(workspace))[0].tasks_total > 0
    tasks.write_bytes(b"- [ ] T-001 caf\xe9\n")
    with pytest.raises(LimitError, match="tasks.md: not UTF-8"):
        list_increments(_reader(workspace))


def test_inc_yaml_settings_come_from_the_cache_and_follow_edits(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks = new_increment(workspace, "fraud").increment.path / "tasks.md"
    tasks.write_text("- [ ] T-001 explore\n")
    config = workspace.root / "inc.yaml"
    config.write_text(config.read_text() + "limits:\n  markdown_mb: 0.001\n")
    uncached = Workspace.discover(workspace.root).loaded
    list_increments(_reader(workspace))  # fills the cache
    _no_yaml(monkeypatch)
    cached = _reader(workspace).loaded
    assert cached == uncached and cached.data["increments_dir"] == "increments"
    tasks.write_text("- [ ] T-001 " + "x" * 2_000 + "\n")  # over the 1 kB cap inc.yaml sets
    from inc.limits import LimitError

    with pytest.raises(LimitError, match="markdown read limit of 1000 bytes"):
        list_increments(_reader(workspace))  # the cached settings still carry the limits
    monkeypatch.undo()
    stat = config.stat()
    config.write_text(config.read_text().replace("markdown_mb: 0.001", "markdown_mb: 0.009"))
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time
    assert list_increments(_reader(workspace))[0].tasks_total == 1


def test_digest_is_sha256_of_the_bytes(tmp_path: Path) -> None:
    import hashlib

    from inc.metacache import digest, file_digest

    path = tmp_path / "increment.yaml"
    path.write_bytes(b"id: '0001'\n" * 500)
    assert digest(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert file_digest(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    os.mkfifo(tmp_path / "fifo")
    assert file_digest(tmp_path / "fifo") is None and file_digest(tmp_path / "missing") is None


def test_a_symlink_leading_outside_is_refused_even_with_the_same_bytes(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = new_increment(workspace, "fraud").increment.path / "increment.yaml"
    list_increments(_reader(workspace))  # remembered
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(path.read_bytes())  # the very bytes the cache knows
    path.unlink()
    path.symlink_to(outside)
    with pytest.raises(ConfigError, match="symlink leading outside"):
        list_increments(_reader(workspace))
