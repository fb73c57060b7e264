"""Browser tests: Playwright drives Debian's Chromium (headless, a fresh profile, no network beyond localhost).

Playwright never downloads a browser here: it launches ``/usr/bin/chromium`` (``apt-get install chromium``; the
Makefile's ``system-deps`` does it when run as root). Without it, or without the playwright package, these tests
skip and say why. Screenshots go to ``build/screenshots/`` for a person to look at.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parents[2]
SCREENSHOTS = KIT / "build" / "screenshots"
CHROMIUM = os.environ.get("MLIP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _why_no_browser() -> str | None:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        return f"no Chromium at {CHROMIUM}: `apt-get install chromium` (or `make test` as root) to run browser tests"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -e '.[test]'"
    return None


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder for screenshots (build/ is ignored by git)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session; Playwright gives it a fresh temporary profile (--user-data-dir)."""
    why = _why_no_browser()
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """A page with everything it said on the console, every error it threw and every request it made."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def problems(self, *, allow=()) -> list[str]:
        """Console errors and uncaught exceptions, except those matching an allow-listed substring."""
        return [m for m in self.console_errors + self.page_errors if not any(a in m for a in allow)]


def _watch(chromium, **context_options):
    context = chromium.new_context(service_workers="block", **context_options)
    context.set_default_timeout(30_000)
    page = context.new_page()
    w = Watched(page)
    page.on("console", lambda m: w.console_errors.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: w.page_errors.append(f"uncaught: {e}"))
    page.on("request", lambda r: w.requests.append(r.url))
    return context, w


@pytest.fixture
def watched(chromium):
    """A desktop-sized tab in a context of its own, whose console, errors and requests are recorded."""
    context, w = _watch(chromium, viewport=DESKTOP)
    try:
        yield w
    finally:
        context.close()


@pytest.fixture
def phone(chromium):
    """The same on a phone: 390 x 844 CSS pixels, touch, and a mobile layout (a page without a viewport tag
    would be laid out 980 px wide and shrunk, as a real phone does)."""
    context, w = _watch(chromium, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        yield w
    finally:
        context.close()
