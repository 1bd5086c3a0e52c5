"""The argv fast path: ``inc list``, ``show``, ``new`` and ``gate`` without importing click.

One-sided, like ``inc.fastcheck``: ``parse`` accepts only a plain subset of what the click
commands accept (known options as two tokens, choice values checked; no ``--opt=value``, no
``--``, no option given twice, no value or argument starting with ``-``, no ``--help`` or
``--version``; ``-C`` only naming a readable folder) and returns None for everything else,
which then goes through click (its parsing, its usage errors, its help). Both paths run the
same core call and the same printer (``inc.cli.text``).
"""

from __future__ import annotations

from inc.cli.text import GATE_FORMATS, STATUS_COLORS

_FORMATS = ("text", "json")
_STATUSES = tuple(STATUS_COLORS)  # the choices of ``inc list --status``
_GOALS = ("maximize", "minimize")


def _problems() -> tuple[str, ...]:
    from inc.metric_defaults import DEFAULT_METRICS

    return tuple(DEFAULT_METRICS)  # inc.scaffold.PROBLEMS, the choices of ``inc new --problem``


_FLAGS = {"gate": ("--changed", "--strict")}
# command -> (number of arguments (None: any), option -> allowed values (None: any text))
_GRAMMAR: dict[str, tuple[int | None, dict[str, tuple[str, ...] | None]]] = {
    "list": (0, {"--status": _STATUSES, "--format": _FORMATS}),
    "show": (1, {"--format": _FORMATS}),
    "new": (1, {"--format": _FORMATS, "--title": None, "--metric": None, "--goal": _GOALS, "--problem": ()}),
    "gate": (None, {"--format": GATE_FORMATS, "--base": None}),
}


class FastCommand:
    """A parsed plain invocation of ``list``, ``show``, ``new`` or ``gate``.

    A plain class (no ``dataclasses``: its import pulls in ``inspect``, ~10 ms of every command).
    """

    def __init__(
        self,
        name: str,
        arguments: list[str] | None = None,
        directory: str | None = None,  # -C
        options: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.arguments: list[str] = [] if arguments is None else arguments
        self.directory = directory
        self.options: dict[str, str] = {} if options is None else options

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FastCommand) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return (
            f"FastCommand(name={self.name!r}, arguments={self.arguments!r}, "
            f"directory={self.directory!r}, options={self.options!r})"
        )

    def option(self, name: str, default: str | None = None) -> str | None:
        """The value of ``--name`` (or ``default``)."""
        return self.options.get(name, default)

    def run(self) -> None:
        """Run the command as its click twin does (same core call, same printer)."""
        from pathlib import Path

        from inc.cli import text
        from inc.workspace import Workspace

        fmt = self.option("--format", "text")
        assert fmt is not None
        cwd = Path(self.directory).resolve() if self.directory else Path.cwd()  # as AppContext.create
        if self.name == "gate":
            from inc.gate.runner import run_gate

            ws = Workspace.discover(cwd)
            flags = self.options
            refs, base = self.arguments, self.option("--base")
            judged = run_gate(ws, refs, changed="--changed" in flags, base=base, strict="--strict" in flags)
            text.emit_gate(judged, fmt)
            text.gate_verdict(judged)
        elif self.name == "list":
            from inc.status import list_increments

            ws = Workspace.discover(cwd, cached=True)
            text.print_list(list_increments(ws, self.option("--status")), fmt)
        elif self.name == "show":
            from inc.status import show_increment

            ws = Workspace.discover(cwd, cached=True)
            text.print_show(show_increment(ws, self.arguments[0]), fmt)
        else:
            from inc.scaffold import new_increment

            ws = Workspace.discover(cwd)
            o = self.option
            title, problem, metric, goal = o("--title"), o("--problem"), o("--metric"), o("--goal")
            result = new_increment(ws, self.arguments[0], title, problem, metric, None, goal)
            text.print_new(ws, result, fmt)


def _readable_dir(path: str) -> bool:
    import os

    return bool(path) and not path.startswith("-") and os.path.isdir(path) and os.access(path, os.R_OK)


def parse(args: list[str]) -> FastCommand | None:
    """The fast command ``args`` ask for, or None when click must parse them."""
    rest = list(args)
    directory = None
    while rest and rest[0] in ("--debug", "-C", "--directory"):
        if rest[0] != "--debug":  # click checks the folder exists and is readable: else its error
            if directory is not None or len(rest) < 2 or not _readable_dir(rest[1]):
                return None
            directory = rest.pop(1)
        rest.pop(0)
    if not rest or rest[0] not in _GRAMMAR:
        return None
    name, tokens = rest[0], rest[1:]
    wanted, allowed = _GRAMMAR[name]
    command = FastCommand(name, directory=directory)
    i = 0
    while i < len(tokens):
        word = tokens[i]
        if not word.startswith("-"):
            command.arguments.append(word)
            i += 1
            continue
        if word in _FLAGS.get(name, ()) and word not in command.options:
            command.options[word] = ""
            i += 1
            continue
        if word not in allowed or word in command.options or i + 1 >= len(tokens):
            return None
        value = tokens[i + 1]
        choices = _problems() if word == "--problem" else allowed[word]
        if value.startswith("-") or (choices is not None and value not in choices):
            return None
        command.options[word] = value
        i += 2
    return command if wanted is None or len(command.arguments) == wanted else None
