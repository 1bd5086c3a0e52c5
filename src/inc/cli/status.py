"""``inc list``, ``inc show`` and ``inc schema``."""

from __future__ import annotations

import click

from inc.cli.context import FORMAT_OPTION, AppContext, echo_json, pass_app
from inc.cli.text import STATUS_COLORS, print_list, print_show
from inc.status import list_increments, show_increment


@click.command("list")
@click.option("--status", type=click.Choice(list(STATUS_COLORS)), help="Only this status.")
@FORMAT_OPTION
@pass_app
def list_cmd(app: AppContext, status: str | None, fmt: str) -> None:
    """List increments with status, task progress and linked runs."""
    print_list(list_increments(app.reading_workspace, status), fmt)


@click.command("show")
@click.argument("ref", metavar="ID")
@FORMAT_OPTION
@pass_app
def show_cmd(app: AppContext, ref: str, fmt: str) -> None:
    """Show one increment: metric and target, tasks, runs, evidence."""
    print_show(show_increment(app.reading_workspace, ref), fmt)


@click.command("schema")
@click.argument("name")
def schema_cmd(name: str) -> None:
    """Print the JSON Schema of increment.yaml, a run record, the gate output, and others."""
    from inc.schemas import json_schema

    echo_json(json_schema(name))
