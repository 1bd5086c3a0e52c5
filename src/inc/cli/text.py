"""What ``inc list``, ``inc show``, ``inc new`` and ``inc gate`` print, without importing click.

The click commands and the argv fast path (``inc.cli.fast``) both print through these
functions, so the two give the same bytes. Output goes to ``sys.stdout``/``sys.stderr`` as
they are at call time (click's test runner swaps them), flushed like ``click.echo``.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing's flag without importing typing (the fast path imports this)
if TYPE_CHECKING:
    from typing import Any

    from inc.gate.model import GateResult
    from inc.scaffold import NewResult
    from inc.status import IncrementDetail, IncrementSummary
    from inc.workspace import Workspace

STATUS_COLORS = {"planned": "blue", "active": "yellow", "done": "green", "abandoned": "red"}
# click.style's foreground codes for the colours used here
_ANSI_FG = {"red": 31, "green": 32, "yellow": 33, "blue": 34}


def echo(text: str = "", err: bool = False) -> None:
    """Print one line to stdout (or stderr) and flush, as ``click.echo`` does."""
    stream = sys.stderr if err else sys.stdout
    stream.write(f"{text}\n")
    stream.flush()


def use_color() -> bool:
    """Colour only on a terminal and never with NO_COLOR."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def style(text: str, fg: str | None = None) -> str:
    """``click.style(text, fg=fg)`` when colour is allowed, plain text otherwise."""
    if fg is None or not use_color():
        return text
    return f"\x1b[{_ANSI_FG[fg]}m{text}\x1b[0m"


def json_text(data: Any) -> str:
    """JSON with sorted keys, as every ``--format json`` prints it."""
    import json

    return json.dumps(data, indent=2, sort_keys=True, default=str)


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A plain aligned text table."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def print_list(rows: list[IncrementSummary], fmt: str) -> None:
    """``inc list``: the table (or JSON), then a warning per number used twice."""
    if fmt == "json":
        echo(json_text([row.as_json() for row in rows]))
        return
    if not rows:
        echo("no increments yet; create one with: inc new <name>")
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
    echo(table(body, ["id", "slug", "status", "tasks", "runs", "title"]))
    numbers = sorted({r.id for r in rows if r.duplicates})
    for number in numbers:
        names = ", ".join(f"{r.id}-{r.slug}" for r in rows if r.id == number)
        echo(
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


def print_show(detail: IncrementDetail, fmt: str) -> None:
    """``inc show``: one increment's metric, tasks, runs and evidence (or JSON)."""
    if fmt == "json":
        echo(json_text(detail.as_json()))
        return
    s = detail.summary
    metric = detail.metric
    echo(f"{s.id}-{s.slug}: {s.title}")
    echo(f"  status   {style(s.status, fg=STATUS_COLORS.get(s.status))}")
    echo(f"  owner    {detail.owner or '(none)'}")
    echo(f"  problem  {detail.problem}")
    better = "higher" if metric["goal"] == "maximize" else "lower"
    target = "not set" if metric["target"] is None else f"{metric['target']:g}"
    echo(f"  metric   {metric['name']} ({metric['goal']}: {better} is better), target {target}")
    echo(f"  tasks    {s.tasks_done}/{s.tasks_total} done")
    for task in detail.open_tasks:
        echo(f"    [ ] {task}")
    echo(f"  runs     {len(detail.runs)} linked; chosen: {detail.chosen_run or '(none)'}")
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
        echo(table(rows, ["run", "role", "name", "status", metric["name"], "vs best baseline"]))
    for problem in detail.problems:
        echo(f"  problem  {problem}")
    for path in detail.evidence:
        echo(f"  evidence {path}")


def print_new(ws: Workspace, result: NewResult, fmt: str) -> None:
    """``inc new``: the folder, its metric and files, the next step (or JSON)."""
    if fmt == "json":
        echo(json_text(result.as_json(ws)))
        return
    for note in result.notes:
        echo(f"note: {note}", err=True)
    inc = result.increment
    metric_ = inc.view.metric  # plain data: no pydantic on the path of 'inc new'
    target_text = "not set yet" if metric_["target"] is None else f"{metric_['target']:g}"
    echo(f"created {ws.relpath(inc.path)}/")
    better = "higher" if metric_["goal"] == "maximize" else "lower"
    echo(f"  metric {metric_['name']}: {metric_['goal']} ({better} is better), target {target_text}")
    for filename in ("increment.yaml", "spec.md", "plan.md", "tasks.md", "monitoring.yaml"):
        echo(f"  {filename}")
    echo(f"next: fill in spec.md, then log runs with inc.track_experiment(increment={inc.id!r})")


GATE_FORMATS = ("text", "json", "markdown", "github", "junit")


def emit_gate(result: GateResult, fmt: str) -> None:
    """``inc gate``/``inc done``: the report in ``fmt``; with ``github`` also appended to the job's
    step summary (``$GITHUB_STEP_SUMMARY``)."""
    from pathlib import Path

    from inc.gate.report import append_step_summary, render

    echo(render(result, fmt))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and summary:
        append_step_summary(Path(summary), result)


def gate_verdict(result: GateResult) -> None:
    """Exit 1 (CheckFailed) when a blocking check failed."""
    from inc.errors import CheckFailed

    if not result.passed:
        failing = sum(1 for v in result.increments if not v.passed)
        raise CheckFailed(f"gate failed for {failing} increment(s)")
