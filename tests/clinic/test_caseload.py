"""My patients: a clinician's care-team patients and those booked with them, with next and last dates."""

from __future__ import annotations

import pytest

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Forbidden
from reeducate.clinic.models import User
from reeducate.clinic.schemas import AppointmentBook
from reeducate.clinic.services import caseload, scheduling
from tests.support import World, local


def test_a_therapist_sees_their_episode_patient_with_next_appointment_and_last_visit(factory, records: World) -> None:
    with unit_of_work(factory) as session:
        rows = caseload.my_patients(session, Actor.of(session.get(User, records.user_ids["therapist"])))
        assert [(r.patient.last_name, r.on_care_team) for r in rows] == [("Quennell", True)]
        assert rows[0].next_appointment is not None and rows[0].next_appointment.starts_at == local(0, 10)
        assert rows[0].last_visit_at == local(0, 7, 55)


def test_a_patient_booked_with_a_clinician_is_theirs_without_a_care_team(factory, records: World) -> None:
    with unit_of_work(factory) as session:
        scheduling.book(session, Actor.of(session.get(User, records.user_ids["front_desk"])), AppointmentBook(
            patient_id=records.p2, provider_id=records.user_ids["assistant"], location_id=records.location_id,
            starts_at=local(1, 9)))
        rows = caseload.my_patients(session, Actor.of(session.get(User, records.user_ids["assistant"])))
        assert [(r.patient.last_name, r.on_care_team, r.last_visit_at) for r in rows] == [("Abernathy", False, None)]


def test_a_care_team_member_sees_the_episode_patient_and_another_clinician_none(factory, records: World) -> None:
    with unit_of_work(factory) as session:
        chiropractor = Actor.of(session.get(User, records.user_ids["chiropractor"]))
        assert [(r.patient.last_name, r.on_care_team) for r in caseload.my_patients(session, chiropractor)] == [
            ("Quennell", True)]
        assert caseload.my_patients(session, Actor.of(session.get(User, records.user_ids["assistant"]))) == []
        assert caseload.my_patients(session, Actor.of(session.get(User, records.user_ids["other_therapist"]))) == []


def test_the_front_desk_has_no_patients_of_its_own(factory, records: World) -> None:
    with pytest.raises(Forbidden), unit_of_work(factory) as session:
        caseload.my_patients(session, Actor.of(session.get(User, records.user_ids["front_desk"])))
