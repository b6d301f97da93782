"""Booking rules: no double booking of provider, room or patient; opening hours; life cycle."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.models import Appointment, User
from reeducate.clinic.schemas import (
    AppointmentBook,
    AppointmentConfirm,
    AppointmentRequest,
    AppointmentReschedule,
)
from reeducate.clinic.services import scheduling, visits
from reeducate.clinic.vocabulary import AppointmentKind, AppointmentStatus
from tests.clinic.conftest import row_counts
from tests.support import World, local


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get(User, world.user_ids[persona]))


def booking(world: World, **changes: object) -> AppointmentBook:
    """P2 with the therapist, tomorrow at 10:00 (the same hour as P1's booking two days on)."""
    values: dict[str, object] = dict(patient_id=world.p2, provider_id=world.user_ids["therapist"],
                                     location_id=world.location_id, starts_at=local(1, 10), duration_min=45)
    values.update(changes)
    return AppointmentBook(**values)


def refused(factory: sessionmaker[Session], world: World, data: AppointmentBook,
            error: type[Exception]) -> str:
    """Book ``data`` expecting ``error``; check that nothing was stored; return the message."""
    before = row_counts(factory)
    with pytest.raises(error) as caught, unit_of_work(factory) as session:
        scheduling.book(session, actor(session, world, "front_desk"), data)
    assert row_counts(factory) == before
    return str(caught.value)


def test_it_books_a_free_slot_within_opening_hours(factory, records: World) -> None:
    with unit_of_work(factory) as session:
        booked = scheduling.book(session, actor(session, records, "front_desk"), booking(records))
        assert booked.status is AppointmentStatus.BOOKED
        assert booked.ends_at - booked.starts_at == timedelta(minutes=45)


def test_a_booking_is_for_the_patients_only_active_episode_unless_another_is_named(factory, records: World) -> None:
    with unit_of_work(factory) as session:
        desk = actor(session, records, "front_desk")
        for_p1 = scheduling.book(session, desk, booking(records, patient_id=records.p1, starts_at=local(1, 14)))
        for_p2 = scheduling.book(session, desk, booking(records))
        assert for_p1.episode_id == records.episode  # its visit will carry the episode's precautions
        assert for_p2.episode_id is None  # no episode yet: the evaluation opens one


@pytest.mark.parametrize("kind", [AppointmentKind.EVALUATION, AppointmentKind.RE_EVALUATION])
def test_an_evaluation_is_not_booked_with_a_pt_assistant(factory, records: World, kind: AppointmentKind) -> None:
    data = booking(records, provider_id=records.user_ids["assistant"], kind=kind)
    message = refused(factory, records, data, InvalidInput)
    assert "does not evaluate" in message and "physical therapist or chiropractor" in message


def test_it_refuses_to_double_book_a_provider(factory, records: World) -> None:
    message = refused(factory, records, booking(records, starts_at=local(0, 10, 30)), Conflict)
    assert "Therapist is already booked" in message and "10:00-10:45" in message


def test_it_refuses_to_double_book_a_room(factory, records: World) -> None:
    data = booking(records, provider_id=records.user_ids["chiropractor"], starts_at=local(0, 10, 15),
                   room_id=records.room_ids[0])
    assert "Gym is already in use" in refused(factory, records, data, Conflict)


def test_it_refuses_a_second_appointment_for_the_same_patient_at_once(factory, records: World) -> None:
    data = booking(records, patient_id=records.p1, provider_id=records.user_ids["chiropractor"],
                   starts_at=local(0, 10, 30))
    assert "Penny Quennell already has an appointment" in refused(factory, records, data, Conflict)


def test_back_to_back_appointments_do_not_clash(factory, records: World) -> None:
    with unit_of_work(factory) as session:
        scheduling.book(session, actor(session, records, "front_desk"), booking(records, starts_at=local(0, 10, 45)))


@pytest.mark.parametrize(("starts", "duration", "reason"), [
    (local(0, 17, 30), 45, "outside Alpha Rehab Main's opening hours on Wednesday (08:00-18:00)"),
    (local(1, 7, 30), 45, "on Thursday (08:00-18:00)"),
    (local(4, 10), 45, "closed on Sundays"),
    (local(3, 11, 30), 45, "Saturday (09:00-12:00)"),
])
def test_it_refuses_times_outside_opening_hours(factory, records: World, starts, duration, reason) -> None:
    assert reason in refused(factory, records, booking(records, starts_at=starts, duration_min=duration), InvalidInput)


def test_it_reads_a_naive_time_as_the_clinics_wall_clock(factory, records: World) -> None:
    with unit_of_work(factory) as session:
        booked = scheduling.book(session, actor(session, records, "front_desk"),
                                 booking(records, starts_at=local(1, 8).replace(tzinfo=None)))
        assert booked.starts_at == local(1, 8)


def test_it_refuses_a_booking_in_the_past(factory, records: World) -> None:
    assert "in the past" in refused(factory, records, booking(records, starts_at=local(-1, 9)), InvalidInput)


def test_a_cancelled_appointment_frees_its_slot(factory, records: World) -> None:
    with unit_of_work(factory) as session:
        scheduling.cancel(session, actor(session, records, "front_desk"), records.appt_today, "sick")
    with unit_of_work(factory) as session:
        scheduling.book(session, actor(session, records, "front_desk"), booking(records, starts_at=local(0, 10)))


def test_a_request_holds_no_slot_until_confirmed_and_confirming_checks_the_slot(factory, records: World) -> None:
    with unit_of_work(factory) as session:  # the requested hour (Friday 11:00) is booked by another patient
        scheduling.book(session, actor(session, records, "front_desk"), booking(records, starts_at=local(2, 11)))
    before = row_counts(factory)
    with pytest.raises(Conflict, match="already booked"), unit_of_work(factory) as session:
        scheduling.confirm(session, actor(session, records, "front_desk"), records.request,
                           AppointmentConfirm(provider_id=records.user_ids["therapist"]))
    assert row_counts(factory) == before
    with unit_of_work(factory) as session:
        confirmed = scheduling.confirm(session, actor(session, records, "front_desk"), records.request,
                                       AppointmentConfirm(provider_id=records.user_ids["chiropractor"]))
        assert confirmed.status is AppointmentStatus.BOOKED


def test_the_same_request_sent_twice_is_kept_once(factory, records: World) -> None:
    with factory() as session:
        asked = session.get_one(Appointment, records.request)
        again = AppointmentRequest(location_id=asked.location_id, starts_at=asked.starts_at, duration_min=45)
    before = row_counts(factory)
    with pytest.raises(Conflict, match="already have an appointment or a request"), unit_of_work(factory) as session:
        scheduling.request(session, actor(session, records, "patient"), again)
    assert row_counts(factory) == before


def test_rescheduling_onto_a_taken_slot_is_refused_and_keeps_the_old_time(factory, records: World) -> None:
    with pytest.raises(Conflict), unit_of_work(factory) as session:
        scheduling.reschedule(session, actor(session, records, "front_desk"), records.appt_future,
                              AppointmentReschedule(starts_at=local(0, 10, 15)))
    with factory() as session:
        assert session.get(Appointment, records.appt_future).starts_at == local(5, 10)
    with unit_of_work(factory) as session:
        moved = scheduling.reschedule(session, actor(session, records, "front_desk"), records.appt_future,
                                      AppointmentReschedule(starts_at=local(5, 14)))
        assert moved.starts_at == local(5, 14)


def test_a_no_show_is_recorded_only_after_the_start(factory, records: World) -> None:
    with pytest.raises(Conflict, match="has not started"), unit_of_work(factory) as session:
        scheduling.mark_no_show(session, actor(session, records, "front_desk"), records.appt_today, "no answer")
    with time_machine.travel(local(0, 10, 20), tick=False), unit_of_work(factory) as session:
        marked = scheduling.mark_no_show(session, actor(session, records, "front_desk"), records.appt_today,
                                         "no answer by phone")
        assert marked.status is AppointmentStatus.NO_SHOW and marked.cancel_reason == "no answer by phone"


def test_check_in_happens_on_the_day_and_opens_a_visit(factory, records: World) -> None:
    with pytest.raises(Conflict, match="on the day"), unit_of_work(factory) as session:
        visits.check_in(session, actor(session, records, "front_desk"), records.appt_future)
    with unit_of_work(factory) as session:
        visit = visits.check_in(session, actor(session, records, "front_desk"), records.appt_today)
        assert visit.clinician_id == records.user_ids["therapist"]
    with factory() as session:
        status = session.scalar(select(Appointment.status).where(Appointment.id == records.appt_today))
        assert status is AppointmentStatus.CHECKED_IN


def test_a_cancellation_within_the_notice_is_a_late_cancellation(factory, records: World) -> None:
    with unit_of_work(factory) as session:  # now 09:00; appt_today starts at 10:00, appt_future in 5 days
        desk = actor(session, records, "front_desk")
        late = scheduling.cancel(session, desk, records.appt_today, "patient unwell")
        timely = scheduling.cancel(session, desk, records.appt_future, "patient unwell")
        assert late.status is AppointmentStatus.LATE_CANCELLED and late.cancel_reason == "patient unwell"
        assert timely.status is AppointmentStatus.CANCELLED
    assert scheduling.LATE_CANCEL_NOTICE == timedelta(hours=24)


def test_a_cancellation_just_outside_the_notice_is_not_late(factory, records: World) -> None:
    with time_machine.travel(local(4, 9, 59), tick=False), unit_of_work(factory) as session:
        cancelled = scheduling.cancel(session, actor(session, records, "patient"), records.appt_future, "away")
        assert cancelled.status is AppointmentStatus.CANCELLED


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_cancellation_or_no_show_needs_a_reason_and_changes_nothing(factory, records: World, reason: str) -> None:
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match="Give the reason"), unit_of_work(factory) as session:
        scheduling.cancel(session, actor(session, records, "front_desk"), records.appt_future, reason)
    with pytest.raises(InvalidInput, match="Give the reason"), unit_of_work(factory) as session:
        scheduling.mark_no_show(session, actor(session, records, "front_desk"), records.appt_past, reason)
    assert row_counts(factory) == before
    with factory() as session:
        assert session.get(Appointment, records.appt_future).status is AppointmentStatus.BOOKED
