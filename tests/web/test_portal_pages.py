"""The portal re-read by a patient: questionnaires ask each item's question and are answered with big
buttons or a slider (and still without JavaScript); no page the patient reaches names the clinicians' MDC or
MCID; the clinician's entry form keeps its compact number boxes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import Goal, User
from reeducate.clinic.schemas import AdministrationCreate
from reeducate.clinic.services import measures
from reeducate.clinic.services.prognosis import GoalPrognosis
from reeducate.measures import catalogue
from reeducate.planning.prognosis import NOT_YET, Basis, Outlook, Prognosis
from reeducate.web.templating import templates
from tests.support import PASSWORD, World, local
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
    assert ("Your Berg Balance Scale score has improved by more than the ups and downs this test usually shows from "
            "one time to the next" in page and "a change big enough to notice in daily life" in page)
    assert "Your goal: <strong>56 points</strong>" in page
    assert "It does not mean that you will fall." in page and "Talk to your therapist about it." in page
    assert "Increased risk of falls: Lajoie Y, Gallagher SP." in page  # the ABC's band and its study
    assert "<table" not in page


def test_the_progress_page_has_no_measurement_jargon_no_unit_symbols_and_no_small_print_chart(
        client: TestClient, world: World, world_engine: Engine) -> None:
    give_the_patient_something_to_read(world_engine, world)  # and the world's force-plate trial, in the same episode
    page = client.get(f"/episodes/{world.episode}/progress", headers=bearer(client, world, "patient")).text
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    for jargon in ("measurement error", "bipedal", "cm/s", "velocity", "baseline"):
        assert jargon not in shown.lower(), jargon
    assert "On both feet, eyes open, on a firm floor:" in shown and "centimetres a second" in shown
    main = page[page.index("<main"):]
    assert "<img" not in main and ".svg" not in main  # a plot's print is too small on a phone: the words say it
    assert page.index('class="button secondary back" href="/portal">Back to My care</a>') < page.index("<h1>")


def test_a_score_past_two_fall_risk_bands_is_said_once_with_both_studies(client: TestClient, world: World,
                                                                        world_engine: Engine) -> None:
    with unit_of_work(make_session_factory(world_engine)) as session:
        therapist = Actor.of(session.get(User, world.user_ids["therapist"]))
        measures.record_in_visit(session, therapist, world.visit_open, "tug",  # past 12 s (CDC) and 13.5 s
                                 AdministrationCreate(responses={"seconds": 15.6}), now=local(0, 8, 50))
    page = client.get(f"/episodes/{world.episode}/progress", headers=bearer(client, world, "patient")).text
    tug = page[page.index('id="measure-tug"'):]
    tug = tug[:tug.index("</section>")]
    assert tug.count('class="talk"') == 1 and "published studies link with a higher chance of falling" in tug
    assert "Centers for Disease Control and Prevention" in tug and "Shumway-Cook A" in tug
    assert "15.6 seconds" in tug and "15.6 s<" not in tug


def _goal_lines(*goals: GoalPrognosis) -> list[str]:
    html = templates.env.get_template("partials/portal_goals.html").render(goals=goals, episode_id=1, login=None)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)).strip() for line in re.findall(r"<li>(.*?)</li>", html, re.S)]


def _goal(measure_id: str, target: float, due_on: date, prognosis: Prognosis) -> GoalPrognosis:
    return GoalPrognosis(Goal(target=target, due_on=due_on), catalogue.instruments()[measure_id], prognosis)


def test_each_goal_is_one_line_naming_it_and_a_date_from_which_on_is_not_a_contradiction() -> None:
    met = Prognosis(Basis.NONE, True, None, None, None, "", "Already met.", "You have reached this goal.", Outlook.MET)
    unknown = Prognosis(Basis.NONE, False, None, None, None, "", "Not enough data yet.", NOT_YET, Outlook.UNKNOWN)
    # the own trend's one-sided interval: probably not before 10 April, no later bound within a year
    later = Prognosis(Basis.OWN_TREND, False, None, date(2027, 4, 10), None, "80% prediction interval", "Own trend.",
                      "judging from your own progress so far", Outlook.UNKNOWN)
    within = Prognosis(Basis.OWN_TREND, False, date(2027, 1, 8), date(2026, 12, 20), date(2027, 2, 1), "80%", "Own.",
                       "judging from your own progress so far", Outlook.BEHIND)
    assert _goal_lines(_goal("lefs", 40, date(2026, 11, 26), met), _goal("lefs", 60, date(2026, 12, 23), unknown)) == [
        "Your goal: 40 points on the Lower Extremity Functional Scale by Thu 26 Nov 2026. You have reached it. Well done!",
        "Your goal: 60 points on the Lower Extremity Functional Scale by Wed 23 Dec 2026. We can't say yet when you will "
        "reach it: we need a few more of your check-ins."]
    assert _goal_lines(_goal("berg", 52, date(2026, 12, 30), later)) == [
        "Your goal: 52 points on the Berg Balance Scale by Wed 30 Dec 2026. It will probably take until Sat 10 Apr 2027 "
        "at least, judging from your own progress so far; we can't yet say how much longer. That is later "
        "than the date we planned; your therapist will talk it over with you."]
    assert _goal_lines(_goal("tug", 12, date(2027, 1, 1), within)) == [
        "Your goal: 12.0 seconds on the Timed Up and Go by Fri 01 Jan 2027. You will probably reach it between Sun 20 "
        "Dec 2026 and Mon 01 Feb 2027, judging from your own progress so far. That is later than the date we planned; "
        "your therapist will talk it over with you."]


def test_the_portal_home_offers_the_calendar_and_the_reminders_as_buttons_under_today_s_exercises(
        client: TestClient, world: World) -> None:
    page = client.get("/portal", headers=bearer(client, world, "patient")).text
    links = page[page.index('class="button portal-today"'):page.index("</nav>", page.index('class="portal-links"'))]
    assert '<a class="button secondary" href="/portal/calendar">My exercise calendar</a>' in links
    assert '<a class="button secondary" href="/portal/reminders" id="reminders-link">Exercise reminders by e-mail</a>' \
        in links


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


@pytest.mark.browser
def test_on_a_phone_the_portal_s_ways_around_are_big_buttons(  # type: ignore[no-untyped-def]
        browser, server: str, world: World, world_engine: Engine) -> None:
    give_the_patient_something_to_read(world_engine, world)
    page = log_in(browser, server, world.emails["patient"], width=390)
    page.goto(f"{server}/portal")
    today = page.get_by_role("link", name="Today's exercises", exact=True).bounding_box()
    assert today is not None
    for name in ("My exercise calendar", "Exercise reminders by e-mail"):
        box = page.get_by_role("link", name=name, exact=True).bounding_box()
        assert box is not None and box["height"] >= 48 and box["width"] >= 300 and box["y"] > today["y"], (name, box)
    page.screenshot(path=SHOTS / "portal-home-buttons-390.png")
    for address in ("/portal/calendar", f"/episodes/{world.episode}/progress"):
        page.goto(f"{server}{address}")
        back = page.get_by_role("link", name="Back to My care", exact=True).bounding_box()
        heading = page.get_by_role("heading", level=1).bounding_box()
        assert back is not None and heading is not None and back["height"] >= 48 and back["y"] < heading["y"], address
        page.screenshot(path=SHOTS / f"portal-back-{address.strip('/').replace('/', '-')}-390.png", full_page=True)
