"""The evidence, reports, living docs and site of a real run get the umask's mode (0644 under 022).

A teammate, a web server or a docs bot running as another user must be able to read them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import inc
from inc.livedocs import build_docs
from inc.livedocs.html import build_site
from inc.tracking.runs_table import choose
from inc_testing import wrong_modes


def test_record_report_docs_and_site_get_the_umask_mode(
    umask: int, tracked: Any, small_data: tuple[Any, Any], tmp_path: Path
) -> None:  # umask first: the workspace itself is made under it
    from sklearn.tree import DecisionTreeClassifier

    X, y = small_data
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    with inc.track_experiment("tree", increment=tracked.inc.id, workspace=tracked.ws) as exp:
        exp.log_metrics({"roc_auc": 0.8})
    inc.explain(
        model,
        X,
        X.head(30),
        increment=tracked.inc.id,
        run_id=exp.run_id,
        workspace=tracked.ws,
        log_artifacts=False,
        progress=False,
    )
    choose(tracked.ws, tracked.inc.id, exp.run_id)
    build_docs(tracked.ws)
    site = build_site(tracked.ws, tmp_path / "site")

    record = tracked.inc.runs_dir / f"{exp.run_id}.json"
    report = tracked.inc.reports_dir / f"explain-{exp.run_id}"
    assert record.is_file() and list(report.glob("*.png")) and (report / "report.md").is_file()
    assert any(p.endswith(".png") for p in site.assets) and site.pages
    assert list(tracked.ws.living_docs_dir.rglob("*.md"))
    for root in (tracked.inc.path, tracked.ws.living_docs_dir, site.root):
        assert wrong_modes(root, umask) == []
