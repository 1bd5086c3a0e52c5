"""``inc init`` and ``inc new``."""

from __future__ import annotations

import click

from inc.cli.context import FORMAT_OPTION, AppContext, pass_app
from inc.cli.text import print_new
from inc.scaffold import PROBLEMS, init_workspace, new_increment


@click.command("init")
@click.option("--no-github", is_flag=True, help="Do not write .github/workflows/inc-gate.yml.")
@pass_app
def init_cmd(app: AppContext, no_github: bool) -> None:
    """Set up a workspace here: inc.yaml, increments/, living-docs/, the PR gate workflow."""
    result = init_workspace(app.cwd, github=not no_github)
    for item in result.created:
        click.echo(f"created  {item}")
    for item in result.kept:
        click.echo(f"kept     {item}")
    click.echo(f"workspace ready at {result.root}; next: inc new <name>")


@click.command("new")
@click.argument("name")
@click.option("--title", help="Human title (default: from the name).")
@click.option("--problem", type=click.Choice(PROBLEMS), help="Problem type (default from config).")
@click.option("--metric", help="Success metric name, e.g. roc_auc, rmse, r2, ndcg_at_10.")
@click.option(
    "--goal",
    type=click.Choice(["maximize", "minimize"]),
    help="Which way the metric is better (default: from inc's metric catalog).",
)
@click.option("--target", type=float, help="Target value of the metric (default: a placeholder to fill in).")
@FORMAT_OPTION
@pass_app
def new_cmd(
    app: AppContext,
    name: str,
    title: str | None,
    problem: str | None,
    metric: str | None,
    goal: str | None,
    target: float | None,
    fmt: str,
) -> None:
    """Create the next numbered increment from the ML workflow templates."""
    ws = app.workspace
    print_new(ws, new_increment(ws, name, title, problem, metric, target, goal), fmt)
