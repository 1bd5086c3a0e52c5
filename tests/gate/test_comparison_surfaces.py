"""The gate, ``inc runs`` and the living docs print the same comparison for the same ledger.

One case per metric family, each in both margin modes, with maximized and minimized metrics,
zero and negative baselines; ``chosen_run`` is left empty so the gate's own pick is tested too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inc.cli.runs import render_runs
from inc.comparison import num, pct
from inc.gate.runner import run_gate
from inc.livedocs.collect import collect
from inc.livedocs.views import summary
from inc.meta import Metric
from inc.scaffold import new_increment
from inc.tracking.runs_table import runs_table
from inc.workspace import Workspace
from inc_testing.gate_evidence import set_meta, write_run

# (problem, metric, baselines, candidates): the expected pick is the best candidate in the direction
CASES = [
    ("classification", "roc_auc", [0.5, 0.846], [0.9, 0.95, 0.93]),
    ("classification", "log_loss", [0.69, 0.4], [0.3, 0.35, 0.33]),
    ("classification", "brier_score", [0.25, 0.2], [0.12, 0.15, 0.18]),
    ("regression", "r2", [-0.2, 0.0], [0.208, 0.336, 0.3]),  # zero best baseline, a negative one
    ("regression", "rmse", [60.0, 55.0], [53.7, 50.0, 52.0]),
    ("ranking", "ndcg_at_10", [0.3, 0.25], [0.4, 0.45, 0.42]),
    ("clustering", "silhouette", [-0.1, -0.3], [0.2, 0.3, 0.25]),  # negative best baseline
    ("clustering", "davies_bouldin", [1.5, 1.8], [0.9, 1.1, 1.0]),
]
_PCT = re.compile(r": ([+-]?(?:\d+\.\d|inf)%|not a number)")


def _build(
    ws: Workspace, problem: str, metric: str, baselines: list[float], candidates: list[float], mode: str
) -> tuple[Path, str]:
    path = new_increment(
        ws, f"{metric.replace('_', '-')}-{mode.replace('_', '-')}", problem=problem, metric=metric, target=0.0
    ).increment.path
    goal = "minimize" if metric in ("log_loss", "brier_score", "rmse", "davies_bouldin") else "maximize"
    set_meta(path, metric=Metric(name=metric, goal=goal, target=candidates[0]), margin_mode=mode)
    for i, value in enumerate(baselines):
        write_run(path, f"base{i}", "baseline", value, metric=metric)
    for i, value in enumerate(candidates):
        write_run(path, f"cand{i}", "candidate", value, [value] * 5, metric=metric)
    best = (max if goal == "maximize" else min)(range(len(candidates)), key=lambda i: candidates[i])
    return path, f"cand{best}"


@pytest.mark.parametrize("mode", ["relative", "error_reduction"])
@pytest.mark.parametrize(("problem", "metric", "baselines", "candidates"), CASES, ids=[c[1] for c in CASES])
def test_gate_runs_and_docs_agree(
    workspace: Workspace,
    problem: str,
    metric: str,
    baselines: list[float],
    candidates: list[float],
    mode: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, expected_pick = _build(workspace, problem, metric, baselines, candidates, mode)
    ws = Workspace.discover(workspace.root)
    inc = ws.find(path.name)
    assert inc.meta.metric.goal == (
        "minimize" if metric in ("log_loss", "brier_score", "rmse", "davies_bouldin") else "maximize"
    )

    gate = run_gate(ws, [path.name]).increments[0].check("baseline")
    table = runs_table(ws, path.name)
    data = collect(path)
    docs = summary(data)

    # the same pick: the best FINISHED candidate in the metric's direction
    assert f"chosen {expected_pick} (gate's pick: best candidate)" in gate.detail, gate.detail
    assert table.subject == expected_pick and docs["run"] == expected_pick
    # the same best baseline and value
    assert table.best_baseline is not None and f"(run {table.best_baseline})" in gate.detail
    assert f"best baseline {metric} {num(table.best_baseline_value)}" in gate.detail
    assert docs["baseline"] == num(table.best_baseline_value)
    # the same improvement under margin_mode, printed the same way everywhere
    shown = _PCT.search(gate.detail)
    assert shown is not None, gate.detail
    assert shown.group(1) == pct(table.subject_improvement) == docs["improvement"]
    text = render_runs(table)
    assert f"{pct(table.subject_improvement)}, " in text and metric in text
    assert ("higher is better" if inc.meta.metric.goal == "maximize" else "lower is better") in text
    pick_row = next(r for r in table.rows if r.run_id == expected_pick)
    assert pick_row.improvement == table.subject_improvement
    # and the same verdict on the margin
    assert table.beats_baseline == ("margin missed" not in gate.detail)
    assert docs["beats_baseline"] == ("yes" if table.beats_baseline else "no")


def test_zero_baseline_is_inf_everywhere_never_nan(workspace: Workspace) -> None:
    path, pick = _build(workspace, "regression", "r2", [0.0], [0.2, 0.3, 0.1], "relative")
    ws = Workspace.discover(workspace.root)
    gate = run_gate(ws, [path.name]).increments[0].check("baseline")
    assert ": +inf%, needs +20.0%" in gate.detail and gate.status == "pass"
    assert summary(collect(path))["improvement"] == "+inf%"
    assert pick == "cand1"


def test_r2_is_maximized_and_the_better_run_wins(workspace: Workspace) -> None:
    """The issue's case: r2 used to be written as minimize and the gate picked 0.208 over 0.336."""
    path = new_increment(workspace, "diabetes", problem="regression", metric="r2", target=0.3).increment.path
    ws = Workspace.discover(workspace.root)
    assert ws.find(path.name).meta.metric.goal == "maximize"
    write_run(path, "base", "baseline", 0.0, metric="r2")
    for run_id, value in (("weak", 0.208), ("strong", 0.336), ("mid", 0.3)):
        write_run(path, run_id, "candidate", value, [value] * 5, metric="r2")
    detail = run_gate(ws, [path.name]).increments[0].check("baseline").detail
    assert "chosen strong (gate's pick: best candidate) 0.3360" in detail
