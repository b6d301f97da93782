"""The problem-list pages: a PT proposes an evaluation's findings from the visit page, sees each with its
value, cut-off and source, accepts one in edited words with the exercises kept (the episode page then lists
it) or rejects it; an assistant reads without buttons; a discharged episode's list is read-only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import Appointment, Visit
from reeducate.clinic.vocabulary import AppointmentKind
from tests.support import World
from tests.web.conftest import bearer

BERG_42 = {"responses": [3] * 14}


def _evaluation_with_a_low_berg(client: TestClient, world: World, engine: Engine) -> dict[str, str]:
    """The open visit made an evaluation, with a Berg of 42 (under the cut-off of 45); the PT's headers."""
    with unit_of_work(make_session_factory(engine)) as session:
        visit = session.get_one(Visit, world.visit_open)
        session.get_one(Appointment, visit.appointment_id).kind = AppointmentKind.EVALUATION
    headers = bearer(client, world, "therapist")
    reply = client.post(f"/api/v1/visits/{world.visit_open}/measures/berg", headers=headers, json=BERG_42)
    assert reply.status_code == 201, reply.text
    return headers


def _propose(client: TestClient, world: World, headers: dict[str, str]) -> str:
    reply = client.post(f"/episodes/{world.episode}/problems/propose", headers=headers,
                        data={"visit_id": str(world.visit_open)})
    assert reply.status_code == 303, reply.text[:300]
    return reply.headers["location"]


def _proposed_id(page: str) -> int:
    marker = 'id="problem-'
    start = page.index(marker) + len(marker)
    return int(page[start:page.index('"', start)])


def test_a_pt_proposes_the_findings_of_an_evaluation_and_accepts_one_in_own_words(
        client: TestClient, world: World, world_engine: Engine) -> None:
    headers = _evaluation_with_a_low_berg(client, world, world_engine)
    visit_page = client.get(f"/visits/{world.visit_open}", headers=headers).text
    assert f'action="/episodes/{world.episode}/problems/propose"' in visit_page
    assert "Propose problems from this visit's findings" in visit_page
    location = _propose(client, world, headers)
    assert location.endswith("proposed=1#proposed")
    page = client.get(location, headers=headers).text
    assert "1 finding proposed." in page
    for shown in ("Berg Balance Scale: 42 points", "score &lt; 45 points", "Berg KO", "Population: Older adults",
                  "scored from an administration by the clinician", 'value="exercise:tandem-stance"',
                  "Reduced static standing balance"):
        assert shown in page, shown
    assert "No problem on the list yet" in client.get(f"/episodes/{world.episode}", headers=headers).text
    problem_id = _proposed_id(page)
    reply = client.post(f"/episodes/{world.episode}/problems/{problem_id}/accept", headers=headers, data={
        "statement": "Impaired standing balance with fall risk (Berg 42/56).",
        "interventions": ["exercise:tandem-stance", "technique:balance-training"]})
    assert reply.status_code == 303 and reply.headers["location"].endswith("done=accepted#accepted")
    listed = client.get(reply.headers["location"], headers=headers).text
    assert "Problem accepted onto the list." in listed and "No finding waiting for a decision." in listed
    assert "Techniques and exercises: Balance training, Tandem stance" in listed
    episode = client.get(f"/episodes/{world.episode}", headers=headers).text
    assert "Impaired standing balance with fall risk (Berg 42/56)." in episode
    assert f'href="/episodes/{world.episode}/problems"' in episode


def test_proposing_again_adds_nothing_and_a_rejected_finding_stays_rejected(
        client: TestClient, world: World, world_engine: Engine) -> None:
    headers = _evaluation_with_a_low_berg(client, world, world_engine)
    page = client.get(_propose(client, world, headers), headers=headers).text
    problem_id = _proposed_id(page)
    reply = client.post(f"/episodes/{world.episode}/problems/{problem_id}/reject", headers=headers)
    assert reply.status_code == 303
    again = client.get(_propose(client, world, headers), headers=headers).text
    assert "No new finding" in again and "Rejected findings" in again and "No finding waiting" in again


def test_a_refused_decision_comes_back_with_the_reason(client: TestClient, world: World,
                                                       world_engine: Engine) -> None:
    headers = _evaluation_with_a_low_berg(client, world, world_engine)
    problem_id = _proposed_id(client.get(_propose(client, world, headers), headers=headers).text)
    reply = client.post(f"/episodes/{world.episode}/problems/{problem_id}/accept", headers=headers,
                        data={"statement": "  ", "interventions": ["exercise:tandem-stance"]})
    assert reply.status_code == 422 and "Write the problem in a sentence" in reply.text
    refused = client.post(f"/episodes/{world.episode}/problems/propose", headers=headers, data={"visit_id": "x"})
    assert refused.status_code == 422 and "Choose the visit" in refused.text


def test_a_pt_adds_a_problem_in_own_words(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    reply = client.post(f"/episodes/{world.episode}/problems", headers=headers, data={
        "statement": "Cannot climb stairs without the rail.", "interventions": ["exercise:step-up"]})
    assert reply.status_code == 303
    page = client.get(reply.headers["location"], headers=headers).text
    assert "Cannot climb stairs without the rail." in page and "In the therapist's words" in page
    refused = client.post(f"/episodes/{world.episode}/problems", headers=headers, data={"statement": ""})
    assert refused.status_code == 422 and "Write the problem" in refused.text
    for statement, reason in (("Stairs\x00", "NUL"), ("x" * 1001, "under 1000 characters")):
        refused = client.post(f"/episodes/{world.episode}/problems", headers=headers, data={"statement": statement})
        assert refused.status_code == 422 and reason in refused.text, refused.text[:300]


def test_an_assistant_reads_the_list_without_deciding(client: TestClient, world: World,
                                                      world_engine: Engine) -> None:
    _propose(client, world, _evaluation_with_a_low_berg(client, world, world_engine))
    headers = bearer(client, world, "assistant")
    page = client.get(f"/episodes/{world.episode}/problems", headers=headers).text
    assert "Berg Balance Scale: 42 points" in page and "Library matches:" in page
    assert "/accept" not in page and "/reject" not in page and "propose-form" not in page
    assert "propose-problems" not in client.get(f"/visits/{world.visit_open}", headers=headers).text
    problem_id = _proposed_id(page)
    reply = client.post(f"/episodes/{world.episode}/problems/{problem_id}/reject", headers=headers)
    assert reply.status_code == 403


def test_a_treatment_visit_has_no_propose_button(client: TestClient, world: World) -> None:
    page = client.get(f"/visits/{world.visit_open}", headers=bearer(client, world, "therapist")).text
    assert "propose-problems" not in page


def test_a_discharged_episodes_list_is_read_only(client: TestClient, world: World, world_engine: Engine) -> None:
    headers = _evaluation_with_a_low_berg(client, world, world_engine)
    _propose(client, world, headers)
    discharged = client.post(f"/api/v1/episodes/{world.episode}/discharge", headers=headers,
                             json={"reason": "goals_met"})
    assert discharged.status_code == 200, discharged.text
    page = client.get(f"/episodes/{world.episode}/problems", headers=headers).text
    assert "A discharged episode is read-only." in page and "/accept" not in page and 'id="add"' not in page
    refused = client.post(f"/episodes/{world.episode}/problems/propose", headers=headers,
                          data={"visit_id": str(world.visit_open)})
    assert refused.status_code == 422 and "read-only" in refused.text
