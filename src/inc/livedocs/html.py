"""``inc docs --html DIR``: the living docs, each increment's spec/plan/tasks and plots as a site.

Layout of DIR (relative links only, so it works from ``file://`` and from any web server):

```
index.html                    living-docs/README.md
models.html, decisions.html, CHANGELOG.html
increments/NNNN-slug.html     model cards;   runbooks/NNNN-slug.html   runbooks
sources/NNNN-slug/spec.html   plan.html, tasks.html, and copied evidence (plots, JSON, YAML)
```

No network fetches (inline CSS, no scripts, a Content-Security-Policy that forbids scripts and
remote resources). DIR must be empty or a site built earlier (a ``.inc-site`` manifest lists
the files it owns; only those are ever replaced or removed).
"""

from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inc import limits
from inc.errors import InternalError, UserError
from inc.fsutil import atomic_write_bytes, ensure_inside, same_bytes
from inc.livedocs import fmt, mdhtml, sitepool
from inc.livedocs.build import (
    OVERRIDE_HINT,
    PER_INCREMENT,
    TOP_PAGES,
    collect_all,
    docs_environment,
    fewer_collections,
    layout_of,
    render_pages,
)
from inc.livedocs.views import Layout
from inc.livedocs.writes import write_files
from inc.templating import render_template, template_errors
from inc.workspace import Workspace

MANIFEST = ".inc-site"
SITE_TEMPLATE = "docs/site.html.j2"
SOURCE_DOCS = ("spec.md", "plan.md", "tasks.md")
COPYABLE = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".json", ".yaml", ".yml", ".txt", ".csv")
TEXT_AS_TXT = (".json", ".yaml", ".yml", ".csv")


@dataclass
class SiteResult:
    """What ``build_site`` produced; paths are relative to ``root``."""

    root: Path
    pages: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Machine-readable summary."""
        return {
            "root": str(self.root),
            "pages": self.pages,
            "assets": self.assets,
            "written": self.written,
            "removed": self.removed,
        }


class SiteMap:
    """Workspace paths -> site paths, and the evidence files the pages link to."""

    def __init__(self, ws: Workspace, layout: Layout, names: list[str]) -> None:
        self.ws = ws
        self.layout = layout
        self.names = set(names)
        self.pages: dict[str, str] = {}
        self.site_pages: set[str] = set()
        self.assets: dict[str, str] = {}

    def page(self, ws_path: str) -> str | None:
        """The site page of a markdown file, or None when it is not part of the site."""
        docs = self.layout.docs + "/"
        if ws_path.startswith(docs) and ws_path.endswith(".md"):
            inner = ws_path[len(docs) :]
            return "index.html" if inner == "README.md" else inner[:-3] + ".html"
        parts = self._in_increment(ws_path)
        if parts and parts[1] in SOURCE_DOCS:
            return f"sources/{parts[0]}/{parts[1][:-3]}.html"
        return None

    def _in_increment(self, ws_path: str) -> tuple[str, str] | None:
        prefix = self.layout.increments + "/"
        if not ws_path.startswith(prefix):
            return None
        name, _, inner = ws_path[len(prefix) :].partition("/")
        return (name, inner) if name in self.names and inner else None

    def resolve(self, ws_path: str, image: bool) -> str | None:
        """Site path for a link target; evidence files are registered for copying."""
        page = None if image else self.page(ws_path)
        if page is not None and page in self.site_pages:
            return page
        parts = self._in_increment(ws_path)
        if parts is None or not parts[1].lower().endswith(COPYABLE):
            return None
        if image and not parts[1].lower().endswith(COPYABLE[:5]):
            return None
        source = self.ws.root / ws_path
        try:
            ensure_inside(self.ws.increments_dir / parts[0], source)
        except UserError:
            return None
        if not source.is_file():
            return None
        site = f"sources/{parts[0]}/{parts[1]}"
        if not image and site.lower().endswith(TEXT_AS_TXT):
            site += ".txt"  # served as text/plain everywhere, opens in the browser
        self.assets[ws_path] = site
        return site


def _refuse(ws: Workspace, out: Path) -> None:
    resolved = out.resolve()
    for folder, label in ((ws.increments_dir, "increments"), (ws.living_docs_dir, "living docs")):
        base = folder.resolve()
        if resolved == base or base in resolved.parents:
            raise UserError(f"--html {out}: inside the {label} folder {folder}; choose a folder outside it")
    git_dir = ws.root.resolve() / ".git"
    if resolved == git_dir or git_dir in resolved.parents:
        raise UserError(f"--html {out}: inside git's own folder {git_dir}; choose a folder outside it")
    if resolved in ws.root.resolve().parents or resolved == ws.root.resolve():
        raise UserError(f"--html {out}: would write over the workspace; choose an empty folder")
    if resolved.is_file():
        raise UserError(f"--html {out}: is a file; give a folder")
    if resolved.is_dir() and any(resolved.iterdir()) and not (resolved / MANIFEST).is_file():
        raise UserError(
            f"--html {out}: folder is not empty and was not built by 'inc docs --html'; "
            "choose an empty or new folder"
        )


def _nav(site_map: SiteMap, page: str, name: str | None) -> dict[str, Any]:
    here = posixpath.dirname(page)

    def link(target: str) -> str:
        return html.escape(fmt.rel(here, target), quote=True)

    top = [
        (label, link(target))
        for label, target in (
            ("Index", "index.html"),
            ("Models", "models.html"),
            ("Decisions", "decisions.html"),
            ("Changelog", "CHANGELOG.html"),
        )
    ]
    inc = []
    if name is not None:
        inc = [
            (label, link(target))
            for label, target in (
                (f"{name}: model card", f"increments/{name}.html"),
                ("runbook", f"runbooks/{name}.html"),
                ("spec", f"sources/{name}/spec.html"),
                ("plan", f"sources/{name}/plan.html"),
                ("tasks", f"sources/{name}/tasks.html"),
            )
        ]
    return {"top": top, "increment": inc}


def _increment_of(site_page: str) -> str | None:
    parts = site_page.split("/")
    if parts[0] in ("increments", "runbooks") and len(parts) == 2:
        return parts[1][:-5]
    if parts[0] == "sources" and len(parts) == 3:
        return parts[1]
    return None


def _sources(ws: Workspace, layout: Layout, names: list[str]) -> dict[str, str]:
    """Workspace path -> markdown text of each increment's spec, plan and tasks."""
    texts = {}
    for name in names:
        for doc in SOURCE_DOCS:
            path = ws.increments_dir / name / doc
            if path.is_file() or path.is_symlink():
                texts[layout.source(name, doc)] = limits.read_text(path, "markdown")
    return dict(sorted(texts.items()))


def _docs_pages(names: list[str]) -> list[str]:
    """The living-docs pages ``render_pages`` gives for these increments (relative to living-docs/)."""
    return [*TOP_PAGES, *(f"{folder}/{name}.md" for folder in PER_INCREMENT for name in names)]


def render_site(ws: Workspace) -> tuple[dict[str, bytes], dict[str, str]]:
    """Every file of the site: site path -> bytes, plus the evidence to copy (site <- workspace)."""
    with fewer_collections():
        return _render_site(ws)


def _render_site(ws: Workspace) -> tuple[dict[str, bytes], dict[str, str]]:
    """The increments' own pages render on the workers while the living docs are built here."""
    layout = layout_of(ws)
    names = sorted(path.name for path in ws.increment_dirs())
    sources = _sources(ws, layout, names)
    expected = _docs_pages(names)
    site_map = SiteMap(ws, layout, names)
    for ws_path in [*sources, *(f"{layout.docs}/{rel}" for rel in expected)]:
        page = site_map.page(ws_path)
        assert page is not None
        site_map.pages[ws_path] = page
        site_map.site_pages.add(page)
    with template_errors(SITE_TEMPLATE, OVERRIDE_HINT):
        template = docs_environment(ws.templates_dir).get_template(SITE_TEMPLATE)

    def render(chunk: list[tuple[str, str]]) -> dict[str, bytes]:
        return _render_pages(chunk, site_map, template)

    with sitepool.SitePool(render, site_map.assets, pages=len(site_map.pages)) as pool:
        pool.submit(list(sources.items()))
        docs = render_pages(ws, collect_all(ws))
        if sorted(docs) != sorted(expected):
            raise InternalError("the living-docs pages differ from the pages the site expected")
        pool.submit(sorted((f"{layout.docs}/{rel}", text) for rel, text in docs.items()))
        files = pool.results()
    copies = {site: ws_path for ws_path, site in sorted(site_map.assets.items())}
    return files, copies


def _render_pages(chunk: list[tuple[str, str]], site_map: SiteMap, template: Any) -> dict[str, bytes]:
    """HTML of each (workspace path, markdown) in ``chunk``; linked evidence lands in site_map.assets."""
    files: dict[str, bytes] = {}
    for ws_path, text in chunk:
        page = site_map.pages[ws_path]
        rendered = mdhtml.render(text, ws_path, page, site_map.resolve)
        name = _increment_of(page)
        with template_errors(SITE_TEMPLATE, OVERRIDE_HINT):
            out = render_template(
                template,
                dict(
                    title=html.escape(rendered.title or ws_path),
                    source=html.escape(ws_path),
                    body=rendered.body,
                    nav=_nav(site_map, page, name if name in site_map.names else None),
                ),
            )
        files[page] = (out if out.endswith("\n") else out + "\n").encode("utf-8")
    return files


def build_site(ws: Workspace, out_dir: Path) -> SiteResult:
    """Write the static site into ``out_dir``; only changed files are written."""
    _refuse(ws, out_dir)
    files, copies = render_site(ws)
    for site, ws_path in copies.items():
        files[site] = limits.read_bytes(ws.root / ws_path, "asset")
    root = out_dir.resolve()
    result = SiteResult(root, pages=sorted(p for p in files if p.endswith(".html")), assets=sorted(copies))
    previous = _manifest(root)
    root.mkdir(parents=True, exist_ok=True)
    changed = [rel for rel in sorted(files) if not same_bytes(root / rel, files[rel])]
    write_files(root, [(root / rel, files[rel]) for rel in changed])
    result.written.extend(changed)
    for rel in sorted(set(previous) - set(files)):
        target = root / rel
        if target.is_file():
            ensure_inside(root, target)
            target.unlink()
            result.removed.append(rel)
            _prune(root, target.parent)
    manifest = ("\n".join(sorted(files)) + "\n").encode("utf-8")
    if not same_bytes(root / MANIFEST, manifest):
        atomic_write_bytes(root / MANIFEST, manifest, fsync=False)
    return result


def _prune(root: Path, folder: Path) -> None:
    """Remove folders emptied by a removal, up to (not including) the site root."""
    while folder != root and root in folder.parents and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _manifest(root: Path) -> list[str]:
    path = root / MANIFEST
    if not path.is_file():
        return []
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line and ".." not in line]
