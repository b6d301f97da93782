"""The remote-monitoring page: the chart links it; a clinician records the set-up once (a second is refused
naming the rule), logs minutes with and without a real-time call and sees this month's code and what is
missing, the period's strip of days, and the claim lines with GP; a bad entry is shown again with why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import Episode, User
from reeducate.clinic.services import home_programmes, home_sessions, rtm
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.services.rtm import RtmSetupInput, RtmTimeInput
from reeducate.clinic.vocabulary import RtmActivity
from tests.support import NOW, World
from tests.web.browsing import SHOTS, log_in
from tests.web.conftest import bearer


def _post(client: TestClient, world: World, headers: dict[str, str], what: str, **fields: str):  # noqa: ANN202
    return client.post(f"/patients/{world.p1}/rtm", headers=headers,
                       data={"do": what, "episode_id": str(world.episode), **fields})


def test_a_clinician_records_set_up_and_minutes_and_sees_what_bills(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    chart = client.get(f"/patients/{world.p1}", headers=headers).text
    assert f'href="/patients/{world.p1}/rtm?episode_id={world.episode}"' in chart
    page = client.get(f"/patients/{world.p1}/rtm", headers=headers).text
    for shown in ("Remote monitoring: Penny Quennell", "No period yet", "Not recorded yet", "Nothing billable yet",
                  'id="time-form"', 'id="setup-form"'):
        assert shown in page, shown

    reply = _post(client, world, headers, "setup", performed_on="2026-11-20",
                  note="Taught where the phone stands so the knee is in reach.")
    assert reply.status_code == 303 and reply.headers["location"].endswith("done=setup")
    page = client.get(reply.headers["location"], headers=headers).text
    assert "Set-up and education recorded." in page and "Set up Fri 20 Nov 2026" in page
    assert "so the knee is in reach.</p>" in page and "reach.." not in page  # one full stop, not two
    assert "30-day period 1: Fri 20 Nov 2026 to Sat 19 Dec 2026" in page and page.count('class="day-') == 30
    assert "0 days with data: no supply code under 2 days." in page
    assert "Missing: 2 days more of data for 98985 (16 for 98977)." in page
    again = _post(client, world, headers, "setup", performed_on="2026-11-25")
    assert again.status_code == 422 and "98975 is reported once per episode of care" in again.text

    reply = _post(client, world, headers, "time", performed_on="2026-11-24", minutes="15", activity="data_review",
                  interactive="no", note="Reviewed the week")
    page = client.get(reply.headers["location"], headers=headers).text
    assert "none logged this month" in page and "Missing: no real-time communication logged this month" in page
    reply = _post(client, world, headers, "time", performed_on="2026-11-25", minutes="10", activity="data_review",
                  interactive="yes")
    page = client.get(reply.headers["location"], headers=headers).text
    assert "25 minutes this month: 98980 (first 20 minutes)." in page
    assert "Missing: 15 minutes more for 98981." in page and "yes, Wed 25 Nov 2026" in page
    assert "<td>98980</td><td>Remote monitoring: management, first 20 minutes of a month</td><td>1</td>" in page
    assert "<td>GP</td>" in page and "Reviewed the week" in page
    assert "so far, to Wed 25 Nov 2026: may still change" in page and "dated Fri 20 Nov 2026" in page
    superbill = client.get(f"/patients/{world.p1}/rtm/superbill.pdf?episode_id={world.episode}", headers=headers)
    assert superbill.status_code == 200 and superbill.content.startswith(b"%PDF")
    assert superbill.headers["content-disposition"].endswith('2026-11-20.pdf"')  # the set-up: the only ended line
    assert "Lists the set-up and every period and month that has ended" in page


def test_the_minutes_are_refused_in_plain_words_at_the_pages_address(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    for minutes in ("0", "-5"):
        reply = _post(client, world, headers, "time", performed_on="2026-11-25", minutes=minutes,
                      activity="data_review", note="kept")
        assert reply.status_code == 422 and "Minutes: Enter 1 minute or more." in reply.text, minutes
        assert "Input should be" not in reply.text and str(reply.url).endswith(f"/patients/{world.p1}/rtm")
    reply = _post(client, world, headers, "time", performed_on="2026-11-25", minutes="600", activity="data_review")
    assert reply.status_code == 422 and "Enter at most 120 minutes in one entry" in reply.text
    assert "98981" not in reply.text.split('id="claim-lines"')[1]  # nothing was logged


def test_a_clinician_removes_a_mistaken_entry_with_a_reason(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    _post(client, world, headers, "time", performed_on="2026-11-25", minutes="15", activity="interactive")
    _post(client, world, headers, "time", performed_on="2026-11-25", minutes="100", activity="data_review")
    page = client.get(f"/patients/{world.p1}/rtm", headers=headers).text
    assert "115 minutes this month" in page and page.count("Remove this entry of") == 2
    assert "every entry can be removed for now" in page
    refused = _post(client, world, headers, "remove", entry_id="2", reason="")
    assert refused.status_code == 422 and "Give the reason the entry is removed" in refused.text
    reply = _post(client, world, headers, "remove", entry_id="2", reason="100 typed for 10")
    assert reply.status_code == 303 and reply.headers["location"].endswith("done=remove")
    page = client.get(reply.headers["location"], headers=headers).text
    assert "Entry removed." in page and "15 minutes this month: 98979 (10-19 minutes)." in page
    assert page.count("Remove this entry of") == 1


def test_the_front_desk_has_the_claim_lines_and_the_superbill_without_the_clinical_content(
        client: TestClient, world: World) -> None:
    therapist = bearer(client, world, "therapist")
    _post(client, world, therapist, "setup", performed_on="2026-11-20", note="Camera on the shelf")
    _post(client, world, therapist, "time", performed_on="2026-11-24", minutes="15", activity="data_review",
          note="Reviewed the week")
    headers = bearer(client, world, "front_desk")
    chart = client.get(f"/patients/{world.p1}", headers=headers).text
    assert f'href="/patients/{world.p1}/rtm/claims"' in chart
    page = client.get(f"/patients/{world.p1}/rtm/claims", headers=headers).text
    assert "<td>98975</td>" in page and "<td>GP</td>" in page and "dated Fri 20 Nov 2026" in page
    assert "<td>Fri 20 Nov 2026</td>" in page and "$" in page
    for clinical in ("Camera on the shelf", "Reviewed the week", "days with data", "Knee", "daystrip"):
        assert clinical not in page, clinical
    superbill = client.get(f"/patients/{world.p1}/rtm/superbill.pdf", headers=headers)
    assert superbill.status_code == 200 and superbill.content.startswith(b"%PDF")


def test_the_superbill_names_the_referring_npi_and_keeps_the_tax_id_on_one_line(
        client: TestClient, world: World, world_engine: Engine) -> None:
    import pypdfium2

    with unit_of_work(make_session_factory(world_engine)) as session:
        episode = session.get_one(Episode, world.episode)
        episode.referring_provider_name, episode.referring_provider_npi = "Dr. Helen Ortiz, MD", "9490253603"
        episode.patient.clinic.tax_id = "36-0000000"
    headers = bearer(client, world, "therapist")
    _post(client, world, headers, "setup", performed_on="2026-11-20")
    reply = client.get(f"/patients/{world.p1}/rtm/superbill.pdf", headers=bearer(client, world, "front_desk"))
    document = pypdfium2.PdfDocument(reply.content)
    SHOTS.mkdir(parents=True, exist_ok=True)
    document[0].render(scale=1.5).to_pil().save(SHOTS / "rtm-superbill.png")
    lines = document[0].get_textpage().get_text_range().splitlines()
    referring = lines.index("Dr. Helen Ortiz, MD")
    assert lines[referring + 1] == "NPI 9490253603"
    assert any(line.startswith("NPI ") and line.endswith(" · Tax ID 36-0000000") for line in lines), lines[:8]


def test_no_superbill_before_anything_bills(client: TestClient, world: World) -> None:
    reply = client.get(f"/patients/{world.p1}/rtm/superbill.pdf", headers=bearer(client, world, "therapist"))
    assert reply.status_code == 404 and "Nothing of the remote monitoring is billable yet" in reply.text


def test_a_bad_entry_is_shown_again_with_why(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    reply = _post(client, world, headers, "time", performed_on="2026-11-25", minutes="0", activity="data_review",
                  note="kept")
    assert reply.status_code == 422 and "Minutes: Enter 1 minute or more." in reply.text
    assert ">kept</textarea>" in reply.text
    future = _post(client, world, headers, "time", performed_on="2026-11-26", minutes="5", activity="data_review")
    assert future.status_code == 422 and "is in the future" in future.text


def test_an_assistant_logs_minutes_and_the_line_carries_cq(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "assistant")
    _post(client, world, headers, "time", performed_on="2026-11-25", minutes="12", activity="interactive")
    page = client.get(f"/patients/{world.p1}/rtm", headers=headers).text
    assert "12 minutes this month: 98979 (10-19 minutes)." in page and "<td>CQ GP</td>" in page


def test_the_front_desk_sees_no_link_to_the_clinical_page_and_not_the_page(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "front_desk")
    assert f'/patients/{world.p1}/rtm?' not in client.get(f"/patients/{world.p1}", headers=headers).text
    assert client.get(f"/patients/{world.p1}/rtm", headers=headers).status_code == 403


def _home_weeks(engine: Engine, world: World) -> None:
    """The episode's home programme with guided sessions on 9 days and one ticked day, the set-up on the
    episode's first day, and 25 minutes of review this month without a call yet."""
    started = NOW.date() - timedelta(days=14)
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        patient = Actor.of(session.get_one(User, world.user_ids["patient"]))
        version = home_programmes.prescribe(session, therapist, world.episode, HomeProgrammeInput(
            starts_on=started, items=[HomeItemInput.model_validate({
                "exercise_id": "mini-squat", "monitor": "camera-side", "side": "left", "sets": 1, "reps": 5,
                "weekdays": [1, 2, 3, 4, 5, 6, 7]})]))
        item = version.items[0].id
        for offset in (0, 1, 2, 4, 5, 7, 8, 10, 12):
            row = home_sessions.start_guided(session, patient, item, day=started + timedelta(days=offset))
            home_sessions.finish(session, patient, row.id, {"repetitions": 5, "active_s": 40.0})
        home_sessions.tick_done(session, patient, item, day=started + timedelta(days=11))
        rtm.record_setup(session, therapist, world.p1, world.episode, RtmSetupInput(performed_on=started))
        rtm.log_time(session, therapist, world.p1, world.episode, RtmTimeInput(
            performed_on=NOW.date() - timedelta(days=2), minutes=25, activity=RtmActivity.DATA_REVIEW,
            note="Reviewed the week's sessions"))


@pytest.mark.browser
def test_a_therapist_logs_a_call_in_the_browser_and_the_month_bills(browser, server: str, world: World,  # type: ignore[no-untyped-def]
                                                                    world_engine: Engine) -> None:
    from playwright.sync_api import expect

    _home_weeks(world_engine, world)
    page = log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/patients/{world.p1}")
    page.get_by_role("link", name="Remote monitoring").click()
    expect(page.get_by_role("heading", name="Remote monitoring: Penny Quennell")).to_be_visible()
    expect(page.get_by_text("9 days with data: 98985 (2-15 days).")).to_be_visible()
    expect(page.get_by_text("none logged this month")).to_be_visible()
    page.screenshot(path=SHOTS / "rtm-before-call.png", full_page=True)

    form = page.locator("#time-form")
    form.get_by_label("Minutes").fill("20")
    form.get_by_label("Activity").select_option(label="Talked with the patient (real time)")
    form.get_by_label("Yes").check()
    form.get_by_label("Note").fill("Video call: knee pain settling, progressed to 3 sets.")
    form.get_by_role("button", name="Log minutes").click()
    expect(page.get_by_text("Minutes logged.")).to_be_visible()
    expect(page.get_by_text("45 minutes this month: 98980 (first 20 minutes) and 98981 × 1")).to_be_visible()
    page.screenshot(path=SHOTS / "rtm-after-call.png", full_page=True)

    form = page.locator("#time-form")
    form.get_by_label("Minutes").fill("0")
    form.get_by_role("button", name="Log minutes").click()
    expect(page.get_by_role("alert")).to_have_text("Minutes: Enter 1 minute or more.")
    assert page.url.endswith(f"/patients/{world.p1}/rtm")
    page.locator("tr", has_text="Reviewed").get_by_text("Remove…").click()
    page.locator("tr", has_text="Reviewed").get_by_label("Reason").fill("Logged twice")
    page.screenshot(path=SHOTS / "rtm-remove.png", full_page=True)
    page.locator("tr", has_text="Reviewed").get_by_role("button", name="Remove this entry of 25 minutes").click()
    expect(page.get_by_text("Entry removed.")).to_be_visible()
    expect(page.get_by_text("20 minutes this month: 98980 (first 20 minutes).")).to_be_visible()
    expect(page.locator("tr", has_text="Reviewed")).to_have_count(0)

    narrow = log_in(browser, server, world.emails["therapist"], width=390)
    narrow.goto(f"{server}/patients/{world.p1}")
    chart_width = narrow.evaluate("document.documentElement.scrollWidth")
    narrow.goto(f"{server}/patients/{world.p1}/rtm")
    narrow.screenshot(path=SHOTS / "rtm-390.png", full_page=True)
    assert narrow.evaluate("document.documentElement.scrollWidth") <= chart_width  # no wider than the chart
    strip = narrow.locator(".daystrip")
    assert strip.evaluate("e => e.scrollWidth <= e.clientWidth")

    desk = log_in(browser, server, world.emails["front_desk"])
    desk.goto(f"{server}/patients/{world.p1}")
    desk.get_by_role("link", name="Remote monitoring: claim lines and superbill").click()
    expect(desk.get_by_role("heading", name="Remote monitoring claim lines: Penny Quennell")).to_be_visible()
    expect(desk.get_by_role("link", name="Superbill (PDF)")).to_be_visible()
    desk.screenshot(path=SHOTS / "rtm-claims-front-desk.png", full_page=True)
