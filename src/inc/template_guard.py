"""Repository templates are untrusted code: contain what they load and budget what they run.

A pull request can change ``templates/`` and the gate renders documents with them, so:

- :class:`ContainedLoader` loads (and ``{% include %}``\\s) only regular files that resolve
  inside its own folder, under ``limits.template_mb``: a symlink to /etc/passwd is refused.
- :class:`BudgetedSandbox` refuses string/list repetition and concatenation, integer
  multiplication and powers whose result would be larger than the output budget, caps
  ``lipsum`` and checks the deadline on every call and operator.
- :func:`render_within_budget` renders with a deadline (``limits.render_seconds``, enforced by
  a timer signal in the main thread too, for loops that call nothing), an output cap
  (``limits.render_output_mb``) and, on Linux, an address-space cap of
  ``limits.render_memory_mb`` above the current size for the duration of the render.

Any failure of a template (over budget, or an exception its code raised) is a ConfigError
(exit 2; a failed check in the gate) naming the template, never a hang or an exit 3.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jinja2 import Template, TemplateNotFound
from jinja2.exceptions import SecurityError
from jinja2.loaders import BaseLoader, split_template_path
from jinja2.sandbox import SandboxedEnvironment

from inc import limits
from inc.errors import ConfigError, IncError

_MAX_INT_BITS = 1 << 16  # 65,536 bits: ~20,000 digits, far past any number a document shows


class RenderBudgetExceeded(SecurityError):
    """A template ran past its time, output or size budget."""


class ContainedLoader(BaseLoader):
    """Load templates from one folder: regular files resolving inside it, under the size cap."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        """The text of ``template``; refuses files that are not regular or lead out of the folder."""
        pieces = split_template_path(template)  # refuses '..'
        path = self.folder.joinpath(*pieces)
        if not path.is_file() and not path.is_symlink():
            raise TemplateNotFound(template)
        try:
            text = limits.read_text(path, "template", root=self.folder)
        except FileNotFoundError as exc:  # a dangling symlink
            raise TemplateNotFound(template) from exc
        mtime = path.stat().st_mtime

        def uptodate() -> bool:
            try:
                return path.stat().st_mtime == mtime
            except OSError:
                return False

        return text, str(path), uptodate


class BudgetedSandbox(SandboxedEnvironment):
    """The sandbox with size checks on ``*``, ``**`` and ``+`` and a deadline on every call."""

    intercepted_binops = frozenset({"*", "**", "+"})
    untrusted = False
    deadline: float | None = None  # time.monotonic() past which a render stops
    output_cap = limits.MB

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["lipsum"] = _small_lipsum

    def _tick(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise RenderBudgetExceeded("over the render time budget (limits.render_seconds in inc.yaml)")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """``left <operator> right`` once the result is known to fit the budget."""
        self._tick()
        _check_binop(operator, left, right, self.output_cap)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Every call from template code checks the deadline first."""
        __self._tick()
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``row.title`` on a plain dict: its item, without the AttributeError the sandbox raises
        and catches first (a dict has no attribute of that name, so the result is the same);
        anything else, and a name dicts have (``items``), goes through the sandbox as before."""
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_DICT_NAMES = frozenset(dir(dict))


def _small_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    from jinja2.utils import generate_lorem_ipsum

    return str(generate_lorem_ipsum(n=min_(n, 20), html=html, min=min_(min, 100), max=min_(max, 100)))


def min_(value: Any, cap: int) -> int:
    """``value`` as an int no larger than ``cap``."""
    return max(0, min(int(value), cap))


def _sized(value: Any) -> bool:
    return isinstance(value, (str, bytes, list, tuple))


def _check_binop(operator: str, left: Any, right: Any, cap: int) -> None:
    too_big = False
    if operator == "*":
        if (_sized(left) and isinstance(right, int)) or (_sized(right) and isinstance(left, int)):
            seq, times = (left, right) if _sized(left) else (right, left)
            too_big = len(seq) * max(times, 0) > cap
        elif isinstance(left, int) and isinstance(right, int):
            too_big = left.bit_length() + right.bit_length() > _MAX_INT_BITS
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            too_big = left.bit_length() * right > _MAX_INT_BITS
        elif isinstance(left, (int, float)) and isinstance(right, (int, float)):
            too_big = abs(right) > 1_000_000
    elif operator == "+" and _sized(left) and _sized(right):
        too_big = len(left) + len(right) > cap
    if too_big:
        raise RenderBudgetExceeded(f"'{operator}' would build a value over the render output budget")


class _Alarm(Exception):
    pass


@contextmanager
def _deadline_timer(seconds: float) -> Iterator[None]:
    """Raise inside the render after ``seconds`` (main thread only: signals need it)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _ring(signum: int, frame: Any) -> None:
        raise _Alarm()

    previous = signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _memory_cap(extra_mb: int) -> Iterator[None]:
    """Lower the address-space limit to the current size plus ``extra_mb`` while rendering."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        yield
        return
    wanted = pages * os.sysconf("SC_PAGE_SIZE") + extra_mb * limits.MB
    if soft != resource.RLIM_INFINITY and soft <= wanted:
        yield
        return
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def render_within_budget(template: Template, context: dict[str, Any]) -> str:
    """Render ``template``; a repository template runs under the ``limits:`` budget."""
    env = template.environment
    if not getattr(env, "untrusted", False) or not isinstance(env, BudgetedSandbox):
        return template.render(**context)
    budget = limits.active()
    name = template.name or "template"
    cap = int(budget.render_output_mb * limits.MB)
    env.output_cap = cap
    env.deadline = time.monotonic() + budget.render_seconds
    try:
        with _deadline_timer(budget.render_seconds), _memory_cap(budget.render_memory_mb):
            return _collect(template, context, cap)
    except _Alarm:
        raise ConfigError(
            f"template {name}: over the render time budget of {budget.render_seconds:g} s "
            "(limits.render_seconds in inc.yaml); simplify the template or remove the override"
        ) from None
    except MemoryError:
        raise ConfigError(
            f"template {name}: over the render memory budget of {budget.render_memory_mb} MB "
            "(limits.render_memory_mb in inc.yaml); simplify the template or remove the override"
        ) from None
    except RenderBudgetExceeded as exc:
        raise ConfigError(f"template {name}: {exc}; simplify the template or remove the override") from None
    except (IncError, TemplateNotFound):
        raise
    except RecursionError:
        raise ConfigError(f"template {name}: recursion too deep; remove the override") from None
    except Exception as exc:
        from jinja2 import TemplateError

        if isinstance(exc, TemplateError):
            raise
        text = str(exc)
        text = text if len(text) <= 200 else text[:197] + "..."
        raise ConfigError(f"template {name}: {type(exc).__name__}: {text}; fix the template") from None
    finally:
        env.deadline = None


def _collect(template: Template, context: dict[str, Any], cap: int) -> str:
    parts: list[str] = []
    size = 0
    for chunk in template.generate(**context):
        size += len(chunk)
        if size > cap:
            raise RenderBudgetExceeded(
                f"output over the render budget of {cap / limits.MB:g} MB "
                "(limits.render_output_mb in inc.yaml)"
            )
        parts.append(chunk)
    return "".join(parts)
