"""An episode's documentation duties read from its record: treatment days from treated visits, the
progress report counted from its signature, the certification of the latest plan (30 / 14 days, and a
recertification by the previous plan's end), and the clinic's list of what needs attention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Forbidden
from reeducate.clinic.models import AuditEvent, Episode, EpisodeReport, PlanOfCare, User, Visit
from reeducate.clinic.services import documentation_due
from reeducate.clinic.vocabulary import NoteStatus, ReportKind, VisitStatus
from reeducate.planning.medicare import Timing
from tests.support import World

START = date(2026, 9, 7)  # a Monday, long before the world's own visits


def _actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 17, tzinfo=UTC)  # 12:00 in Chicago


def _treat(session: Session, world: World, days: list[date], status: VisitStatus = VisitStatus.COMPLETED) -> None:
    for day in days:
        session.add(Visit(patient_id=world.p1, episode_id=world.episode, clinician_id=world.user_ids["therapist"],
                          status=status, checked_in_at=_noon(day), completed_at=_noon(day)))
    session.flush()


def _fresh_episode(session: Session, world: World) -> Episode:
    episode = session.get_one(Episode, world.episode)
    for visit in session.scalars(select(Visit).where(Visit.episode_id == episode.id)):
        visit.episode_id = None  # the world's own visits, this month: out of the way of the dates here
    session.flush()
    return episode


def _twice_a_week(count: int) -> list[date]:
    return [START + timedelta(days=7 * (i // 2) + 3 * (i % 2)) for i in range(count)]


def _plan(session: Session, world: World, number: int, starts: date, ends: date, **dates: date) -> PlanOfCare:
    plan = PlanOfCare(episode_id=world.episode, number=number, starts_on=starts, ends_on=ends, visits_per_week=2,
                      weeks=4, created_by_id=world.user_ids["therapist"], status=NoteStatus.SIGNED,
                      signed_by_id=world.user_ids["therapist"], signed_at=_noon(starts), **dates)
    session.add(plan)
    session.flush()
    return plan


def test_treated_days_count_toward_the_progress_report_and_a_signed_report_starts_a_new_period(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        episode = _fresh_episode(session, records)
        days = _twice_a_week(11)
        _treat(session, records, days[:9])
        _treat(session, records, [days[8]], VisitStatus.COMPLETED)  # a second visit that day: still one day
        _treat(session, records, [days[9]], VisitStatus.CHECKED_IN)  # checked in, not treated yet
        dues = documentation_due.of_episode(session, episode, today=days[9])
        assert dues.first_treatment == START
        assert dues.progress.days_in_period == 9 and dues.progress.due_now and not dues.progress.overdue
        session.add(EpisodeReport(episode_id=episode.id, kind=ReportKind.PROGRESS_REPORT, period_start=START,
                                  period_end=days[8], content={}, created_by_id=records.user_ids["therapist"],
                                  status=NoteStatus.DRAFT))
        session.flush()
        assert documentation_due.of_episode(session, episode, today=days[9]).progress.due_now  # a draft is no report
        report = session.scalars(select(EpisodeReport)).one()
        report.status, report.signed_at = NoteStatus.SIGNED, _noon(days[8])
        _treat(session, records, [days[10]])
        dues = documentation_due.of_episode(session, episode, today=days[10])
        assert dues.progress.days_in_period == 1 and not dues.progress.due_now


@pytest.mark.parametrize(("signed_after", "expected"), [(30, Timing.DONE), (31, Timing.LATE)])
def test_the_initial_plan_is_certified_within_30_days_of_the_first_treatment_day(
        factory: sessionmaker[Session], records: World, signed_after: int, expected: Timing) -> None:
    with unit_of_work(factory) as session:
        episode = _fresh_episode(session, records)
        _treat(session, records, _twice_a_week(3))
        _plan(session, records, 1, START, START + timedelta(days=27), certified_on=START + timedelta(days=signed_after))
        dues = documentation_due.of_episode(session, episode, today=START + timedelta(days=40))
        assert dues.certification is not None and dues.certification.state is expected
        assert dues.recertification_due == START + timedelta(days=27)


def test_a_recertification_is_due_by_the_previous_plans_end(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        episode = _fresh_episode(session, records)
        _treat(session, records, _twice_a_week(2))
        first_end = START + timedelta(days=27)
        _plan(session, records, 1, START, first_end, certified_on=START + timedelta(days=5))
        _plan(session, records, 2, first_end + timedelta(days=1), first_end + timedelta(days=28))
        on_the_day = documentation_due.of_episode(session, episode, today=first_end)
        assert on_the_day.certification is not None and on_the_day.certification.due == first_end
        assert on_the_day.certification.state is Timing.DUE and on_the_day.needs_attention
        after = documentation_due.of_episode(session, episode, today=first_end + timedelta(days=1))
        assert after.certification_overdue


def test_the_clinics_list_is_staffs_and_audited(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        episode = _fresh_episode(session, records)
        _treat(session, records, _twice_a_week(9))
        found = documentation_due.for_clinic(session, _actor(session, records, "front_desk"),
                                             today=_twice_a_week(10)[-1])
        assert [d.episode.id for d in found] == [episode.id]
        assert session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "documentation_due")).all()
    with unit_of_work(factory) as session, pytest.raises(Forbidden):
        documentation_due.for_clinic(session, _actor(session, records, "patient"))
