"""A one-sided reader of flat YAML mappings (what ``inc new`` renders), without PyYAML.

:func:`read` returns what PyYAML's safe loader gives for ``text`` when every line has one of a
few plain forms it is sure of, and None otherwise; the caller then parses with PyYAML, which also
names the line of an error. Accepted lines:

- blank lines and comment lines (``#`` after optional spaces);
- ``key: value`` at the start of the line, ``key`` a lowercase identifier given once, the value
  followed by nothing or by spaces and a ``# comment``. A value is a double-quoted string in
  JSON's spelling with no escape but ``\\"`` and ``\\\\``; an integer without a leading zero; a
  decimal with digits on both sides of the point; ``null``; ``[]``; a date ``YYYY-MM-DD``; a word
  ``[A-Za-z][A-Za-z0-9_.@-]*`` other than YAML 1.1's booleans and nulls; or a flow mapping
  ``{key: scalar, ...}`` of those scalars (quoted strings, ``[]`` and mappings excepted).

Anything else (a character YAML reads specially or refuses, a tab, a byte-order mark, an indented
key, an anchor, a tag, a key given twice, no key at all, more nodes than the lowest
``limits.yaml_nodes``) gives None. A test checks against
PyYAML that whatever this accepts reads the same, for hostile strings too.
"""

from __future__ import annotations

import datetime as dt
import re

TYPE_CHECKING = False  # typing's flag without importing typing (``inc new`` imports this)
if TYPE_CHECKING:
    from typing import Any

_MAX_NODES = 999  # fewer than the lowest limits.yaml_nodes allowed (1,000): a larger file is PyYAML's
# What YAML's reader refuses or reads as a line break (NEL, LS, PS), the byte-order mark, tabs and
# CR: everything but "\n, \x20-\x7e, \xa0-\u2027, \u202a-\ud7ff, \ue000-\ufefe, \uff00-\ufffd, \U00010000-".
# The ASCII part is a regex; the rest is looked for only in non-ASCII text (compiling the whole
# class as one regex costs more than reading the file).
_UNSAFE_ASCII = re.compile("[\x00-\x09\x0b-\x1f\x7f]")
_UNSAFE_WIDE = frozenset([*map(chr, range(0x80, 0xA0)), "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff"])
_KEY = r"[a-z_][a-z0-9_]*"
_LINE = re.compile(rf"({_KEY}): +(.*)")
_COMMENT = re.compile(r" *(?:#.*)?")
_TAIL = re.compile(r"(?: +#.*| *)")  # YAML needs a space before a comment
_QUOTED = re.compile(r'"((?:[^"\\]|\\["\\])*)"')
_ESCAPE = re.compile(r'\\(["\\])')
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.@-]*")  # "@" starts no plain scalar, but may follow
_ENTRY = re.compile(rf" *({_KEY}): +([^ ,{{}}\[\]]+) *")
# YAML 1.1's booleans and nulls (PyYAML resolves these spellings; all cases refused here)
_SPECIAL = frozenset({"yes", "no", "true", "false", "on", "off", "null", "y", "n"})


class _Unsure(Exception):
    pass


def _scalar(text: str) -> Any:
    """A plain scalar (no quotes, no collections) as PyYAML resolves it."""
    if text == "null":
        return None
    if _INT.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text)
    date = _DATE.fullmatch(text)
    if date:
        try:
            return dt.date(int(date.group(1)), int(date.group(2)), int(date.group(3)))
        except ValueError:
            raise _Unsure from None  # PyYAML names the bad date
    if _WORD.fullmatch(text) and text.lower() not in _SPECIAL:
        return text
    raise _Unsure


def _flow_mapping(text: str) -> dict[str, Any]:
    if not (text.startswith("{") and text.endswith("}")) or len(text) < 3:
        raise _Unsure
    found: dict[str, Any] = {}
    for part in text[1:-1].split(","):
        entry = _ENTRY.fullmatch(part)
        if entry is None or entry.group(1) in found or entry.group(1) in _SPECIAL:
            raise _Unsure
        found[entry.group(1)] = _scalar(entry.group(2))
    return found


def _split(rest: str) -> tuple[str, str]:
    """(the value's text, what follows it on the line)."""
    if rest.startswith('"'):
        quoted = _QUOTED.match(rest)
        if quoted is None:
            raise _Unsure
        return quoted.group(), rest[quoted.end() :]
    end = rest.find("}") + 1 if rest.startswith("{") else rest.find(" ")
    return (rest, "") if end <= 0 else (rest[:end], rest[end:])


def _value(text: str) -> Any:
    if text.startswith('"'):
        return _ESCAPE.sub(r"\1", text[1:-1])
    if text == "[]":
        return []
    if text.startswith("{"):
        return _flow_mapping(text)
    return _scalar(text)


def _unsafe(text: str) -> bool:
    if _UNSAFE_ASCII.search(text):
        return True
    if text.isascii():
        return False
    return any(ch in _UNSAFE_WIDE or "\ud800" <= ch <= "\udfff" for ch in text if ch > "\x7e")


def read(text: str) -> dict[str, Any] | None:
    """The mapping PyYAML's safe loader reads from ``text``, or None when ``text`` is not plainly
    one of the flat forms above (parse it with PyYAML then)."""
    if _unsafe(text):
        return None
    found: dict[str, Any] = {}
    nodes = 1  # the mapping, then a key and a value per entry (as yaml composes them)
    try:
        for line in text.split("\n"):
            match = _LINE.fullmatch(line)
            if match is None:
                if _COMMENT.fullmatch(line) is None:
                    return None
                continue
            key = match.group(1)
            value, tail = _split(match.group(2))
            if key in found or key in _SPECIAL or not _TAIL.fullmatch(tail):
                return None
            found[key] = _value(value)
            nodes += 2 + 2 * len(found[key]) if type(found[key]) is dict else 2
            if nodes > _MAX_NODES:
                return None
    except _Unsure:
        return None
    return found or None
