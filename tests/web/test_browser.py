"""In a real browser (Playwright driving Debian's chromium): a therapist logs in, finds a patient,
opens the chart and books an appointment; a patient logs in and sees only their own records.

Screenshots of every step go to test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reeducate.signals.gait import analyze_gait
from reeducate.signals.io.imu import read_imu
from tests.support import PASSWORD, World, synthetic_trial_csv
from tests.web.browsing import SHOTS
from tests.web.browsing import log_in as _log_in

pytestmark = pytest.mark.browser


def test_a_therapist_finds_a_patient_opens_the_chart_and_books(browser, server: str, world: World) -> None:
    from playwright.sync_api import expect

    page = _log_in(browser, server, world.emails["therapist"])
    expect(page.get_by_role("heading", name="Schedule")).to_be_visible()
    page.screenshot(path=SHOTS / "therapist-schedule.png", full_page=True)

    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_role("searchbox").fill("quenn")
    row_link = page.get_by_role("link", name="Quennell, Penny")
    expect(row_link).to_be_visible()
    expect(page.get_by_role("link", name="Abernathy, Paul")).to_have_count(0)  # htmx replaced the list
    page.screenshot(path=SHOTS / "therapist-search.png", full_page=True)

    row_link.click()
    expect(page.get_by_role("heading", name="Penny Quennell")).to_be_visible()
    expect(page.get_by_text("Unsteadiness on feet")).to_be_visible()
    page.screenshot(path=SHOTS / "therapist-chart.png", full_page=True)

    page.get_by_role("link", name="Book appointment").click()
    page.get_by_label("Clinician").select_option(label="Therapist (Physical therapist)")
    page.get_by_label("Date").fill("2026-11-26")
    page.get_by_label("Time").fill("14:00")
    page.screenshot(path=SHOTS / "therapist-book.png", full_page=True)
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_text("Appointment booked.")).to_be_visible()
    expect(page.get_by_role("cell", name="Thu 26 Nov 2026 14:00")).to_be_visible()
    page.screenshot(path=SHOTS / "therapist-booked.png", full_page=True)


def test_a_patient_sees_only_their_own_records(browser, server: str, world: World) -> None:
    from playwright.sync_api import expect

    page = _log_in(browser, server, world.emails["patient"])
    expect(page.get_by_role("heading", name="Hello, Penny")).to_be_visible()
    expect(page.get_by_text("Fall risk and balance")).to_be_visible()
    body = page.content()
    assert "Abernathy" not in body and "Zeller" not in body
    page.screenshot(path=SHOTS / "patient-portal.png", full_page=True)

    page.get_by_label("Date").fill("2026-11-27")
    page.get_by_label("Time").fill("15:00")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("the front desk will confirm it")).to_be_visible()

    for forbidden in (f"/patients/{world.p2}", "/schedule", f"/api/v1/patients/{world.p2}",
                      f"/api/v1/visits/{world.visit_done + 1000}"):
        response = page.goto(f"{server}{forbidden}")
        assert response is not None and response.status in (403, 404), forbidden
        assert "Abernathy" not in page.content()
    page.goto(f"{server}/patients/{world.p2}")
    page.screenshot(path=SHOTS / "patient-refused.png", full_page=True)


def test_a_therapist_enters_a_berg_by_keyboard_and_sees_the_progress_plot(browser, server: str,
                                                                           world: World) -> None:
    page = _log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/patients/{world.p1}")
    with page.expect_navigation():
        page.get_by_role("link", name="Open visit").first.click()
    page.get_by_label("Record a measure").select_option("berg")
    with page.expect_navigation():
        page.get_by_role("button", name="Open the form").click()
    assert page.url.endswith(f"/visits/{world.visit_open}/measures/berg")
    page.locator("input.answer").first.focus()  # autofocus, made explicit so typing cannot race it
    page.keyboard.type("44443333222211")  # focus moves on after each answer
    assert page.locator("#running-total").inner_text() == "38"
    page.screenshot(path=str(SHOTS / "measure-form-berg.png"), full_page=True)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert re.fullmatch(rf".*/episodes/{world.episode}/progress\?recorded=\d+&visit={world.visit_open}$", page.url)
    assert "38 points" in page.inner_text("main")
    assert page.get_by_role("link", name="Back to the visit").get_attribute("href") == f"/visits/{world.visit_open}"
    plot = page.locator(f"img[src='/episodes/{world.episode}/progress/berg.svg']")
    assert plot.evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=str(SHOTS / "progress.png"), full_page=True)


def test_a_typing_error_is_shown_and_nothing_is_saved(browser, server: str, world: World) -> None:
    page = _log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/visits/{world.visit_open}/measures/berg")
    page.locator("input.answer").first.focus()
    page.keyboard.type("4444333322221")
    page.get_by_label("Item 14: Standing on one leg").fill("7")
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert "item 14 (Standing on one leg): 7 is not allowed" in page.inner_text("[role=alert]")
    assert page.get_by_label("Item 1: Sitting to standing").input_value() == "4"


def test_a_patient_fills_in_a_requested_questionnaire(browser, server: str, world: World) -> None:
    page = _log_in(browser, server, world.emails["patient"])
    assert "Before your visit" in page.inner_text("main")
    with page.expect_navigation():
        page.get_by_role("link", name="Oswestry Disability Index (version 2.1a)").click()
    for number, answer in enumerate("2223212121", start=1):  # big buttons, one question each
        page.get_by_role("group", name=f"{number}. ").get_by_role("radio", name=answer, exact=True).check()
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert "your answers are saved" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "portal-questionnaire-done.png"), full_page=True)


def test_a_therapist_uploads_four_conditions_and_sees_results_plots_and_the_comparison(
        browser, server: str, world: World, example) -> None:
    page = _log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/visits/{world.visit_open}")
    with page.expect_navigation():
        page.get_by_role("link", name="Record or see force-plate trials").click()
    assert page.url.endswith(f"/visits/{world.visit_open}/balance")
    # subject 14 of the BDS set (75 y): eyes open/closed on firm ground and on foam, rows pre-set in that order
    for row, name in enumerate(["BDS00160.txt", "BDS00157.txt", "BDS00166.txt", "BDS00163.txt"]):
        page.get_by_label(f"Trial {row + 1} recording").set_input_files(str(example(name)))
    page.get_by_label("Patient's height").fill("174.5")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and analyse").click()
    text = page.inner_text("main")  # the tests' queue runs the job before the page is shown
    assert "Sensory interaction (mCTSIB)" in text and "Romberg quotient: firm" in text
    for image in page.locator("img[src^='/balance-trials/']").all():
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), image.get_attribute("src")
    page.screenshot(path=str(SHOTS / "balance-visit.png"), full_page=True)
    page.goto(f"{server}/episodes/{world.episode}/progress")
    plot = page.locator(f"img[src='/episodes/{world.episode}/balance.svg']")
    assert plot.evaluate("img => img.complete && img.naturalWidth > 0")


def test_a_bad_recording_is_refused_on_the_page_and_nothing_is_added(browser, server: str, world: World,
                                                                      tmp_path: Path) -> None:
    page = _log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/visits/{world.visit_open}/balance")
    before = page.locator("img[src^='/balance-trials/']").count()
    (tmp_path / "two-seconds.csv").write_bytes(synthetic_trial_csv(seconds=2))
    page.get_by_label("Trial 1 recording").set_input_files(str(tmp_path / "two-seconds.csv"))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and analyse").click()
    assert "lasts 2.0 s" in page.inner_text("[role=alert]")
    assert page.locator("img[src^='/balance-trials/']").count() == before


def test_a_therapist_uploads_a_gait_file_and_sees_the_strides_and_the_plots(browser, server: str, world: World,
                                                                         example) -> None:
    page = _log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/visits/{world.visit_open}")
    with page.expect_navigation():
        page.get_by_role("link", name="Record or see movement").click()
    assert page.url.endswith(f"/visits/{world.visit_open}/movement")
    page.get_by_label("File", exact=True).set_input_files(str(example("gaitmap_imu_sample.csv")))
    page.locator("select[name=kind]").select_option("imu_gait")
    page.get_by_label("Sampling rate", exact=False).first.fill("40")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and analyse").click()
    assert "sampling rate is probably wrong" in page.inner_text("[role=alert]")
    before = page.locator("section.movement-recording").count()
    page.get_by_label("File", exact=True).set_input_files(str(example("gaitmap_imu_sample.csv")))
    page.locator("select[name=kind]").select_option("imu_gait")
    page.get_by_label("Sampling rate", exact=False).first.fill("204.8")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and analyse").click()
    assert page.locator("section.movement-recording").count() == before + 1
    latest = page.locator("section.movement-recording").last
    engine = analyze_gait(read_imu(example("gaitmap_imu_sample.csv"), sampling_rate_hz=204.8))
    assert f"left {len(engine.strides['left'])} · right {len(engine.strides['right'])}" in latest.inner_text()
    for image in page.locator("img[src^='/movement-recordings/']").all():
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), image.get_attribute("src")
    assert page.locator(f"img[src='/movement-recordings/{world.video_recording}/angles.svg']").count() == 1
    page.screenshot(path=str(SHOTS / "movement-visit.png"), full_page=True)


def _start_exercise(page, choice: str, source: str, *, side: str = "left", recording: str | None = None) -> None:  # type: ignore[no-untyped-def]
    page.locator("select[name=choice]").select_option(choice)
    page.locator("select[name=side]").select_option(side)
    page.locator("select[name=source]").select_option(source)
    if recording is not None:  # a label says what the recording is and when: the latest of its kind is chosen
        option = page.locator("select[name=recording] option", has_text=recording).last
        page.locator("select[name=recording]").select_option(value=option.get_attribute("value"))
    page.get_by_role("button", name="Start").click()


def test_a_replayed_clip_is_counted_and_cued_live_and_the_summary_lands_on_the_visit(
        browser, server: str, world: World, example) -> None:
    # The Sports2D man's two jumping jacks, reaching overhead with bent elbows (frames 21 and 56 of the clip).
    page = _log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/visits/{world.visit_open}/movement")
    page.get_by_label("File", exact=True).set_input_files(str(example("sports2d_demo.mp4")))
    with page.expect_navigation(timeout=120_000):
        page.get_by_role("button", name="Upload and analyse").click()
    page.goto(f"{server}/visits/{world.visit_open}")
    with page.expect_navigation():
        page.get_by_role("link", name="Run a live exercise").click()
    _start_exercise(page, "overhead-reach|camera-front", "recording", recording="Camera clip recorded at")
    page.locator("#live-cue", has_text="Straighten your elbow as you reach").wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "live-training-cue.png"), full_page=True)
    page.locator("#live-summary").wait_for(timeout=60_000)
    assert page.inner_text("#live-count") == "2"
    assert page.locator("#live-scores li").count() == 2
    assert "2 repetitions" in page.inner_text("#live-summary")
    page.screenshot(path=str(SHOTS / "live-training-done.png"), full_page=True)
    page.goto(f"{server}/visits/{world.visit_open}/training")
    row = page.locator("#records tbody tr").last.inner_text()
    assert "Overhead reach (left)" in row and "Completed" in row, row


def test_severe_pain_stops_the_exercise_on_the_page_until_a_therapist_resumes(browser, server: str,
                                                                             world: World) -> None:
    page = _log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/visits/{world.visit_open}/training")
    _start_exercise(page, "mini-squat|camera-side", "simulated")
    page.locator("#live-scores li").first.wait_for(timeout=20_000)  # one squat counted, then pain
    page.locator("#pain-score").select_option("8")
    page.get_by_role("button", name="Stop: pain").click()
    page.locator("#live-summary", has_text="stopped for pain").wait_for(timeout=10_000)
    assert "Stopped: pain 8/10" in page.inner_text("#live-cue")
    shown = page.inner_text("#live-count")
    page.wait_for_timeout(1500)  # the simulated patient goes on moving: nothing more may be counted
    assert page.inner_text("#live-count") == shown
    page.screenshot(path=str(SHOTS / "live-training-pain.png"), full_page=True)
    page.goto(f"{server}/visits/{world.visit_open}/training")
    assert "Exercises stopped: severe pain" in page.inner_text("#pain-lock")
    assert page.locator("#records tbody tr").last.locator("td").nth(4).inner_text() == "1"  # kept
    assert page.locator("#start-form").count() == 0
    assert "regress next time" in page.inner_text("#records")
    with page.expect_navigation():
        page.get_by_role("button", name="Patient checked: resume exercises").click()
    assert page.locator("#pain-lock").count() == 0 and page.locator("#start-form").count() == 1


def test_a_force_plate_trial_replays_inside_its_cop_target_and_can_be_ended(browser, server: str,
                                                                           world: World) -> None:
    page = _log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/visits/{world.visit_open}/training")
    page.locator("select[name=choice]").select_option("two-foot-stance|force_plate")
    page.locator("select[name=source]").select_option("recording")
    page.locator("select[name=recording]").select_option(f"balance:{world.balance_trial}")
    page.get_by_role("button", name="Start").click()
    page.locator("#live-status", has_text="Holding").wait_for(timeout=20_000)  # after the 1-s centring
    page.wait_for_timeout(1500)
    assert page.inner_text("#live-count-label") == "holds of 30 s"
    page.screenshot(path=str(SHOTS / "live-training-cop.png"), full_page=True)
    page.get_by_role("button", name="End exercise").click()  # before a 30-s hold was done: not "completed"
    page.locator("#live-summary", has_text="Saved on the visit (ended early)").wait_for(timeout=10_000)


def test_a_therapist_bills_writes_and_signs_the_note_and_the_front_desk_releases_the_claim(
    browser, server: str, world: World
) -> None:
    page = _log_in(browser, server, world.emails["therapist"])
    page.goto(f"{server}/visits/{world.visit_open}/billing")
    assert "drafted from the visit's activities" in page.inner_text("main")
    page.locator("select[name=code]").nth(0).select_option("97112")
    page.locator("input[name=minutes]").nth(0).fill("24")
    page.locator("input[name=assistant_minutes]").nth(0).fill("5")
    page.locator("select[name=code]").nth(1).select_option("97110")
    page.locator("input[name=minutes]").nth(1).fill("23")
    with page.expect_navigation():
        page.get_by_role("button", name="Save minutes").click()
    units = page.inner_text("#units")
    assert "97112" in units and "CQ GP" in units and "$170.00" in units, units
    page.screenshot(path=SHOTS / "billing-visit.png", full_page=True)
    page.locator("input[name=minutes]").nth(1).fill("-3")
    with page.expect_navigation():
        page.get_by_role("button", name="Save minutes").click()
    assert "97110: minutes must be between 0 and 480" in page.inner_text("main")

    page.goto(f"{server}/visits/{world.visit_open}/note")
    with page.expect_navigation():
        page.get_by_role("button", name="Draft the note").click()
    assert "Berg Balance Scale" in page.input_value("textarea[name=objective]")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign note").click()
    assert "Write the subjective, assessment, plan section(s) before signing." in page.inner_text("main")
    page.fill("textarea[name=subjective]", "Feels steadier on stairs; no falls this week.")
    page.fill("textarea[name=assessment]", "Berg improving; still at risk on uneven ground.")
    page.fill("textarea[name=plan]", "Progress to foam stance next visit.")
    page.screenshot(path=SHOTS / "note-draft.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign note").click()
    assert page.inner_text("#note-status") == "Signed" and "(content matches)" in page.inner_text("#signed-note")
    assert page.locator("textarea[name=subjective]").count() == 0  # nothing left to edit
    page.fill("textarea[name=addendum]", "Patient called: no soreness the next day.")
    with page.expect_navigation():
        page.get_by_role("button", name="Add addendum").click()
    assert "Patient called: no soreness the next day." in page.inner_text("#addenda")
    page.screenshot(path=SHOTS / "note-signed.png", full_page=True)

    desk = _log_in(browser, server, world.emails["front_desk"])
    desk.goto(f"{server}/visits/{world.visit_open}/billing")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Validate and release the 837P").click()
    claims = desk.inner_text("#claims")
    assert "$170.00" in claims and "837P file" in claims, claims
    desk.screenshot(path=SHOTS / "billing-claim.png", full_page=True)


def _watched_page(browser):  # type: ignore[no-untyped-def]
    """A fresh page, and a list collecting its script errors and refusals by the Content-Security-Policy,
    and every file it failed to load (the favicon among them); the page's own status is the test's."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems: list[str] = []

    def console(message) -> None:  # type: ignore[no-untyped-def]
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def response(answer) -> None:  # type: ignore[no-untyped-def]
        if answer.status >= 400 and not answer.request.is_navigation_request():
            problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    return page, problems


def test_the_api_docs_ask_staff_to_log_in_then_list_the_operations_offline_under_the_strict_csp(
        browser, server: str, world: World) -> None:
    from playwright.sync_api import expect

    page, problems = _watched_page(browser)
    page.goto(f"{server}/docs")  # outside development, the docs are for logged-in staff
    page.get_by_label("E-mail").fill(world.emails["therapist"])
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert page.url == f"{server}/docs"
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/auth/login")).to_be_visible()
    assert page.locator(".opblock").count() > 50
    page.screenshot(path=SHOTS / "api-docs.png")
    page.locator(".opblock-summary", has_text="/api/v1/auth/login").click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    assert problems == []


def test_an_unknown_address_shows_a_page_with_the_way_home(browser, server: str) -> None:
    from playwright.sync_api import expect

    page, problems = _watched_page(browser)
    response = page.goto(f"{server}/patients-list")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text("There is no page at /patients-list")).to_be_visible()
    page.screenshot(path=SHOTS / "not-found.png")
    page.get_by_role("link", name="Back to my home page").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert problems == []
