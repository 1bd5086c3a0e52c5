"""``inc docs [--check] [--html DIR]``: rebuild, check or publish the living docs."""

from __future__ import annotations

from pathlib import Path

import click

from inc.cli.context import FORMAT_OPTION, AppContext, echo_json, pass_app
from inc.errors import CheckFailed, UserError


@click.command("docs")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 naming the pages that are stale.")
@click.option(
    "--html",
    "html_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Build a static site in DIR (living docs + each increment's spec, plan, tasks, plots).",
)
@FORMAT_OPTION
@pass_app
def docs_cmd(app: AppContext, check: bool, html_dir: Path | None, fmt: str) -> None:
    """Rebuild living-docs/ from the increments (only changed pages are written)."""
    if check and html_dir is not None:
        raise UserError("--check and --html do not go together; run them separately")
    if html_dir is not None:
        from inc.livedocs.html import build_site

        site = build_site(app.workspace, html_dir)
        if fmt == "json":
            echo_json(site.as_json())
        else:
            click.echo(
                f"site: {site.root} ({len(site.pages)} pages, {len(site.assets)} files; "
                f"{len(site.written)} written, {len(site.removed)} removed); "
                f"open {site.root / 'index.html'}"
            )
        return
    from inc.livedocs.build import build_docs

    result = build_docs(app.workspace, check=check)
    if fmt == "json":
        echo_json(result.as_json())
    if check:
        if result.stale:
            raise CheckFailed(
                "living docs are stale; run 'inc docs' and commit the result:\n  " + "\n  ".join(result.stale)
            )
        if fmt == "text":
            click.echo(f"living docs are current ({len(result.unchanged)} pages)")
        return
    if fmt == "text":
        for path in result.written:
            click.echo(f"wrote   {path}")
        for path in result.removed:
            click.echo(f"removed {path}")
        click.echo(
            f"{len(result.written)} written, {len(result.removed)} removed, {len(result.unchanged)} unchanged"
        )
