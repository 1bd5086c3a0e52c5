"""``report.md`` of an evaluation report: the tables of summary.json as markdown, plots inline."""

from __future__ import annotations

from typing import Any

from inc.evaluation.schema import EvaluationSummary


def _num(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.4e}"


def _ci(ci: list[float]) -> str:
    return f" (95% CI {_num(ci[0])} to {_num(ci[1])})" if len(ci) == 2 else ""


def _metrics(summary: EvaluationSummary) -> list[str]:
    lines = ["## Metrics", "", "| metric | value | 95% CI |", "|---|---:|---|"]
    for name, value in sorted(summary.metrics.items()):
        ci = summary.intervals.get(name, [])
        shown = f"{_num(ci[0])} to {_num(ci[1])}" if len(ci) == 2 else "-"
        lines.append(f"| {name} | {_num(value)} | {shown} |")
    return lines


def _confusion(confusion: dict[str, Any]) -> list[str]:
    if not confusion:
        return []
    labels = [str(c) for c in confusion["labels"]]
    lines = [
        "## Confusion matrix",
        "",
        "| true \\ predicted | " + " | ".join(labels) + " |",
        "|---|" + "---:|" * len(labels),
    ]
    for label, counts, shares in zip(labels, confusion["counts"], confusion["normalised"], strict=True):
        cells = [f"{c} ({s:.1%})" for c, s in zip(counts, shares, strict=True)]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def _per_class(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    auc = any("roc_auc_ovr" in r for r in rows)
    head = "| class | precision | recall | F1 | support |" + (" ROC AUC (one-vs-rest) |" if auc else "")
    lines = ["## Per class", "", head, "|---|---:|---:|---:|---:|" + ("---:|" if auc else "")]
    for r in rows:
        extra = f" {_num(r.get('roc_auc_ovr'))} |" if auc else ""
        lines.append(
            f"| {r['class']} | {_num(r['precision'])} | {_num(r['recall'])} | {_num(r['f1'])} | "
            f"{r['support']} |{extra}"
        )
    return lines


def _calibration(calibration: dict[str, Any]) -> list[str]:
    if not calibration:
        return []
    lines = [
        "## Calibration",
        "",
        f"Brier score {_num(calibration['brier'])}, expected calibration error (10 equal-width bins) "
        f"{_num(calibration['ece'])}.",
        "",
        "| score bin | rows | mean score | fraction positive |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {b['low']:.1f}-{b['high']:.1f} | {b['rows']} | {_num(b['mean_score'])} | "
        f"{_num(b['fraction_positive'])} |"
        for b in calibration["bins"]
    ]
    return lines


def _slices(summary: EvaluationSummary) -> list[str]:
    if not summary.slices:
        return []
    lines = ["## By slice", "", f"| column | value | rows | {summary.metric} |", "|---|---|---:|---:|"]
    lines += [f"| {r.column} | {r.value} | {r.rows} | {_num(r.metric)} |" for r in summary.slices]
    worst = summary.worst_slice
    if worst is not None:
        lines += [
            "",
            f"Worst slice: {worst.column} = {worst.value} ({worst.rows} rows), "
            f"{summary.metric} {_num(worst.metric)}.",
        ]
    return lines


def _extra_tables(extra: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if extra.get("deciles"):
        lines += [
            "## Error by decile of the target",
            "",
            "| decile | target range | rows | MAE | RMSE | bias |",
            "|---:|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {d['decile']} | {_num(d['low'])} to {_num(d['high'])} | {d['rows']} | "
            f"{_num(d['mae'])} | "
            f"{_num(d['rmse'])} | {_num(d['bias'])} |"
            for d in extra["deciles"]
        ]
    if extra.get("at_k"):
        lines += [
            "## Ranking metrics at k",
            "",
            "| k | ndcg@k | map@k | precision@k | recall@k |",
            "|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {r['k']} | {_num(r['ndcg'])} | {_num(r['map'])} | {_num(r['precision'])} | "
            f"{_num(r['recall'])} |"
            for r in extra["at_k"]
        ]
    return lines


def render_report(summary: EvaluationSummary) -> str:
    """The whole report.md (deterministic: no dates, sorted tables)."""
    s = summary
    extra = s.model_extra or {}
    sample = (
        f"{s.stored_rows} of {s.rows} rows stored (seeded stratified sample)"
        if s.sampled
        else f"all {s.rows} rows stored"
    )
    lines = [
        f"# Evaluation of run {s.run_id}",
        "",
        f"- Model: {s.model_class or 'unknown'}; digest `{s.model_digest[:23]}`"
        + (f"; URI {s.model_uri}" if s.model_uri else ""),
        f"- Problem: {s.task}; headline {s.metric} = {_num(s.value)}{_ci(s.ci)} "
        f"(seeded bootstrap, {s.bootstrap.get('replicates', 0)} replicates)",
        f"- Predictions: {sample} in predictions.json.gz; the gate recomputes {s.metric} from them",
    ]
    if s.threshold is not None:
        lines.append(f"- Operating threshold: {_num(s.threshold)} ({s.threshold_source})")
    if s.worst_slice is not None:
        w = s.worst_slice
        lines.append(f"- Worst slice: {w.column} = {w.value}, {s.metric} {_num(w.metric)} ({w.rows} rows)")
    lines += [f"- Note: {note}" for note in s.notes]
    lines += ["", *_metrics(s), ""]
    for block in (
        _confusion(s.confusion),
        _per_class(s.per_class),
        _calibration(s.calibration),
        _extra_tables(extra),
        _slices(s),
    ):
        if block:
            lines += [*block, ""]
    if s.plots:
        lines += ["## Plots", ""]
        for plot in s.plots:
            lines += [f"![{plot.title}]({plot.file})", ""]
    return "\n".join(lines).rstrip() + "\n"
