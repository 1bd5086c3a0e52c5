"""Locale-independent formatting for the living docs: fixed float formats, safe table cells."""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from inc.comparison import num as comparison_num
from inc.comparison import pct as comparison_pct

DASH = "–"
_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


_NUMS: dict[tuple[float, int], str] = {}


def num(value: float | None, digits: int = 4) -> str:
    """A metric value with a fixed number of decimals (never locale-formatted, never ``-0``).

    Remembered per (value, digits): equal numbers (``1``, ``1.0``, ``-0.0`` and ``0.0``) print the
    same text, and a build formats the same few values tens of thousands of times.
    """
    if value is None:
        return DASH
    key = (value, digits)
    text = _NUMS.get(key)
    if text is None:
        text = comparison_num(value, digits)
        if len(_NUMS) < 65536:
            _NUMS[key] = text
    return text


def pct(value: float | None) -> str:
    """A signed percentage with one decimal, e.g. ``+12.5%`` (``inc.comparison.pct``, as the gate prints)."""
    return DASH if value is None else comparison_pct(value)


def ms(value: float | None) -> str:
    """Milliseconds with two decimals."""
    return DASH if value is None else f"{value:.2f} ms"


def cell(text: object) -> str:
    """Text that is safe inside a markdown table cell: one line, pipes escaped."""
    value = " ".join(str(text).split())
    return value.replace("\\", "\\\\").replace("|", "\\|") or DASH


def inline(text: object) -> str:
    """One line of text with markdown link/emphasis characters kept but newlines folded."""
    return " ".join(str(text).split())


def demote(text: str, top: int) -> str:
    """Shift ATX headings in ``text`` so the highest one is at level ``top`` (outside fences)."""
    lines = text.splitlines()
    levels = []
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (match := _HEADING.match(line)):
            levels.append(len(match.group(2)))
    if not levels or min(levels) >= top:
        return text
    shift = top - min(levels)
    out = []
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (match := _HEADING.match(line)):
            level = min(6, len(match.group(2)) + shift)
            line = match.group(1) + "#" * level + line[match.end() :]
        out.append(line)
    return "\n".join(out)


@lru_cache(maxsize=4096)
def _parts(path: str) -> tuple[str, ...]:
    return tuple(part for part in posixpath.normpath(path).split("/") if part not in ("", "."))


def rel(from_dir: str, target: str) -> str:
    """A POSIX relative link from folder ``from_dir`` to ``target`` (both workspace-relative).

    Pure string work (``posixpath.relpath`` calls ``abspath`` twice, tens of thousands of times).
    """
    start, goal = _parts(from_dir), _parts(target)
    common = 0
    for a, b in zip(start, goal, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + list(goal[common:])) or "."
