"""Refusals through the API and the pages: a clear message, and the stored records as they were."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reeducate.clinic.db import make_session_factory
from tests.clinic.conftest import row_counts
from tests.support import World, local
from tests.web.conftest import bearer, browser_login


def _book(world: World, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {"patient_id": world.p2, "provider_id": world.user_ids["therapist"],
                               "location_id": world.location_id, "starts_at": local(0, 10, 15).isoformat()}
    body.update(changes)
    return body


def _refused(client: TestClient, engine: Engine, headers: dict[str, str], method: str, url: str,
             body: dict[str, object]) -> tuple[int, str]:
    before = row_counts(make_session_factory(engine))
    response = client.request(method, url, json=body, headers=headers)
    assert row_counts(make_session_factory(engine)) == before
    return response.status_code, response.json()["detail"]


def test_a_double_booking_is_refused_with_409_naming_the_clash(client, world: World, world_engine) -> None:
    headers = bearer(client, world, "front_desk")
    status, detail = _refused(client, world_engine, headers, "POST", "/api/v1/appointments", _book(world))
    assert status == 409
    assert detail == "Therapist is already booked Wed 25 Nov 10:00-10:45; pick another time or provider."


def test_a_booking_outside_opening_hours_is_refused_with_the_hours(client, world: World, world_engine) -> None:
    headers = bearer(client, world, "front_desk")
    status, detail = _refused(client, world_engine, headers, "POST", "/api/v1/appointments",
                              _book(world, starts_at=local(1, 19).isoformat()))
    assert status == 422 and "opening hours on Thursday (08:00-18:00)" in detail


def test_an_invalid_icd10cm_code_is_refused_and_no_episode_is_stored(client, world: World, world_engine) -> None:
    headers = bearer(client, world, "therapist")
    status, detail = _refused(client, world_engine, headers, "POST", f"/api/v1/patients/{world.p2}/episodes",
                              {"condition": "chronic_low_back_pain", "diagnoses": ["M54.5"]})
    assert status == 422 and "M54.5 (Low back pain) is a category" in detail and "M54.50" in detail


def test_malformed_input_names_the_field(client, world: World) -> None:
    response = client.post("/api/v1/patients", headers=bearer(client, world, "front_desk"),
                           json={"first_name": "A", "last_name": "B", "date_of_birth": "2090-01-01", "sex": "f"})
    assert response.status_code == 422
    assert "date_of_birth" in response.json()["detail"] and "sex" in response.json()["detail"]


def test_the_booking_page_shows_why_a_booking_was_refused_and_keeps_the_form(client, world: World,
                                                                              world_engine) -> None:
    token = browser_login(client, world, "front_desk")
    before = row_counts(make_session_factory(world_engine))
    page = client.post("/appointments/new", data={
        "csrf_token": token, "patient_id": world.p2, "provider_id": world.user_ids["therapist"],
        "date": "2026-11-25", "time": "10:30", "duration_min": "45"})
    assert page.status_code == 409
    assert "Therapist is already booked Wed 25 Nov 10:00-10:45" in page.text
    assert 'value="10:30"' in page.text
    after = row_counts(make_session_factory(world_engine))
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"}


def test_the_front_desk_sees_demographics_and_insurance_but_no_clinical_content(client, world: World) -> None:
    browser_login(client, world, "front_desk")
    chart = client.get(f"/patients/{world.p1}")
    assert chart.status_code == 200
    assert "Quennell" in chart.text and "Medicare" in chart.text
    assert "Episodes of care" not in chart.text and "R26.81" not in chart.text and "Visits" not in chart.text


def test_a_clinician_sees_the_episode_and_visits_on_the_chart(client, world: World) -> None:
    browser_login(client, world, "therapist")
    chart = client.get(f"/patients/{world.p1}")
    assert "R26.81" in chart.text and "Unsteadiness on feet" in chart.text
    assert "Gait training 20" in chart.text


def test_patient_search_finds_by_name_mrn_and_birth_date(client, world: World) -> None:
    headers = bearer(client, world, "front_desk")
    for query in ("quenn", "Penny Quennell", "1960-05-04", "MRN000001"):
        found = client.get("/api/v1/patients", params={"q": query}, headers=headers).json()
        assert world.p1 in [p["id"] for p in found], query
    assert client.get("/api/v1/patients", params={"q": "zeller"}, headers=headers).json() == []


def test_a_portal_request_is_confirmed_by_the_front_desk(client, world: World) -> None:
    patient = bearer(client, world, "patient")
    made = client.post("/api/v1/appointments/requests", headers=patient,
                       json={"starts_at": local(1, 13).replace(tzinfo=None).isoformat(), "reason": "dizzy"})
    assert made.status_code == 201 and made.json()["status"] == "requested"
    desk = bearer(client, world, "front_desk")
    assert made.json()["id"] in [a["id"] for a in client.get("/api/v1/appointments/requests", headers=desk).json()]
    confirmed = client.post(f"/api/v1/appointments/{made.json()['id']}/confirm", headers=desk,
                            json={"provider_id": world.user_ids["chiropractor"]})
    assert confirmed.json()["status"] == "booked"


INTERNAL_ID = re.compile(r"\b(visit|note|appointment|addendum|claim|recording) \d+\b", re.IGNORECASE)
"""A record named by its row id ("Visit 84 is completed"): people know a visit by its patient and day."""


def _alerts(page_html: str) -> list[str]:
    """The refusals a page shows (its role="alert" paragraphs), as text."""
    return [html.unescape(re.sub(r"<[^>]+>", "", m)) for m in
            re.findall(r'<p class="error" role="alert">(.*?)</p>', page_html, re.DOTALL)]


@pytest.mark.parametrize(("persona", "path", "form", "status", "words"), [
    ("therapist", "/visits/{visit_done}/complete", {}, 409, "This visit is already completed."),
    ("therapist", "/visits/{visit_done}/activities", {"activity": "gait_training", "minutes": "5"}, 422,
     "This visit was completed on"),
    ("therapist", "/visits/{visit_done}/note", {"action": "sign", "subjective": "Better."}, 422,
     "This note was signed by Therapist"),
    ("therapist", "/visits/{visit_done}/billing", {"code": "97116", "minutes": "20", "assistant_minutes": "0",
                                                   "region": ""}, 422, "The note of this visit is signed"),
    ("front_desk", "/appointments/{appt_future}/check-in", {}, 409, "Penny Quennell's appointment on"),
])
def test_a_refusal_on_a_page_names_the_record_as_people_know_it_never_by_its_id(
        client: TestClient, world: World, persona: str, path: str, form: dict[str, str], status: int,
        words: str) -> None:
    page = client.post(path.format(visit_done=world.visit_done, appt_future=world.appt_future),
                       headers=bearer(client, world, persona), data=form)
    assert page.status_code == status, page.text
    alerts = _alerts(page.text)
    assert any(words in alert for alert in alerts), alerts
    assert not [alert for alert in alerts if INTERNAL_ID.search(alert)], alerts
