"""The administrator's services: staff accounts (the clinic keeps an administrator, nobody deactivates
themself, passwords meet the policy, sessions end), settings and fees, rooms and hours, the audit log."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.billing.npi import with_check_digit
from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import record
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.models import AuditEvent, AuthSession, Clinic, Room, User
from reeducate.clinic.schemas import ClinicSettingsUpdate, StaffCreate, StaffUpdate
from reeducate.clinic.services import audit, auth, organisation, users
from reeducate.clinic.vocabulary import AuditAction, Role
from tests.support import NOW, World

NEW_PASSWORD = "violet lantern orchard canoe"


def _actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _assistant(**changes: object) -> StaffCreate:
    return StaffCreate.model_validate({"email": "pat.assist@example.org", "full_name": "Pat Assist",
                                       "role": "pt_assistant", "credentials": "PTA",
                                       "npi": with_check_digit("100000077"), "password": NEW_PASSWORD, **changes})


def test_an_administrator_creates_a_pta_whose_password_and_npi_are_checked(records: World,
                                                                          factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        admin = _actor(session, records, "admin")
        with pytest.raises(InvalidInput, match="at least 15 characters"):
            users.create_staff(session, admin, _assistant(password="short one"))
        with pytest.raises(InvalidInput, match="NPI .* is not valid"):
            users.create_staff(session, admin, _assistant(npi="1234567890"))
        with pytest.raises(InvalidInput, match="leave the NPI empty"):
            users.create_staff(session, admin, _assistant(role="front_desk"))
        created = users.create_staff(session, admin, _assistant())
        assert created.role is Role.PT_ASSISTANT and created.clinic_id == records.clinic_id
        assert [a.user.email for a in users.list_staff(session, admin)].count("pat.assist@example.org") == 1


def test_only_an_administrator_manages_accounts(records: World, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        for persona in ("front_desk", "therapist"):
            with pytest.raises(Forbidden):
                users.create_staff(session, _actor(session, records, persona), _assistant())
        with pytest.raises(NotFound):  # a patient's account is not a staff account
            users.get_staff(session, _actor(session, records, "admin"), records.user_ids["patient"])
        with pytest.raises(NotFound):  # nor is another clinic's
            users.get_staff(session, _actor(session, records, "admin"), records.user_ids["other_therapist"])


def test_an_administrator_cannot_deactivate_themself(records: World, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        admin = _actor(session, records, "admin")
        with pytest.raises(Conflict, match="your own account"):
            users.set_active(session, admin, records.user_ids["admin"], active=False, reason="testing")


def test_the_last_administrator_keeps_the_role(records: World, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        admin = _actor(session, records, "admin")
        with pytest.raises(Conflict, match="last active administrator"):
            users.update_staff(session, admin, records.user_ids["admin"],
                               StaffUpdate(full_name="Admin", role=Role.FRONT_DESK))
        second = users.create_staff(session, admin, _assistant(role="admin", npi="", email="second@example.org"))
        users.update_staff(session, admin, records.user_ids["admin"], StaffUpdate(full_name="Admin", role=Role.FRONT_DESK))
        with pytest.raises(Conflict, match="last active administrator"):
            users.update_staff(session, Actor.of(second), second.id, StaffUpdate(full_name="Second", role=Role.FRONT_DESK))


def test_deactivation_needs_a_reason_ends_the_sessions_and_is_audited(records: World,
                                                                      factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:  # the assistant logged in (a session and the log's LOGIN row)
        assistant = _actor(session, records, "assistant")
        session.add(AuthSession(token_sha256=auth.token_digest("t"), user_id=assistant.user_id, expires_at=NOW))
        record(session, assistant, AuditAction.LOGIN, "session")
    with factory.begin() as session:
        admin = _actor(session, records, "admin")
        with pytest.raises(InvalidInput, match="Say why"):
            users.set_active(session, admin, records.user_ids["assistant"], active=False)
        users.set_active(session, admin, records.user_ids["assistant"], active=False, reason="left the clinic")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(AuthSession).where(
            AuthSession.user_id == records.user_ids["assistant"])) == 0
        row = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "user")
                              .order_by(AuditEvent.id.desc())).first()
        assert row is not None and row.changes == {"is_active": [True, False]}
        assert "left the clinic" in row.detail
        account = next(a for a in users.list_staff(session, _actor(session, records, "admin"))
                       if a.user.id == records.user_ids["assistant"])
        assert account.last_login_at is not None


def test_a_password_reset_meets_the_policy_and_is_never_logged(records: World, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        admin = _actor(session, records, "admin")
        with pytest.raises(InvalidInput, match="common passwords"):
            users.reset_password(session, admin, records.user_ids["therapist"], "1q2w3e4r5t6y7u8i9o0p")
        users.reset_password(session, admin, records.user_ids["therapist"], NEW_PASSWORD)
    with factory() as session:
        assert users.password_matches(session.get_one(User, records.user_ids["therapist"]), NEW_PASSWORD)
        texts = [f"{e.detail} {e.changes}" for e in session.scalars(select(AuditEvent))]
        assert not any(NEW_PASSWORD in text for text in texts)
        assert any("password reset" in text for text in texts)


def test_settings_and_fee_schedule_are_checked_and_audited(records: World, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        admin = _actor(session, records, "admin")
        clinic = organisation.settings_of(session, admin)
        data = ClinicSettingsUpdate.model_validate({
            **{name: getattr(clinic, name) for name in organisation.CLINIC_FIELDS}, "pta_notes_need_cosignature": True})
        organisation.update_settings(session, admin, data)
        with pytest.raises(InvalidInput, match="NPI"):
            organisation.update_settings(session, admin, data.model_copy(update={"npi": "1234567890"}))
        with pytest.raises(InvalidInput, match="not a code"):
            organisation.set_fee_schedule(session, admin, {"99999": Decimal("10")})
        with pytest.raises(InvalidInput, match="dollars and cents"):
            organisation.parse_fee("62.505", "97112")
        organisation.set_fee_schedule(session, admin, {"97112": Decimal("64.5"), "97110": Decimal("50.00")})
    with factory() as session:
        clinic = session.get_one(Clinic, records.clinic_id)
        assert clinic.pta_notes_need_cosignature
        assert clinic.fee_schedule == {"97112": "64.50", "97110": "50.00"}
        fees = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "fee_schedule")).one()
        assert fees.changes is not None and fees.changes["97112"] == ["60.00", "64.50"]
        assert fees.changes["97116"] == ["50.00", None]


def test_overlapping_opening_hours_are_refused(records: World, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        admin = _actor(session, records, "admin")
        with pytest.raises(InvalidInput, match="Monday: the interval from 11:00 overlaps"):
            organisation.set_hours(session, admin, records.location_id,
                                   {0: [(time(8), time(12)), (time(11), time(18))]})
        with pytest.raises(InvalidInput, match="does not open before it closes"):
            organisation.set_hours(session, admin, records.location_id, {1: [(time(18), time(8))]})
        location = organisation.set_hours(session, admin, records.location_id,
                                          {0: [(time(13), time(18)), (time(8), time(12))]})
        assert [(h.weekday, h.opens_at) for h in location.opening_hours] == [(0, time(8)), (0, time(13))]


def test_a_room_with_a_coming_appointment_is_not_removed(records: World, factory: sessionmaker[Session]) -> None:
    gym, spare = records.room_ids
    with factory.begin() as session:
        admin = _actor(session, records, "admin")
        with pytest.raises(Conflict, match="coming appointment"):
            organisation.remove_room(session, admin, gym, now=NOW)
        with pytest.raises(Conflict, match="already has a room called Gym"):
            organisation.rename_room(session, admin, spare, "gym")
        organisation.remove_room(session, admin, spare, now=NOW)
        with pytest.raises(NotFound):
            organisation.get_room(session, _actor(session, records, "admin"), spare)
    with factory() as session:
        assert session.get(Room, spare) is None and session.get(Room, gym) is not None


def test_the_audit_log_filters_by_patient_name_and_exports_what_it_shows(records: World,
                                                                        factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        admin = _actor(session, records, "admin")
        found = audit.search(session, admin, audit.AuditFilter(patient="quennell", action=AuditAction.CREATE))
        assert found.total > 0 and {row.patient.last_name for row in found.rows if row.patient} == {"Quennell"}
        text = audit.export_csv(session, admin, audit.AuditFilter(patient="quennell", action=AuditAction.CREATE))
        assert text.count("\n") == found.total + 1 and "Penny Quennell" in text
        with pytest.raises(Forbidden):
            audit.search(session, _actor(session, records, "front_desk"), audit.AuditFilter())
    with factory() as session:
        export = session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT,
                                                          AuditEvent.resource_type == "audit_log")).one()
        assert "patient 'quennell'" in export.detail
