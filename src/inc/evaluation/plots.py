"""The evaluation plots, written deterministically (bundled font, no timestamp, palette PNG).

The same inputs give byte-identical files, so rebuilding a report with nothing changed changes
nothing in git. Curves with many points are thinned for drawing only; the numbers use every row.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn import metrics as skm

from inc.evaluation.scoring import Scored

DPI = 80
MAX_POINTS = 3000
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.hashsalt": "inc",
    "path.simplify": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
}


def _pyplot() -> Any:
    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> None:
    """PNG without metadata that changes between builds, stored as a 256-colour palette."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(fig)
    buffer.seek(0)
    with Image.open(buffer) as image:
        palette = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    palette.save(path, format="PNG", optimize=True)


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(x) <= MAX_POINTS:
        return x, y
    keep = np.unique(np.linspace(0, len(x) - 1, MAX_POINTS).astype(int))
    return x[keep], y[keep]


def _roc(plt: Any, scored: Scored, cv: list[tuple[np.ndarray, np.ndarray]] | None) -> Any:
    fig, ax = plt.subplots(figsize=(5.0, 4.5))
    if cv:
        grid = np.linspace(0, 1, 101)
        curves = []
        for i, (y, s) in enumerate(cv):
            fpr, tpr, _ = skm.roc_curve(y, s)
            ax.plot(fpr, tpr, color="tab:blue", alpha=0.25, lw=1, label="CV folds" if i == 0 else None)
            curves.append(np.interp(grid, fpr, tpr))
        mean, std = np.mean(curves, axis=0), np.std(curves, axis=0)
        ax.plot(grid, mean, color="tab:blue", lw=1.5, label=f"CV mean ({len(cv)} folds)")
        ax.fill_between(
            grid,
            np.clip(mean - std, 0, 1),
            np.clip(mean + std, 0, 1),
            color="tab:blue",
            alpha=0.15,
            label="CV mean ± 1 std",
        )
    fpr, tpr, _ = skm.roc_curve(scored.labels, scored.scores)
    auc = skm.roc_auc_score(scored.labels, scored.scores)
    ax.plot(*_thin(fpr, tpr), color="tab:red", lw=2, label=f"test (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=1, label="chance")
    ax.set(
        xlabel="false positive rate", ylabel="true positive rate", title="ROC", xlim=(0, 1), ylim=(0, 1.01)
    )
    ax.legend(loc="lower right")
    return fig


def _pr(plt: Any, scored: Scored) -> Any:
    fig, ax = plt.subplots(figsize=(5.0, 4.5))
    precision, recall, _ = skm.precision_recall_curve(scored.labels, scored.scores)
    ap = skm.average_precision_score(scored.labels, scored.scores)
    ax.step(*_thin(recall, precision), where="post", color="tab:red", lw=2, label=f"test (AP {ap:.3f})")
    prevalence = float(scored.labels.mean())
    ax.axhline(prevalence, color="grey", ls="--", lw=1, label=f"prevalence {prevalence:.3f}")
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall", xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(loc="upper right")
    return fig


def _confusion(plt: Any, confusion: dict[str, Any], title: str) -> Any:
    counts = np.array(confusion["counts"])
    normalised = np.array(confusion["normalised"])
    labels = [str(c) for c in confusion["labels"]]
    k = len(labels)
    size = min(4.0 + 0.4 * k, 12.0)
    fig, axes = plt.subplots(1, 2, figsize=(2 * size, size * 0.9))
    panels = (
        (axes[0], counts, "counts", "{:d}"),
        (axes[1], normalised, "normalised by true class", "{:.2f}"),
    )
    for ax, matrix, name, text in panels:
        ax.imshow(matrix, cmap="Blues", vmin=0)
        ax.grid(False)
        ax.set(
            xticks=range(k),
            yticks=range(k),
            xticklabels=labels,
            yticklabels=labels,
            xlabel="predicted",
            ylabel="true",
            title=f"{title} ({name})",
        )
        if k <= 15:
            top = matrix.max() or 1
            for i in range(k):
                for j in range(k):
                    value = int(matrix[i, j]) if text == "{:d}" else float(matrix[i, j])
                    ax.text(
                        j,
                        i,
                        text.format(value),
                        ha="center",
                        va="center",
                        color="white" if matrix[i, j] > top / 2 else "black",
                    )
    fig.tight_layout()
    return fig


def _calibration(plt: Any, calibration: dict[str, Any]) -> Any:
    fig, ax = plt.subplots(figsize=(5.0, 4.5))
    bins = calibration["bins"]
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=1, label="perfectly calibrated")
    ax.plot(
        [b["mean_score"] for b in bins],
        [b["fraction_positive"] for b in bins],
        marker="o",
        color="tab:red",
        label="test",
    )
    ax.set(
        xlabel="mean predicted probability (10 bins)",
        ylabel="fraction positive",
        xlim=(0, 1),
        ylim=(0, 1.01),
        title=f"Calibration: Brier {calibration['brier']:.4f}, ECE {calibration['ece']:.4f}",
    )
    ax.legend(loc="upper left")
    return fig


def _scores(plt: Any, scored: Scored, threshold: float) -> Any:
    fig, ax = plt.subplots(figsize=(5.5, 4.0))
    s = scored.scores
    assert s is not None
    edges = np.linspace(float(s.min()), float(s.max()) or 1.0, 41)
    for cls, colour in ((0, "tab:blue"), (1, "tab:red")):
        ax.hist(
            s[scored.labels == cls],
            bins=edges,
            alpha=0.55,
            density=True,
            color=colour,
            label=f"class {scored.classes[cls]}",
        )
    ax.axvline(threshold, color="black", lw=1.5, label=f"threshold {threshold:.3g}")
    ax.set(xlabel="score of the positive class", ylabel="density", title="Score distribution by class")
    ax.legend()
    return fig


def threshold_curve(scored: Scored) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(thresholds, precision, recall, f1) at every distinct score."""
    precision, recall, thresholds = skm.precision_recall_curve(scored.labels, scored.scores)
    precision, recall = precision[:-1], recall[:-1]
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(denominator), where=denominator > 0)
    return thresholds, precision, recall, f1


def _threshold(plt: Any, scored: Scored, threshold: float, source: str) -> Any:
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    t, precision, recall, f1 = threshold_curve(scored)
    for values, name, colour in (
        (precision, "precision", "tab:blue"),
        (recall, "recall", "tab:green"),
        (f1, "F1", "tab:red"),
    ):
        ax.plot(*_thin(t, values), label=name, color=colour)
    ax.axvline(threshold, color="black", lw=1.5, ls="--", label=f"chosen {threshold:.3g}: {source}")
    ax.set(
        xlabel="threshold (positive when score >= threshold)",
        ylabel="value",
        ylim=(0, 1.01),
        title="Threshold analysis",
    )
    ax.legend(loc="best", fontsize=7)
    return fig


def _per_class(plt: Any, per_class: list[dict[str, Any]]) -> Any:
    fig, ax = plt.subplots(figsize=(max(5.0, 0.8 * len(per_class) + 2), 4.0))
    x = np.arange(len(per_class))
    bars = ((-0.27, "precision", "tab:blue"), (0, "recall", "tab:green"), (0.27, "f1", "tab:red"))
    for offset, key, colour in bars:
        ax.bar(x + offset, [row[key] for row in per_class], width=0.27, label=key, color=colour)
    ax.set(xticks=x, ylim=(0, 1.05), ylabel="value", title="Per-class precision, recall, F1")
    ax.set_xticklabels([str(row["class"]) for row in per_class], rotation=30 if len(per_class) > 6 else 0)
    ax.legend()
    return fig


def _regression(plt: Any, scored: Scored, deciles: list[dict[str, Any]]) -> dict[str, Any]:
    y, p = scored.labels, scored.predicted
    assert p is not None
    residual = y - p
    keep = np.unique(np.linspace(0, len(y) - 1, min(len(y), MAX_POINTS)).astype(int))
    figs: dict[str, Any] = {}
    fig, ax = plt.subplots(figsize=(5.0, 4.5))
    ax.scatter(y[keep], p[keep], s=6, alpha=0.4)
    low, high = float(min(y.min(), p.min())), float(max(y.max(), p.max()))
    ax.plot([low, high], [low, high], color="grey", ls="--", lw=1)
    ax.set(xlabel="actual", ylabel="predicted", title="Predicted vs actual")
    figs["pred_vs_actual.png"] = (fig, "predicted vs actual")
    fig, ax = plt.subplots(figsize=(5.0, 4.0))
    ax.scatter(p[keep], residual[keep], s=6, alpha=0.4)
    ax.axhline(0, color="grey", ls="--", lw=1)
    ax.set(xlabel="predicted", ylabel="residual (actual - predicted)", title="Residuals vs predicted")
    figs["residuals.png"] = (fig, "residuals vs predicted")
    fig, ax = plt.subplots(figsize=(5.0, 4.0))
    ax.hist(residual, bins=40, color="tab:blue", alpha=0.8)
    ax.set(xlabel="residual (actual - predicted)", ylabel="rows", title="Residual histogram")
    figs["residual_hist.png"] = (fig, "residual histogram")
    fig, ax = plt.subplots(figsize=(5.5, 4.0))
    ax.bar([str(d["decile"]) for d in deciles], [d["mae"] for d in deciles], color="tab:orange")
    ax.set(xlabel="decile of the target", ylabel="mean absolute error", title="Error by decile of the target")
    figs["error_by_decile.png"] = (fig, "error by target decile")
    return figs


def _ranking(plt: Any, at_k: list[dict[str, Any]]) -> Any:
    fig, ax = plt.subplots(figsize=(5.5, 4.0))
    ks = [row["k"] for row in at_k]
    for key in ("ndcg", "map", "precision", "recall"):
        ax.plot(ks, [row[key] for row in at_k], marker="o", label=f"{key}@k")
    ax.set(xlabel="k", ylabel="value", ylim=(0, 1.05), title="Ranking metrics by cut-off k", xticks=ks)
    ax.legend()
    return fig


def write_plots(
    folder: Path,
    scored: Scored,
    tables: dict[str, Any],
    threshold: float | None,
    threshold_source: str,
    cv: list[tuple[np.ndarray, np.ndarray]] | None,
) -> dict[str, str]:
    """Write the plots of the problem type into ``folder``; returns file name -> title, in report order."""
    plt = _pyplot()
    figures: dict[str, tuple[Any, str]] = {}
    with plt.rc_context(STYLE):
        if scored.task == "binary":
            assert threshold is not None
            figures["roc.png"] = (_roc(plt, scored, cv), "ROC" + (" with CV folds" if cv else ""))
            figures["pr.png"] = (_pr(plt, scored), "precision-recall")
            figures["confusion.png"] = (
                _confusion(plt, tables["confusion"], f"at threshold {threshold:.3g}"),
                "confusion matrix",
            )
            if "calibration" in tables:
                figures["calibration.png"] = (_calibration(plt, tables["calibration"]), "calibration")
            figures["scores.png"] = (_scores(plt, scored, threshold), "score distribution by class")
            figures["threshold.png"] = (
                _threshold(plt, scored, threshold, threshold_source),
                "threshold analysis",
            )
        elif scored.task == "multiclass":
            figures["confusion.png"] = (
                _confusion(plt, tables["confusion"], "predicted class"),
                "confusion matrix",
            )
            figures["per_class.png"] = (_per_class(plt, tables["per_class"]), "per-class metrics")
        elif scored.task == "regression":
            figures.update(_regression(plt, scored, tables["deciles"]))
        else:
            figures["at_k.png"] = (_ranking(plt, tables["at_k"]), "metrics at k")
        written = {}
        for name, (fig, title) in figures.items():
            _save(fig, folder / name)
            written[name] = title
    return written
