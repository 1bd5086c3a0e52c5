"""The static site in real headless Chromium (Debian's /usr/bin/chromium through Playwright)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import pytest

from inc.livedocs.html import build_site
from inc.workspace import Workspace

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE = """\
## Caveats

<script>window.pwned = 1; document.title = "pwned"</script>
<img src=x onerror="window.pwned = 2">
[run me](javascript:window.pwned=3) [ok](plan.md#rollback-plan)
"""


def _chromium() -> str:
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found is None:
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    return found


@pytest.fixture
def site(workspace: Workspace, factory: Any, tmp_path: Path) -> Path:
    factory.make_increment(workspace, "fraud-detection", status="done", extra_spec=HOSTILE)
    factory.make_increment(workspace, "churn-model")
    out = tmp_path / "site"
    build_site(workspace, out)
    return out


@pytest.fixture
def server(site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_site_in_chromium_lists_increments_links_resolve_plots_load_scripts_stay_inert(
    browser: Any, server: str, tmp_path: Path
) -> None:
    page = browser.new_page()
    external: list[str] = []
    page.on(
        "request", lambda req: None if req.url.startswith((server, "data:")) else external.append(req.url)
    )
    page.goto(server)
    assert page.title() == "Living docs"
    rows = page.locator("main table tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == ["0001", "0002"]

    pending, seen, checked = [server], set(), 0
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        page.goto(url)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            target, _ = urldefrag(href)
            if not target.startswith(server):
                continue
            assert _status(target) == 200, f"{url}: broken link {href}"
            checked += 1
            if target.endswith(".html") and target not in seen:
                pending.append(target)
    assert len(seen - {server}) == 4 + 2 * 5 and checked > 100  # index, models, decisions, changelog

    page.goto(urljoin(server, "increments/0001-fraud-detection.html"))
    widths = page.eval_on_selector_all(
        "main img", "imgs => imgs.map(i => [i.getAttribute('src'), i.complete, i.naturalWidth])"
    )
    assert len(widths) == 3 and all(done and width > 0 for _, done, width in widths), widths  # ROC + 2 SHAP

    page.goto(urljoin(server, "sources/0001-fraud-detection/spec.html"))
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.title() != "pwned"
    assert page.locator("script").count() == 0
    assert '<script>window.pwned = 1; document.title = "pwned"</script>' in page.inner_text("main")
    page.get_by_text("run me").click()
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert external == []

    shot = tmp_path / "card.png"
    page.goto(urljoin(server, "increments/0001-fraud-detection.html"))
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000


def test_site_works_from_the_file_system(browser: Any, site: Path) -> None:
    page = browser.new_page()
    page.goto((site / "index.html").as_uri())
    page.click("text=0001")
    assert page.url.endswith("/increments/0001-fraud-detection.html")
    widths = page.eval_on_selector_all("main img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths and all(width > 0 for width in widths)
    page.click("nav.inc >> text=plan")
    assert page.url.endswith("/sources/0001-fraud-detection/plan.html")
    assert page.locator("#rollback-plan").inner_text() == "Rollback plan"
