"""Browser fixtures for report tests: Debian's Chromium driven by Playwright, offline.

`browser_page` gives a fresh page that records console errors, page errors, dialogs and
every request URL; its `assert_page_ok(path)` opens a rendered report and checks what every
report page must satisfy (see `browser_support.BrowserPage.assert_page_ok`). Report tests
reuse it:

    def test_portfolio_page_renders(browser_page, built_site):
        browser_page.assert_page_ok(built_site / "portfolio_risk.html")

or take the `assert_page_ok` fixture directly. A test module that should skip as a whole
without Chromium calls `browser_support.require_chromium()` at import.
"""

import os
from collections.abc import Iterator

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, BrowserPage, require_chromium


@pytest.fixture(scope="session")
def browser(tmp_path_factory) -> Iterator[object]:
    """One headless Chromium for the session, with HOME in a temporary directory."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("chromium-home")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            env={**os.environ, "HOME": str(home)},
        )
        yield browser
        browser.close()


@pytest.fixture()
def browser_page(browser) -> Iterator[BrowserPage]:
    """A fresh page in its own context (downloads allowed) that records what it does."""
    context = browser.new_context(accept_downloads=True, viewport=DESKTOP)
    page = context.new_page()
    recorded = BrowserPage(page)
    page.on("console", lambda m: m.type == "error" and recorded.console_errors.append(m.text))
    page.on("pageerror", lambda e: recorded.page_errors.append(str(e)))
    page.on("request", lambda r: recorded.requests.append(r.url))

    def on_dialog(dialog) -> None:
        recorded.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield recorded
    context.close()


@pytest.fixture()
def assert_page_ok(browser_page):
    """`assert_page_ok(path, name=None)`, bound to a fresh recording page."""
    return browser_page.assert_page_ok
