"""Jinja2 rendering in a sandbox; a repository's ``templates/`` overrides the packaged ones."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc.errors import ConfigError, InternalError

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment


def packaged_templates_dir() -> Path:
    """Where the default templates are: inside the wheel, or the source checkout's ``templates/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_templates", here.parents[1] / "templates"):
        if candidate.is_dir():
            return candidate
    raise InternalError("the packaged templates are missing from this installation")


def environment(override_dir: Path | None) -> SandboxedEnvironment:
    """A sandboxed environment looking in ``override_dir`` first, then the packaged templates.

    Cached per folder, and only while the folder exists: an override folder created later in
    the same process is picked up.
    """
    return _environment(override_dir if override_dir is not None and override_dir.is_dir() else None)


@lru_cache(maxsize=8)
def _environment(override_dir: Path | None) -> SandboxedEnvironment:
    from jinja2 import ChoiceLoader, StrictUndefined

    from inc.template_guard import BudgetedSandbox, ContainedLoader

    loaders = []
    if override_dir is not None:
        loaders.append(ContainedLoader(override_dir))
    loaders.append(ContainedLoader(packaged_templates_dir()))
    env = BudgetedSandbox(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.untrusted = override_dir is not None
    return env


@contextmanager
def template_errors(name: str, hint: str = "") -> Iterator[None]:
    """Turn jinja2 errors raised while loading or rendering ``name`` into ConfigError (exit 2).

    The message names the template (and the line of a syntax error); ``hint`` is appended to
    errors raised while rendering.
    """
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

    try:
        yield
    except TemplateNotFound as exc:
        raise ConfigError(f"template {name} not found") from exc
    except TemplateSyntaxError as exc:
        raise ConfigError(f"{exc.filename or name}: line {exc.lineno}: {exc.message}") from exc
    except TemplateError as exc:
        raise ConfigError(f"template {name}: {exc}{hint}") from exc


def render(name: str, context: dict[str, Any], override_dir: Path | None = None) -> str:
    """Render template ``name`` (e.g. ``spec.md.j2``); errors name the template and line."""
    env = environment(override_dir)
    with template_errors(name):
        return render_template(env.get_template(name), context)


def render_template(template: Template, context: dict[str, Any]) -> str:
    """Render a loaded template; with repository overrides, under the time, output and memory
    budget of ``limits:`` (inc.template_guard). Over budget or failing: a ConfigError naming it."""
    from inc.template_guard import render_within_budget

    return render_within_budget(template, context)
