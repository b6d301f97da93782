"""Every portal page, as the patient sees it on a phone (390 x 844 CSS pixels), checked in a real browser
with axe-core against WCAG 2.1 A and AA: no violation of serious or critical impact, nothing wider than
the phone, and none of the clinicians' words for a change (MDC, MCID).

The pages are found, not listed (tests/web/portal_pages.py): every GET route under /portal, and every
page of the site the patient reaches by a link from them. One browser, one log-in. A screenshot of each
page at 390 px goes to test-artifacts/screenshots/portal-*.png for a person to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine

from tests.support import World, require
from tests.web.browsing import SHOTS, log_in
from tests.web.portal_pages import (
    CLINICIANS_WORDS,
    give_the_patient_something_to_read,
    portal_addresses,
    unreached,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
#: axe-core's browser build when $REEDUCATE_AXE_JS does not name one: where `make vendor` copies the version
#: package.json pins.
AXE_DEFAULT = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def axe_script() -> str:
    """axe-core's browser build (axe.min.js), from $REEDUCATE_AXE_JS or `make vendor`."""
    path = Path(os.environ.get("REEDUCATE_AXE_JS") or AXE_DEFAULT)
    require(path.exists(), "axe-core", "run `make vendor` (package.json pins axe-core) or point "
                                       "$REEDUCATE_AXE_JS at an axe.min.js")
    return path.read_text(encoding="utf-8")


def _violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe's serious and critical violations of WCAG 2.1 A and AA on the page, each with where it is."""
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    return [f"{v['impact']}: {v['id']} ({v['help']}) at " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in found["violations"] if v["impact"] in BLOCKING]


def _slug(address: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", address.lower()).strip("-")


def test_every_portal_page_passes_axe_on_a_phone(browser, server: str, world: World,  # type: ignore[no-untyped-def]
                                                 world_engine: Engine) -> None:
    script = axe_script()
    give_the_patient_something_to_read(world_engine, world)
    page = log_in(browser, server, world.emails["patient"], width=PHONE["width"])
    page.set_viewport_size(PHONE)
    page.context.add_init_script(script=script)  # as the browser's own script, which the pages' CSP lets run
    queue, unfilled = portal_addresses(world)
    seen: list[str] = []
    problems: dict[str, list[str]] = {}
    while queue:
        address = queue.pop(0)
        if address in seen:
            continue
        seen.append(address)
        answer = page.request.get(f"{server}{address}", max_redirects=0)
        if answer.status != 200 or not answer.headers.get("content-type", "").startswith("text/html"):
            continue  # a redirect's target is a link of its own; a plot or a PDF is no page
        page.goto(f"{server}{address}")
        page.screenshot(path=SHOTS / f"portal-{_slug(address)}.png", full_page=True)
        found = _violations(page)
        text = page.inner_text("body")
        if CLINICIANS_WORDS.search(text):
            found.append(f"clinicians' words: {sorted(set(CLINICIANS_WORDS.findall(text)))}")
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        if wide > PHONE["width"]:
            found.append(f"{wide} px wide on a {PHONE['width']} px phone")
        if found:
            problems[address] = found
        for link in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(link)
            if link.startswith("/") and not target.netloc and not link.startswith("/static/"):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    assert f"/episodes/{world.episode}/progress" in seen and "/portal" in seen, seen
    assert unreached(unfilled, seen) == [], "portal pages this walk could not reach"
    assert not problems, "\n".join(f"{a}:\n  " + "\n  ".join(p) for a, p in problems.items())
