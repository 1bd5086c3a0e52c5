"""Surgical edits of a YAML mapping's top-level keys that keep the file's comments and key order.

``inc choose``, ``inc done`` and ``inc unlink`` change one or two keys of increment.yaml, a file
people comment by hand. Instead of re-dumping the whole mapping (which drops every comment), the
lines of each changed key are replaced in place; a key the file lacks is appended at the end.
The caller checks the result parses back to what it wanted (``edit_or_dump`` does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

_KEY_RE = re.compile(r"^([A-Za-z_][\w.-]*)\s*:(.*)$")
_COMMENT_RE = re.compile(r"\s+#.*$")
_MISSING = object()


def _scalars_only(value: Any) -> bool:
    if isinstance(value, dict):
        return all(not isinstance(v, dict | list) for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value)
    return True


def _render(key: str, value: Any) -> list[str]:
    """``key: value`` as YAML lines: collections of scalars inline (``model: {name: x, version:
    '1'}``, as the template writes ``metric:``), deeper ones (waivers) as blocks."""
    options: dict[str, Any] = {"sort_keys": False, "allow_unicode": True, "width": 10_000}
    if isinstance(value, dict | list) and _scalars_only(value):
        return [f"{key}: {yaml.safe_dump(value, default_flow_style=True, **options).strip()}"]
    return yaml.safe_dump({key: value}, default_flow_style=False, **options).rstrip("\n").split("\n")


def _inline_comment(rest: str) -> str:
    """The ``# comment`` after a scalar value on a key's line ('' when none or when unsure)."""
    if rest.count('"') % 2 or rest.count("'") % 2:
        return ""
    match = _COMMENT_RE.search(rest)
    if match is None:
        return ""
    before = rest[: match.start()]
    if before.count('"') % 2 or before.count("'") % 2:
        return ""
    return match.group(0).strip()


def _blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Top-level key -> (first line, end line exclusive) of its value, continuation lines included."""
    starts = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _KEY_RE.match(line))]
    found: dict[str, tuple[int, int]] = {}
    for index, (start, key) in enumerate(starts):
        limit = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        end = start + 1
        for i in range(start + 1, limit):
            line = lines[i]
            if line.startswith((" ", "\t", "- ")) or line == "-":
                end = i + 1
            elif line.strip() and not line.startswith("#"):
                end = i + 1  # a continuation we do not understand: replace it with the key
        found.setdefault(key, (start, end))
    return found


def edit_keys(text: str, updates: dict[str, Any]) -> str:
    """``text`` with each top-level key of ``updates`` set to its value; other lines untouched."""
    lines = text.split("\n")
    trailing_newline = text.endswith("\n")
    if trailing_newline:
        lines = lines[:-1]
    blocks = _blocks(lines)
    # Replace from the bottom so earlier line numbers stay valid.
    for key in sorted((k for k in updates if k in blocks), key=lambda k: -blocks[k][0]):
        start, end = blocks[key]
        new = _render(key, updates[key])
        match = _KEY_RE.match(lines[start])
        comment = _inline_comment(match.group(2)) if match else ""
        if comment:
            pad = " " * max(1, 27 - len(new[0])) if len(new) == 1 else " "
            new[0] = f"{new[0]}{pad}{comment}"
        lines[start:end] = new
    for key in updates:
        if key not in blocks:
            lines.extend(_render(key, updates[key]))
    return "\n".join(lines) + ("\n" if trailing_newline or not lines else "")


def changed_keys(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``wanted`` whose value differs from ``current`` (missing counts as different)."""
    return {k: v for k, v in wanted.items() if current.get(k, _MISSING) != v}


def edit_or_dump(
    text: str | None,
    current: dict[str, Any],
    wanted: dict[str, Any],
    reparse: Callable[[str], dict[str, Any]],
    dump: Callable[[dict[str, Any]], str],
) -> str:
    """The new file text: ``text`` edited surgically when it re-parses to ``wanted``, else a dump.

    ``current`` is what ``text`` holds (normalised the way ``wanted`` is); ``reparse`` turns a text
    back into that normalised form. A key the file has but ``wanted`` lacks forces a full dump.
    """
    if text is None or any(k not in wanted for k in current):
        return dump(wanted)
    updates = changed_keys(current, wanted)
    if not updates:
        return text
    edited = edit_keys(text, updates)
    try:
        if reparse(edited) == wanted:
            return edited
    except Exception:  # noqa: S110 - any failure to read the edit back falls back to a whole rewrite
        pass
    return dump(wanted)
