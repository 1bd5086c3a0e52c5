"""Markdown structure on markdown-it-py: sections with line numbers, tasks, placeholders."""

from __future__ import annotations

import re
from functools import lru_cache

TYPE_CHECKING = False  # typing's flag without importing typing (``inc list`` reads tasks.md)
if TYPE_CHECKING:
    from markdown_it import MarkdownIt

PLACEHOLDER = "TODO(inc)"
# Filler a hurried team leaves instead of an answer (besides the template's own TODO(inc)).
_FILLER_RE = re.compile(
    r"TODO\(inc\)|\b(?:TBD|TBC|TODO|FIXME|XXX+|lorem(?:\s+ipsum)?)\b|\bT\.B\.[DC]\.?|\?{2,}"
    r"|(?<![\w/])N/A(?![\w/])|\bcoming soon\b"
    r"|\bto be (?:determined|decided|defined|confirmed|done|written|filled(?: in)?)\b",
    re.IGNORECASE,
)
# ``<...>``, ``<…>`` and ``<words with spaces>`` (not a URL, a tag with attributes, or a closing tag).
_ANGLE_RE = re.compile(r"<\s*(?:\.{2,}|…)\s*>|<(?![a-z][\w.+-]*:)[a-z][^<>=\n]*\s[^<>=\n/]*>", re.IGNORECASE)
_INLINE_CODE_RE = re.compile(r"`[^`\n]*`")
_WORD = re.compile(r"[^\W\d_]{2,}|\d")
# A list item or line whose label has nothing after its colon: ``- Sources:``.
_EMPTY_FIELD_RE = re.compile(
    r"^(?P<indent>\s*)(?:[-*+]\s+)?(?P<label>[A-Za-z][^:\n]{0,40}):[\s\-–—.…_*`'\"/]*$"
)
_TASK_RE = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s+(?:(?P<id>T-\d{3,})\s+)?(?P<text>.*)$")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)


class Section:
    """A heading and the lines up to the next heading of the same or higher level.

    A plain class (not a dataclass: ``dataclasses`` imports ``inspect``, ~10 ms of ``inc show``);
    compared and printed by its fields as a dataclass would be.
    """

    __slots__ = ("body", "children", "end_line", "level", "line", "title")
    _FIELDS = ("title", "level", "line", "end_line", "body", "children")

    def __init__(
        self,
        title: str,
        level: int,
        line: int,
        end_line: int,
        body: str,
        children: list[Section] | None = None,
    ) -> None:
        self.title = title
        self.level = level
        self.line = line  # 1-based line of the heading
        self.end_line = end_line  # 1-based last line of the section (inclusive)
        self.body = body
        self.children: list[Section] = [] if children is None else children

    def _key(self) -> tuple[object, ...]:
        return (self.title, self.level, self.line, self.end_line, self.body, self.children)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Section) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __repr__(self) -> str:
        return "Section(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS) + ")"

    @property
    def text(self) -> str:
        """The body without HTML comments, stripped."""
        return _COMMENT_RE.sub("", self.body).strip()

    @property
    def has_placeholder(self) -> bool:
        """True while a placeholder is left in the section or its subsections (see ``placeholder_in``)."""
        return self.placeholder_line() is not None

    @property
    def is_empty(self) -> bool:
        """True when nothing but headings, comments and punctuation (no word) is in the section."""
        lines = [ln for ln in self.text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        return not any(_WORD.search(line) for line in lines)

    def placeholder_line(self) -> int | None:
        """1-based line number of the first placeholder, if any."""
        found = self.placeholder()
        return found[0] if found else None

    def placeholder(self) -> tuple[int, str] | None:
        """(1-based line, marker) of the first placeholder or empty field, if any."""
        lines = _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), self.body).splitlines()
        fenced = _fence_lines(lines)
        for offset, text in enumerate(lines):
            marker = placeholder_in(text, code=offset in fenced) or _empty_field(lines, offset, fenced)
            if marker:
                return self.line + 1 + offset, marker
        return None


def placeholder_in(text: str, code: bool = False) -> str | None:
    """The placeholder in one line of text, if any: TODO(inc), TBD, TODO, FIXME, XXX, ??,
    lorem, N/A, or ``<...>`` (angle brackets only outside code)."""
    match = _FILLER_RE.search(text)
    if match:
        return match.group(0)
    if not code:
        angle = _ANGLE_RE.search(_INLINE_CODE_RE.sub("", text))
        if angle:
            return angle.group(0)
    return None


def _empty_field(lines: list[str], offset: int, fenced: set[int]) -> str | None:
    """``label:`` with no value, unless nested items follow it (``- Candidates:`` then a list)."""
    if offset in fenced or lines[offset].lstrip().startswith("#"):
        return None
    match = _EMPTY_FIELD_RE.match(lines[offset])
    if not match:
        return None
    indent = len(match["indent"])
    is_item = match.group(0).lstrip().startswith(("-", "*", "+"))
    empty = f"{match['label'].strip()}: (empty)"
    for later in lines[offset + 1 :]:
        if later.strip():
            deeper = len(later) - len(later.lstrip()) > indent
            starts_list = bool(re.match(r"\s*(?:[-*+]|\d+[.)])\s", later))
            return None if deeper or (starts_list and not is_item) else empty
    return empty


class Task:
    """A checklist item ``- [ ] T-001 text``: read-only, compared and hashed by its fields."""

    __slots__ = ("done", "id", "line", "text")
    id: str | None
    text: str
    done: bool
    line: int

    def __init__(self, id: str | None, text: str, done: bool, line: int) -> None:
        for name, value in (("id", id), ("text", text), ("done", done), ("line", line)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")  # frozen, as the dataclass was

    def _key(self) -> tuple[object, ...]:
        return (self.id, self.text, self.done, self.line)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Task) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Task(id={self.id!r}, text={self.text!r}, done={self.done!r}, line={self.line!r})"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
# Lines a plain line scan could misread: fences, quotes, raw HTML, setext underlines, indented
# or list-nested headings. A document with any of them goes through markdown-it.
_RISKY_LINE = re.compile(r"^(?: {0,3}(?:```|~~~|>|<|=+[ \t]*$|-+[ \t]*$)| {4,}#|\s*(?:[-*+]|\d+[.)])[ \t]+#)")


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
