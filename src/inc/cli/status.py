"""``inc list``, ``inc show`` and ``inc schema``."""

from __future__ import annotations

import click

from inc.cli.context import FORMAT_OPTION, AppContext, echo_json, pass_app, style, table
from inc.status import list_increments, show_increment

STATUS_COLORS = {"planned": "blue", "active": "yellow", "done": "green", "abandoned": "red"}


@click.command("list")
@click.option("--status", type=click.Choice(list(STATUS_COLORS)), help="Only this status.")
@FORMAT_OPTION
@pass_app
def list_cmd(app: AppContext, status: str | None, fmt: str) -> None:
    """List increments with status, task progress and linked runs."""
    rows = list_increments(app.reading_workspace, status)
    if fmt == "json":
        echo_json([row.as_json() for row in rows])
        return
    if not rows:
        click.echo("no increments yet; create one with: inc new <name>")
        return
    body = [
        [
            r.id + (" (duplicate)" if r.duplicates else ""),
            r.slug,
            style(r.status, fg=STATUS_COLORS.get(r.status)),
            f"{r.tasks_done}/{r.tasks_total}",
            str(r.runs),
            r.title,
        ]
        for r in rows
    ]
    click.echo(table(body, ["id", "slug", "status", "tasks", "runs", "title"]))
    numbers = sorted({r.id for r in rows if r.duplicates})
    for number in numbers:
        names = ", ".join(f"{r.id}-{r.slug}" for r in rows if r.id == number)
        click.echo(
            style(
                f"number {number} is used by {names}: renumber one with 'git mv' to the next "
                "free number ('inc gate' fails on it)",
                fg="red",
            ),
            err=True,
        )


def _fmt(value: float | None) -> str:
    from inc.comparison import num

    return "-" if value is None else num(value)


@click.command("show")
@click.argument("ref", metavar="ID")
@FORMAT_OPTION
@pass_app
def show_cmd(app: AppContext, ref: str, fmt: str) -> None:
    """Show one increment: metric and target, tasks, runs, evidence."""
    detail = show_increment(app.reading_workspace, ref)
    if fmt == "json":
        echo_json(detail.as_json())
        return
    s = detail.summary
    metric = detail.metric
    click.echo(f"{s.id}-{s.slug}: {s.title}")
    click.echo(f"  status   {style(s.status, fg=STATUS_COLORS.get(s.status))}")
    click.echo(f"  owner    {detail.owner or '(none)'}")
    click.echo(f"  problem  {detail.problem}")
    better = "higher" if metric["goal"] == "maximize" else "lower"
    target = "not set" if metric["target"] is None else f"{metric['target']:g}"
    click.echo(f"  metric   {metric['name']} ({metric['goal']}: {better} is better), target {target}")
    click.echo(f"  tasks    {s.tasks_done}/{s.tasks_total} done")
    for task in detail.open_tasks:
        click.echo(f"    [ ] {task}")
    click.echo(f"  runs     {len(detail.runs)} linked; chosen: {detail.chosen_run or '(none)'}")
    if detail.runs:
        from inc.cli.runs import delta_text

        best = detail.comparison.get("best_baseline")
        rows = [
            [
                ("* " if r.chosen else "  ") + r.run_id[:12],
                r.role,
                r.name,
                r.status,
                _fmt(r.metric),
                delta_text(r, best),
            ]
            for r in detail.runs
        ]
        click.echo(table(rows, ["run", "role", "name", "status", metric["name"], "vs best baseline"]))
    for problem in detail.problems:
        click.echo(f"  problem  {problem}")
    for path in detail.evidence:
        click.echo(f"  evidence {path}")


@click.command("schema")
@click.argument("name")
def schema_cmd(name: str) -> None:
    """Print the JSON Schema of increment.yaml, a run record, the gate output, and others."""
    from inc.schemas import json_schema

    echo_json(json_schema(name))
