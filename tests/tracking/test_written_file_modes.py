"""The evidence, reports, living docs and site of a real run get the umask's mode (0644 under 022).

A teammate, a web server or a docs bot running as another user must be able to read them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import inc
from inc.livedocs import build_docs
from inc.livedocs.html import build_site
from inc.tracking import choose


@pytest.fixture(params=[0o022, 0o077], ids=["umask022", "umask077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def _wrong_modes(root: Path, mask: int) -> list[str]:
    wrong = []
    for path in sorted([root, *root.rglob("*")]):
        want = (0o777 if path.is_dir() else 0o666) & ~mask
        got = stat.S_IMODE(path.stat().st_mode)
        if got != want:
            wrong.append(f"{path.relative_to(root.parent)}: {oct(got)}, expected {oct(want)}")
    return wrong


def test_record_report_docs_and_site_get_the_umask_mode(
    umask: int, tracked: Any, small_data: tuple[Any, Any], tmp_path: Path
) -> None:  # umask first: the workspace itself is made under it
    from sklearn.tree import DecisionTreeClassifier

    X, y = small_data
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    with inc.track_experiment("tree", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        exp.log_metrics({"roc_auc": 0.8})
    inc.explain(model, X, X.head(30), increment=tracked.inc.id, run_id=exp.run_id, workspace=tracked.ws,
                log_artifacts=False, progress=False)
    choose(tracked.ws, tracked.inc.id, exp.run_id)
    build_docs(tracked.ws)
    site = build_site(tracked.ws, tmp_path / "site")

    record = tracked.inc.runs_dir / f"{exp.run_id}.json"
    report = tracked.inc.reports_dir / f"explain-{exp.run_id}"
    assert record.is_file() and list(report.glob("*.png")) and (report / "report.md").is_file()
    assert any(p.endswith(".png") for p in site.assets) and site.pages
    assert list(tracked.ws.living_docs_dir.rglob("*.md"))
    for root in (tracked.inc.path, tracked.ws.living_docs_dir, site.root):
        assert _wrong_modes(root, umask) == []
