"""The model card's evaluation section: headline with its interval, threshold, worst slice, tables
and the plots of ``reports/eval-<run>/`` (ROC, precision-recall, confusion, calibration first)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inc.evaluation.names import REPORT_MD, REPORT_PREFIX
from inc.livedocs import fmt
from inc.livedocs.collect import IncrementData
from inc.livedocs.views import Layout

if TYPE_CHECKING:
    from inc.evaluation.schema import EvaluationSummary

PLOT_ORDER = (
    "roc.png",
    "pr.png",
    "confusion.png",
    "calibration.png",
    "scores.png",
    "threshold.png",
    "per_class.png",
    "pred_vs_actual.png",
    "residuals.png",
    "residual_hist.png",
    "error_by_decile.png",
    "at_k.png",
)
MAX_SLICES = 12


def _plots(data: IncrementData, s: EvaluationSummary, layout: Layout, page_dir: str) -> list[dict[str, str]]:
    folder = data.inc.evaluation_dir(s.run_id)
    rank = {name: i for i, name in enumerate(PLOT_ORDER)}
    safe = [
        p
        for p in s.plots
        if "/" not in p.file
        and "\\" not in p.file
        and not p.file.startswith(".")
        and p.file.lower().endswith(".png")
        and (folder / p.file).is_file()
    ]
    ordered = sorted(safe, key=lambda p: (rank.get(p.file, len(rank)), p.file))
    return [
        {
            "label": fmt.inline(p.title or p.file),
            "link": fmt.rel(page_dir, layout.source(data.name, f"reports/{folder.name}/{p.file}")),
        }
        for p in ordered
    ]


def _ci(ci: list[float]) -> str:
    return f"{fmt.num(ci[0])} to {fmt.num(ci[1])}" if len(ci) == 2 else fmt.DASH


def headline(s: EvaluationSummary | None) -> dict[str, str]:
    """One-line facts for the summary: threshold and worst slice (dashes when absent)."""
    if s is None:
        return {}
    worst = s.worst_slice
    return {
        "metric": s.metric,
        "value": fmt.num(s.value),
        "ci": _ci(s.ci),
        "threshold": (
            f"{fmt.num(s.threshold)} ({fmt.inline(s.threshold_source)})" if s.threshold is not None else ""
        ),
        "worst_slice": (
            f"{fmt.inline(worst.column)} = {fmt.inline(worst.value)}, {s.metric} "
            f"{fmt.num(worst.metric)} ({worst.rows} rows)"
        )
        if worst is not None
        else "",
    }


def evaluation_view(data: IncrementData, layout: Layout, page_dir: str) -> dict[str, Any] | None:
    """Context of the model card's evaluation section, or None without a report."""
    s = data.evaluation
    if s is None:
        return None
    report = f"reports/{REPORT_PREFIX}{s.run_id}/{REPORT_MD}"
    has_report = (data.inc.path / report).is_file()
    sample = (
        f"{s.stored_rows} of {s.rows} rows stored (seeded stratified sample)"
        if s.sampled
        else f"all {s.rows} rows stored"
    )
    return {
        **headline(s),
        "task": s.task,
        "rows": str(s.rows),
        "sample": sample,
        "replicates": str(s.bootstrap.get("replicates", 0)),
        "metrics": [
            {"name": fmt.cell(k), "value": fmt.num(v), "ci": _ci(s.intervals.get(k, []))}
            for k, v in sorted(s.metrics.items())
        ],
        "per_class": [
            {
                "name": fmt.cell(r.get("class")),
                "precision": fmt.num(r.get("precision")),
                "recall": fmt.num(r.get("recall")),
                "f1": fmt.num(r.get("f1")),
                "support": str(r.get("support")),
            }
            for r in s.per_class
        ],
        "slices": [
            {
                "column": fmt.cell(r.column),
                "value": fmt.cell(r.value),
                "rows": str(r.rows),
                "metric": fmt.num(r.metric),
            }
            for r in s.slices[:MAX_SLICES]
        ],
        "more_slices": max(0, len(s.slices) - MAX_SLICES),
        "ece": fmt.num(s.calibration.get("ece")) if s.calibration else "",
        "plots": _plots(data, s, layout, page_dir),
        "report": fmt.rel(page_dir, layout.source(data.name, report)) if has_report else "",
    }
