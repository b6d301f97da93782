"""Episode pages: a PT opens an episode in the form (diagnoses found by words or code, picked without
JavaScript too), a refused form comes back with what was typed, the episode page shows the authorisation's
use, the precautions follow the episode onto its visit pages, and a discharge makes it read-only."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.support import NOW, World
from tests.web.conftest import bearer, browser_login

KNEE = "Unilateral primary osteoarthritis, right knee"


def _episode_count(client: TestClient, world: World, headers: dict[str, str], patient_id: int) -> int:
    return len(client.get(f"/api/v1/patients/{patient_id}/episodes", headers=headers).json())


def test_a_pt_opens_an_episode_in_the_form(client: TestClient, world: World) -> None:
    csrf = browser_login(client, world, "therapist")
    form = client.get(f"/patients/{world.p2}/episodes/new")
    assert form.status_code == 200 and "Open episode" in form.text
    reply = client.post(f"/patients/{world.p2}/episodes/new", data={
        "csrf_token": csrf, "action": "open", "condition": "other", "diagnoses": "m17.11",
        "referring_provider_name": "Dr. Ada Lane", "referral_date": "2026-11-20",
        "precautions": "No kneeling on the right knee", "red_flags": "Report new numbness",
        "authorisation_number": "PA-7731", "authorised_visits": "12", "authorised_until": "2026-12-31",
        "care_team": [str(world.user_ids["therapist"]), str(world.user_ids["assistant"])],
        "lead_id": str(world.user_ids["therapist"])})
    assert reply.status_code == 303, reply.text[:500]
    page = client.get(reply.headers["location"])
    assert page.status_code == 200
    for shown in ("M17.11", KNEE, "No kneeling on the right knee", "Report new numbness", "PA-7731",
                  "0 used of 12 allowed", "Dr. Ada Lane", "Assistant"):
        assert shown in page.text, shown


def test_a_refused_form_comes_back_with_what_was_typed_and_stores_nothing(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    reply = client.post(f"/patients/{world.p2}/episodes/new", headers=headers, data={
        "action": "open", "condition": "other", "diagnoses": "M17.11", "summary": "Stairs painful",
        "referring_provider_npi": "1234567890", "precautions": "No kneeling"})
    assert reply.status_code == 422
    assert "NPI 1234567890 is not valid" in reply.text
    assert "Stairs painful" in reply.text and "No kneeling" in reply.text and 'value="M17.11"' in reply.text
    assert _episode_count(client, world, headers, world.p2) == 0


def test_an_episode_without_a_diagnosis_is_refused(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    reply = client.post(f"/patients/{world.p2}/episodes/new", headers=headers,
                        data={"action": "open", "condition": "sciatica"})
    assert reply.status_code == 422 and "at least one diagnosis" in reply.text


@pytest.mark.parametrize("typed", ["primary osteoarthritis right knee", "M17.11", "m1711"])
def test_the_diagnosis_search_finds_a_code_by_words_or_by_code(client: TestClient, world: World, typed: str) -> None:
    reply = client.get("/diagnoses/search", params={"q": typed}, headers=bearer(client, world, "therapist"))
    assert reply.status_code == 200
    assert 'value="M17.11"' in reply.text and KNEE in reply.text


def test_without_javascript_a_search_and_a_pick_come_back_in_the_form(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    searched = client.post(f"/patients/{world.p2}/episodes/new", headers=headers, data={
        "action": "search", "q": "primary osteoarthritis right knee", "condition": "other"})
    assert searched.status_code == 200 and 'name="add_code" value="M17.11"' in searched.text
    picked = client.post(f"/patients/{world.p2}/episodes/new", headers=headers, data={
        "add_code": "M17.11", "diagnoses": "Z96.651", "condition": "other"})
    assert picked.status_code == 200
    assert 'value="Z96.651, M17.11"' in picked.text and KNEE in picked.text
    assert re.search(r'<option value="other"\s+selected', picked.text)
    assert _episode_count(client, world, headers, world.p2) == 0


def test_the_authorisation_warns_as_it_runs_out_and_says_when_it_ended(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    path = f"/api/v1/episodes/{world.episode}"
    today = NOW.date().isoformat()
    assert client.patch(path, headers=headers, json={"authorised_visits": 4, "authorised_from": "2026-11-01",
                                                     "authorised_until": "2026-12-31"}).status_code == 200
    page = client.get(f"/episodes/{world.episode}", headers=headers).text
    assert "2 used of 4 allowed · 2 left" in page and "Authorisation running out" in page
    assert client.patch(path, headers=headers, json={"authorised_until": today}).status_code == 200
    page = client.get(f"/episodes/{world.episode}", headers=headers).text
    assert "ends today" in page and "Authorisation running out" in page
    assert client.patch(path, headers=headers, json={"authorised_visits": 2}).status_code == 200
    page = client.get(f"/episodes/{world.episode}", headers=headers).text
    assert "Authorisation ended" in page and "all 2 authorised visits are used" in page


def test_a_bad_section_edit_keeps_what_was_typed(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    reply = client.post(f"/episodes/{world.episode}", headers=headers, data={
        "section": "authorisation", "authorisation_number": "PA-99", "authorised_visits": "5",
        "authorised_from": "2026-12-10", "authorised_until": "2026-12-01"})
    assert reply.status_code == 422 and "ends before it starts" in reply.text
    assert 'value="PA-99"' in reply.text and 'value="2026-12-10"' in reply.text


def test_precautions_follow_the_episode_onto_its_visit_pages_for_clinicians_only(client: TestClient,
                                                                                 world: World) -> None:
    therapist, desk = bearer(client, world, "therapist"), bearer(client, world, "front_desk")
    saved = client.post(f"/episodes/{world.episode}", headers=therapist, data={
        "section": "precautions", "precautions": "No hip flexion past 90°", "red_flags": "Report new numbness"})
    assert saved.status_code == 303
    for page in ("balance", "movement", "training", "note", "billing", "measures/tug"):
        text = client.get(f"/visits/{world.visit_open}/{page}", headers=therapist).text
        assert "No hip flexion past 90°" in text and "Report new numbness" in text, page
    assert "No hip flexion" in client.get(f"/episodes/{world.episode}/progress", headers=therapist).text
    assert "No hip flexion" not in client.get(f"/visits/{world.visit_open}/billing", headers=desk).text


def test_the_pta_sees_the_episode_but_neither_opens_nor_discharges(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "assistant")
    assert "Open episode of care" not in client.get(f"/patients/{world.p1}", headers=headers).text
    page = client.get(f"/episodes/{world.episode}", headers=headers)
    assert page.status_code == 200 and f"/episodes/{world.episode}/discharge" not in page.text
    assert client.get(f"/episodes/{world.episode}/discharge", headers=headers).status_code == 403
    assert client.get(f"/patients/{world.p1}/episodes/new", headers=headers).status_code == 403


def test_a_pt_discharges_with_a_reason_and_the_episode_becomes_read_only(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    assert "Open episode of care" in client.get(f"/patients/{world.p1}", headers=headers).text
    form = client.get(f"/episodes/{world.episode}/discharge", headers=headers)
    assert form.status_code == 200 and "Goals met" in form.text
    refused = client.post(f"/episodes/{world.episode}/discharge", headers=headers, data={"note": "moving away"})
    assert refused.status_code == 422 and "Choose why" in refused.text and "moving away" in refused.text
    done = client.post(f"/episodes/{world.episode}/discharge", headers=headers,
                       data={"reason": "referred_on", "note": "To vestibular clinic."})
    assert done.status_code == 303
    page = client.get(f"/episodes/{world.episode}", headers=headers).text
    assert "Referred on to another provider" in page and "To vestibular clinic." in page
    assert "read-only" in page and 'action="/episodes/' not in page
    again = client.post(f"/episodes/{world.episode}", headers=headers, data={"section": "precautions",
                                                                             "precautions": "x"})
    assert again.status_code == 422 and "discharged" in again.text


def test_the_discharge_page_names_the_episodes_visits_still_open(client: TestClient, world: World) -> None:
    page = client.get(f"/episodes/{world.episode}/discharge", headers=bearer(client, world, "therapist")).text
    assert 'id="open-visit-1"' in page and f'href="/visits/{world.visit_open}">complete it</a>' in page
