"""Markdown structure on markdown-it-py: sections with line numbers, tasks, placeholders."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

PLACEHOLDER = "TODO(inc)"
_TASK_RE = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s+(?:(?P<id>T-\d{3,})\s+)?(?P<text>.*)$")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass
class Section:
    """A heading and the lines up to the next heading of the same or higher level."""

    title: str
    level: int
    line: int  # 1-based line of the heading
    end_line: int  # 1-based last line of the section (inclusive)
    body: str
    children: list[Section] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The body without HTML comments, stripped."""
        return _COMMENT_RE.sub("", self.body).strip()

    @property
    def has_placeholder(self) -> bool:
        """True while a template placeholder is left in the section (or its subsections)."""
        return PLACEHOLDER in self.body

    @property
    def is_empty(self) -> bool:
        """True when nothing but headings and comments is in the section."""
        lines = [ln for ln in self.text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        return not lines

    def placeholder_line(self) -> int | None:
        """1-based line number of the first placeholder, if any."""
        for offset, text in enumerate(self.body.splitlines()):
            if PLACEHOLDER in text:
                return self.line + 1 + offset
        return None


@dataclass(frozen=True)
class Task:
    """A checklist item ``- [ ] T-001 text``."""

    id: str | None
    text: str
    done: bool
    line: int


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
# Lines a plain line scan could misread: fences, quotes, raw HTML, setext underlines, indented
# or list-nested headings. A document with any of them goes through markdown-it.
_RISKY_LINE = re.compile(
    r"^(?: {0,3}(?:```|~~~|>|<|=+[ \t]*$|-+[ \t]*$)| {4,}#|\s*(?:[-*+]|\d+[.)])[ \t]+#)"
)


def parse_sections(text: str) -> list[Section]:
    """Every heading as a flat list of sections, in document order, with 1-based lines.

    Plain documents (ATX headings, paragraphs, lists: the templates and most filled-in
    specs) are split with a line scan that gives exactly what markdown-it gives; anything
    the scan could misread goes through markdown-it. A full parse costs ~0.5 ms a page,
    most of the docs budget at 1,000 increments.
    """
    lines = text.splitlines()
    if any("\t" in line or _RISKY_LINE.match(line) for line in lines):
        return sections_markdown_it(text)
    heads: list[tuple[int, int, str]] = []
    for number, line in enumerate(lines):
        match = _ATX.match(line)
        if match:
            heads.append((number, len(match.group(1)), _CLOSING.sub("", match.group(2) or "").strip()))
    return _sections_from_heads(lines, heads)


def sections_markdown_it(text: str) -> list[Section]:
    """``parse_sections`` through a full markdown-it-py parse (any CommonMark document)."""
    tokens = _parser().parse(text)
    lines = text.splitlines()
    heads: list[tuple[int, int, str]] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            title = tokens[index + 1].content.strip()
            heads.append((token.map[0], int(token.tag[1]), title))
    return _sections_from_heads(lines, heads)


def _sections_from_heads(lines: list[str], heads: list[tuple[int, int, str]]) -> list[Section]:
    sections: list[Section] = []
    for pos, (start, level, title) in enumerate(heads):
        end = len(lines)
        for later_start, later_level, _ in heads[pos + 1 :]:
            if later_level <= level:
                end = later_start
                break
        body = "\n".join(lines[start + 1 : end])
        sections.append(Section(title, level, start + 1, max(end, start + 1), body))
    return sections


@lru_cache(maxsize=4096)  # the same template titles come back in every increment
def _norm(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def find_section(sections: list[Section], title: str) -> Section | None:
    """The first section whose normalised title starts with the normalised ``title``."""
    wanted = _norm(title)
    for section in sections:
        if _norm(section.title).startswith(wanted):
            return section
    return None


def _fence_lines(lines: list[str]) -> set[int]:
    """0-based numbers of lines inside fenced code blocks (``` or ~~~), fences included."""
    inside: set[int] = set()
    fence: str | None = None
    for number, line in enumerate(lines):
        stripped = line.lstrip()
        marker = stripped[:3]
        if fence is None and marker in ("```", "~~~") and len(line) - len(stripped) < 4:
            fence = marker
            inside.add(number)
        elif fence is not None:
            inside.add(number)
            if stripped.startswith(fence) and not stripped.strip(fence[0]).strip():
                fence = None
    return inside


def parse_tasks(text: str) -> list[Task]:
    """Checklist items outside fenced code blocks, with their ids and 1-based lines.

    A line scan rather than a markdown-it parse: ``inc list`` reads every tasks.md and this
    keeps markdown-it off that path.
    """
    lines = text.splitlines()
    code_lines = _fence_lines(lines)
    tasks = []
    for number, line in enumerate(lines):
        if number in code_lines:
            continue
        match = _TASK_RE.match(line)
        if match:
            tasks.append(Task(match["id"], match["text"].strip(), match["mark"] != " ", number + 1))
    return tasks


def set_task_done(text: str, task_id: str, done: bool = True) -> str:
    """Return ``text`` with the checkbox of ``task_id`` set."""
    out = []
    for line in text.splitlines(keepends=True):
        match = _TASK_RE.match(line.rstrip("\n"))
        if match and match["id"] == task_id:
            start, end = match.span("mark")
            line = line[:start] + ("x" if done else " ") + line[end:]
        out.append(line)
    return "".join(out)
