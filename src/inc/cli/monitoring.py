"""``inc monitoring check`` and ``inc monitoring init``: thin commands over the monitoring core.

Core modules are imported inside the commands, so loading this module imports no ML library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from inc.cli.context import FORMAT_OPTION, AppContext, echo_json, pass_app
from inc.errors import CheckFailed

DATA_FILE = click.Path(dir_okay=False, path_type=Path)


@click.group("monitoring")
def monitoring_group() -> None:
    """Write (init) or check an increment's monitoring.yaml."""


@monitoring_group.command("check")
@click.argument("increment")
@FORMAT_OPTION
@pass_app
def monitoring_check_cmd(app: AppContext, increment: str, fmt: str) -> None:
    """Validate monitoring.yaml against the chosen run: every model input and top SHAP feature watched."""
    from inc.ops.monitoring import run_monitoring_check

    inc = app.workspace.find(increment)
    problems = run_monitoring_check(inc)
    where = app.workspace.relpath(inc.monitoring_path)
    if fmt == "json":
        echo_json(_check_json(where, problems))
    elif problems:
        click.echo("\n".join(f"- {problem}" for problem in problems))
    else:
        click.echo(f"{where}: ok (watches every model input and top SHAP feature)")
    if problems:
        raise CheckFailed(f"{where}: {len(problems)} problem(s)")


def _check_json(path: str, problems: list[str]) -> dict[str, Any]:
    return {"path": path, "ok": not problems, "problems": problems}


@monitoring_group.command("init")
@click.argument("increment")
@click.option("--reference", type=DATA_FILE, help="Reference data (CSV or Parquet in the workspace).")
@click.option("--run", "run_id", help="Take the inputs from this run instead of the chosen one.")
@click.option("--force", is_flag=True, help="Replace a monitoring.yaml that is already configured.")
@FORMAT_OPTION
@pass_app
def monitoring_init_cmd(
    app: AppContext, increment: str, reference: Path | None, run_id: str | None, force: bool, fmt: str
) -> None:
    """Write monitoring.yaml from the chosen run: its inputs (SHAP-ranked), the reference data's
    sha256, default drift thresholds and the increment's metric. Edit it afterwards."""
    from inc.ops.monitoring_init import init_monitoring

    ws = app.workspace
    result = init_monitoring(ws, ws.find(increment), reference, run_id, force)
    where = ws.relpath(result.path)
    if fmt == "json":
        echo_json(
            {
                "path": where,
                "run_id": result.run_id,
                "inputs_from": result.inputs_from,
                "features": [f.name for f in result.features],
                "reference": result.config.reference.model_dump() if result.config.reference else None,
                "notes": result.notes,
            }
        )
        return
    ranked = sum(1 for f in result.features if f.shap_rank is not None)
    click.echo(
        f"{where}: {len(result.features)} features from {result.inputs_from} of run {result.run_id} "
        f"({ranked} ranked by SHAP), prediction drift, {result.config.performance.metric} alert"
        if result.config.performance
        else where
    )
    for note in result.notes:
        click.echo(f"- {note}")
