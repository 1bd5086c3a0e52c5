"""State the CLI builds once per invocation and passes to commands."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from inc.cli.text import json_text, use_color
from inc.cli.text import table as table
from inc.workspace import Workspace


@dataclass
class AppContext:
    """The folder the command runs in and the workspace, discovered on first use."""

    cwd: Path
    debug: bool = False
    _workspace: Workspace | None = field(default=None, repr=False)

    @classmethod
    def create(cls, directory: str | None, debug: bool) -> AppContext:
        """Build from the global options."""
        return cls(Path(directory).resolve() if directory else Path.cwd(), debug)

    @property
    def workspace(self) -> Workspace:
        """The workspace containing ``cwd`` (exit 2 outside one)."""
        if self._workspace is None:
            self._workspace = Workspace.discover(self.cwd)
        return self._workspace

    @property
    def reading_workspace(self) -> Workspace:
        """The workspace for a command that only reads (``list``, ``show``): checked YAML data is
        reused from the workspace's cache when the files hash as before (``inc.metacache``)."""
        if self._workspace is None:
            self._workspace = Workspace.discover(self.cwd, cached=True)
        return self._workspace


pass_app = click.make_pass_decorator(AppContext)

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


def style(text: str, **kwargs: Any) -> str:
    """``click.style`` when colour is allowed, plain text otherwise."""
    return click.style(text, **kwargs) if use_color() else text


def echo_json(data: Any) -> None:
    """Print JSON with sorted keys (``inc.cli.text.json_text``)."""
    click.echo(json_text(data))


_BAR_STEPS = 1000


@contextmanager
def progress_bar(label: str, enabled: bool) -> Iterator[Callable[[float], None] | None]:
    """A click progress bar on stderr when it is a terminal; yields a ``fraction -> None`` callback."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=_BAR_STEPS, label=label, file=sys.stderr) as bar:
        shown = [0]

        def update(fraction: float) -> None:
            target = min(int(fraction * _BAR_STEPS), _BAR_STEPS)
            if target > shown[0]:
                bar.update(target - shown[0])
                shown[0] = target

        yield update
