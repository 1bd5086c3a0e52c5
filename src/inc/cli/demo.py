"""``inc demo``: the whole workflow end to end on synthetic data."""

from __future__ import annotations

from pathlib import Path

import click

from inc.cli.context import style


def _print_step(step: object) -> None:
    from inc.demo.runner import Step

    assert isinstance(step, Step)
    click.echo(style(f"==> {step.title}", bold=True))
    for line in step.lines:
        click.echo(f"    {line}")
    for path in step.paths:
        click.echo(f"    see {path}")


@click.command("demo")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def demo_cmd(directory: Path | None) -> None:
    """Run the workflow end to end in DIRECTORY (default: a new temporary folder).

    init, new, three baselines and three candidates with 5-fold CV tracked on the embedded
    MLflow store, choose, SHAP report, load test, monitoring, gate, done, living docs and
    the HTML site.
    """
    from inc.demo.runner import run_demo
    from inc.errors import CheckFailed

    result = run_demo(directory, on_step=_print_step)
    click.echo("")
    if not result.gate_passed:
        raise CheckFailed(f"the gate refused {result.increment}; see the checks above")
    click.echo(f"done: {result.increment} passed the gate in {result.root}")
    click.echo(f"  living docs: {result.root / 'living-docs' / 'README.md'}")
    click.echo(f"  site:        {result.site / 'index.html'}")
    click.echo(f"  try:         inc -C {result.root} gate --strict")
