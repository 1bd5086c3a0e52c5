"""``inc drift``: a thin command over :func:`inc.api.drift` (``inc.ops.drift`` in Python).

Core modules are imported inside the command, so loading this module imports no ML library.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from inc.cli.context import FORMAT_OPTION, AppContext, echo_json, pass_app, style, table
from inc.errors import CheckFailed

if TYPE_CHECKING:
    from inc.ops.drift import DriftResult

DATA_FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("drift")
@click.argument("increment")
@click.option("--reference", type=DATA_FILE, help="Reference data (default: monitoring.yaml's).")
@click.option("--current", required=True, type=DATA_FILE, help="Current data (CSV or Parquet).")
@FORMAT_OPTION
@pass_app
def drift_cmd(app: AppContext, increment: str, reference: Path | None, current: Path, fmt: str) -> None:
    """Per-feature drift (PSI, KS, chi-square) of CURRENT vs REFERENCE; exit 1 on any alert."""
    from inc.api import drift

    ws = app.workspace
    result = drift(increment, current, reference, workspace=ws)
    if fmt == "json":
        echo_json(result.report.model_dump(mode="json", by_alias=True))
    else:
        click.echo(render_drift(result, ws.relpath(result.path)))
    if result.alerts:
        raise CheckFailed(f"drift over the alert threshold: {', '.join(result.alerts)}")


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


STATUS_COLORS = {"ok": "green", "warn": "yellow", "alert": "red"}


def render_drift(result: DriftResult, path: str) -> str:
    """The text table of a drift report."""
    rows = [
        [
            f.feature,
            f.kind or "-",
            f.method or "-",
            _num(f.value),
            f"{f.warn:g}/{f.alert:g}" if f.warn is not None and f.alert is not None else "-",
            _num(f.psi),
            _num(f.ks_stat),
            _num(f.ks_pvalue),
            style(f.status, fg=STATUS_COLORS[f.status]),
        ]
        for f in result.report.features
    ]
    headers = ["feature", "kind", "method", "value", "warn/alert", "psi", "ks", "ks p", "status"]
    report = result.report
    lines = [
        f"drift of {report.current} vs {report.reference} (thresholds: {report.thresholds_from})",
        table(rows, headers),
        f"alert: {', '.join(report.drifted) or 'none'}; warn: {', '.join(report.warned) or 'none'}",
        f"report: {path}",
    ]
    return "\n".join(lines)
