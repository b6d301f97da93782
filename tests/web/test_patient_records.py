"""Patients' records in the browser: registration with address, subscriber and a secondary payer; the
edit page; eligibility checked from the chart."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from reeducate.clinic.models import AuditEvent, Coverage, Patient
from reeducate.clinic.vocabulary import AuditAction, SubscriberRelationship
from tests.billing.test_x12 import PT_271
from tests.support import World
from tests.web.conftest import bearer

HAROLD = {
    "first_name": "Harold", "last_name": "Finch", "date_of_birth": "1952-04-11", "sex": "male",
    "phone": "(217) 555-0123", "email": "", "address_line": "14 Oak Street", "city": "Springfield", "state": "IL",
    "postal_code": "62704", "emergency_contact_name": "Grace Finch", "emergency_contact_relationship": "Wife",
    "emergency_contact_phone": "(217) 555-0124",
    "plan_kind": "commercial", "payer_name": "Blue Prairie Health", "member_id": "BPH123", "group_number": "G-9",
    "payer_id": "BPH01", "subscriber_relationship": "spouse", "subscriber_first_name": "Grace",
    "subscriber_last_name": "Finch", "subscriber_date_of_birth": "1955-06-07", "subscriber_sex": "female",
    "secondary_plan_kind": "medicare", "secondary_payer_name": "Medicare Part B", "secondary_member_id": "1EG4TE5MK74",
}


def test_the_desk_registers_a_patient_with_address_a_spouses_plan_and_a_secondary_payer(
    client: TestClient, world: World, world_engine: Engine
) -> None:
    headers = bearer(client, world, "front_desk")
    reply = client.post("/patients/new", headers=headers, data=HAROLD)
    assert reply.status_code == 303, reply.text
    chart = client.get(reply.headers["location"], headers=headers).text
    assert "14 Oak Street, Springfield IL 62704" in chart and "Grace Finch (Wife) · (217) 555-0124" in chart
    assert "Grace Finch (Spouse, born 07 Jun 1955)" in chart and "Medicare Part B" in chart
    with Session(world_engine) as session:
        harold = session.scalars(select(Patient).where(Patient.first_name == "Harold")).one()
        assert [(c.priority, c.payer_name, c.subscriber_relationship, c.is_active) for c in harold.coverages] == [
            (1, "Blue Prairie Health", SubscriberRelationship.SPOUSE, True),
            (2, "Medicare Part B", SubscriberRelationship.SELF, True)]


def test_a_registration_naming_a_subscriber_without_a_birth_date_is_refused_with_the_values_kept(
    client: TestClient, world: World, world_engine: Engine
) -> None:
    headers = bearer(client, world, "front_desk")
    reply = client.post("/patients/new", headers=headers, data={**HAROLD, "subscriber_date_of_birth": ""})
    assert reply.status_code == 422
    assert "give the subscriber&#39;s date of birth" in reply.text and 'value="14 Oak Street"' in reply.text
    with Session(world_engine) as session:
        assert session.scalar(select(func.count()).select_from(Patient).where(Patient.first_name == "Harold")) == 0


def _edit_form(client: TestClient, world: World, headers: dict[str, str]) -> dict[str, str]:
    page = client.get(f"/patients/{world.p1}/edit", headers=headers).text
    fields = dict(re.findall(r'<input[^>]* name="(\w+)" value="([^"]*)"', page))
    fields.update(re.findall(r'<select name="(\w+)">(?:(?!</select>).)*?<option value="(\w+)" selected', page, re.S))
    return fields


def test_an_edit_with_a_bad_date_is_refused_keeping_what_was_typed_and_storing_nothing(
    client: TestClient, world: World, world_engine: Engine
) -> None:
    headers = bearer(client, world, "front_desk")
    form = {**_edit_form(client, world, headers), "phone": "(217) 555-0999", "date_of_birth": "2999-01-01"}
    with Session(world_engine) as session:
        updates = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == AuditAction.UPDATE))
    reply = client.post(f"/patients/{world.p1}/edit", headers=headers, data=form)
    assert reply.status_code == 422
    assert "Date of birth: must not be in the future. Nothing was saved" in reply.text
    assert 'value="(217) 555-0999"' in reply.text and 'value="2999-01-01"' in reply.text
    with Session(world_engine) as session:
        assert session.get_one(Patient, world.p1).phone != "(217) 555-0999"
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == AuditAction.UPDATE)) == updates


def test_an_edit_is_saved_audited_with_before_and_after_and_announced_on_the_chart(
    client: TestClient, world: World, world_engine: Engine
) -> None:
    headers = bearer(client, world, "front_desk")
    form = _edit_form(client, world, headers)
    old_phone = form["phone"]
    reply = client.post(f"/patients/{world.p1}/edit", headers=headers,
                        data={**form, "phone": "(217) 555-0999", "emergency_contact_name": "Walter Quennell"})
    assert reply.status_code == 303 and reply.headers["location"] == f"/patients/{world.p1}?saved=details"
    assert "Patient details saved." in client.get(reply.headers["location"], headers=headers).text
    with Session(world_engine) as session:
        row = session.scalars(select(AuditEvent).where(
            AuditEvent.resource_type == "patient", AuditEvent.action == AuditAction.UPDATE)).one()
        assert row.changes == {"phone": [old_phone, "(217) 555-0999"],
                               "emergency_contact_name": ["", "Walter Quennell"]}


def test_the_desk_downloads_the_270_and_the_payers_271_shows_on_the_coverage(
    client: TestClient, world: World, world_engine: Engine
) -> None:
    headers = bearer(client, world, "front_desk")
    chart = client.get(f"/patients/{world.p1}", headers=headers).text
    assert f'href="/coverages/{world.coverage}/eligibility">Check eligibility' in chart
    request = client.get(f"/coverages/{world.coverage}/eligibility/270", headers=headers)
    assert request.status_code == 200 and "ST*270*" in request.text
    assert request.headers["content-disposition"].startswith("attachment")
    reply = client.post(f"/coverages/{world.coverage}/eligibility", headers=headers,
                        files={"file": ("answer.271", PT_271.encode(), "text/plain")})
    assert reply.status_code == 303, reply.text
    page = client.get(reply.headers["location"], headers=headers).text
    assert "read onto the coverage" in page and "MEDICARE PART B" in page
    assert "<td>Deductible</td><td>Health benefit plan coverage</td><td>$283.00</td><td>Calendar year</td>" in page
    assert "<td>Co-insurance</td><td>Physical therapy</td><td>20 %</td>" in page
    assert "THERAPY THRESHOLD APPLIED 1210.00" in page
    assert "Active</span>" in client.get(f"/patients/{world.p1}", headers=headers).text
    with Session(world_engine) as session:
        assert session.get_one(Coverage, world.coverage).eligibility_status == "active"


def test_a_271_about_another_member_is_refused_and_changes_nothing(
    client: TestClient, world: World, world_engine: Engine
) -> None:
    headers = bearer(client, world, "front_desk")
    reply = client.post(f"/coverages/{world.coverage}/eligibility", headers=headers,
                        data={"x12": PT_271.replace("1EG4TE5MK73", "9ZZ9ZZ9ZZ99")})
    assert reply.status_code == 422 and "not this coverage" in reply.text and "Nothing was changed" in reply.text
    with Session(world_engine) as session:
        assert session.get_one(Coverage, world.coverage).eligibility_checked_at is None


def test_an_assistant_sees_the_insurance_but_no_eligibility_check(client: TestClient, world: World) -> None:
    chart = client.get(f"/patients/{world.p1}", headers=bearer(client, world, "assistant")).text
    assert "Medicare" in chart and "Check eligibility" not in chart and "Edit details" in chart


def test_without_a_payer_id_the_eligibility_page_says_what_to_add_instead_of_a_failing_download(
        client: TestClient, world: World) -> None:
    headers = bearer(client, world, "front_desk")
    assert client.patch(f"/api/v1/coverages/{world.coverage}", headers=headers,
                        json={"payer_id": ""}).status_code == 200
    page = client.get(f"/coverages/{world.coverage}/eligibility", headers=headers).text
    assert "/eligibility/270" not in page
    assert 'id="no-payer-id"' in page and f'href="/coverages/{world.coverage}/edit"' in page
