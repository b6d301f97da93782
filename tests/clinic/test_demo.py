"""The demo clinic is realistic and seeding it again changes nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from reeducate.clinic.db import unit_of_work
from reeducate.clinic.demo import demo_logins, seed_demo
from reeducate.clinic.models import Appointment, CareTeamMember, Episode, Patient, Visit
from reeducate.clinic.vocabulary import AppointmentStatus, Condition, Role
from tests.clinic.conftest import row_counts

FRIDAY = date(2026, 11, 20)


def test_seeding_twice_changes_nothing(factory) -> None:
    with unit_of_work(factory) as session:
        assert seed_demo(session, today=FRIDAY) is True
    first = row_counts(factory)
    with unit_of_work(factory) as session:
        assert seed_demo(session, today=FRIDAY) is False
    assert row_counts(factory) == first


def test_the_demo_shows_a_real_clinics_week(factory) -> None:
    with unit_of_work(factory) as session:
        seed_demo(session, today=FRIDAY)
        assert session.scalar(select(func.count()).select_from(Patient)) == 12
        conditions = set(session.scalars(select(Episode.condition)))
        assert len(conditions) == 12 and Condition.WHIPLASH in conditions and Condition.STROKE in conditions
        assert session.scalar(select(func.count()).select_from(Visit)) > 50
        booked = list(session.scalars(select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)))
        assert {a.starts_at.date() for a in booked} >= {FRIDAY}
        shared = session.execute(
            select(CareTeamMember.episode_id).group_by(CareTeamMember.episode_id).having(func.count() > 1)
        ).all()
        assert shared, "a PT and a chiropractor share at least one patient"
    roles = {login.role for login in demo_logins()}
    assert {Role.PHYSICAL_THERAPIST, Role.CHIROPRACTOR, Role.FRONT_DESK, Role.PATIENT} <= roles
