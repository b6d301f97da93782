"""The reminder pages: the patient's choice in the portal (on a phone, 390 px), the e-mail's unsubscribe
link (no log-in; a button does it, a scanner's GET changes nothing; a mail program's one-click post
too), and what the staff are told when no SMTP server is set."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import HomeReminder, User
from reeducate.clinic.services import home_programmes, reminders
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from tests.mail import body, smtp_server
from tests.support import NOW, World, local
from tests.web.browsing import SHOTS, log_in
from tests.web.conftest import bearer

PUBLIC_URL = "https://alpha.example"


def _reminder(engine: Engine) -> HomeReminder | None:
    with unit_of_work(make_session_factory(engine)) as session:
        found = session.scalars(select(HomeReminder)).first()
        if found is not None:
            session.expunge(found)
        return found


def prescribed_on_wednesdays(engine: Engine, world: World) -> None:
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        home_programmes.prescribe(session, therapist, world.episode, HomeProgrammeInput(starts_on=NOW.date(), items=[
            HomeItemInput(exercise_id="mini-squat", monitor="camera-side", side="left", sets=2, reps=10,
                          weekdays=[3])]))


def test_the_patient_chooses_a_reminder(client: TestClient, world: World, world_engine: Engine) -> None:
    headers = bearer(client, world, "patient")
    page = client.get("/portal/reminders", headers=headers)
    text = html.unescape(page.text)
    assert page.status_code == 200 and 'value="patient@example.org"' in text and 'value="09:00"' in text
    assert "Name my exercises in the e-mail" in text and "never mentions your condition" in text
    assert "has not switched reminder e-mails on yet" in text  # the test site has no SMTP server
    assert 'href="/portal/reminders"' in client.get("/portal", headers=headers).text

    refused = client.post("/portal/reminders", headers=headers,
                          data={"enabled": "on", "email": "me@home.example", "at_local": "7 in the morning"})
    assert refused.status_code == 422 and "Time: give the time as hours and minutes" in html.unescape(refused.text)
    assert 'value="me@home.example"' in refused.text and _reminder(world_engine) is None
    refused = client.post("/portal/reminders", headers=headers,
                          data={"enabled": "on", "email": "me.home.example", "at_local": "07:30"})
    assert refused.status_code == 422 and "E-mail:" in refused.text

    saved = client.post("/portal/reminders", headers=headers,
                        data={"enabled": "on", "email": "me@home.example", "at_local": "07:30", "name_exercises": "on"})
    assert saved.status_code == 303 and saved.headers["location"] == "/portal/reminders?saved=on"
    reminder = _reminder(world_engine)
    assert reminder is not None and (reminder.email, reminder.at_local, reminder.enabled, reminder.name_exercises) == (
        "me@home.example", "07:30", True, True)
    shown = client.get(saved.headers["location"], headers=headers).text
    assert "Saved. We will e-mail you" in shown and 'value="07:30"' in shown and 'name="name_exercises" value="on" checked' in shown


def test_the_unsubscribe_link_asks_then_stops_the_e_mails(client: TestClient, world: World,
                                                         world_engine: Engine) -> None:
    prescribed_on_wednesdays(world_engine, world)
    client.post("/portal/reminders", headers=bearer(client, world, "patient"),
                data={"enabled": "on", "email": "me@home.example", "at_local": "10:00"})
    with smtp_server() as (mailer, inbox):
        report = reminders.send_due(make_session_factory(world_engine), mailer, PUBLIC_URL, now=local(0, 10, 0))
    assert len(report.sent) == 1 and len(inbox.messages) == 1
    found = re.search(r"https://alpha\.example(/reminders/unsubscribe/\S+)", body(inbox.messages[0], "plain"))
    assert found is not None
    link = found.group(1)

    asked = client.get(link)  # nobody logged in; a mail scanner opening the link changes nothing
    assert asked.status_code == 200 and "Stop reminder e-mails" in asked.text and "Quennell" not in asked.text
    assert f'action="{link}"' in asked.text
    stored = _reminder(world_engine)
    assert stored is not None and stored.unsubscribed_at is None

    done = client.post(link)
    assert done.status_code == 200 and "Reminders stopped" in done.text and "Alpha Rehab" in done.text
    assert 'href="/portal/reminders"' in done.text
    stored = _reminder(world_engine)
    assert stored is not None and stored.unsubscribed_at is not None and not stored.enabled
    assert "Reminders stopped" in client.get(link).text

    shown = client.get("/portal/reminders", headers=bearer(client, world, "patient")).text
    assert "You stopped these e-mails on" in shown


def test_a_mail_programs_one_click_unsubscribe_works_without_a_session(client: TestClient, world: World,
                                                                     world_engine: Engine) -> None:
    client.post("/portal/reminders", headers=bearer(client, world, "patient"),
                data={"enabled": "on", "email": "me@home.example", "at_local": "10:00"})
    reminder = _reminder(world_engine)
    assert reminder is not None
    one_click = client.post(f"/reminders/unsubscribe/{reminder.token}", content=b"List-Unsubscribe=One-Click",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert one_click.status_code == 200
    stopped = _reminder(world_engine)
    assert stopped is not None and stopped.unsubscribed_at is not None


@pytest.mark.parametrize("token", ["not-a-token-we-ever-gave-out", "short", "tulip%00lantern-and-more-words",
                                   "x" * 50_000])
def test_an_unknown_unsubscribe_link_is_not_found(client: TestClient, token: str) -> None:
    assert client.get(f"/reminders/unsubscribe/{token}").status_code == 404
    assert client.post(f"/reminders/unsubscribe/{token}").status_code == 404


def test_the_administrator_is_told_that_no_reminder_is_sent(client: TestClient, world: World) -> None:
    page = html.unescape(client.get("/admin", headers=bearer(client, world, "admin")).text)
    assert "Not sent: no e-mail (SMTP) server is set up" in page and "REEDUCATE_SMTP_HOST" in page


@pytest.mark.browser
def test_the_reminder_page_fits_a_phone(browser: Any, server: str, world: World,
                                        world_engine: Engine) -> None:
    page = log_in(browser, server, world.emails["patient"], width=390)
    page.get_by_role("link", name="Exercise reminders by e-mail").click()
    page.wait_for_url(f"{server}/portal/reminders")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "reminders-portal-390.png"), full_page=True)
    page.get_by_label("At what time?").fill("07:45")
    page.get_by_label("Name my exercises in the e-mail").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{server}/portal/reminders?saved=on")
    assert "Saved." in page.get_by_role("status").inner_text()
    page.screenshot(path=str(SHOTS / "reminders-portal-saved-390.png"), full_page=True)
    reminder = _reminder(world_engine)
    assert reminder is not None and reminder.at_local == "07:45" and reminder.name_exercises

    phone = browser.new_context(viewport={"width": 390, "height": 800}).new_page()  # from the e-mail: no log-in
    phone.goto(f"{server}/reminders/unsubscribe/{reminder.token}")
    phone.screenshot(path=str(SHOTS / "reminders-unsubscribe-390.png"), full_page=True)
    phone.get_by_role("button", name="Stop reminder e-mails").click()
    phone.get_by_role("heading", name="Reminders stopped").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SHOTS / "reminders-unsubscribed-390.png"), full_page=True)
