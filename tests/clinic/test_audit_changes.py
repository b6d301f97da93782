"""An update's audit row keeps each changed field before and after, and nothing unchanged."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import changes_between
from reeducate.clinic.models import AuditEvent, Patient, User
from reeducate.clinic.schemas import PatientUpdate
from reeducate.clinic.services import patients
from reeducate.clinic.vocabulary import AuditAction, Sex
from tests.support import World


def test_changes_list_only_what_differs_in_the_log_s_own_words() -> None:
    before = {"city": "Springfield", "sex": Sex.FEMALE, "date_of_birth": date(1950, 1, 2), "phone": "1"}
    after = {"city": "Shelbyville", "sex": Sex.FEMALE, "date_of_birth": date(1950, 1, 3), "phone": "1"}
    assert changes_between(before, after) == {
        "city": ["Springfield", "Shelbyville"], "date_of_birth": ["1950-01-02", "1950-01-03"],
    }


def test_editing_demographics_keeps_before_and_after(records: World, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        desk = Actor.of(session.get_one(User, records.user_ids["front_desk"]))
        old_city = session.get_one(Patient, records.p1).city
        patients.update(session, desk, records.p1, PatientUpdate(city="Shelbyville", phone=session.get_one(
            Patient, records.p1).phone))
    with factory() as session:
        row = session.scalars(select(AuditEvent).where(
            AuditEvent.action == AuditAction.UPDATE, AuditEvent.resource_type == "patient",
            AuditEvent.patient_id == records.p1).order_by(AuditEvent.id.desc())).first()
        assert row is not None
        assert row.changes == {"city": [old_city, "Shelbyville"]}
        assert row.detail == "changed city"
