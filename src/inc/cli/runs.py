"""``inc link``, ``inc sync``, ``inc runs``, ``inc choose``: thin commands over ``inc.tracking.experiment``.

No ML import here: link/sync reach mlflow through ``inc.tracking.adapter`` inside the core call.
"""

from __future__ import annotations

import click

from inc.cli.context import FORMAT_OPTION, AppContext, echo_json, pass_app, style, table
from inc.comparison import finite, num, pct
from inc.tracking.runs_table import RunRow, RunsTable


@click.command("link")
@click.argument("increment")
@click.argument("run_id")
@click.option(
    "--role",
    type=click.Choice(["baseline", "candidate"]),
    default=None,
    help="Role in the increment (default: the run's inc.role tag, else candidate).",
)
@click.option("--force", is_flag=True, help="Link a run tagged with another increment.")
@FORMAT_OPTION
@pass_app
def link_cmd(app: AppContext, increment: str, run_id: str, role: str | None, force: bool, fmt: str) -> None:
    """Link the MLflow run RUN_ID to INCREMENT's ledger (runs/<run_id>.json)."""
    from inc.tracking.ledger import link

    result = link(app.workspace, increment, run_id, role=role, force=force)
    path = app.workspace.relpath(result.path)
    if fmt == "json":
        echo_json(result.as_json(app.workspace))
        return
    verb = "linked" if result.written else "unchanged"
    click.echo(f"{verb}: {result.record.run_id} ({result.record.role}) -> {path}")


@click.command("unlink")
@click.argument("increment")
@click.argument("run_id")
@click.option("--force", is_flag=True, help="Unlink the chosen run too (chosen_run is cleared).")
@FORMAT_OPTION
@pass_app
def unlink_cmd(app: AppContext, increment: str, run_id: str, force: bool, fmt: str) -> None:
    """Remove RUN_ID (or a unique prefix) from INCREMENT's ledger; the MLflow run is kept."""
    from inc.tracking.ledger import unlink

    result = unlink(app.workspace, increment, run_id, force=force)
    path = app.workspace.relpath(result.path)
    if fmt == "json":
        echo_json(result.as_json(app.workspace))
        return
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"unlinked: {result.run_id} ({path} removed)")


@click.command("sync")
@click.argument("increment")
@FORMAT_OPTION
@pass_app
def sync_cmd(app: AppContext, increment: str, fmt: str) -> None:
    """Pull every MLflow run tagged inc.increment=<id> into INCREMENT's ledger."""
    from inc.tracking.ledger import sync

    result = sync(app.workspace, increment)
    ws = app.workspace
    if fmt == "json":
        echo_json(result.as_json(ws))
        return
    for path in result.written:
        click.echo(f"written: {ws.relpath(path)}")
    click.echo(f"{result.increment}: {len(result.written)} written, {len(result.unchanged)} unchanged")


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else num(value, digits)


def delta_text(row: RunRow, best: str | None) -> str:
    """The "vs best baseline" cell: raw delta and the improvement under margin_mode."""
    if row.run_id == best:
        return "best baseline"
    if row.delta is None:
        return "-"
    rel = "" if row.improvement is None else f" ({pct(row.improvement)})"
    delta = num(row.delta) if not finite(row.delta) else f"{row.delta:+.4f}"
    return f"{delta}{rel}"


def headline(result: RunsTable) -> str:
    """The metric, its direction, the target and the margin, as ``inc runs`` and ``inc show`` print them."""
    better = "higher" if result.goal == "maximize" else "lower"
    target = "not set" if result.target is None else f"{result.target:g}"
    return (
        f"{result.metric} ({result.goal}: {better} is better), target {target}, "
        f"margin {pct(result.margin).lstrip('+')} {result.margin_mode}"
    )


def verdict_line(result: RunsTable) -> str | None:
    """The chosen-or-best run against the best baseline, in the gate's words and numbers."""
    if result.subject is None or result.best_baseline is None:
        return None
    beats = {True: "meets", False: "misses", None: "cannot judge"}[result.beats_baseline]
    line = (
        f"{result.subject[:12]} vs best baseline {result.best_baseline[:12]} "
        f"({_num(result.best_baseline_value)}): {pct(result.subject_improvement)}, {beats} the margin"
    )
    return line + (f"; {result.unreachable}" if result.unreachable and not result.beats_baseline else "")


def _cv(row: RunRow) -> str:
    if not row.cv_folds:
        return "-"
    return f"{_num(row.cv_mean)} ± {_num(row.cv_std)} ({row.cv_folds})"


def render_runs(result: RunsTable) -> str:
    """The text table of ``inc runs``."""
    rows = []
    for row in result.rows:
        mark = style("*", fg="green", bold=True) if row.chosen else " "
        rows.append(
            [
                f"{mark}{row.run_id[:12]}",
                row.name,
                row.role,
                row.status,
                _num(row.metric),
                _cv(row),
                delta_text(row, result.best_baseline),
                row.model_version or "-",
            ]
        )
    headers = [
        "run",
        "name",
        "role",
        "status",
        result.metric,
        "cv mean ± std (folds)",
        "vs best baseline",
        "model v",
    ]
    head = f"{result.increment}: {headline(result)}"
    if not result.rows:
        return f"{head}\nno runs linked yet: log with inc.track_experiment or 'inc link'/'inc sync'"
    verdict = verdict_line(result)
    return f"{head}\n{table(rows, headers)}\n* chosen run" + (f"\n{verdict}" if verdict else "")


@click.command("runs")
@click.argument("increment")
@FORMAT_OPTION
@pass_app
def runs_cmd(app: AppContext, increment: str, fmt: str) -> None:
    """Table of INCREMENT's linked runs: metric, CV mean ± std, delta vs the best baseline."""
    from inc.tracking.runs_table import runs_table

    result = runs_table(app.workspace, increment)
    if fmt == "json":
        echo_json(result.as_json())
    else:
        click.echo(render_runs(result))


@click.command("choose")
@click.argument("increment")
@click.argument("run_id")
@FORMAT_OPTION
@pass_app
def choose_cmd(app: AppContext, increment: str, run_id: str, fmt: str) -> None:
    """Mark RUN_ID as the run that is to ship (chosen_run and model in increment.yaml)."""
    from inc.tracking.runs_table import choose

    result = choose(app.workspace, increment, run_id)
    model = f"{result.model.name} v{result.model.version}" if result.model else None
    if fmt == "json":
        echo_json(result.as_json())
        return
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{result.increment}: chosen run {result.run_id}" + (f", model {model}" if model else ""))
