"""The site rendered on several cores is the site rendered on one, byte for byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inc.livedocs import sitepool
from inc.livedocs.html import build_site
from inc.workspace import Workspace


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_parallel_site_equals_serial_site(
    workspace: Workspace, factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory.make_increment(workspace, "fraud-detection", status="done")
    factory.make_increment(workspace, "churn-model")
    factory.make_increment(workspace, "ranking-model")
    serial = build_site(workspace, tmp_path / "serial")
    monkeypatch.setattr(sitepool, "MIN_PAGES", 2)
    monkeypatch.setattr(sitepool, "_workers", lambda pages: 3)
    parallel = build_site(workspace, tmp_path / "parallel")
    assert parallel.assets == serial.assets and parallel.assets  # evidence found by the workers
    assert _tree(tmp_path / "parallel") == _tree(tmp_path / "serial")


def test_a_broken_increment_found_while_workers_render_stops_them_and_names_the_file(
    workspace: Workspace, factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    from inc.errors import ConfigError

    factory.make_increment(workspace, "fraud-detection", status="done")
    broken = factory.make_increment(workspace, "churn-model").inc
    (broken.path / "increment.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(sitepool, "MIN_PAGES", 2)
    monkeypatch.setattr(sitepool, "_workers", lambda pages: 2)
    with pytest.raises(ConfigError, match="increment.yaml"):
        build_site(workspace, tmp_path / "site")
    assert multiprocessing.active_children() == []  # the workers were stopped, none left running
    assert not (tmp_path / "site").exists()  # nothing was written
