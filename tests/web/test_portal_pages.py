"""The portal re-read by a patient: questionnaires ask each item's question and are answered with big
buttons or a slider (and still without JavaScript); no page the patient reaches names the clinicians' MDC or
MCID; the clinician's entry form keeps its compact number boxes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.support import PASSWORD, World
from tests.web.browsing import SHOTS, log_in
from tests.web.conftest import bearer
from tests.web.portal_pages import (
    CLINICIANS_WORDS,
    PAGE_LINK,
    give_the_patient_something_to_read,
    portal_addresses,
    unreached,
)


def test_no_page_the_patient_reaches_from_the_portal_names_mdc_or_mcid(client: TestClient, world: World,
                                                                       world_engine: Engine) -> None:
    give_the_patient_something_to_read(world_engine, world)
    patient = bearer(client, world, "patient")
    queue, unfilled = portal_addresses(world)
    seen: set[str] = set()
    found: dict[str, list[str]] = {}
    while queue:
        address = queue.pop(0)
        if address in seen:
            continue
        seen.add(address)
        reply = client.get(address, headers=patient)
        if reply.status_code != 200 or not reply.headers["content-type"].startswith("text/html"):
            continue
        if words := CLINICIANS_WORDS.findall(reply.text):
            found[address] = words
        queue += PAGE_LINK.findall(reply.text)
    assert f"/episodes/{world.episode}/progress" in seen and f"/appointments/{world.appt_future}/cancel" in seen
    assert found == {} and unreached(unfilled, seen) == []
    clinicians_page = client.get(f"/episodes/{world.episode}/progress", headers=bearer(client, world, "therapist"))
    assert CLINICIANS_WORDS.search(clinicians_page.text)  # the check would see them


def test_the_patient_reads_a_change_and_a_fall_risk_in_plain_words_with_the_source_at_hand(
        client: TestClient, world: World, world_engine: Engine) -> None:
    give_the_patient_something_to_read(world_engine, world)
    page = client.get(f"/episodes/{world.episode}/progress", headers=bearer(client, world, "patient")).text
    assert ("Your Berg Balance Scale score has improved by more than the test&#39;s measurement error" in page
            and "a change big enough to notice in daily life" in page)
    assert "Your goal: <strong>56 points</strong>" in page
    assert "It does not mean that you will fall." in page and "Talk to your therapist about it." in page
    assert "Increased risk of falls: Lajoie Y, Gallagher SP." in page  # the ABC's band and its study
    assert "<table" not in page


def test_a_questionnaire_asks_each_item_s_question_with_buttons_not_number_boxes(client: TestClient,
                                                                                 world: World) -> None:
    page = client.get(f"/portal/questionnaires/{world.episode}/lefs", headers=bearer(client, world, "patient")).text
    assert "Getting into or out of the bath" in page and "0: extreme difficulty or unable" in page
    assert '<input type="radio" name="item-3" value="4">' in page and 'inputmode="decimal"' not in page
    pain = client.get(f"/portal/questionnaires/{world.episode}/nprs", headers=bearer(client, world, "patient")).text
    assert 'class="card question scale"' in pain and "10: worst pain imaginable" in pain  # a slider with JS


def test_answers_given_with_buttons_are_saved_and_a_refused_one_keeps_the_others(client: TestClient,
                                                                                 world: World) -> None:
    patient = bearer(client, world, "patient")
    address = f"/portal/questionnaires/{world.episode}/odi"
    refused = client.post(address, headers=patient, data={"item-1": "9", **{f"item-{n}": "2" for n in range(2, 11)}})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert '<input type="radio" name="item-2" value="2" checked>' in refused.text
    saved = client.post(address, headers=patient, data={f"item-{n}": "2" for n in range(1, 11)})
    assert saved.status_code == 303 and saved.headers["location"] == "/portal?filled=odi"
    progress = client.get(f"/episodes/{world.episode}/progress", headers=patient).text
    assert "Oswestry Disability Index" in progress and "40.0 %" in progress


def test_the_clinician_s_entry_form_keeps_its_number_boxes(client: TestClient, world: World) -> None:
    page = client.get(f"/visits/{world.visit_open}/measures/berg", headers=bearer(client, world, "therapist")).text
    assert 'name="item-1" class="answer" inputmode="decimal"' in page and 'type="radio"' not in page


@pytest.mark.browser
def test_a_patient_answers_pain_with_the_slider_and_without_javascript_with_buttons(  # type: ignore[no-untyped-def]
        browser, server: str, world: World) -> None:
    from playwright.sync_api import expect

    page = log_in(browser, server, world.emails["patient"], width=390)
    page.goto(f"{server}/portal/questionnaires/{world.episode}/nprs")
    slider = page.get_by_role("slider", name="Pain now")
    shown = page.locator("output.scale-value")  # what the eye reads; a screen reader hears the slider's own text
    expect(shown).to_have_text("Not answered yet: move the slider")
    expect(slider).to_have_attribute("aria-valuetext", "Not answered yet: move the slider")
    expect(page.locator("input[type=radio]:disabled")).to_have_count(11)  # the buttons without JavaScript
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(shown).to_have_text("3 out of 10")
    page.screenshot(path=SHOTS / "portal-questionnaire-slider.png", full_page=True)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you: your answers are saved")).to_be_visible()

    plain = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False).new_page()
    plain.goto(f"{server}/login")
    plain.get_by_label("E-mail").fill(world.emails["patient"])
    plain.get_by_label("Password").fill(PASSWORD)
    plain.get_by_role("button", name="Log in").click()
    plain.goto(f"{server}/portal/questionnaires/{world.episode}/nprs")
    buttons = plain.get_by_role("radio")
    expect(buttons).to_have_count(11)
    box = plain.locator("label.answer").first.bounding_box()
    assert box is not None and box["width"] >= 48 and box["height"] >= 48, box
    plain.get_by_role("radio", name="7", exact=True).click()  # the tap lands on the button
    plain.screenshot(path=SHOTS / "portal-questionnaire-without-javascript.png", full_page=True)
    plain.get_by_role("button", name="Send my answers").click()
    expect(plain.get_by_text("Thank you: your answers are saved")).to_be_visible()
    progress = plain.goto(f"{server}/episodes/{world.episode}/progress")
    assert progress is not None and "7 points" in plain.inner_text("main")
