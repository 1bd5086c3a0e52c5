"""``inc gate`` and ``inc done``."""

from __future__ import annotations

import click

from inc.cli.context import AppContext, pass_app, style
from inc.cli.text import GATE_FORMATS, emit_gate, gate_verdict
from inc.errors import CheckFailed


@click.command("gate")
@click.argument("refs", nargs=-1, metavar="[ID]...")
@click.option(
    "--changed",
    is_flag=True,
    help="Only increments with files changed in commits since the merge base, or staged.",
)
@click.option("--base", metavar="REF", help="Base of --changed (default: $GITHUB_BASE_REF, else main).")
@click.option("--strict", is_flag=True, help="Every check blocks; stale evidence fails.")
@click.option(
    "--verify",
    is_flag=True,
    help="Re-read every linked run, its model and reports from the tracking server; any difference fails.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(GATE_FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@pass_app
def gate_cmd(
    app: AppContext,
    refs: tuple[str, ...],
    changed: bool,
    base: str | None,
    strict: bool,
    verify: bool,
    fmt: str,
) -> None:
    """The production-readiness gate: exit 1 when a blocking check fails."""
    from inc.gate.runner import run_gate

    result = run_gate(app.workspace, list(refs), changed=changed, base=base, strict=strict, verify=verify)
    emit_gate(result, fmt)
    gate_verdict(result)


@click.command("done")
@click.argument("ref", metavar="ID")
@click.option("--strict", is_flag=True, help="Stale evidence fails too.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(GATE_FORMATS),
    default="text",
    show_default=True,
    help="Output format of the gate report.",
)
@pass_app
def done_cmd(app: AppContext, ref: str, strict: bool, fmt: str) -> None:
    """Close an increment: the gate with every check blocking, then status done and docs rebuilt."""
    from inc.gate.done import close_increment

    result = close_increment(app.workspace, ref, strict=strict)
    emit_gate(result.gate, fmt)
    if not result.closed:
        raise CheckFailed(f"{result.increment} not closed: fix the failing checks (nothing was changed)")
    for note in result.notes:
        click.echo(note, err=fmt != "text")
    message = f"{result.increment} is done; living docs: {len(result.docs_written)} page(s) rewritten"
    click.echo(style(message, fg="green"), err=fmt != "text")
