"""``build_docs``: page content, no-change rebuilds, removal, determinism, staleness, overrides."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inc.errors import ConfigError
from inc.evidence import read_run_record, write_run_record
from inc.livedocs import build_docs
from inc.workspace import Workspace

_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def test_pages_show_every_increment_with_metrics_and_evidence(docs_ws: Workspace) -> None:
    result = build_docs(docs_ws)
    docs = docs_ws.living_docs_dir
    assert "living-docs/README.md" in result.written
    index = (docs / "README.md").read_text()
    for row in (
        "[0001](increments/0001-fraud-detection.md)",
        "[0002](increments/0002-churn-model.md)",
        "[0003](increments/0003-price-forecast.md)",
    ):
        assert row in index
    assert "0.9300 >= 0.8500: yes" in index and "+86.0% vs 0.5000" in index
    assert (
        "| done | ana |" in index and "16/16" in index and "1/8" in index
    )  # the gate's own verdict (skips are not counted)
    card = (docs / "increments/0001-fraud-detection.md").read_text()
    for heading in (
        "## Model details",
        "## Intended use",
        "## Metrics",
        "## Evaluation data",
        "## Training data",
        "## Evaluation",
        "## Explainability",
        "## Caveats and recommendations",
        "## Decisions",
    ):
        assert heading in card
    assert "0.9300 ± 0.0067 (5 folds)" in card
    assert "| 1 | amount | 0.5000 |" in card
    assert "Decision: gradient boosting for fraud-detection" in card
    assert "`1111111111111111` | 800 × 5" in card
    runbook = (docs / "runbooks/0001-fraud-detection.md").read_text()
    assert "Alert route: #fraud-alerts" in runbook and "| merchant_risk | psi | 0.100 | 0.250 |" in runbook
    assert "Roll back to inc-0001 version 3" in runbook and "p95 4.25 ms" in runbook
    assert "| inc-0001 | 3 | [0001-fraud-detection]" in (docs / "models.md").read_text()
    changelog = (docs / "CHANGELOG.md").read_text()
    assert "## 0001 Fraud detection" in changelog and "0002" not in changelog
    assert "best AUC at 4 ms" in (docs / "decisions.md").read_text()


def test_every_relative_link_in_the_pages_points_at_a_file(docs_ws: Workspace) -> None:
    build_docs(docs_ws)
    checked = 0
    for page in docs_ws.living_docs_dir.rglob("*.md"):
        for target in _LINK.findall(page.read_text()):
            if "://" in target:
                continue
            path = posixpath.normpath(posixpath.join(page.parent.as_posix(), target.split("#")[0]))
            assert Path(path).is_file(), f"{page.name}: broken link {target}"
            checked += 1
    assert checked > 40
    card = (docs_ws.living_docs_dir / "increments/0001-fraud-detection.md").read_text()
    assert "](../../increments/0001-fraud-detection/reports/explain-c0001cand/bar.png)" in card


def test_no_change_rebuild_writes_nothing_and_removed_increments_lose_their_pages(
    docs_ws: Workspace,
) -> None:
    build_docs(docs_ws)
    before = {p: p.stat().st_mtime_ns for p in docs_ws.living_docs_dir.rglob("*.md")}
    again = build_docs(docs_ws)
    assert again.written == [] and again.stale == [] and len(again.unchanged) == 10
    assert {p: p.stat().st_mtime_ns for p in docs_ws.living_docs_dir.rglob("*.md")} == before
    shutil.rmtree(docs_ws.increments_dir / "0002-churn-model")
    after = build_docs(docs_ws)
    assert sorted(after.removed) == [
        "living-docs/increments/0002-churn-model.md",
        "living-docs/runbooks/0002-churn-model.md",
    ]
    assert not (docs_ws.living_docs_dir / "runbooks/0002-churn-model.md").exists()
    assert "0002" not in (docs_ws.living_docs_dir / "README.md").read_text()


def _copy_reversed(src: Path, dst: Path) -> None:
    """Copy a tree creating folders and files in reverse name order (different directory order)."""
    dst.mkdir(parents=True, exist_ok=True)
    for child in sorted(src.iterdir(), reverse=True):
        if child.name == ".git":
            continue
        if child.is_dir():
            _copy_reversed(child, dst / child.name)
        else:
            shutil.copy2(child, dst / child.name)


def test_same_increments_give_byte_identical_docs_in_any_order_and_locale(
    docs_ws: Workspace, tmp_path: Path
) -> None:
    build_docs(docs_ws)
    first = _tree(docs_ws.living_docs_dir)
    other = tmp_path / "elsewhere" / "copy"
    _copy_reversed(docs_ws.root, other)
    shutil.rmtree(other / "living-docs")
    env = {
        **os.environ,
        "LC_ALL": "de_DE.UTF-8",
        "LANG": "tr_TR.UTF-8",
        "TZ": "Pacific/Kiritimati",
        "PYTHONHASHSEED": "123",
    }
    done = subprocess.run(
        [sys.executable, "-m", "inc", "-C", str(other), "docs"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert _tree(other / "living-docs") == first


def test_check_names_pages_made_stale_by_a_spec_a_run_record_and_a_report(docs_ws: Workspace) -> None:
    build_docs(docs_ws)
    inc_dir = docs_ws.increments_dir / "0002-churn-model"
    card = "living-docs/increments/0002-churn-model.md"

    spec = inc_dir / "spec.md"
    spec.write_text(
        spec.read_text()
        .replace("#### Input", "#### Input")
        .replace(
            "## Deployment considerations\n\nWritten by the team.",
            "## Deployment considerations\n\nNightly batch scoring.",
        ),
        encoding="utf-8",
    )
    assert build_docs(docs_ws, check=True).stale == [card]
    assert build_docs(docs_ws).written == [card]

    record_path = inc_dir / "runs/c0002cand.json"
    record = read_run_record(record_path)
    write_run_record(inc_dir / "runs", record.model_copy(update={"metrics": {"roc_auc": 0.95}}))
    stale = build_docs(docs_ws, check=True).stale
    assert card in stale and "living-docs/README.md" in stale and "living-docs/models.md" in stale
    assert build_docs(docs_ws).written == stale

    summary = inc_dir / "reports/explain-c0002cand/summary.json"
    summary.write_text(summary.read_text().replace('"amount"', '"amount_eur"'), encoding="utf-8")
    # the report no longer matches the hash its run recorded: the gate's verdict, shown in the index, changes
    assert build_docs(docs_ws, check=True).stale == ["living-docs/README.md", card]
    build_docs(docs_ws)
    assert "| 1 | amount_eur |" in (docs_ws.root / card).read_text()
    assert build_docs(docs_ws, check=True).stale == []


def test_check_writes_nothing(docs_ws: Workspace) -> None:
    result = build_docs(docs_ws, check=True)
    assert len(result.stale) == 10 and result.written == []
    assert not list(docs_ws.living_docs_dir.rglob("*.md"))


def test_a_repository_template_override_is_used(docs_ws: Workspace) -> None:
    override = docs_ws.templates_dir / "docs"
    override.mkdir(parents=True)
    (override / "runbook.md.j2").write_text(
        "# On-call sheet {{ inc.id }}\n\nPage {{ monitoring.alert_route if monitoring else 'nobody' }}.\n"
    )
    build_docs(docs_ws)
    runbook = (docs_ws.living_docs_dir / "runbooks/0001-fraud-detection.md").read_text()
    assert runbook == "# On-call sheet 0001\n\nPage #fraud-alerts.\n"
    assert "## Model details" in (docs_ws.living_docs_dir / "increments/0001-fraud-detection.md").read_text()


def test_an_override_cannot_escape_the_sandbox(workspace: Workspace, factory: Any) -> None:
    factory.make_increment(workspace, "fraud")
    override = workspace.templates_dir / "docs"
    override.mkdir(parents=True)
    (override / "models.md.j2").write_text("{{ rows.__class__.__mro__[1].__subclasses__() }}\n")
    with pytest.raises(ConfigError, match=r"models\.md\.j2"):
        build_docs(workspace)
    assert not (workspace.living_docs_dir / "README.md").exists()


def test_broken_evidence_is_shown_not_fatal_and_a_broken_increment_yaml_names_the_file(
    workspace: Workspace, factory: Any
) -> None:
    built = factory.make_increment(workspace, "fraud")
    record = built.inc.runs_dir / f"{built.baseline}.json"
    record.write_text(record.read_text().replace('"roc_auc": 0.5', '"roc_auc": 0.1'))
    build_docs(workspace)
    card = (workspace.living_docs_dir / "increments/0001-fraud.md").read_text()
    assert "### Problems found in the evidence" in card and "sha256 does not match" in card
    meta = built.inc.meta_path
    meta.write_text(meta.read_text().replace("cv_min_folds: 5", "cv_min_folds: many"))
    before = _tree(workspace.living_docs_dir)
    with pytest.raises(ConfigError, match=r"increment\.yaml.*cv_min_folds"):
        build_docs(workspace)
    assert _tree(workspace.living_docs_dir) == before


def test_a_run_without_explain_report_and_an_unchosen_best_candidate(
    workspace: Workspace, factory: Any
) -> None:
    built = factory.make_increment(workspace, "fraud")
    built.inc.save_meta(built.inc.meta.model_copy(update={"chosen_run": None}))
    factory.add_explain(built.inc, built.candidate)
    build_docs(workspace)
    card = (workspace.living_docs_dir / "increments/0001-fraud.md").read_text()
    assert "Best candidate (no run chosen yet): `c0001cand`" in card


def test_model_card_ranks_input_columns_of_a_pipeline_report(docs_ws: Workspace) -> None:
    import json

    inc = docs_ws.find("fraud-detection")
    summary_path = inc.reports_dir / f"explain-{inc.meta.chosen_run}" / "summary.json"
    data = json.loads(summary_path.read_text())
    data["input_importance"] = [
        {"feature": "merchant_category", "mean_abs_shap": 0.31, "columns": ["cat__mc_fuel", "cat__mc_web"]},
        {"feature": "amount", "mean_abs_shap": 0.42, "columns": ["num__amount"]},
    ]
    summary_path.write_text(json.dumps(data))
    build_docs(docs_ws)
    card = (docs_ws.living_docs_dir / "increments/0001-fraud-detection.md").read_text()
    assert "| 1 | amount | 0.4200 | 1 |" in card
    assert "| 2 | merchant_category | 0.3100 | 2 |" in card


@pytest.mark.parametrize("link", ["living-docs", "living-docs/runbooks"])
def test_docs_folder_leading_outside_is_refused(docs_ws: Workspace, tmp_path: Path, link: str) -> None:
    """DESIGN 9: a living-docs folder (or subfolder) symlinked outside the workspace is not written."""
    from inc.errors import UserError

    outside = tmp_path / "outside"
    outside.mkdir()
    target = docs_ws.root / link
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(outside, target_is_directory=True)
    with pytest.raises(UserError, match="outside the workspace"):
        build_docs(docs_ws)
    assert list(outside.iterdir()) == []
