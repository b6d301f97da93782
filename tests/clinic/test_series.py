"""Recurring series: every date checked, each conflict reported by date with its reason, the free dates
booked on request, and the rest of a series cancelled at once."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.models import Appointment, AppointmentSeries, User
from reeducate.clinic.schemas import AppointmentSeriesBook
from reeducate.clinic.services import scheduling, series
from reeducate.clinic.vocabulary import AppointmentStatus
from tests.clinic.conftest import row_counts
from tests.support import World, local


def desk(session: Session, world: World) -> Actor:
    return Actor.of(session.get(User, world.user_ids["front_desk"]))


def twice_a_week(world: World, **changes: object) -> AppointmentSeriesBook:
    """P2 with the therapist, Mondays and Thursdays at 14:00 for 2 weeks from Monday 30 November."""
    values: dict[str, object] = dict(patient_id=world.p2, provider_id=world.user_ids["therapist"],
                                     location_id=world.location_id, first_day=local(5, 0).date(), at=time(14),
                                     weekdays=[0, 3], weeks=2)
    values.update(changes)
    return AppointmentSeriesBook(**values)


def test_a_free_series_is_booked_on_every_chosen_weekday_and_shares_one_series(factory, records: World) -> None:
    with unit_of_work(factory) as session:
        outcome = series.book_series(session, desk(session, records), twice_a_week(records), free_only=False)
        assert outcome.conflicts == [] and outcome.series is not None
        assert outcome.series.pattern == "Mon, Thu at 14:00 for 2 weeks from 2026-11-30"
    with factory() as session:
        booked = session.scalars(select(Appointment).where(Appointment.patient_id == records.p2)).all()
        assert sorted(a.starts_at for a in booked) == [local(5, 14), local(8, 14), local(12, 14), local(15, 14)]
        assert {a.series_id for a in booked} == {outcome.series.id}


def test_each_conflict_is_reported_by_date_with_its_reason_and_nothing_is_booked(
        factory: sessionmaker[Session], records: World) -> None:
    data = twice_a_week(records, at=time(10), weekdays=[0, 3, 6])  # P1 holds the therapist Mon 30 Nov 10:00
    before = row_counts(factory)
    with unit_of_work(factory) as session:
        outcome = series.book_series(session, desk(session, records), data, free_only=False)
        assert outcome.series is None
        problems = {o.appointment.starts_at: o.problem for o in outcome.conflicts}
    assert row_counts(factory) == before
    assert problems[local(5, 10)].startswith("Therapist is already booked Mon 30 Nov 10:00-10:45")
    assert "closed on Sundays" in problems[local(11, 10)] and "closed on Sundays" in problems[local(18, 10)]
    assert len(problems) == 3 and len(outcome.free) == 3


def test_the_desk_may_book_only_the_free_dates(factory, records: World) -> None:
    data = twice_a_week(records, at=time(10))
    with unit_of_work(factory) as session:
        outcome = series.book_series(session, desk(session, records), data, free_only=True)
        assert [o.booked for o in outcome.occurrences] == [False, True, True, True]
    with factory() as session:
        assert session.scalar(select(AppointmentSeries.pattern)) == "Mon, Thu at 10:00 for 2 weeks from 2026-11-30"


def test_an_end_date_ends_the_series_and_a_span_over_a_year_is_refused(records: World) -> None:
    data = twice_a_week(records, weeks=None, until=local(9, 0).date())  # through Friday 4 December
    assert [d.day for d in series.series_days(data)] == [30, 3]
    with pytest.raises(InvalidInput, match="at most 52 weeks"):
        series.series_days(twice_a_week(records, weeks=None, until=local(400, 0).date()))


def test_cancelling_the_rest_of_a_series_keeps_the_earlier_dates(factory, records: World) -> None:
    with unit_of_work(factory) as session:
        outcome = series.book_series(session, desk(session, records), twice_a_week(records), free_only=False)
        second = outcome.occurrences[1].appointment.id
    with unit_of_work(factory) as session:
        scheduling.cancel(session, desk(session, records), second, "moving away", rest_of_series=True)
    with factory() as session:
        statuses = [a.status for a in session.scalars(
            select(Appointment).where(Appointment.patient_id == records.p2).order_by(Appointment.starts_at))]
        assert statuses == [AppointmentStatus.BOOKED] + [AppointmentStatus.CANCELLED] * 3
