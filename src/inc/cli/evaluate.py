"""``inc evaluate``: a thin command over :func:`inc.evaluation.report.evaluate_run`.

No ML import at module level: numpy, scikit-learn, matplotlib and mlflow load inside the core call.
"""

from __future__ import annotations

import math
from pathlib import Path

import click

from inc.cli.context import FORMAT_OPTION, AppContext, echo_json, pass_app


@click.command("evaluate")
@click.argument("increment", metavar="ID")
@click.option("--run", "run_id", required=True, help="The linked run whose model to evaluate.")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(dir_okay=False),
    help="Test rows: a .csv or .parquet file with the model's input columns and the target.",
)
@click.option("--target", required=True, help="The label column of the data file.")
@click.option(
    "--slice-by",
    "slice_by",
    multiple=True,
    metavar="COL",
    help="Report the metric per value of this column (repeatable; numbers in quartiles).",
)
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="Operating threshold of a binary model (positive when score >= T; default 0.5).",
)
@click.option("--group-by", "group_by", default=None, metavar="COL", help="Ranking: the query id column.")
@click.option("--no-log", is_flag=True, help="Do not log the report as artifacts of the MLflow run.")
@FORMAT_OPTION
@pass_app
def evaluate_cmd(
    app: AppContext,
    increment: str,
    run_id: str,
    data: str,
    target: str,
    slice_by: tuple[str, ...],
    threshold: float | None,
    group_by: str | None,
    no_log: bool,
    fmt: str,
) -> None:
    """Evaluation report for a run's model: reports/eval-<run>/ in increment ID.

    Plots and tables by problem type, metrics by slice, bootstrap intervals and the scored
    predictions, which the gate uses to recompute the headline metric. The model is loaded from
    MLflow, which runs the model's code: use it on runs you trust. (inc gate never loads a model.)
    """
    from inc.errors import UserError
    from inc.evaluation.report import evaluate_run

    if threshold is not None and not math.isfinite(threshold):
        raise UserError(f"--threshold must be a finite number, got {threshold}")
    click.echo("note: loading the run's model from MLflow executes its code", err=True)
    data_path = Path(data) if Path(data).is_absolute() else app.cwd / data
    result = evaluate_run(
        app.workspace,
        increment,
        run_id,
        data_path,
        target,
        slice_by,
        threshold,
        group_by,
        log_artifacts=not no_log,
    )
    ws, s = app.workspace, result.summary
    if fmt == "json":
        echo_json(result.as_json(ws))
        return
    ci = f" (95% CI {s.ci[0]:.4g} to {s.ci[1]:.4g})" if len(s.ci) == 2 else ""
    where = ws.relpath(result.report_dir)
    click.echo(f"{s.task}: {s.metric} {s.value:.4g}{ci} on {s.rows} rows -> {where}/report.md")
    if s.threshold is not None:
        click.echo(f"  threshold {s.threshold:.4g} ({s.threshold_source})")
    if s.worst_slice is not None and s.worst_slice.metric is not None:
        w = s.worst_slice
        click.echo(f"  worst slice: {w.column} = {w.value}, {s.metric} {w.metric:.4g} ({w.rows} rows)")
    if result.ledger_path:
        click.echo(f"ledger: {ws.relpath(result.ledger_path)} records the report's hash and the model digest")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
