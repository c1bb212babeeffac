"""The HTML notice in a real headless Chromium: the figures a reader sees, no
script run, and a screenshot kept under ``test-artifacts/`` for review.

Needs Debian's ``/usr/bin/chromium`` and the ``playwright`` package (never
``playwright install``: the browser is launched from its system path).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_notices_sample import NOTICE_AT, build_sample

from govmon.notices.build import write_notices

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


def _chromium() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("no chromium binary (apt-get install chromium)")


def test_html_notice_in_chromium(tmp_path: Path) -> None:
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with build_sample(f"sqlite:///{tmp_path}/b.db") as store:
        paths = write_notices(None, period="week", as_of=NOTICE_AT[48], profile=None, formats=["html", "json"],
                              out_dir=tmp_path / "out", units=(), store=store)
    html = next(p for p in paths if p.suffix == ".html")
    summary = json.loads(next(p for p in paths if p.suffix == ".json").read_text(encoding="utf-8"))["summary"]
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=ARGS)
        try:
            dialogs: list[str] = []
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            requests: list[str] = []
            page.on("request", lambda req: requests.append(req.url))
            page.goto(html.as_uri())
            assert page.title() == "关于2026年第48周全区政府网站监测情况的通报"
            assert page.inner_text("#sum-sites") == str(summary["sites"]) == "4"
            assert page.inner_text("#sum-vetoed") == str(summary["vetoed"]) == "1"
            assert page.inner_text("#sum-average") == f"{summary['average']:.2f}" == "74.53"
            assert page.inner_text("#sum-rectification") == "66.7%"
            # The hostile column title is text on the page; nothing ran, nothing was fetched.
            assert "<script>alert(1)</script>" in page.inner_text("#attachment-problems")
            assert dialogs == []
            assert requests == [html.as_uri()]
            # Readable on a phone: the page does not scroll sideways (wide tables scroll in their box).
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            assert page.locator("svg").count() == 2
            page.screenshot(path=str(ARTIFACTS / "notice-2026-W48-phone.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})
            page.screenshot(path=str(ARTIFACTS / "notice-2026-W48-desktop.png"), full_page=True)
            # Printable: Chromium lays it out on A4 (attachments on landscape pages).
            pdf = ARTIFACTS / "notice-2026-W48.pdf"
            page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
            assert pdf.read_bytes().startswith(b"%PDF") and pdf.read_bytes().count(b"/Type /Page") >= 3
        finally:
            browser.close()
    assert (ARTIFACTS / "notice-2026-W48-phone.png").stat().st_size > 10_000
