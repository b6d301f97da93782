"""In a real browser: the progress report comes due on the episode page, the therapist drafts, writes
and signs it; the front desk finds the patient on the documentation-due list; the therapist discharges
and writes the discharge summary, judging each goal. Screenshots of each page go to
test-artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.support import World
from tests.web.browsing import SHOTS, log_in
from tests.web.test_report_pages import _goals_and_plan, _treated_days_before

pytestmark = pytest.mark.browser


def _save_pdf(page, server: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """The report's PDF as its page's link serves it, kept beside the screenshots with each page as a PNG."""
    import pypdfium2

    reply = page.request.get(server + page.get_by_role("link", name="PDF").get_attribute("href"))
    assert reply.ok and reply.body().startswith(b"%PDF")
    (SHOTS / f"{name}.pdf").write_bytes(reply.body())
    document = pypdfium2.PdfDocument(reply.body())
    for number in range(len(document)):
        document[number].render(scale=1.5).to_pil().save(SHOTS / f"{name}-page{number + 1}.png")


def test_a_therapist_writes_the_progress_report_when_due_then_the_discharge_summary(
        browser, server: str, world: World, world_engine: Engine) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    _treated_days_before(world_engine, world, 7)  # with the world's two: 9 treatment days
    _goals_and_plan(world_engine, world)
    desk = log_in(browser, server, world.emails["front_desk"])
    desk.get_by_role("link", name="Documentation due").click()
    expect(desk.get_by_role("link", name="Quennell, Penny")).to_be_visible()
    expect(desk.get_by_text("Due at the next visit")).to_be_visible()
    desk.screenshot(path=SHOTS / "documentation-due-desk.png", full_page=True)

    page = log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/episodes/{world.episode}")
    expect(page.get_by_text("Progress report due at the next visit")).to_be_visible()
    page.locator("#reports").screenshot(path=SHOTS / "episode-progress-report-due.png")
    page.get_by_role("link", name="Write progress report").click()
    expect(page.get_by_text("9 treatment days of this reporting period")).to_be_visible()
    page.get_by_role("button", name="Draft the progress report").click()
    expect(page.get_by_role("heading", name="Progress report: Penny Quennell")).to_be_visible()
    page.get_by_label("Assessment: progress toward each goal, and your judgement").fill("Steadier in standing.")
    page.get_by_label("Plan: changes to the goals and the plan of care").fill("Continue twice a week.")
    page.get_by_label("Continue the plan of care").check()
    page.locator("textarea[name^=comment-]").last.fill("Carries it up with one rest.")
    page.screenshot(path=SHOTS / "progress-report-draft.png", full_page=True)
    page.get_by_role("button", name="Sign progress report").click()
    expect(page.locator("#report-status")).to_have_text("Signed")
    page.screenshot(path=SHOTS / "progress-report-signed.png", full_page=True)
    _save_pdf(page, server, "progress-report")

    page.goto(f"{server}/episodes/{world.episode}/discharge")
    page.get_by_label("Goals met").check()
    page.get_by_role("button", name="Discharge", exact=True).click()
    page.get_by_role("link", name="Write discharge summary").click()
    page.get_by_role("button", name="Draft the discharge summary").click()
    page.get_by_label("Assessment: progress toward each goal, and your judgement").fill("Balance improved.")
    page.get_by_label("Recommendations").fill("Community balance class.")
    for goal in page.locator("fieldset:has(legend:text('At discharge'))").all():
        goal.get_by_label("Met", exact=True).check()
    page.get_by_role("button", name="Sign discharge summary").click()
    expect(page.locator("#report-status")).to_have_text("Signed")
    expect(page.get_by_text("Heel raises at the counter, daily.")).to_be_visible()
    page.screenshot(path=SHOTS / "discharge-summary-signed.png", full_page=True)
    _save_pdf(page, server, "discharge-summary")
    phone = log_in(browser, server, world.emails["therapist"], width=390)
    phone.goto(page.url)
    phone.screenshot(path=SHOTS / "discharge-summary-phone.png", full_page=True)
