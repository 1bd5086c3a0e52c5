"""The click application: a lazy group whose subcommands load only when used."""

from __future__ import annotations

import importlib

import click

from inc import __version__
from inc.cli.context import AppContext
from inc.cli.registry import COMMANDS


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        target, _ = COMMANDS[cmd_name]
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group("inc", cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="inc")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.option(
    "-C",
    "--directory",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="Run as if started in this folder.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, directory: str | None) -> None:
    """inc: spec-driven increments for ML teams, gated on evidence."""
    ctx.obj = AppContext.create(directory, debug)
