"""A real browser for the page tests: Playwright driving Debian's chromium, logged in as a persona.

Screenshots go to test-artifacts/screenshots/ for a person to look at. The ``browser`` and ``server``
fixtures live in conftest.py."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support import PASSWORD, require

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium() -> str:
    """Debian's chromium (or $REEDUCATE_CHROMIUM); a test that needs it fails in CI when it is missing."""
    path = os.environ.get("REEDUCATE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    require(Path(path).exists(), "Chromium", "install Debian's chromium (`apt-get install chromium`)")
    return path


def log_in(browser, server: str, email: str, *, width: int = 1280):  # type: ignore[no-untyped-def]
    """A new page of its own (own cookies) logged in as ``email``."""
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{server}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert "/login" not in page.url, page.inner_text("main")
    return page
