"""The ``inc`` command line.

``main`` is the one place that turns errors into exit codes (0 ok, 1 check failed, 2 user
error, 3 internal). ``inc --help`` is answered from the command table without importing
click (a test checks it prints exactly what click would); plain ``list``, ``show``, ``new`` and
``gate`` invocations run without click too (``inc.cli.fast``); everything else runs the click
application in ``inc.cli.app``.
"""

from __future__ import annotations

import os
import sys

from inc.cli.registry import COMMANDS
from inc.errors import ExitCode, IncError

TYPE_CHECKING = False  # typing's flag without importing typing (``inc --help``, the fast path)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_HELP_ARGS: tuple[list[str], ...] = ([], ["--help"], ["-h"])
_OPTIONS_HELP = """\
Options:
  --version                  Show the version and exit.
  --debug                    Show tracebacks of internal errors.
  -C, --directory DIRECTORY  Run as if started in this folder.
  -h, --help                 Show this message and exit.
"""


def fast_help() -> str:
    """The top-level help, formatted as click formats it at 80 columns."""
    names = sorted(COMMANDS)
    width = max(len(name) for name in names)
    lines = [f"  {name.ljust(width)}  {COMMANDS[name][1]}" for name in names]
    return (
        "Usage: inc [OPTIONS] COMMAND [ARGS]...\n\n"
        "  inc: spec-driven increments for ML teams, gated on evidence.\n\n"
        + _OPTIONS_HELP
        + "\nCommands:\n"
        + "\n".join(lines)
        + "\n"
    )


def main(argv: list[str] | None = None, *, fast: bool = True) -> int:
    """Run the CLI and return its exit code (``fast=False``: always through click)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in _HELP_ARGS:
        sys.stdout.write(fast_help())
        return ExitCode.OK
    from inc.cli.fast import parse

    command = parse(args) if fast else None  # plain list/show/new/gate: no click (inc.cli.fast)
    debug = "--debug" in args
    try:
        if command is None:
            return _run_click(args)
        _run_fast(command.run)
    except IncError as exc:
        from inc.tracking.uri import redact_uri  # a URI with a password never reaches the terminal

        _err(f"error: {redact_uri(exc.message)}")
        return int(exc.exit_code)
    except (EOFError, KeyboardInterrupt):  # the fast path; click turns these into Abort
        _err("")
        _err("aborted")
        return ExitCode.INTERRUPTED
    except Exception as exc:
        if debug or os.environ.get("INC_DEBUG"):
            import traceback

            traceback.print_exc()
        else:
            _err(
                f"internal error: {type(exc).__name__}: {_redacted(exc)}\n"
                "this is a bug in inc; rerun with --debug for the traceback and report it"
            )
        return ExitCode.INTERNAL
    return ExitCode.OK


def _run_click(args: list[str]) -> int:
    """Everything but the fast path: the click application."""
    import click

    from inc.cli.app import cli

    try:
        cli.main(args=args, prog_name="inc", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return ExitCode.USAGE
    except click.Abort:
        click.echo("aborted", err=True)
        return ExitCode.INTERRUPTED
    return ExitCode.OK


def _run_fast(command: Callable[[], None]) -> None:
    """Run a fast-path command; a closed pipe (``inc list | head``) ends quietly with 1, as in click."""
    try:
        command()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


def _err(line: str) -> None:
    sys.stderr.write(f"{line}\n")
    sys.stderr.flush()


def _redacted(exc: BaseException) -> str:
    from inc.tracking.uri import redact_uri

    return redact_uri(str(exc))


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


def __getattr__(name: str) -> Any:
    if name == "cli":
        from inc.cli.app import cli

        return cli
    raise AttributeError(name)
