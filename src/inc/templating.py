"""Jinja2 rendering in a sandbox; a repository's ``templates/`` overrides the packaged ones."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path

from inc.errors import ConfigError, InternalError

TYPE_CHECKING = False  # typing's flag without importing typing (``inc new`` imports this)
if TYPE_CHECKING:
    from typing import Any

    from jinja2 import BytecodeCache, Template
    from jinja2.bccache import Bucket
    from jinja2.sandbox import SandboxedEnvironment


@lru_cache(maxsize=1)
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
    the same process is picked up. Compiled templates are kept between runs in jinja2's per-user
    cache folder (see :func:`_compiled_cache`).
    """
    folder = override_dir if override_dir is not None and override_dir.is_dir() else None
    return _environment(folder)


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
    env.bytecode_cache = _compiled_cache(env)
    return env


def _compiled_cache(env: SandboxedEnvironment) -> BytecodeCache | None:
    """Compiled templates kept between runs (compiling the five templates of ``inc new`` costs
    more than rendering them), or None when no safe folder is available.

    The folder is jinja2's per-user one in the system's temp folder (created mode 0700; jinja2
    refuses it when another user owns it or may write to it): never inside a repository, so a
    checkout cannot plant compiled code. jinja2 uses an entry only when the template's source
    digest and its bytecode format match; the file name also digests the jinja2 version and
    every setting compiling depends on, so other settings or another jinja2 compile afresh.
    """
    import jinja2

    from inc.sha import sha256

    settings = (
        jinja2.__version__,
        [cls.__qualname__ for cls in type(env).__mro__],
        sorted(env.intercepted_binops),
        sorted(env.intercepted_unops),
        env.trim_blocks,
        env.lstrip_blocks,
        env.keep_trailing_newline,
        env.autoescape,
        env.optimized,
        env.newline_sequence,
        env.finalize is not None,
        sorted(env.extensions),
        getattr(env.undefined, "__qualname__", repr(env.undefined)),
        (env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string),
        (env.comment_start_string, env.comment_end_string),
        (env.line_statement_prefix, env.line_comment_prefix),
    )
    key = sha256(repr(settings).encode()).hexdigest()[:16]

    class OptionalCache(jinja2.FileSystemBytecodeCache):
        """jinja2's file cache, where a read or write failure (a full or read-only temp folder)
        means compiling as if there were no cache, not a failed command."""

        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except OSError:
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            with suppress(OSError):
                super().dump_bytecode(bucket)

    try:
        return OptionalCache(pattern=f"__inc_{key}_%s.cache")
    except (OSError, RuntimeError):
        return None


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


def render_packaged_or_override(name: str, context: dict[str, Any], override_dir: Path | None) -> str:
    """``render(name, context, override_dir)``, without importing jinja2 when
    the repository does not override ``name``: the packaged template is then rendered by
    ``inc.plainrender`` (the same bytes), or by jinja2 when it uses more than that subset.

    Any entry named ``name`` in ``override_dir`` (a file, a link, even a folder) goes to jinja2's
    sandbox, which decides what it is, as before.
    """
    if override_dir is None or not os.path.lexists(override_dir / name):
        from inc.plainrender import Unsupported, render_text

        try:
            source = (packaged_templates_dir() / name).read_text(encoding="utf-8")
            return render_text(source, context)
        except (Unsupported, OSError, UnicodeDecodeError):
            pass  # jinja2 renders it, or names what is wrong with it
    return render(name, context, override_dir)


def render_template(template: Template, context: dict[str, Any]) -> str:
    """Render a loaded template; with repository overrides, under the time, output and memory
    budget of ``limits:`` (inc.template_guard). Over budget or failing: a ConfigError naming it."""
    from inc.template_guard import render_within_budget

    return render_within_budget(template, context)
