"""A patient's insurance: the order of payers, a subscriber other than the patient (and the 837P that
names them), corrections and endings audited with before and after."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.billing.x12.validation import x12_errors
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Forbidden, InvalidInput
from reeducate.clinic.models import AuditEvent, Coverage, Patient
from reeducate.clinic.schemas import CoverageCreate, CoverageUpdate
from reeducate.clinic.services import billing, coverages, patients
from reeducate.clinic.vocabulary import AuditAction, PlanKind, Sex, SubscriberRelationship
from tests.clinic.conftest import row_counts
from tests.clinic.test_billing import actor, signed_visit
from tests.support import World

SPOUSE = CoverageUpdate(subscriber_relationship=SubscriberRelationship.SPOUSE, subscriber_first_name="Walter",
                        subscriber_last_name="Quennell", subscriber_date_of_birth=date(1947, 8, 9),
                        subscriber_sex=Sex.MALE, group_number="GRP-7")


def _coverages(session: Session, patient_id: int) -> list[tuple[str, int, bool]]:
    rows = session.scalars(select(Coverage).where(Coverage.patient_id == patient_id).order_by(Coverage.id))
    return [(c.payer_name, c.priority, c.is_active) for c in rows]


def test_a_claim_on_a_spouses_plan_names_the_spouse_as_subscriber_and_validates(
    factory: sessionmaker[Session], records: World
) -> None:
    with unit_of_work(factory) as session:
        coverage_id = session.get_one(Patient, records.p1).coverages[0].id
        coverages.update(session, actor(session, records, "front_desk"), coverage_id, SPOUSE)
    signed_visit(factory, records)
    with unit_of_work(factory) as session:
        claim = billing.release_claim(session, actor(session, records, "front_desk"), records.visit_open)
        assert x12_errors(claim.x12) == []
        segments = claim.x12.replace("\n", "").split("~")
        assert "SBR*P**GRP-7******MB" in segments and "NM1*IL*1*QUENNELL*WALTER****MI*1EG4TE5MK73" in segments
        patient = session.get_one(Patient, records.p1)
        assert "PAT*01" in segments
        assert f"NM1*QC*1*{patient.last_name.upper()}*{patient.first_name.upper()}" in segments
        assert f"DMG*D8*{patient.date_of_birth:%Y%m%d}*F" in segments
        assert "DMG*D8*19470809*M" not in segments, "the 837P sends no DMG for a subscriber who is not the patient"


def test_a_new_primary_ends_the_old_one_or_keeps_it_as_the_secondary(
    factory: sessionmaker[Session], records: World
) -> None:
    with unit_of_work(factory) as session:
        desk = actor(session, records, "front_desk")
        patients.add_coverage(session, desk, records.p1, CoverageCreate(
            plan_kind=PlanKind.COMMERCIAL, payer_name="Heartland Mutual", priority=2))
        patients.add_coverage(session, desk, records.p1, CoverageCreate(
            plan_kind=PlanKind.COMMERCIAL, payer_name="Blue Prairie Health", previous_primary="secondary"))
        assert _coverages(session, records.p1) == [
            ("Medicare", 2, True), ("Heartland Mutual", 2, False), ("Blue Prairie Health", 1, True)]
        patients.add_coverage(session, desk, records.p1, CoverageCreate(
            plan_kind=PlanKind.MEDICARE, payer_name="Medicare Part B"))
        assert _coverages(session, records.p1)[-2:] == [("Blue Prairie Health", 1, False), ("Medicare Part B", 1, True)]
        ended = session.scalars(select(AuditEvent).where(
            AuditEvent.resource_type == "coverage", AuditEvent.action == AuditAction.UPDATE,
            AuditEvent.patient_id == records.p1).order_by(AuditEvent.id)).all()
        assert [e.changes for e in ended] == [{"is_active": [True, False]}, {"priority": [1, 2]},
                                             {"is_active": [True, False]}]


def test_a_coverage_edit_keeps_each_changed_field_before_and_after(
    factory: sessionmaker[Session], records: World
) -> None:
    with unit_of_work(factory) as session:
        coverage_id = session.get_one(Patient, records.p1).coverages[0].id
        coverages.update(session, actor(session, records, "front_desk"), coverage_id, SPOUSE)
    with factory() as session:
        row = session.scalars(select(AuditEvent).where(
            AuditEvent.resource_type == "coverage", AuditEvent.resource_id == str(coverage_id),
            AuditEvent.action == AuditAction.UPDATE)).one()
        assert row.changes == {
            "group_number": ["", "GRP-7"], "subscriber_relationship": ["self", "spouse"],
            "subscriber_first_name": ["", "Walter"], "subscriber_last_name": ["", "Quennell"],
            "subscriber_date_of_birth": [None, "1947-08-09"], "subscriber_sex": [None, "male"]}


def test_a_subscriber_who_is_not_the_patient_needs_a_name_and_birth_date_and_nothing_is_stored(
    factory: sessionmaker[Session], records: World
) -> None:
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match="give the subscriber's last name, date of birth"):
        with unit_of_work(factory) as session:
            patients.add_coverage(session, actor(session, records, "front_desk"), records.p1, CoverageCreate(
                plan_kind=PlanKind.COMMERCIAL, payer_name="Blue Prairie Health",
                subscriber_relationship=SubscriberRelationship.CHILD, subscriber_first_name="Walter"))
    assert row_counts(factory) == before


def test_ending_a_coverage_needs_a_reason_keeps_it_inactive_and_is_refused_to_the_patient(
    factory: sessionmaker[Session], records: World
) -> None:
    with unit_of_work(factory) as session:
        coverage_id = session.get_one(Patient, records.p1).coverages[0].id
        with pytest.raises(InvalidInput, match="why the coverage ends"):
            coverages.deactivate(session, actor(session, records, "front_desk"), coverage_id, " ")
        with pytest.raises(Forbidden):
            coverages.deactivate(session, actor(session, records, "patient"), coverage_id, "Plan ended")
    with unit_of_work(factory) as session:
        coverages.deactivate(session, actor(session, records, "front_desk"), coverage_id, "Plan ended")
    with factory() as session:
        assert not session.get_one(Coverage, coverage_id).is_active
        row = session.scalars(select(AuditEvent).where(
            AuditEvent.resource_type == "coverage", AuditEvent.resource_id == str(coverage_id),
            AuditEvent.action == AuditAction.UPDATE)).one()
        assert row.detail == "Medicare ended: Plan ended" and row.changes == {"is_active": [True, False]}


def test_when_the_primary_ends_the_secondary_becomes_the_primary(factory: sessionmaker[Session],
                                                                 records: World) -> None:
    with unit_of_work(factory) as session:
        desk = actor(session, records, "front_desk")
        patients.add_coverage(session, desk, records.p1, CoverageCreate(
            plan_kind=PlanKind.COMMERCIAL, payer_name="Heartland Mutual", priority=2))
        primary_id = session.get_one(Patient, records.p1).coverages[0].id
        coverages.deactivate(session, desk, primary_id, "Plan ended")
        assert _coverages(session, records.p1) == [("Medicare", 1, False), ("Heartland Mutual", 1, True)]
