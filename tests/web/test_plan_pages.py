"""The goals and plan-of-care pages: a PT sets goals, drafts and signs the plan, prints it; the front desk
records the certification and uploads the signed scan but never sees the plan's content; the chart and
the schedule show what paperwork is due."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import Goal, PlanOfCare, Visit
from tests.support import NOW, World
from tests.web.conftest import bearer

TODAY = NOW.date()
START = TODAY - timedelta(days=14)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _plan_id(engine: Engine) -> int:
    with unit_of_work(make_session_factory(engine)) as session:
        return max(p.id for p in session.query(PlanOfCare).all())


def _signed_plan(client: TestClient, world: World, engine: Engine) -> int:
    pt = bearer(client, world, "therapist")
    assert client.post(f"/episodes/{world.episode}/goals/new", headers=pt, data={
        "term": "long", "measure_id": "berg", "target": "54", "due_on": (TODAY + timedelta(days=40)).isoformat(),
        "description": ""}).status_code == 303
    reply = client.post(f"/episodes/{world.episode}/plan", headers=pt, data={
        "visits_per_week": "2", "weeks": "6", "starts_on": "", "ends_on": "", "home_programme": "Stance daily",
        "add": "exercise:foam-stance"})
    assert reply.status_code == 303, reply.text[:400]
    plan_id = _plan_id(engine)
    assert client.post(f"/plans/{plan_id}/sign", headers=pt).status_code == 303
    return plan_id


def test_a_pt_sets_a_goal_and_sees_its_progress(client: TestClient, world: World) -> None:
    pt = bearer(client, world, "therapist")
    page = client.get(f"/episodes/{world.episode}/goals", headers=pt)
    assert page.status_code == 200 and "No goals set yet" in page.text and "Set the goal" in page.text
    reply = client.post(f"/episodes/{world.episode}/goals/new", headers=pt, data={
        "term": "short", "measure_id": "berg", "target": "54", "due_on": "", "description": ""})
    assert reply.status_code == 303
    page = client.get(reply.headers["location"], headers=pt)
    assert "Goal set." in page.text and "Short-term:" in page.text and "Berg Balance Scale 54 points" in page.text
    assert "Baseline 50 points (Wed 25 Nov 2026)" in page.text
    goal_id = int(re.search(r'action="/goals/(\d+)/status"', page.text).group(1))  # type: ignore[union-attr]
    reply = client.post(f"/goals/{goal_id}/status", headers=pt, data={"status": "met", "met_on": TODAY.isoformat()})
    assert reply.status_code == 303
    page = client.get(reply.headers["location"], headers=pt)
    assert "Met Wed 25 Nov 2026, marked by Therapist" in page.text and "Put back in progress" in page.text


def test_a_refused_goal_comes_back_with_the_message_and_what_was_typed(client: TestClient, world: World) -> None:
    pt = bearer(client, world, "therapist")
    reply = client.post(f"/episodes/{world.episode}/goals/new", headers=pt, data={
        "term": "long", "measure_id": "berg", "target": "70", "description": "Walk the dog"})
    assert reply.status_code == 422 and "within 0 to 56" in reply.text and "Walk the dog" in reply.text


def test_a_pt_drafts_signs_and_prints_the_plan(client: TestClient, world: World, world_engine: Engine) -> None:
    pt = bearer(client, world, "therapist")
    page = client.get(f"/episodes/{world.episode}/plan", headers=pt)
    assert page.status_code == 200 and "No plan yet" in page.text and "Save the draft" in page.text
    reply = client.post(f"/episodes/{world.episode}/plan", headers=pt, data={
        "visits_per_week": "2", "weeks": "13", "ends_on": (START + timedelta(days=90)).isoformat(),
        "add": "technique:balance-training"})
    assert reply.status_code == 422 and "91 days is too long" in reply.text and "§220.1.3" in reply.text
    plan_id = _signed_plan(client, world, world_engine)
    page = client.get(f"/episodes/{world.episode}/plan", headers=pt)
    for shown in ("Plan 1", "Signed", "2× a week for 6 weeks", "12 expected visits", "Stance on foam",
                  "3 sets, holds of 30 s, rest 30 s", "content unchanged since", "Write the next version",
                  "Certification due by Fri 11 Dec 2026", "§220.1.3 B: within 30 days of the first treatment",
                  "Next recertification due by Tue 22 Dec 2026", "Record the certification"):
        assert shown in page.text, shown
    pdf = client.get(f"/plans/{plan_id}/plan-of-care.pdf", headers=pt)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["cache-control"] == "private, no-store"
    reply = client.post(f"/plans/{plan_id}/new-version", headers=pt)
    assert reply.status_code == 303
    page = client.get(reply.headers["location"], headers=pt)
    assert "Plan 2 (recertification)" in page.text and "Earlier plans" in page.text


def test_the_front_desk_records_the_certification_without_seeing_the_plan(
        client: TestClient, world: World, world_engine: Engine) -> None:
    plan_id = _signed_plan(client, world, world_engine)
    desk = bearer(client, world, "front_desk")
    page = client.get(f"/episodes/{world.episode}/plan", headers=desk)
    assert page.status_code == 200 and "Record the certification" in page.text
    assert "Stance on foam" not in page.text and "Berg" not in page.text and "Stance daily" not in page.text
    verbal = TODAY - timedelta(days=1)
    reply = client.post(f"/plans/{plan_id}/certification", headers=desk, data={
        "physician_name": "Dr Ada Reyes", "physician_npi": "", "sent_on": TODAY.isoformat(),
        "verbal_order_on": verbal.isoformat(), "certified_on": "", "received_on": "", "certification_note": ""})
    assert reply.status_code == 303
    page = client.get(reply.headers["location"], headers=desk)
    assert "Certification saved." in page.text and "Dr Ada Reyes" in page.text
    assert "Signature after the verbal order due by Tue 08 Dec 2026" in page.text
    reply = client.post(f"/plans/{plan_id}/certification", headers=desk, data={
        "physician_name": "Dr Ada Reyes", "certified_on": (TODAY + timedelta(days=2)).isoformat()})
    assert reply.status_code == 422 and "in the future" in reply.text
    reply = client.post(f"/plans/{plan_id}/signature", headers=desk, files={"signature": ("signed.png", PNG, "image/png")})
    assert reply.status_code == 303
    assert client.get(f"/plans/{plan_id}/signature", headers=desk).status_code == 403
    download = client.get(f"/plans/{plan_id}/signature", headers=bearer(client, world, "therapist"))
    assert download.status_code == 200 and download.content == PNG
    assert client.get(f"/plans/{plan_id}/plan-of-care.pdf", headers=desk).status_code == 403
    assert client.post(f"/plans/{plan_id}/sign", headers=desk).status_code == 403


def test_the_episode_page_shows_the_goals_and_the_plans_state(client: TestClient, world: World,
                                                              world_engine: Engine) -> None:
    _signed_plan(client, world, world_engine)
    page = client.get(f"/episodes/{world.episode}", headers=bearer(client, world, "therapist"))
    for shown in ("Goals and plan of care", "Berg Balance Scale 54 points", "Plan 1: signed",
                  "Certification due by Fri 11 Dec 2026"):
        assert shown in page.text, shown


def test_the_chart_shows_every_staff_member_the_paperwork_due(client: TestClient, world: World,
                                                               world_engine: Engine) -> None:
    _signed_plan(client, world, world_engine)
    for persona in ("front_desk", "therapist"):
        page = client.get(f"/patients/{world.p1}", headers=bearer(client, world, persona))
        assert "Paperwork due" in page.text and "Certification due by Fri 11 Dec 2026" in page.text, persona
        assert "2 of 10 treatment days" in page.text, persona


def test_the_schedule_marks_an_appointment_whose_paperwork_is_due(client: TestClient, world: World,
                                                                 world_engine: Engine) -> None:
    desk = bearer(client, world, "front_desk")
    page = client.get("/schedule", headers=desk)
    assert "Certification" not in page.text  # no plan yet: nothing certified or due
    with unit_of_work(make_session_factory(world_engine)) as session:  # eight more treatment days this month
        done = session.get_one(Visit, world.visit_done)
        for days_before in range(3, 11):
            session.add(Visit(patient_id=world.p1, episode_id=world.episode, clinician_id=done.clinician_id,
                              status=done.status, checked_in_at=done.checked_in_at - timedelta(days=days_before),
                              completed_at=done.completed_at))
    _signed_plan(client, world, world_engine)
    page = client.get(f"/schedule?day={(TODAY + timedelta(days=5)).isoformat()}", headers=desk)
    assert "Progress report due" in page.text
    with unit_of_work(make_session_factory(world_engine)) as session:  # as if it had been written to end sooner
        session.execute(update(PlanOfCare).values(ends_on=TODAY + timedelta(days=3)))
    page = client.get("/schedule", headers=desk)
    assert "Recertification due Sat 28 Nov 2026" in page.text and "Progress report due" in page.text


ROUTES_BY_ID = [("POST", "/goals/{goal}"), ("POST", "/goals/{goal}/status"), ("POST", "/plans/{plan}"),
                ("POST", "/plans/{plan}/sign"), ("POST", "/plans/{plan}/new-version"),
                ("GET", "/plans/{plan}/plan-of-care.pdf"), ("POST", "/plans/{plan}/certification"),
                ("POST", "/plans/{plan}/signature"), ("GET", "/plans/{plan}/signature")]
STAFF_PART = {"/plans/{plan}/certification", "/plans/{plan}/signature"}
"""Routes where every staff member may POST (the certification), so the desk and admin are not refused."""


@pytest.mark.parametrize(("method", "path", "persona"), [
    (method, path, persona) for method, path in ROUTES_BY_ID
    for persona in ("patient", "front_desk", "other_therapist", "admin")
    if not (method == "POST" and path in STAFF_PART and persona in ("front_desk", "admin"))])
def test_a_refused_persona_gets_for_a_goal_or_plan_the_answer_a_missing_one_gets(
        client: TestClient, world: World, world_engine: Engine, method: str, path: str, persona: str) -> None:
    plan_id = _signed_plan(client, world, world_engine)
    with unit_of_work(make_session_factory(world_engine)) as session:
        goal_id = session.scalars(select(Goal.id)).one()
    headers = bearer(client, world, persona)
    answers = []
    for goal, plan in ((goal_id, plan_id), (987_654, 987_654)):
        reply = client.request(method, path.format(goal=goal, plan=plan), headers=headers)
        answers.append((reply.status_code, re.sub(r"\d+", "#", reply.text)))
    assert answers[0][0] in (403, 404) and answers[0] == answers[1], answers
