"""Living docs: deterministic markdown pages built from the increments, and a static HTML site.

``build_docs(ws, check=False) -> DocsResult`` is the entry point other areas call (the gate's
``living_docs`` check and ``inc done``); ``inc.livedocs.html.build_site`` renders the site.
"""

from __future__ import annotations

from inc.livedocs.build import DocsResult, build_docs, render_pages

__all__ = ["DocsResult", "build_docs", "render_pages"]
