"""Browser helpers shared by the report tests (the fixtures live in conftest.py).

Chromium comes from Debian (`apt-get install -y --no-install-recommends chromium
fonts-noto-cjk fonts-liberation`); Playwright cannot download its own here. Without it the
browser tests skip, unless the CI variable is set: CI must run them, so there they fail.
"""

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/lib/chromium/chromium")
INSTALL_HINT = "apt-get install -y --no-install-recommends chromium fonts-noto-cjk fonts-liberation"
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def outside_the_files(urls: Iterable[str]) -> list[str]:
    """The requests that leave the files on disk: anything but file:/// (a protocol-relative
    "//cdn.example/sp.js" in a page opened from disk becomes file://cdn.example/sp.js, a
    request to another machine) and in-page data:/blob: content."""
    outside = []
    for url in urls:
        parts = urlsplit(url)
        local = parts.scheme == "file" and parts.netloc in ("", "localhost")
        if not (local or parts.scheme in ("data", "blob")):
            outside.append(url)
    return outside


def require_chromium() -> None:
    """Skip the calling module (or test) when Chromium is missing; fail instead under CI."""
    if CHROMIUM.exists():
        return
    reason = f"Chromium not found at {CHROMIUM}; install it with: {INSTALL_HINT}"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests. {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


@dataclass
class BrowserPage:
    """A page and what it did: console errors, page errors, dialogs, request URLs."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def open(self, path: Path, width: int = DESKTOP["width"]) -> None:
        self.page.set_viewport_size({"width": width, "height": DESKTOP["height"]})
        self.page.goto(Path(path).resolve().as_uri(), wait_until="load")

    def assert_page_ok(self, path: Path, name: str | None = None) -> None:
        """Open a rendered report page (file://) and check, at desktop and at phone width:
        no console or page errors and no dialogs; every request is file:// or data:; every
        `figure svg` shown at that width (a chart's wide or narrow render) is laid out with a
        non-zero size; the page itself never scrolls
        sideways at phone width; every in-page link (#id) has a target. Saves full-page
        screenshots to test-artifacts/screenshots/<name>.png and <name>-phone.png."""
        path = Path(path)
        name = name or "-".join(path.with_suffix("").parts[-2:])
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for label, viewport in (("", DESKTOP), ("-phone", PHONE)):
            self.open(path, viewport["width"])
            where = f"{path} at {viewport['width']}px"
            assert not self.console_errors, f"console errors on {where}: {self.console_errors}"
            assert not self.page_errors, f"page errors on {where}: {self.page_errors}"
            assert not self.dialogs, f"dialogs opened on {where}: {self.dialogs}"
            remote = outside_the_files(self.requests)
            assert not remote, f"network requests from {where}: {remote}"
            # a chart's render for the other screen is not displayed (charts.render_chart)
            hidden = ".chart-narrow" if viewport is DESKTOP else ".chart-wide"
            sizes = self.page.eval_on_selector_all(
                f"figure svg:not({hidden} svg)",
                "els => els.map(e => { const r = e.getBoundingClientRect();"
                " return [e.id, r.width, r.height]; })",
            )
            empty = [s for s in sizes if not (s[1] > 0 and s[2] > 0)]
            assert not empty, f"charts without size on {where}: {empty}"
            broken = self.page.evaluate(
                "() => [...document.querySelectorAll('a[href^=\"#\"]')]"
                ".map(a => a.getAttribute('href'))"
                ".filter(h => h.length > 1 && !document.getElementById(h.slice(1)))"
            )
            assert not broken, f"in-page links without a target on {where}: {broken}"
            if viewport is PHONE:
                overflow = self.page.evaluate(
                    "() => document.scrollingElement.scrollWidth - window.innerWidth"
                )
                assert overflow <= 0, f"{where} scrolls sideways by {overflow}px"
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}{label}.png"), full_page=True)
