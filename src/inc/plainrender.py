"""The packaged templates rendered without jinja2, byte for byte as jinja2 renders them.

Importing jinja2 costs more than everything else ``inc new`` does, and the packaged templates
use a small part of its language. This module renders that part with the settings of
``inc.templating``'s environment (``trim_blocks``, ``lstrip_blocks``, ``keep_trailing_newline``,
no autoescape, ``StrictUndefined``):

- ``{{ name }}`` and ``{{ "text" if name == "text" else "text" }}`` (also ``!=``);
- ``{% if %}``, ``{% elif %}``, ``{% else %}``, ``{% endif %}`` on ``name is none``,
  ``name is not none``, ``name == "text"`` and ``name != "text"``;
- ``-`` whitespace control on either side of a block tag.

It is one-sided: anything else (another tag, a filter, a comment, a ``+`` or ``{{-``, a name the
context lacks, a carriage return, an unbalanced ``if``) raises :class:`Unsupported` and the
caller renders with jinja2. A repository's own templates are never rendered here: they are
untrusted and always go through jinja2's budgeted sandbox (``inc.template_guard``). A test renders
every packaged template both ways for many contexts (hostile names and titles included) and
compares the bytes.
"""

from __future__ import annotations

import re

_TAG_START = re.compile(r"\{\{|\{%|\{#")
_WHITESPACE = re.compile(r"\s+")  # jinja2.lexer.whitespace_re: what lstrip_blocks removes
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_STRING = r"(?:\"[^\"\\\n]*\"|'[^'\\\n]*')"
_TEST = rf"(?P<name>{_NAME})\s+(?:is\s+(?P<negated>not\s+)?none|(?P<op>==|!=)\s*(?P<text>{_STRING}))"
_VARIABLE = re.compile(
    rf"\s*(?:(?P<plain>{_NAME})|(?P<yes>{_STRING})\s+if\s+{_TEST}\s+else\s+(?P<no>{_STRING}))\s*"
)
_BLOCK = re.compile(rf"\s*(?:(?P<keyword>if|elif)\s+{_TEST}|(?P<bare>else|endif))\s*")
# jinja2's literals and operators, never context names
_RESERVED = frozenset(
    {"true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is", "if", "else"}
)

TYPE_CHECKING = False  # typing's flag without importing typing (``inc new`` imports this)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Context = dict[str, Any]
    Test = Callable[[Context], bool]
    Node = Any  # str (data), an output function, or ("if", [(test, body)], else_body)


class Unsupported(Exception):
    """The template (or the context) is outside what this renderer is sure of: use jinja2."""


def _value(context: Context, name: str) -> Any:
    if name in _RESERVED or name not in context:
        raise Unsupported(name)  # jinja2's StrictUndefined raises the error to show
    return context[name]


def _test(match: re.Match[str]) -> Test:
    name, op, text = match.group("name"), match.group("op"), match.group("text")
    if op is None:
        negated = match.group("negated") is not None
        return lambda ctx: (_value(ctx, name) is None) != negated
    literal = text[1:-1]
    if op == "==":
        return lambda ctx: bool(_value(ctx, name) == literal)
    return lambda ctx: bool(_value(ctx, name) != literal)


def _output(inner: str) -> Callable[[Context], str]:
    match = _VARIABLE.fullmatch(inner)
    if match is None:
        raise Unsupported(inner)
    plain = match.group("plain")
    if plain is not None:
        return lambda ctx: str(_value(ctx, plain))
    test = _test(match)
    yes, no = match.group("yes")[1:-1], match.group("no")[1:-1]
    return lambda ctx: yes if test(ctx) else no


def _tokens(source: str) -> list[tuple[str, Any]]:
    """``("data", text)``, ``("output", function)`` and ``("block", match)`` in order, with
    jinja2's whitespace handling applied to the data."""
    if "\r" in source:
        raise Unsupported("carriage return")  # jinja2 rewrites line endings: not worth copying
    tokens: list[tuple[str, Any]] = []
    pos = 0
    line_starting = True  # jinja2's lexer: the last thing consumed ended a line
    while True:
        start = _TAG_START.search(source, pos)
        if start is None:
            tokens.append(("data", source[pos:]))
            return tokens
        kind, text, inner_start = start.group(), source[pos : start.start()], start.end()
        sign = source[inner_start : inner_start + 1]
        if kind == "{#" or sign == "+" or (kind == "{{" and sign == "-"):
            raise Unsupported(kind + sign)
        if sign == "-":
            text = text.rstrip()
            inner_start += 1
        elif kind == "{%":  # lstrip_blocks: spaces before a tag alone at the start of its line go
            l_pos = text.rfind("\n") + 1
            if (l_pos > 0 or line_starting) and _WHITESPACE.fullmatch(text, l_pos):
                text = text[:l_pos]
        tokens.append(("data", text))
        end = source.find("}}" if kind == "{{" else "%}", inner_start)
        if end < 0:
            raise Unsupported("unclosed tag")
        inner, pos = source[inner_start:end], end + 2
        if kind == "{{":
            if inner.endswith("-"):
                raise Unsupported("-}}")
            tokens.append(("output", _output(inner)))
            line_starting = False
            continue
        strip_after = inner.endswith("-")
        block = _BLOCK.fullmatch(inner[:-1] if strip_after else inner)
        if block is None:
            raise Unsupported(inner)
        tokens.append(("block", block))
        if strip_after:  # '-%}' eats every following whitespace character
            after = _WHITESPACE.match(source, pos)
            consumed = after.group() if after else ""
            pos += len(consumed)
            line_starting = consumed.endswith("\n")
        else:  # trim_blocks: one newline right after '%}' goes
            line_starting = source.startswith("\n", pos)
            pos += line_starting


def _parse(tokens: list[tuple[str, Any]], pos: int, closers: tuple[str, ...]) -> tuple[list[Node], int]:
    """Nodes from ``tokens[pos:]`` up to a block whose keyword is in ``closers``."""
    nodes: list[Node] = []
    while pos < len(tokens):
        kind, value = tokens[pos]
        if kind == "data":
            if value:
                nodes.append(value)
        elif kind == "output":
            nodes.append(value)
        else:
            keyword = value.group("keyword") or value.group("bare")
            if keyword in closers:
                return nodes, pos
            if keyword != "if":
                raise Unsupported(f"unexpected {keyword}")
            nodes.append(None)
            nodes[-1], pos = _parse_if(tokens, pos)
            continue
        pos += 1
    if closers:
        raise Unsupported("unclosed if")
    return nodes, pos


def _parse_if(tokens: list[tuple[str, Any]], pos: int) -> tuple[Node, int]:
    branches: list[tuple[Test, list[Node]]] = []
    otherwise: list[Node] = []
    test: Test | None = _test(tokens[pos][1])
    while True:
        body, pos = _parse(tokens, pos + 1, ("elif", "else", "endif"))
        block = tokens[pos][1]
        keyword = block.group("keyword") or block.group("bare")
        if test is None:  # the else branch: only endif may follow
            if keyword != "endif":
                raise Unsupported(f"{keyword} after else")
            otherwise = body
        else:
            branches.append((test, body))
        if keyword == "endif":
            return ("if", branches, otherwise), pos + 1
        test = _test(block) if keyword == "elif" else None


def _emit(nodes: list[Node], context: Context, out: list[str]) -> None:
    for node in nodes:
        if type(node) is str:
            out.append(node)
        elif type(node) is tuple:
            _, branches, otherwise = node
            for test, body in branches:
                if test(context):
                    _emit(body, context, out)
                    break
            else:
                _emit(otherwise, context, out)
        else:
            out.append(node(context))


def render_text(source: str, context: Context) -> str:
    """``source`` rendered with ``context`` as ``inc.templating``'s environment would render it;
    :class:`Unsupported` when the template or a value is outside this renderer's subset."""
    nodes, _ = _parse(_tokens(source), 0, ())
    out: list[str] = []
    _emit(nodes, context, out)
    return "".join(out)
