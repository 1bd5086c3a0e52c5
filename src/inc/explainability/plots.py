"""The PNG plots of a SHAP report, written with matplotlib's Agg backend at a modest DPI.

shap's own plot functions are called through :mod:`inc.explainability.adapter` (the only shap importer).
"""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inc.explainability import adapter as shap_adapter
from inc.explainability.summary import Focus, Importance, PickedRow, space_words

DPI = 80
MAX_DISPLAY = 12
MAX_POINTS = 2000  # rows drawn in beeswarm/dependence plots (the numbers use every row)
MAX_CLASS_PLOTS = 10


@dataclass
class PlotInput:
    """Everything the plots need."""

    values: np.ndarray  # [n, f, k]
    focus: Focus
    data: np.ndarray  # [n, f] numbers as explained
    display: np.ndarray | None  # [n, f] original values (coded categoricals)
    names: list[str]
    outputs: list[str]
    output_space: str
    importance: Importance
    picked: list[PickedRow]
    top_features: int
    lead: dict[str, int]  # feature -> output shown in its dependence plot


def _pyplot():  # type: ignore[no-untyped-def]
    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib

        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_plots(folder: Path, p: PlotInput) -> dict[str, str]:
    """Write every plot into ``folder``; returns file name -> label, in report order."""
    plt = _pyplot()
    plt.close("all")
    names = [name.replace("$", r"\$") for name in p.names]  # no mathtext in labels
    keep = _thin(len(p.focus.values))
    written: dict[str, str] = {}
    label = _axis_label(p)

    shap_adapter.draw_beeswarm(p.focus.values[keep], p.focus.base[keep], p.data[keep], names, MAX_DISPLAY)
    plt.gca().set_xlabel(label)
    written["beeswarm.png"] = "summary"
    _save(plt, folder / "beeswarm.png")

    _draw_bar(plt, p)
    written["bar.png"] = "mean abs SHAP"
    _save(plt, folder / "bar.png")

    if len(p.outputs) > 1:
        for k, output in enumerate(p.outputs[:MAX_CLASS_PLOTS]):
            base = np.full(len(keep), 0.0)
            shap_adapter.draw_beeswarm(p.values[keep, :, k], base, p.data[keep], names, MAX_DISPLAY)
            plt.gca().set_xlabel(f"SHAP value ({space_words(p.output_space)} of class {output})")
            name = f"beeswarm-class-{_slug(output, k)}.png"
            if name in written:
                name = f"beeswarm-class-{_slug(output, k)}-{k}.png"
            written[name] = output
            _save(plt, folder / name)

    for i, row in enumerate(p.picked, start=1):
        pos = row.position
        display = p.display[pos] if p.display is not None else None
        shap_adapter.draw_waterfall(
            p.focus.values[pos], float(p.focus.base[pos]), p.data[pos], display, names, MAX_DISPLAY
        )
        written[f"waterfall-{i}.png"] = f"{row.kind} row {row.index}"
        _save(plt, folder / f"waterfall-{i}.png")

    index = {name: i for i, name in enumerate(p.names)}
    for rank, name in enumerate(p.importance.features[: p.top_features], start=1):
        _, ax = plt.subplots(figsize=(6.0, 4.0))
        k = p.lead[name]
        values = p.values[keep, :, k]
        shap_adapter.draw_dependence(values, np.zeros(len(keep)), p.data[keep], names, index[name], ax)
        of_class = f" (class {p.outputs[k]})" if len(p.outputs) > 1 else ""
        ax.set_ylabel(f"SHAP value for {names[index[name]]}{of_class}")
        file = f"dependence-{rank}.png"
        written[file] = name
        _save(plt, folder / file)
    return written


def _draw_bar(plt, p: PlotInput) -> None:  # type: ignore[no-untyped-def]
    imp = p.importance
    shown = min(MAX_DISPLAY, len(imp.features))
    names = [n.replace("$", r"\$") for n in imp.features[:shown][::-1]]
    _, ax = plt.subplots(figsize=(7.0, 0.35 * shown + 1.5))
    y = np.arange(shown)
    if imp.per_output:
        left = np.zeros(shown)
        n_out = len(imp.per_output)
        for output, vals in imp.per_output.items():
            part = np.asarray(vals[:shown][::-1]) / n_out
            ax.barh(y, part, left=left, label=f"class {output}")
            left += part
        ax.legend(loc="lower right", frameon=False)
        ax.set_xlabel("mean |SHAP value|, averaged over classes (segments: each class's share)")
    else:
        ax.barh(y, imp.overall[:shown][::-1], color="#1E88E5")
        ax.set_xlabel(f"mean |SHAP value| ({space_words(p.output_space)})")
    ax.set_yticks(y, names)
    ax.spines[["top", "right"]].set_visible(False)


def _axis_label(p: PlotInput) -> str:
    words = space_words(p.output_space)
    if len(p.outputs) == 1 and p.outputs != ["prediction"]:
        return f"SHAP value ({words} of class {p.outputs[0]})"
    if len(p.outputs) > 1:
        return f"SHAP value ({words} of each row's predicted class)"
    return f"SHAP value (impact on the {words})"


def _thin(n: int) -> np.ndarray:
    if n <= MAX_POINTS:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, MAX_POINTS, replace=False))


def _save(plt, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Render at DPI, then store as a 256-colour palette PNG (about 3x smaller; plots are committed)."""
    from PIL import Image

    buffer = io.BytesIO()
    plt.gcf().savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close("all")
    buffer.seek(0)
    with Image.open(buffer) as image:
        palette = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    palette.save(path, format="PNG", optimize=True)


def _slug(text: str, k: int) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:40]
    return slug or str(k)
