"""``inc docs``: rebuild ``living-docs/`` from the increments, deterministically.

Same increments -> byte-identical pages, whatever the order of files on disk or the locale:
increments are sorted by folder name, every list is sorted explicitly, numbers use fixed formats
and nothing depends on the time of the build. Unchanged pages are not written; pages of
increments that no longer exist are removed.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inc.errors import UserError
from inc.fsutil import ensure_inside, safe_unlink, same_bytes, sweep_temp_files
from inc.livedocs import inputs
from inc.livedocs.writes import write_files
from inc.templating import environment, packaged_templates_dir, render_template, template_errors
from inc.workspace import Workspace

if TYPE_CHECKING:  # pages, collect and views (pydantic, jinja2) load only when pages are rendered
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

    from inc.livedocs.collect import IncrementData
    from inc.livedocs.views import Layout

PAGE_RE = re.compile(r"^\d{4}-[a-z0-9]+(?:-[a-z0-9]+)*\.md$")
PER_INCREMENT = ("increments", "runbooks")
OVERRIDE_HINT = "; fix the template or remove the override"
TOP_PAGES: dict[str, tuple[str, str]] = {  # page -> (template, context function in livedocs.pages)
    "README.md": ("docs/index.md.j2", "index_page"),
    "models.md": ("docs/models.md.j2", "models_page"),
    "decisions.md": ("docs/decisions.md.j2", "decisions_page"),
    "CHANGELOG.md": ("docs/changelog.md.j2", "changelog_page"),
}


@dataclass
class DocsResult:
    """Pages (paths relative to the workspace) by what happened to them."""

    written: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # out of date before this build (or check)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    check: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing was stale."""
        return not self.stale

    def as_json(self) -> dict[str, Any]:
        """Machine-readable form for ``inc docs --format json``."""
        return {
            "check": self.check,
            "ok": self.ok,
            "written": self.written,
            "stale": self.stale,
            "unchanged": len(self.unchanged),
            "removed": self.removed,
        }


class _Templates:
    """The docs templates, each loaded (compiled) once per build from the cached environment."""

    def __init__(self, override_dir: Path) -> None:
        self.env = docs_environment(override_dir)
        self.cache: dict[str, Template] = {}

    def render(self, name: str, context: dict[str, Any]) -> str:
        with template_errors(name, OVERRIDE_HINT):
            template = self.cache.get(name)
            if template is None:
                template = self.cache[name] = self.env.get_template(name)
            text = render_template(template, context)
        return _normalise(text)


def docs_environment(override_dir: Path) -> SandboxedEnvironment:
    """The sandboxed environment with the repository's overrides (``inc.templating``; compiled
    templates are kept between runs: compiling the two page templates cost more than ``inc gate
    --changed --strict`` spends on the rest)."""
    return environment(override_dir)


def _normalise(text: str) -> str:
    """LF endings, no trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def layout_of(ws: Workspace) -> Layout:
    """Where the living docs and the increments are, relative to the workspace."""
    from inc.livedocs.views import Layout

    return Layout(docs=ws.relpath(ws.living_docs_dir), increments=ws.relpath(ws.increments_dir))


def collect_all(ws: Workspace) -> list[IncrementData]:
    """Every increment's data, sorted by folder name (stable in any file order)."""
    from inc.gate.context import GateConfig
    from inc.gate.runner import folder_numbers
    from inc.livedocs.collect import collect

    config = GateConfig(ws, offline=True, numbers=folder_numbers(ws))
    return [collect(path, config) for path in sorted(ws.increment_dirs(), key=lambda p: p.name)]


def _increment_pages(templates: _Templates, data: IncrementData, layout: Layout) -> dict[str, str]:
    from inc.livedocs import pages

    card = templates.render("docs/increment.md.j2", pages.increment_page(data, layout))
    runbook = templates.render("docs/runbook.md.j2", pages.runbook_page(data, layout))
    return {f"increments/{data.name}.md": card, f"runbooks/{data.name}.md": runbook}


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a build holds every increment's data.

    With the default thresholds a 1,000-increment build ran about 500 collections, three of
    them over the whole heap (5% of its time) for cycles it almost never makes; memory is freed
    by reference counting as before. The thresholds in force are restored afterwards.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 50_000), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def render_pages(ws: Workspace, items: list[IncrementData] | None = None) -> dict[str, str]:
    """Every living-docs page: path relative to ``living-docs/`` -> markdown text."""
    with fewer_collections():
        return _render_pages(ws, collect_all(ws) if items is None else items)


def _render_pages(ws: Workspace, items: list[IncrementData]) -> dict[str, str]:
    layout = layout_of(ws)
    templates = _Templates(ws.templates_dir)
    result: dict[str, str] = {}
    for data in items:
        result.update(_increment_pages(templates, data, layout))
    from inc.livedocs import pages

    for filename, (template, make) in TOP_PAGES.items():
        result[filename] = templates.render(template, getattr(pages, make)(items, layout))
    return dict(sorted(result.items()))


def stale_increment_pages(ws: Workspace, folder: Path) -> list[str]:
    """The model card and runbook of one increment that a rebuild would change (workspace-relative).

    Reads that increment alone: the cost of ``inc gate --changed --strict`` follows the changed
    increments, not the workspace.
    """
    from inc.livedocs.collect import collect

    texts = _increment_pages(_Templates(ws.templates_dir), collect(folder), layout_of(ws))
    prefix = ws.relpath(ws.living_docs_dir)
    return sorted(
        f"{prefix}/{rel}"
        for rel, text in texts.items()
        if not same_bytes(ws.living_docs_dir / rel, text.encode("utf-8"))
    )


def watched_files(ws: Workspace, items: list[IncrementData]) -> dict[str, list[int] | None]:
    """The files the readiness verdict read that may lie outside the increment folders (each
    monitoring.yaml's reference data, a workspace path), with their ``inputs.signature``."""
    found: dict[str, list[int] | None] = {}
    for data in items:
        reference = (data.monitoring.reference or {}) if data.monitoring is not None else {}
        rel = reference.get("path")
        if isinstance(rel, str) and rel:
            found[rel] = inputs.signature(ws.root / rel)
    return found


def _obsolete(docs_dir: Path, wanted: set[str]) -> list[str]:
    found = []
    for folder in PER_INCREMENT:
        path = docs_dir / folder
        if not path.is_dir():
            continue
        for page in path.iterdir():
            rel = f"{folder}/{page.name}"
            if (page.is_file() or page.is_symlink()) and PAGE_RE.match(page.name) and rel not in wanted:
                found.append(rel)
    return sorted(found)


def _from_memory(ws: Workspace, remembered: dict[str, str], check: bool) -> DocsResult | None:
    """The result when every page on disk hashes as the build from these inputs left it.

    None when a page differs or is missing (then the pages are rendered as usual).
    """
    docs_dir = ws.living_docs_dir
    prefix = ws.relpath(docs_dir)
    result = DocsResult(check=check)
    for rel in sorted(remembered):
        if inputs.file_sha256(docs_dir / rel) != remembered[rel]:
            return None
        result.unchanged.append(f"{prefix}/{rel}")
    if _obsolete(docs_dir, set(remembered)):
        return None
    return result


def build_docs(ws: Workspace, check: bool = False, remember: bool = True) -> DocsResult:
    """Rebuild ``living-docs/``; with ``check`` write nothing and report the stale pages.

    With nothing changed since the last build (same inputs, every page as that build left it),
    the answer comes from the workspace's cache (``inc.livedocs.inputs``) without rendering.
    ``remember=False`` (the gate) reads that cache but never writes it.
    """
    docs_dir = ws.living_docs_dir
    if docs_dir.exists() or docs_dir.is_symlink() or not check:
        _refuse_outside(ws, docs_dir)
    digest = inputs.input_digest(ws, ws.templates_dir, packaged_templates_dir())
    remembered = inputs.remembered_pages(ws, digest)
    if remembered is not None:
        known = _from_memory(ws, remembered, check)
        if known is not None:
            return known
    with fewer_collections():
        items = collect_all(ws)
        pages_text = render_pages(ws, items)
    result = DocsResult(check=check)
    prefix = ws.relpath(docs_dir)
    pending: list[tuple[Path, bytes, str]] = []
    for rel, text in pages_text.items():
        data = text.encode("utf-8")
        target = docs_dir / rel
        if same_bytes(target, data):
            result.unchanged.append(f"{prefix}/{rel}")
        else:
            result.stale.append(f"{prefix}/{rel}")
            pending.append((target, data, f"{prefix}/{rel}"))
    obsolete = _obsolete(docs_dir, set(pages_text))
    result.stale.extend(f"{prefix}/{rel}" for rel in obsolete)
    result.stale.sort()
    if remember:
        inputs.remember_pages(ws, digest, pages_text, watched_files(ws, items))
    if check:
        return result
    sweep_temp_files(docs_dir)  # half pages a killed build left (.<page>.<random>.tmp)
    write_files(ws.root, [(target, data) for target, data, _ in pending])
    result.written.extend(label for _, _, label in pending)
    for rel in obsolete:
        if safe_unlink(docs_dir / rel, ws.root):
            result.removed.append(f"{prefix}/{rel}")
    return result


def _refuse_outside(ws: Workspace, docs_dir: Path) -> None:
    """The living-docs folder and its page folders must resolve inside the workspace, below its
    root and outside ``.git`` (a symlink ``living-docs/increments -> ~/notes`` is refused before
    anything is written or removed)."""
    root = ws.root.resolve()
    for folder in (docs_dir, *(docs_dir / name for name in PER_INCREMENT)):
        if not folder.exists() and not folder.is_symlink():
            continue
        resolved = ensure_inside(ws.root, folder)
        if resolved == root:
            raise UserError(f"{folder}: resolves to the workspace root; living docs need their own folder")
