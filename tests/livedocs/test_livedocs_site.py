"""``inc docs --html``: the static site's files, links and escaping (without a browser)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from inc.livedocs.html import MANIFEST, build_site
from inc.workspace import Workspace

HOSTILE = """\
## Caveats

<script>window.pwned = 1; document.title = "pwned"</script>
<img src=x onerror="window.pwned=2">
[click me](javascript:window.pwned=3) and <javascript:alert(1)> and [data](data:text/html,<b>x</b>)
[escape](../../../../etc/passwd) [abs](/etc/passwd) [ok](plan.md#rollback-plan) [web](https://example.org/a)
![remote](https://tracker.example/pixel.png)

- [x] checked item
- [ ] open item
"""

_REF = re.compile(r'(?:href|src)="([^"]*)"')


def _site(ws: Workspace, factory: Any, tmp_path: Path) -> Path:
    factory.make_increment(ws, "fraud-detection", status="done", extra_spec=HOSTILE)
    factory.make_increment(ws, "churn-model")
    out = tmp_path / "site"
    build_site(ws, out)
    return out


def test_hostile_markdown_renders_inert(workspace: Workspace, factory: Any, tmp_path: Path) -> None:
    out = _site(workspace, factory, tmp_path)
    spec = (out / "sources/0001-fraud-detection/spec.html").read_text()
    assert "&lt;script&gt;window.pwned = 1;" in spec and "<script" not in spec
    assert "&lt;img src=x onerror=" in spec and "<img src=x" not in spec
    assert "javascript:" not in "".join(_REF.findall(spec)).lower()
    assert 'class="removed-link" title="link removed: ../../../../etc/passwd"' in spec
    assert 'href="plan.html#rollback-plan"' in spec
    assert 'href="https://example.org/a" rel="noopener noreferrer"' in spec
    assert "tracker.example" not in "".join(_REF.findall(spec))
    assert '<li class="task-list-item"><input type="checkbox" disabled checked> checked item</li>' in spec
    assert "Content-Security-Policy" in spec and "default-src 'none'" in spec


def test_every_local_reference_exists_and_nothing_is_fetched_remotely(
    workspace: Workspace, factory: Any, tmp_path: Path
) -> None:
    out = _site(workspace, factory, tmp_path)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == 4 + 2 * 2 + 2 * 3
    for page in pages:
        text = page.read_text()
        assert "<script" not in text and "<link" not in text
        for ref in _REF.findall(text):
            if ref.startswith(("https://", "mailto:")):
                assert not re.search(rf'src="{re.escape(ref)}"', text), f"{page}: remote image {ref}"
                continue
            path = ref.split("#")[0]
            target = (page.parent / unquote(path)).resolve() if path else page
            assert target.is_file() and out.resolve() in target.parents, f"{page}: {ref}"
    card = (out / "increments/0001-fraud-detection.html").read_text()
    assert 'src="../sources/0001-fraud-detection/reports/explain-c0001cand/bar.png"' in card
    assert (
        (out / "sources/0001-fraud-detection/reports/explain-c0001cand/bar.png")
        .read_bytes()
        .startswith(b"\x89PNG")
    )
    assert 'href="../sources/0001-fraud-detection/runs/c0001cand.json.txt"' in card
    index = (out / "index.html").read_text()
    assert 'href="increments/0001-fraud-detection.html"' in index


def test_rebuild_is_byte_stable_writes_nothing_and_drops_files_of_removed_increments(
    workspace: Workspace, factory: Any, tmp_path: Path
) -> None:
    out = _site(workspace, factory, tmp_path)
    again = build_site(workspace, out)
    assert again.written == [] and again.removed == []
    twin = build_site(workspace, tmp_path / "twin")
    for rel in twin.pages + twin.assets:
        assert (out / rel).read_bytes() == (tmp_path / "twin" / rel).read_bytes()
    shutil.rmtree(workspace.increments_dir / "0002-churn-model")
    after = build_site(workspace, out)
    assert "increments/0002-churn-model.html" in after.removed
    assert not (out / "sources/0002-churn-model").exists()
    assert "0002-churn-model" not in (out / MANIFEST).read_text()
