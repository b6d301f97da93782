"""The report pages: the episode shows the progress-report clock, a PT drafts, writes and signs the
progress report and the discharge summary (goal outcomes, home programme), a PT assistant writes
elements but signs nothing, both print as PDF, and the clinic's documentation-due list shows each
persona only the links it may follow."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import Goal, PlanOfCare, Visit
from reeducate.clinic.vocabulary import GoalStatus, GoalTerm, NoteStatus, VisitStatus
from tests.support import NOW, World
from tests.web.conftest import bearer


def _treated_days_before(engine: Engine, world: World, count: int) -> None:
    """``count`` more treated visits of the episode on the days before the world's (which has two)."""
    with unit_of_work(make_session_factory(engine)) as session:
        for back in range(count):
            moment = datetime(2026, 11, 10 + back, 17, tzinfo=UTC)  # noon in Chicago, before the world's visits
            session.add(Visit(patient_id=world.p1, episode_id=world.episode, clinician_id=world.user_ids["therapist"],
                              status=VisitStatus.COMPLETED, checked_in_at=moment, completed_at=moment))


def _goals_and_plan(engine: Engine, world: World) -> None:
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = world.user_ids["therapist"]
        session.add_all([
            Goal(episode_id=world.episode, measure_id="berg", target=50, term=GoalTerm.LONG, set_by_id=therapist),
            Goal(episode_id=world.episode, description="Carries the laundry basket upstairs", set_by_id=therapist),
            PlanOfCare(episode_id=world.episode, starts_on=NOW.date() - timedelta(days=14), ends_on=NOW.date() + timedelta(days=28),
                       visits_per_week=2, weeks=6, created_by_id=therapist, status=NoteStatus.SIGNED, signed_by_id=therapist,
                       signed_at=NOW - timedelta(days=14), home_programme="Heel raises at the counter, daily.",
                       interventions=[{"kind": "exercise", "id": "heel-raise", "name": "Heel raises",
                                       "dosage": "2 sets of 15"}])])


def _goal_ids(engine: Engine, world: World) -> dict[str, int]:
    with Session(engine) as session:
        return {g.measure_id or "functional": g.id
                for g in session.scalars(select(Goal).where(Goal.episode_id == world.episode))}


def _report_url(reply_location: str) -> str:
    assert re.fullmatch(r"/reports/\d+", reply_location), reply_location
    return reply_location


def test_a_pt_sees_the_report_come_due_then_drafts_writes_and_signs_it(client: TestClient, world: World,
                                                                      world_engine: Engine) -> None:
    headers = bearer(client, world, "therapist")
    _treated_days_before(world_engine, world, 7)  # 9 treatment days with the world's two
    _goals_and_plan(world_engine, world)
    page = client.get(f"/episodes/{world.episode}", headers=headers).text
    assert "Progress report due at the next visit" in page and "treatment day 10 of this period" in page
    confirm = client.get(f"/episodes/{world.episode}/reports/new?kind=progress_report", headers=headers)
    assert confirm.status_code == 200 and "9 treatment days of this reporting period" in confirm.text
    drafted = client.post(f"/episodes/{world.episode}/reports/new", headers=headers, data={"kind": "progress_report"})
    assert drafted.status_code == 303
    url = _report_url(drafted.headers["location"])
    draft = client.get(url, headers=headers).text
    assert "Berg Balance Scale 50 points" in draft and "Scores measured (BBS); target entered by Therapist" in draft
    assert "Carries the laundry basket upstairs" in draft and "Visits attended" in draft
    again = client.get(f"/episodes/{world.episode}/reports/new?kind=progress_report", headers=headers)
    assert again.status_code == 303 and again.headers["location"] == url  # the draft already open
    goals = _goal_ids(world_engine, world)
    refused = client.post(url, headers=headers, data={"assessment": "Steadier.", "action": "sign"})
    assert refused.status_code == 422 and "Draft saved, not signed" in refused.text and "Steadier." in refused.text
    signed = client.post(url, headers=headers, data={
        "assessment": "Steadier.", "plan": "Continue.", "decision": "continue",
        f"comment-{goals['functional']}": "Carries it with one rest.", "action": "sign"})
    assert signed.status_code == 303, signed.text[:400]
    shown = client.get(url, headers=headers).text
    assert "Signed by" in shown and "(content matches)" in shown and 'id="report-form"' not in shown
    assert "Continue the plan of care" in shown
    document = client.get(f"{url}/document", headers=headers)
    assert document.status_code == 200 and document.headers["content-type"] == "application/pdf"
    assert document.content.startswith(b"%PDF")
    added = client.post(f"{url}/addenda", headers=headers, data={"text": "Berg re-scored on the day."})
    assert added.status_code == 303 and "Berg re-scored on the day." in client.get(url, headers=headers).text
    episode = client.get(f"/episodes/{world.episode}", headers=headers).text
    assert "No treatment day in this reporting period yet." in episode


def test_a_pt_assistant_writes_elements_of_the_draft_but_never_signs(client: TestClient, world: World,
                                                                     world_engine: Engine) -> None:
    therapist, assistant = bearer(client, world, "therapist"), bearer(client, world, "assistant")
    assert "Write progress report" not in client.get(f"/episodes/{world.episode}", headers=assistant).text
    assert client.get(f"/episodes/{world.episode}/reports/new?kind=progress_report",
                      headers=assistant).status_code == 403
    url = _report_url(client.post(f"/episodes/{world.episode}/reports/new", headers=therapist,
                                  data={"kind": "progress_report"}).headers["location"])
    page = client.get(url, headers=assistant).text
    assert 'name="assessment"' in page and 'value="sign"' not in page and "§220.3 D" in page
    saved = client.post(url, headers=assistant, data={"assessment": "Gait speed up (PTA).", "action": "sign"})
    assert saved.status_code == 422 and "PT assistant may write elements" in saved.text
    assert "Gait speed up (PTA)." in client.get(url, headers=therapist).text


def test_the_discharge_summary_records_the_goals_and_the_home_programme(client: TestClient, world: World,
                                                                        world_engine: Engine) -> None:
    headers = bearer(client, world, "therapist")
    _goals_and_plan(world_engine, world)
    discharge = client.get(f"/episodes/{world.episode}/discharge", headers=headers).text
    assert f"/episodes/{world.episode}/reports/new?kind=discharge_summary" in discharge
    url = _report_url(client.post(f"/episodes/{world.episode}/reports/new", headers=headers,
                                  data={"kind": "discharge_summary"}).headers["location"])
    draft = client.get(url, headers=headers).text
    assert "Heel raises at the counter, daily." in draft and "2 sets of 15" in draft and "Not discharged yet" in draft
    goals = _goal_ids(world_engine, world)
    written = {"assessment": "Balance improved.", "recommendations": "Walk daily.",
               "home_programme": "Heel raises at the counter, daily.", f"outcome-{goals['berg']}": "not_met",
               f"outcome-{goals['functional']}": "met", "action": "sign"}
    early = client.post(url, headers=headers, data=written)
    assert early.status_code == 422 and "Discharge the episode first" in early.text
    assert client.post(f"/episodes/{world.episode}/discharge", headers=headers,
                       data={"reason": "goals_met"}).status_code == 303
    assert client.post(url, headers=headers, data=written).status_code == 303
    shown = client.get(url, headers=headers).text
    assert "Met at discharge" in shown and "Not met at discharge" in shown and "Goals met" in shown
    with Session(world_engine) as session:
        assert session.get_one(Goal, goals["functional"]).status is GoalStatus.MET
        assert session.get_one(Goal, goals["berg"]).status is GoalStatus.NOT_MET
    episode = client.get(f"/episodes/{world.episode}", headers=headers).text
    assert f'href="{url}">Discharge summary</a>' in episode
    assert client.get(f"{url}/document", headers=headers).content.startswith(b"%PDF")


def test_the_due_list_shows_each_persona_only_the_links_it_may_follow(client: TestClient, world: World,
                                                                      world_engine: Engine) -> None:
    _treated_days_before(world_engine, world, 8)  # 10 treatment days: due today
    desk = client.get("/documentation/due", headers=bearer(client, world, "front_desk")).text
    assert "Quennell, Penny" in desk and "Due today" in desk
    assert f'href="/patients/{world.p1}"' in desk and f'href="/episodes/{world.episode}"' not in desk
    therapist = client.get("/documentation/due", headers=bearer(client, world, "therapist")).text
    assert f'href="/episodes/{world.episode}"' in therapist
    assert "Quennell" not in client.get("/documentation/due", headers=bearer(client, world, "other_therapist")).text
    assert client.get("/documentation/due", headers=bearer(client, world, "patient")).status_code == 403
    schedule = client.get("/schedule", headers=bearer(client, world, "front_desk")).text
    assert 'href="/documentation/due"' in schedule
