"""A visit's life: checked in -> in progress (the first thing recorded in it, whatever it is) ->
completed (only with its minutes, and with no exercise still running); afterwards nothing more is
recorded in it but its note, addenda and billing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.models import AuditEvent, User, Visit
from reeducate.clinic.schemas import AdministrationCreate, AppointmentBook, VisitActivityAdd
from reeducate.clinic.services import measures, notes, scheduling, training, visits
from reeducate.clinic.vocabulary import Activity, AuditAction, VisitStatus
from tests.clinic.conftest import row_counts
from tests.support import World, local


def actor(session: Session, world: World, persona: str = "therapist") -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def checked_in(factory: sessionmaker[Session], world: World) -> int:
    """Today's second appointment checked in at the desk: a visit with nothing recorded yet."""
    with unit_of_work(factory) as session:
        return visits.check_in(session, actor(session, world, "front_desk"), world.appt_today).id


def status(factory: sessionmaker[Session], visit_id: int) -> VisitStatus:
    with factory() as session:
        return session.get_one(Visit, visit_id).status


def _minutes(session: Session, world: World, visit_id: int) -> None:
    visits.add_activity(session, actor(session, world), visit_id,
                        VisitActivityAdd(activity=Activity.GAIT_TRAINING, minutes=12))


def _measure(session: Session, world: World, visit_id: int) -> None:
    measures.record_in_visit(session, actor(session, world), visit_id, "tug",
                             AdministrationCreate(responses={"seconds": 9.1}))


def _exercise(session: Session, world: World, visit_id: int) -> None:
    training.start(session, actor(session, world), visit_id, exercise_id="mini-squat", monitor=None,
                   side="left", source="camera")


@pytest.mark.parametrize("first", [_minutes, _measure, _exercise], ids=["minutes", "measure", "exercise"])
def test_the_first_thing_recorded_moves_a_checked_in_visit_to_in_progress(
        factory: sessionmaker[Session], records: World, first: Callable[[Session, World, int], None]) -> None:
    visit_id = checked_in(factory, records)
    assert status(factory, visit_id) is VisitStatus.CHECKED_IN
    with unit_of_work(factory) as session:
        first(session, records, visit_id)
    assert status(factory, visit_id) is VisitStatus.IN_PROGRESS
    with factory() as session:
        audited = session.scalars(select(AuditEvent).where(
            AuditEvent.resource_type == "visit", AuditEvent.resource_id == str(visit_id),
            AuditEvent.action == AuditAction.UPDATE)).all()
    assert any(e.changes == {"status": ["checked_in", "in_progress"]} for e in audited)


def test_a_visit_without_minutes_is_not_completed_and_says_why(factory: sessionmaker[Session],
                                                               records: World) -> None:
    visit_id = checked_in(factory, records)
    with unit_of_work(factory) as session:
        _measure(session, records, visit_id)
    before = row_counts(factory)
    with pytest.raises(Conflict, match="Record the minutes spent per activity before completing the visit"), \
            unit_of_work(factory) as session:
        visits.complete(session, actor(session, records), visit_id)
    assert row_counts(factory) == before and status(factory, visit_id) is VisitStatus.IN_PROGRESS


def test_a_visit_is_not_completed_while_an_exercise_is_still_running(factory: sessionmaker[Session],
                                                                     records: World) -> None:
    with unit_of_work(factory) as session:
        _exercise(session, records, records.visit_open)
    with pytest.raises(Conflict, match="still running"), unit_of_work(factory) as session:
        visits.complete(session, actor(session, records), records.visit_open)


def test_a_completed_visit_keeps_its_minutes_and_takes_only_its_note_and_billing(
        factory: sessionmaker[Session], records: World) -> None:
    visit_id = checked_in(factory, records)
    with unit_of_work(factory) as session:
        _minutes(session, records, visit_id)
        done = visits.complete(session, actor(session, records), visit_id)
        assert (done.status, done.total_minutes, done.appointment.status.value) == (
            VisitStatus.COMPLETED, 12, "completed")
    for late in (_minutes, _measure, _exercise):
        with pytest.raises(Conflict, match="completed"), unit_of_work(factory) as session:
            late(session, records, visit_id)
    with pytest.raises(Conflict, match="already completed"), unit_of_work(factory) as session:
        visits.complete(session, actor(session, records), visit_id)
    with unit_of_work(factory) as session:  # the note is written after the visit
        assert notes.start_draft(session, actor(session, records), visit_id).visit_id == visit_id


def test_evaluation_minutes_belong_to_a_clinician_who_evaluates(factory: sessionmaker[Session],
                                                               records: World) -> None:
    """A PT assistant's visit takes treatment minutes, never evaluation minutes; nothing is stored."""
    with unit_of_work(factory) as session:
        desk = actor(session, records, "front_desk")
        appointment = scheduling.book(session, desk, AppointmentBook(
            patient_id=records.p1, provider_id=records.user_ids["assistant"], location_id=records.location_id,
            starts_at=local(0, 15), duration_min=30))
        visit_id = visits.check_in(session, desk, appointment.id).id
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match="does not evaluate"), unit_of_work(factory) as session:
        visits.add_activity(session, actor(session, records, "assistant"), visit_id,
                            VisitActivityAdd(activity=Activity.EVALUATION, minutes=30))
    assert row_counts(factory) == before
    with unit_of_work(factory) as session:
        visits.add_activity(session, actor(session, records, "assistant"), visit_id,
                            VisitActivityAdd(activity=Activity.THERAPEUTIC_EXERCISE, minutes=30))
