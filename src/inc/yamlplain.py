"""A reader for the plain YAML inc writes, without importing PyYAML (one-sided).

Importing PyYAML costs about as much as Python's own start, more than the gate spends reading
an increment's three YAML files. The files inc writes (``inc.yaml``, ``increment.yaml``,
``monitoring.yaml``) use a small part of YAML: block mappings and sequences, one-line flow
collections, plain and quoted scalars, comments. :func:`read` parses exactly that part and
gives what ``yaml.safe_load`` gives; anything else (anchors, aliases, tags, block scalars,
multi-line scalars, a key given twice, a scalar whose type it does not decide with certainty
such as ``yes``, ``1e3``, ``0x1F`` or ``012``) raises :class:`Unsure`, and the caller parses
with PyYAML, which reads it or names the line at fault.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache, lru_cache
from typing import Any


class Unsure(Exception):
    """The text is not surely read here as PyYAML reads it."""


_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
# PyYAML's implicit resolvers (yaml/resolver.py, MIT licence), in its order, with the first
# characters each applies to: a plain scalar that matches none of them is text; one that matches
# is built here only in its simplest form. Compiled on first use (most values start with a letter
# no resolver applies to).
_RESOLVERS: list[tuple[str, str, str, int]] = [
    (
        "bool",
        "yYnNtTfFoO",
        r"(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)\Z",
        0,
    ),
    (
        "float",
        "-+0123456789.",
        r"""(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
        |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
        |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))\Z""",
        re.X,
    ),
    (
        "int",
        "-+0123456789",
        r"""(?:[-+]?0b[0-1_]+
        |[-+]?0[0-7_]+
        |[-+]?(?:0|[1-9][0-9_]*)
        |[-+]?0x[0-9a-fA-F_]+
        |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)\Z""",
        re.X,
    ),
    ("merge", "<", r"<<\Z", 0),
    ("null", "~nN", r"(?:~|null|Null|NULL)\Z", 0),
    (
        "timestamp",
        "0123456789",
        r"""(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
         (?:[Tt]|[ \t]+)[0-9][0-9]?
         :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
         (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\Z""",
        re.X,
    ),
    ("value", "=", r"=\Z", 0),
]


@cache
def _resolvers(first: str) -> list[tuple[str, re.Pattern[str]]]:
    """The resolvers that apply to a scalar starting with ``first``, compiled."""
    return [
        (tag, re.compile(pattern, flags)) for tag, firsts, pattern, flags in _RESOLVERS if first in firsts
    ]


_SIMPLE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_SIMPLE_FLOAT = re.compile(r"(?:[-+]?[0-9]+\.[0-9]*|\.[0-9]+)\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_FLOW_INDICATORS = re.compile(r"[,\[\]{}]")
_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
# What PyYAML's reader refuses ("unacceptable character"), and what it reads as a line break
# (NEL, LS, PS) or skips (the byte-order mark): such a file is left to it. Non-ASCII text is
# checked character by character (compiling the whole Unicode class costs more than the file).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WIDE_REFUSED = frozenset("\u2028\u2029\ufeff")


_WIDE = re.compile("[^\x00-\x7f]")


def _printable(text: str) -> bool:
    if _CONTROL.search(text):
        return False
    return all(
        (ch not in _WIDE_REFUSED and ("\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd"))
        or ch >= "\U00010000"
        for ch in set(_WIDE.findall(text))
    )


MAX_TEXT = 65_536  # longer files (never written by inc) are left to PyYAML and its node limit


def read(text: str, max_nodes: int) -> Any:
    """``text`` parsed as ``yaml.safe_load`` would; :class:`Unsure` when not surely so, or when
    it holds more than ``max_nodes`` nodes (PyYAML's reading names the limit)."""
    if len(text) > MAX_TEXT or "\t" in text or "\r" in text or not _printable(text):
        raise Unsure
    lines = _lines(text)
    if not lines:
        return None
    try:
        value, end = _block(lines, 0, lines[0][0])
    except RecursionError:
        raise Unsure from None
    if end != len(lines):
        raise Unsure  # text left at a smaller indent than the first line's
    if _nodes(value) > max_nodes:
        raise Unsure
    return value


def _nodes(value: Any) -> int:
    """Nodes as PyYAML counts them: one per scalar and collection, keys included."""
    if isinstance(value, dict):
        return 1 + sum(1 + _nodes(item) for item in value.values())
    if isinstance(value, list):
        return 1 + sum(_nodes(item) for item in value)
    return 1


def _lines(text: str) -> list[tuple[int, str]]:
    """(indent, content) of each line that holds more than a comment."""
    out = []
    for raw in text.split("\n"):
        stripped = raw.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(("---", "...", "%")):
            raise Unsure
        out.append((len(raw) - len(stripped), stripped.rstrip(" ")))
    return out


def _block(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[Any, int]:
    """The block node starting at line ``i``, whose lines sit at ``indent``; and the next line."""
    content = lines[i][1]
    if content == "-" or content.startswith("- "):
        return _sequence(lines, i, indent)
    return _mapping(lines, i, indent)


def _sequence(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[list[Any], int]:
    items = []
    while i < len(lines) and lines[i][0] == indent and (lines[i][1] == "-" or lines[i][1].startswith("- ")):
        rest = lines[i][1][1:]
        inner = len(rest) - len(rest.lstrip(" "))
        rest = rest.lstrip(" ")
        if not rest:
            value, i = _nested(lines, i + 1, indent, allow_same=False)
        elif rest.startswith("- ") or _is_pair(rest):
            # "- key: value": a mapping (or sequence) whose first line starts after the dash
            lines[i] = (indent + 1 + inner, rest)
            value, i = _block(lines, i, indent + 1 + inner)
        else:
            value, i = _value(rest), i + 1
            _end(lines, i, indent)  # nothing deeper: no multi-line scalar
        items.append(value)
    return items, _end(lines, i, indent)


def _mapping(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent:
        content = lines[i][1]
        if content == "-" or content.startswith("- "):
            raise Unsure
        key, rest = _split_pair(content)
        if key in out:
            raise Unsure  # PyYAML's reading names both lines
        if rest:
            out[key], i = _value(rest), i + 1
            _end(lines, i, indent)  # nothing deeper: no multi-line scalar
        else:
            out[key], i = _nested(lines, i + 1, indent, allow_same=True)
    return out, _end(lines, i, indent)


def _nested(lines: list[tuple[int, str]], i: int, indent: int, allow_same: bool) -> tuple[Any, int]:
    """The value of a key (or dash) with nothing after it: a deeper block, or null."""
    if i < len(lines) and lines[i][0] > indent:
        return _block(lines, i, lines[i][0])
    if allow_same and i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
        return _sequence(lines, i, indent)  # "key:" then "- item" at the key's own indent
    return None, i


def _end(lines: list[tuple[int, str]], i: int, indent: int) -> int:
    """``i`` when the next line is not deeper than ``indent``: a deeper one is a multi-line
    scalar or a structure PyYAML reads its own way."""
    if i < len(lines) and lines[i][0] > indent:
        raise Unsure
    return i


def _is_pair(text: str) -> bool:
    try:
        _split_pair(text)
    except Unsure:
        return False
    return True


def _split_pair(text: str) -> tuple[str, str]:
    key, sep, rest = text.partition(":")
    if not sep or (rest and not rest.startswith(" ")) or not _KEY.match(key) or _plain(key, True) != key:
        raise Unsure  # a key PyYAML would not read as this text (``yes``, ``null``...)
    return key, rest.strip(" ")


def _value(text: str) -> Any:
    """A scalar or a one-line flow collection, with its trailing comment removed."""
    if text[0] in "[{":
        value, end = _flow(text, 0)
        _comment_only(text[end:])
        return value
    if text[0] in "'\"":
        value, end = _quoted(text, 0)
        _comment_only(text[end:])
        return value
    cut = text.find(" #")
    plain = (text if cut < 0 else text[:cut]).rstrip(" ")
    return _plain(plain, flow=False)


def _comment_only(rest: str) -> None:
    """After a quoted or flow value: nothing, or a comment separated by a space."""
    if rest and not (rest.startswith(" ") and rest.lstrip(" ").startswith("#")):
        raise Unsure


def _quoted(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    if quote == '"':
        end = text.find('"', start + 1)
        if end < 0 or "\\" in text[start + 1 : end]:
            raise Unsure
        return text[start + 1 : end], end + 1
    parts, i = [], start + 1
    while True:
        end = text.find("'", i)
        if end < 0:
            raise Unsure
        parts.append(text[i:end])
        if text.startswith("''", end):
            parts.append("'")
            i = end + 2
            continue
        return "".join(parts), end + 1


@lru_cache(maxsize=4096)  # keys and many values repeat from file to file; the results are immutable
def _plain(text: str, flow: bool) -> Any:
    if text and (text[0] in _INDICATORS or ": " in text or text.endswith(":")):
        raise Unsure
    if flow and _FLOW_INDICATORS.search(text):
        raise Unsure
    if not text:
        return None  # the empty plain scalar is null
    for tag, regex in _resolvers(text[0]):
        if regex.match(text):
            return _construct(tag, text)
    return text


def _construct(tag: str, text: str) -> Any:
    """The value PyYAML builds for a resolved plain scalar, for the simple forms; else Unsure."""
    if tag == "null":
        return None
    if tag == "bool":
        return text.lower() in ("yes", "true", "on")
    if tag == "int" and _SIMPLE_INT.match(text):
        return int(text)
    if tag == "float" and _SIMPLE_FLOAT.match(text):
        return float(text)
    if tag == "timestamp" and _DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise Unsure from None
    raise Unsure


def _flow(text: str, i: int) -> tuple[Any, int]:
    """A flow mapping or sequence starting at ``text[i]``; (value, index after it)."""
    closing = "}" if text[i] == "{" else "]"
    mapping: dict[str, Any] = {}
    items: list[Any] = []
    i = _skip(text, i + 1)
    if text.startswith(closing, i):
        return (mapping if closing == "}" else items), i + 1
    while True:
        if closing == "}":
            key_end = text.find(":", i)
            if key_end < 0:
                raise Unsure
            key = text[i:key_end].strip(" ")
            if not _KEY.match(key) or _plain(key, True) != key or key in mapping:
                raise Unsure
            if not text.startswith(" ", key_end + 1):
                raise Unsure
            value, i = _flow_item(text, _skip(text, key_end + 1))
            mapping[key] = value
        else:
            value, i = _flow_item(text, i)
            items.append(value)
        i = _skip(text, i)
        if text.startswith(closing, i):
            return (mapping if closing == "}" else items), i + 1
        if not text.startswith(",", i):
            raise Unsure
        i = _skip(text, i + 1)
        if text.startswith(closing, i):
            raise Unsure  # a trailing comma: left to PyYAML


def _flow_item(text: str, i: int) -> tuple[Any, int]:
    if i >= len(text):
        raise Unsure
    if text[i] in "[{":
        return _flow(text, i)
    if text[i] in "'\"":
        return _quoted(text, i)
    end = i
    while end < len(text) and text[end] not in ",]}":
        end += 1
    raw = text[i:end].rstrip(" ")
    if not raw or "#" in raw or ":" in raw:
        raise Unsure
    return _plain(raw, flow=True), end


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] == " ":
        i += 1
    return i
