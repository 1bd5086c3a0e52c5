"""Fast paths for ``inc.markdown.parse_sections`` / ``parse_tasks`` on plain documents.

A full markdown-it parse costs ~0.5 ms per page; at 1,000 increments and three documents each
that is most of the docs budget. Documents that only use ATX headings, paragraphs and lists (the
templates, and most filled-in specs) are split with a line scanner that gives exactly the same
result; anything the scanner could misread (code fences, block quotes, raw HTML, setext
underlines, indented tasks) falls back to the markdown-it parser.
"""

from __future__ import annotations

import re

from inc.markdown import Section, Task, parse_sections, parse_tasks

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_RISKY_LINE = re.compile(
    r"^(?: {0,3}(?:```|~~~|>|<|=+[ \t]*$|-+[ \t]*$)| {4,}#|\s*(?:[-*+]|\d+[.)])[ \t]+#)"
)
_TASK = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s+(?:(?P<id>T-\d{3,})\s+)?(?P<text>.*)$")
_TASK_CODE_RISK = re.compile(r"```|~~~|^(?: {4}|\t)", re.MULTILINE)


def _needs_full_parse(lines: list[str]) -> bool:
    for line in lines:
        if "\t" in line:
            return True
        if _RISKY_LINE.match(line):
            return True
    return False


def _heading(line: str) -> tuple[int, str] | None:
    match = _ATX.match(line)
    if not match:
        return None
    content = match.group(2) or ""
    content = _CLOSING.sub("", content).strip()
    return len(match.group(1)), content


def sections(text: str) -> list[Section]:
    """The same list ``inc.markdown.parse_sections(text)`` returns, faster on plain documents."""
    lines = text.splitlines()
    if _needs_full_parse(lines):
        return parse_sections(text)
    heads: list[tuple[int, int, str]] = []
    for number, line in enumerate(lines):
        found = _heading(line)
        if found is not None:
            heads.append((number, found[0], found[1]))
    result: list[Section] = []
    for pos, (start, level, title) in enumerate(heads):
        end = len(lines)
        for later_start, later_level, _ in heads[pos + 1 :]:
            if later_level <= level:
                end = later_start
                break
        body = "\n".join(lines[start + 1 : end])
        result.append(Section(title, level, start + 1, max(end, start + 1), body))
    return result


def tasks(text: str) -> list[Task]:
    """The same list ``inc.markdown.parse_tasks(text)`` returns, faster without code blocks."""
    if _TASK_CODE_RISK.search(text):
        return parse_tasks(text)
    found = []
    for number, line in enumerate(text.splitlines()):
        match = _TASK.match(line)
        if match:
            found.append(Task(match["id"], match["text"].strip(), match["mark"] != " ", number + 1))
    return found
