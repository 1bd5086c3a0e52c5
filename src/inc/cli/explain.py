"""``inc explain``: a thin command over :func:`inc.explainability.report.explain_run`.

No ML import at module level: shap, mlflow and pandas load inside the core call.
"""

from __future__ import annotations

from pathlib import Path

import click

from inc.cli.context import FORMAT_OPTION, AppContext, echo_json, pass_app, progress_bar


@click.command("explain")
@click.argument("increment", metavar="ID")
@click.option("--run", "run_id", required=True, help="The linked run whose model to explain.")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(dir_okay=False),
    help="Rows to explain: a .csv or .parquet file with the model's input columns.",
)
@click.option("--target", default=None, help="A column of the data file to drop (the label).")
@click.option(
    "--max-background",
    default=100,
    show_default=True,
    type=click.IntRange(min=1),
    help="Background rows sampled for the linear and model-agnostic explainers.",
)
@click.option(
    "--max-explain",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows explained (sampled reproducibly when the file has more).",
)
@click.option("--no-log", is_flag=True, help="Do not log the report as artifacts of the MLflow run.")
@FORMAT_OPTION
@pass_app
def explain_cmd(
    app: AppContext,
    increment: str,
    run_id: str,
    data: str,
    target: str | None,
    max_background: int,
    max_explain: int,
    no_log: bool,
    fmt: str,
) -> None:
    """SHAP report for a run's model: reports/explain-<run>/ in increment ID.

    The model is loaded from MLflow, which runs the model's code: use it on runs you trust.
    (inc gate never loads a model.)
    """
    from inc.explainability.report import explain_run

    click.echo("note: loading the run's model from MLflow executes its code", err=True)
    data_path = Path(data) if Path(data).is_absolute() else app.cwd / data
    with progress_bar("SHAP", fmt == "text") as progress:
        result = explain_run(
            app.workspace,
            increment,
            run_id,
            data_path,
            target=target,
            max_background=max_background,
            max_explain=max_explain,
            log_artifacts=not no_log,
            progress=progress,
        )
    ws = app.workspace
    if fmt == "json":
        echo_json(result.as_json(ws))
        return
    summary = result.summary
    click.echo(
        f"explained {summary.n_explained} rows with the {summary.method} explainer "
        f"-> {ws.relpath(result.report_dir)}/report.md"
    )
    for rank, item in enumerate(summary.global_importance[:5], start=1):
        click.echo(f"  {rank}. {item.feature}  mean |SHAP| {item.mean_abs_shap:.4g}")
    if result.ledger_path:
        click.echo(f"ledger: {ws.relpath(result.ledger_path)} points at the report")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
