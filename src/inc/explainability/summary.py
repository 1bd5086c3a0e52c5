"""Numbers a SHAP report shows: focused values, importances, chosen rows, and the text of report.md."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_SPACE_WORDS = {
    "log_odds": "log-odds",
    "probability": "probability",
    "margin": "decision margin",
    "prediction": "prediction",
}


@dataclass
class Focus:
    """One SHAP vector per row: the single output, or each row's predicted class (multi-class)."""

    values: np.ndarray  # [n, f]
    base: np.ndarray  # [n]
    output_index: np.ndarray  # [n] index into outputs
    score: np.ndarray  # [n] model output in the explained space = base + sum(values)


@dataclass
class PickedRow:
    """A row shown as a waterfall."""

    kind: str  # highest | lowest | median
    position: int  # position among the explained rows
    index: str  # the row's index label in the caller's data
    output: str
    score: float


@dataclass
class Importance:
    """Mean |SHAP| per feature: overall (mean over outputs) and per output."""

    features: list[str]  # sorted by overall importance, descending
    overall: list[float]
    per_output: dict[str, list[float]] = field(default_factory=dict)  # output -> values in ``features`` order


def focus(values: np.ndarray, base: np.ndarray) -> Focus:
    """Select, per row, the output to show (the only one, or the predicted class)."""
    outputs = base + values.sum(axis=1)  # [n, k]
    chosen = outputs.argmax(axis=1) if values.shape[2] > 1 else np.zeros(len(values), dtype=int)
    rows = np.arange(len(values))
    return Focus(values[rows, :, chosen], base[rows, chosen], chosen, outputs[rows, chosen])


def importance(values: np.ndarray, names: list[str], outputs: list[str]) -> Importance:
    """Mean |SHAP| per feature and output; overall is the mean over outputs, sorted descending."""
    per = np.abs(values).mean(axis=0)  # [f, k]
    overall = per.mean(axis=1)
    order = sorted(range(len(names)), key=lambda i: (-overall[i], names[i]))
    per_output = {}
    if len(outputs) > 1:
        per_output = {out: [float(per[i, k]) for i in order] for k, out in enumerate(outputs)}
    return Importance([names[i] for i in order], [float(overall[i]) for i in order], per_output)


InputImportance = list[tuple[str, float, list[str]]]  # (input column, mean |SHAP|, its features)


def input_importance(values: np.ndarray, names: list[str], inputs: list[str]) -> InputImportance:
    """Mean |SHAP| per input column, summing each row's values over the features derived from it.

    For a one-hot encoded column this is the importance of the column itself (additive: the
    row's contributions are summed before the absolute value), not the sum of its dummies'
    importances. Mean over outputs; sorted descending.
    """
    from inc.explainability.features import group_by_source

    column = {name: i for i, name in enumerate(names)}
    rows = []
    for source, members in group_by_source(names, inputs).items():
        summed = values[:, [column[m] for m in members], :].sum(axis=1)  # [n, k]
        rows.append((source, float(np.abs(summed).mean(axis=0).mean()), members))
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def pick_rows(f: Focus, index_labels: list[str], outputs: list[str]) -> list[PickedRow]:
    """The rows with the highest, the lowest and the median score (distinct when possible)."""
    order = np.argsort(f.score, kind="stable")
    middle = int(order[len(order) // 2])
    candidates = [("highest", int(order[-1])), ("lowest", int(order[0])), ("median", middle)]
    seen: set[int] = set()
    picked = []
    for kind, pos in candidates:
        if pos in seen:
            continue
        seen.add(pos)
        picked.append(
            PickedRow(kind, pos, index_labels[pos], outputs[int(f.output_index[pos])], float(f.score[pos]))
        )
    return picked


def lead_outputs(imp: Importance, outputs: list[str]) -> dict[str, int]:
    """Per feature, the output (class) where it matters most; 0 with a single output."""
    if not imp.per_output:
        return {name: 0 for name in imp.features}
    table = np.array([imp.per_output[o] for o in outputs])  # [k, f] in ``imp.features`` order
    return {name: int(table[:, i].argmax()) for i, name in enumerate(imp.features)}


def effect(values: np.ndarray, data: np.ndarray, categories: np.ndarray | None = None) -> str:
    """A short reading of how a feature's values move its SHAP values.

    ``categories`` (the original values of a coded categorical column) gives a per-category reading.
    """
    if categories is not None:
        return _category_effect(values, categories)
    x, s = data.astype(float), values.astype(float)
    ok = ~np.isnan(x)
    if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(s[ok]) == 0:
        return "no clear direction"
    rho = float(np.corrcoef(_ranks(x[ok]), _ranks(s[ok]))[0, 1])
    if rho >= 0.3:
        return "higher values push the output up"
    if rho <= -0.3:
        return "higher values push the output down"
    return "mixed (non-monotonic or interacting)"


def _category_effect(values: np.ndarray, categories: np.ndarray) -> str:
    labels = [str(c) for c in categories]
    means = {label: float(values[[x == label for x in labels]].mean()) for label in sorted(set(labels))}
    if len(means) < 2:
        return "a single category in these rows"
    up = max(means, key=lambda k: means[k])
    down = min(means, key=lambda k: means[k])
    return f"highest for {up!r} ({means[up]:+.3g} on average), lowest for {down!r} ({means[down]:+.3g})"


def _ranks(a: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(a))
    ranks[np.argsort(a, kind="stable")] = np.arange(len(a))
    return ranks


def space_words(output_space: str) -> str:
    """Human words for the explained output space."""
    return _SPACE_WORDS.get(output_space, output_space)


@dataclass
class ReportText:
    """What report.md needs besides the numbers."""

    run_id: str
    model_class: str
    method: str
    shap_version: str
    output_space: str
    outputs: list[str]
    n_explained: int
    background_size: int
    feature_space: str
    notes: list[str]


def render_report(
    t: ReportText,
    imp: Importance,
    effects: dict[str, str],
    picked: list[PickedRow],
    plots: dict[str, str],
    top: int = 10,
) -> str:
    """report.md: the plots with a short reading of the top features (deterministic text)."""
    what = _what_is_explained(t)
    background = t.background_size or "none (tree path-dependent)"
    total = sum(imp.overall) or 1.0
    lines = [
        f"# SHAP report: run `{t.run_id}`",
        "",
        f"- model: `{t.model_class}`",
        f"- explainer: {t.method} (shap {t.shap_version}); explained output: {what}",
        f"- rows explained: {t.n_explained}; background rows: {background}",
        f"- features: {len(imp.features)} ({t.feature_space} space)",
        "",
        "## Reading",
        "",
    ]
    for rank, name in enumerate(imp.features[:3], start=1):
        share = 100.0 * imp.overall[rank - 1] / total
        lines.append(f"{rank}. **{name}** carries {share:.0f}% of the total attribution; {effects[name]}.")
    lines += [
        "",
        "## Top features",
        "",
        "| rank | feature | mean abs SHAP | share | effect |",
        "|---:|---|---:|---:|---|",
    ]
    for rank, (name, value) in enumerate(zip(imp.features[:top], imp.overall[:top], strict=True), start=1):
        share_text = f"{100 * value / total:.1f}%"
        lines.append(f"| {rank} | {_cell(name)} | {value:.4g} | {share_text} | {effects[name]} |")
    if imp.per_output:
        lines += [
            "",
            "Per class (mean abs SHAP):",
            "",
            "| feature | " + " | ".join(_cell(o) for o in imp.per_output) + " |",
            "|---|" + "---:|" * len(imp.per_output),
        ]
        for i, name in enumerate(imp.features[:top]):
            cells = " | ".join(f"{imp.per_output[o][i]:.4g}" for o in imp.per_output)
            lines.append(f"| {_cell(name)} | {cells} |")
    lines += _plot_sections(t, picked, plots)
    if t.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in t.notes]
    return "\n".join(lines) + "\n"


def _plot_sections(t: ReportText, picked: list[PickedRow], plots: dict[str, str]) -> list[str]:
    words = space_words(t.output_space)
    lines = [
        "",
        "## Summary",
        "",
        "![beeswarm](beeswarm.png)",
        "",
        "Each dot is a row; position is its SHAP value, colour its feature value.",
        "",
        "![mean abs SHAP](bar.png)",
    ]
    for file, label in plots.items():
        if file.startswith("beeswarm-class-"):
            lines += ["", f"### Class {label}", "", f"![beeswarm class {label}]({file})"]
    lines += ["", "## Three rows"]
    for i, row in enumerate(picked, start=1):
        lines += [
            "",
            f"### {row.kind.capitalize()} score: row {row.index} ({words} of {row.output} = {row.score:.4g})",
            "",
            f"![waterfall {i}](waterfall-{i}.png)",
        ]
    deps = [(f, label) for f, label in plots.items() if f.startswith("dependence-")]
    if deps:
        lines += ["", "## Dependence of the top features"]
        for file, label in deps:
            lines += ["", f"### {label}", "", f"![dependence {label}]({file})"]
    return lines


def _what_is_explained(t: ReportText) -> str:
    words = space_words(t.output_space)
    if t.outputs == ["prediction"]:
        return f"the model's {words}"
    if len(t.outputs) == 1:
        return f"{words} of the positive class {t.outputs[0]!r}"
    return f"{words} per class ({', '.join(t.outputs)}); plots show each row's predicted class"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
