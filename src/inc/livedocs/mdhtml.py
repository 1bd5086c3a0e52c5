"""Markdown -> safe HTML for the static site (markdown-it-py, commonmark + tables).

- raw HTML in the sources is escaped (``html=False``), never passed through;
- links: ``http``/``https``/``mailto`` kept (opened without referrer); ``#anchors`` kept;
  relative links resolved against the source file and rewritten to the site page they map to
  (``.md`` -> ``.html``); anything else (``javascript:``, ``data:``, absolute paths, files outside
  the site) becomes plain text, so no link on a page can 404 or run code;
- images: only files inside the site (copied next to the pages); remote images are not fetched;
- headings get GitHub-style anchors; ``- [ ]`` / ``- [x]`` list items get disabled checkboxes.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from inc.livedocs.fmt import rel

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

Resolver = Callable[[str, bool], "str | None"]  # (workspace path, is_image) -> site path or None
SAFE_SCHEMES = ("http", "https", "mailto")
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)
_TASK = re.compile(r"^\[([ xX])\][ \t]")


@lru_cache(maxsize=2)
def parser(plain: bool = False) -> MarkdownIt:
    """The shared parser: commonmark, raw HTML off, tables and strikethrough on.

    ``plain``: the same parser without the table and strikethrough rules, for a text with no
    ``|`` and no ``~`` (those rules cannot match it, and the table rule is tried on every line).
    """
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    return md if plain else md.enable(["table", "strikethrough"])


@dataclass
class Rendered:
    """One page's HTML body, its title (first heading) and anchors."""

    body: str
    title: str
    anchors: list[str] = field(default_factory=list)


def anchor(text: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    return _SLUG_DROP.sub("", text.strip().lower()).replace(" ", "-")


def _token(kind: str, content: str) -> Token:
    from markdown_it.token import Token

    return Token(kind, "", 0, content=content)


def rewrite(href: str, src_dir: str, page_dir: str, resolve: Resolver, image: bool) -> str | None:
    """The site URL for ``href`` written in a file in ``src_dir``; None when it must go."""
    if not href:
        return None
    if href.startswith("#"):
        return None if image else href
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("/", "\\")):
        web = parts.scheme.lower() in SAFE_SCHEMES and (parts.netloc or parts.scheme == "mailto")
        if image or not web:
            return None
        return href
    path = unquote(parts.path)
    if not path:
        return None
    target = posixpath.normpath(posixpath.join(src_dir, path))
    if target == ".." or target.startswith("../") or target.startswith("/"):
        return None
    site = resolve(target, image)
    if site is None:
        return None
    url = quote(rel(page_dir, site))
    if parts.fragment and not image:
        url += "#" + quote(parts.fragment, safe="-_.~")
    return url


def _text_of(token: Token) -> str:
    return "".join(child.content for child in token.children or [] if child.type in ("text", "code_inline"))


class _Page:
    """Token rewriting for one page."""

    def __init__(self, src_dir: str, page_dir: str, resolve: Resolver) -> None:
        self.src_dir = src_dir
        self.page_dir = page_dir
        self.resolve = resolve
        self.seen: dict[str, int] = {}
        self.anchors: list[str] = []
        self.title = ""

    def heading(self, opening: Token, inline: Token) -> None:
        text = _text_of(inline)
        if not self.title and opening.tag == "h1":
            self.title = text
        base = anchor(text) or "section"
        count = self.seen.get(base, 0)
        self.seen[base] = count + 1
        slug = base if count == 0 else f"{base}-{count}"
        opening.attrSet("id", slug)
        self.anchors.append(slug)

    def inline(self, inline: Token) -> None:
        out: list[Token] = []
        neutral = False
        for child in inline.children or []:
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                url = rewrite(href, self.src_dir, self.page_dir, self.resolve, False)
                if url is None:
                    neutral = True
                    title = html.escape(f"link removed: {child.attrGet('href') or ''}", quote=True)
                    out.append(_token("html_inline", f'<span class="removed-link" title="{title}">'))
                    continue
                child.attrSet("href", url)
                if "://" in url or url.startswith("mailto:"):
                    child.attrSet("rel", "noopener noreferrer")
            elif child.type == "link_close" and neutral:
                neutral = False
                out.append(_token("html_inline", "</span>"))
                continue
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                url = rewrite(src, self.src_dir, self.page_dir, self.resolve, True)
                if url is None:
                    out.append(_token("text", f"[image not included: {child.content or src}]"))
                    continue
                child.attrSet("src", url)
            out.append(child)
        inline.children = out

    def task(self, tokens: list[Token], index: int) -> None:
        inline = tokens[index]
        children = inline.children or []
        if not children or children[0].type != "text":
            return
        match = _TASK.match(children[0].content)
        if not match:
            return
        children[0].content = children[0].content[match.end() :]
        checked = " checked" if match.group(1) != " " else ""
        box = _token("html_inline", f'<input type="checkbox" disabled{checked}> ')
        inline.children = [box, *children]
        tokens[index - 2].attrJoin("class", "task-list-item")


def render(text: str, src_path: str, site_path: str, resolve: Resolver) -> Rendered:
    """Render markdown from workspace file ``src_path`` as the site page ``site_path``."""
    md = parser(plain="|" not in text and "~" not in text)
    tokens = md.parse(text)
    page = _Page(posixpath.dirname(src_path), posixpath.dirname(site_path), resolve)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            page.heading(token, tokens[index + 1])
        elif token.type == "inline":
            page.inline(token)
            if (
                index >= 2
                and tokens[index - 1].type == "paragraph_open"
                and tokens[index - 2].type == "list_item_open"
            ):
                page.task(tokens, index)
    body = md.renderer.render(tokens, md.options, {})
    return Rendered(body, page.title, page.anchors)
