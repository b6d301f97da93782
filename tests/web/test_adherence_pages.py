"""Adherence on the pages: the patient's calendar and streak in plain words (shapes as well as colours), the
therapist's panel with its flags and the pain review, the episode's trend labelled by source; who may see what."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import AuditEvent, Episode, HomeSession, User
from reeducate.clinic.services import home_programmes, home_sessions
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.vocabulary import AuditAction
from tests.support import NOW, World
from tests.web.browsing import SHOTS, log_in
from tests.web.conftest import bearer, browser_login

TODAY = NOW.date()  # Wednesday 25 November 2026
START = date(2026, 11, 2)  # a Monday
JARGON = ("MCID", "MDC", "adherence", "share", "threshold", "flag")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _programme(engine: Engine, world: World) -> None:
    """Squats on weekdays and a stance hold on Monday, Wednesday and Friday since Monday 2 November: done most
    days, the stance guided with falling scores, one day partly done, Friday 20 missed, severe pain on Monday 23."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        session.get_one(Episode, world.episode).started_on = START  # the programme begins with the episode
        version = home_programmes.prescribe(session, therapist, world.episode, HomeProgrammeInput(starts_on=START, items=[
            HomeItemInput(exercise_id="mini-squat", side="left", sets=2, reps=10, weekdays=[1, 2, 3, 4, 5]),
            HomeItemInput(exercise_id="single-leg-stance", side="left", sets=3, hold_s=20, weekdays=[1, 3, 5])]))
        squat, stance = (item.id for item in version.items)
        patient = Actor.of(session.get_one(User, world.user_ids["patient"]))
        scores = iter([85, 84, 86, 82, 80, 74, 70, 68, 66])
        for n in range(23):
            day = START + timedelta(days=n)
            if day.isoweekday() > 5 or day == date(2026, 11, 20):
                continue
            home_sessions.tick_done(session, patient, squat, day=day, sets_done=1 if day == date(2026, 11, 12) else None,
                                    pain_score=8 if day == date(2026, 11, 23) else None)
            if day.isoweekday() in (1, 3, 5):
                guided = home_sessions.start_guided(session, patient, stance, day=day)
                home_sessions.finish(session, patient, guided.id, {"repetitions": 0, "holds_completed": 3,
                                                                   "mean_score": next(scores), "active_s": 75.0})


def test_the_patient_sees_their_month_and_streak_in_plain_words(client: TestClient, world: World,
                                                               world_engine: Engine) -> None:
    _programme(world_engine, world)
    page = client.get("/portal/calendar", headers=bearer(client, world, "patient"))
    assert page.status_code == 200
    shown = _text(page.text)
    assert "You have done your exercises 2 days in a row. Well done!" in shown  # Mon 23, Tue 24; today not yet
    assert "Rest days do not break your run of days." in shown and "Today's exercises are waiting for you." in shown
    assert "This month so far: 15 days done, 1 day partly done, 1 day missed." in shown
    assert 'href="/portal/today"' in page.text and 'href="/portal"' in page.text
    # every day says what it is in words, not by colour alone
    assert re.search(r'day-missed">\s*<span class="day-num">20</span>.*?<span class="visually-hidden">missed', page.text,
                     re.S)
    assert re.search(r'day-due day-today">\s*<span class="day-num">25</span>.*?today, to do', page.text, re.S)
    assert not any(word in shown for word in JARGON)


def test_the_calendar_goes_back_month_by_month_to_the_programme_s_first_and_has_a_way_back_at_the_top(
        client: TestClient, world: World, world_engine: Engine) -> None:
    with unit_of_work(make_session_factory(world_engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        session.get_one(Episode, world.episode).started_on = date(2026, 10, 12)
        home_programmes.prescribe(session, therapist, world.episode, HomeProgrammeInput(
            starts_on=date(2026, 10, 12), items=[HomeItemInput(exercise_id="mini-squat", side="left", sets=2, reps=10,
                                                               weekdays=[1, 3, 5])]))
    patient = bearer(client, world, "patient")
    now = client.get("/portal/calendar", headers=patient).text
    assert now.index('class="button secondary back" href="/portal">Back to My care</a>') < now.index("<h1>")
    assert "<caption>November 2026</caption>" in now and "This month so far:" in now
    assert 'href="/portal/calendar?month=2026-10"' in now and "month=2026-12" not in now  # no later month yet
    october = client.get("/portal/calendar?month=2026-10", headers=patient).text
    assert "<caption>October 2026</caption>" in october and "In October: 9 days missed." in _text(october)  # Mon, Wed, Fri from the 12th
    assert 'href="/portal/calendar?month=2026-11"' in october and "month=2026-09" not in october  # its first month
    for outside in ("2026-09", "2026-12", "last-year"):  # before the programme, ahead of today, or no month
        assert "<caption>November 2026</caption>" in client.get(f"/portal/calendar?month={outside}", headers=patient).text


def test_the_portal_links_to_the_calendar_and_another_patient_sees_only_their_own(
        client: TestClient, world: World, world_engine: Engine) -> None:
    _programme(world_engine, world)
    headers = bearer(client, world, "other_patient")
    assert 'href="/portal/calendar"' in client.get("/portal", headers=headers).text
    page = client.get("/portal/calendar", headers=headers)
    assert page.status_code == 200 and "You have no home exercises at the moment" in page.text and "Quennell" not in page.text
    assert client.get("/portal/calendar", headers=bearer(client, world, "therapist")).status_code == 403


def test_the_therapist_s_panel_lists_the_flags_severe_pain_first_and_marks_pain_reviewed(
        client: TestClient, world: World, world_engine: Engine) -> None:
    _programme(world_engine, world)
    csrf = browser_login(client, world, "therapist")
    assert 'href="/home-programmes"' in client.get("/my-patients").text
    panel = client.get("/home-programmes").text
    assert panel.count('href="/my-patients"') == 1  # the top bar's, not a second one by the title
    shown = _text(panel)
    assert "The severe pain band is published (Serlin et al. 1995); every other threshold here is Reeducate's own " \
        "setting" in shown and "7 or more is severe (Serlin et al. 1995's band)" in shown
    assert "These thresholds are Reeducate's settings" not in shown
    assert "Quennell, Penny" in shown and "Last session Tue 24 Nov 2026" not in shown
    flags = re.findall(r"(Pain reported|Quality dropping|Falling behind|Not started)", shown)
    assert flags[:2] == ["Pain reported", "Quality dropping"]
    assert "Pain reported severe, 8 out of 10" in shown and "Single-leg stance (left): guided score down from 85 to 68" \
        in shown
    assert "67 % of the dose" in shown  # Thu 19 to Tue 24: 4 of 6 exercise-days (both missed on Fri 20)
    assert f'href="/episodes/{world.episode}/home"' in client.get("/home-programmes").text
    with make_session_factory(world_engine)() as session:
        painful = session.scalars(select(HomeSession).where(HomeSession.flagged)).one().id
    reviewed = client.post(f"/home-sessions/{painful}/review", data={"csrf_token": csrf})
    assert reviewed.status_code == 303 and reviewed.headers["location"] == "/home-programmes?reviewed=1"
    shown = _text(client.get("/home-programmes?reviewed=1").text)
    assert "Pain report marked reviewed." in shown and "Pain reported severe" not in shown
    with make_session_factory(world_engine)() as session:
        assert session.scalars(select(AuditEvent).where(
            AuditEvent.resource_type == "home_session", AuditEvent.action == AuditAction.UPDATE,
            AuditEvent.detail.contains("reviewed"))).first() is not None


def test_the_front_desk_and_patients_are_refused_the_panel(client: TestClient, world: World,
                                                          world_engine: Engine) -> None:
    _programme(world_engine, world)
    for persona in ("front_desk", "admin", "patient"):
        reply = client.get("/home-programmes", headers=bearer(client, world, persona))
        assert reply.status_code == 403 and "Quennell" not in reply.text
        if persona != "patient":  # the patient is turned away from every clinic page alike
            assert "Home programmes are followed by clinicians." in reply.text, persona
    with make_session_factory(world_engine)() as session:
        painful = session.scalars(select(HomeSession).where(HomeSession.flagged)).one().id
    assert client.post(f"/home-sessions/{painful}/review",
                       headers=bearer(client, world, "front_desk")).status_code == 403


def test_the_episode_page_shows_the_trend_labelled_by_source(
        client: TestClient, world: World, world_engine: Engine) -> None:
    _programme(world_engine, world)
    shown = _text(client.get(f"/episodes/{world.episode}", headers=bearer(client, world, "therapist")).text)
    assert "Home programme adherence" in shown and "streak 2 days" in shown
    assert "measured by the patient's camera" in shown and "reported by the patient" in shown
    assert "Mon 23 Nov 2026 Single-leg stance (left) 66" in shown
    # the week under way (Mon 23 to today, Wed 25) is marked so far; a week over is not
    assert re.search(r"Mon 23 Nov 2026 \d+ % \d+ % so far", shown) and re.search(r"Mon 16 Nov 2026 \d+ % \d+ % \d", shown)
    assistant = _text(client.get(f"/episodes/{world.episode}", headers=bearer(client, world, "assistant")).text)
    assert "Home programme adherence" in assistant
    plot = client.get(f"/episodes/{world.episode}/home-adherence.svg", headers=bearer(client, world, "therapist"))
    assert plot.status_code == 200 and plot.headers["content-type"].startswith("image/svg+xml")
    assert "Single-leg stance (left)" in plot.text and "measured by the patient" in plot.text


def test_an_episode_without_a_programme_has_no_trend(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    assert "Home programme adherence" not in client.get(f"/episodes/{world.episode}", headers=headers).text
    assert client.get(f"/episodes/{world.episode}/home-adherence.svg", headers=headers).status_code == 404


def test_screenshots_of_the_calendar_on_a_phone_and_the_panel(server: str, browser: object, world: World,
                                                             world_engine: Engine) -> None:
    _programme(world_engine, world)
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone = log_in(browser, server, world.emails["patient"], width=390)
    phone.goto(f"{server}/portal/calendar")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.screenshot(path=str(SHOTS / "adherence-calendar-390.png"), full_page=True)
    desk = log_in(browser, server, world.emails["therapist"])
    desk.goto(f"{server}/home-programmes")
    desk.screenshot(path=str(SHOTS / "adherence-panel.png"), full_page=True)
    desk.goto(f"{server}/episodes/{world.episode}#home-adherence")
    desk.wait_for_load_state("networkidle")  # the plot drawn
    desk.locator("#home-adherence").screenshot(path=str(SHOTS / "adherence-episode-trend.png"))
