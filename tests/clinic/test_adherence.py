"""Adherence read from the stored programme and sessions: the episode's, the patient's own, and the
therapist's panel across their patients, with who may read which."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Forbidden, NotFound
from reeducate.clinic.models import AuditEvent, HomeProgrammeVersion, User
from reeducate.clinic.services import adherence, home_programmes, home_sessions
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.vocabulary import AuditAction
from reeducate.training.adherence import DayStatus, FlagKind
from tests.support import NOW, World

TODAY = NOW.date()  # Wednesday 25 November 2026
START = TODAY - timedelta(days=9)  # Monday 16 November
SQUAT = {"exercise_id": "mini-squat", "monitor": "camera-side", "side": "left", "sets": 2, "reps": 10,
         "weekdays": [1, 3, 5]}


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _prescribed(session: Session, world: World) -> HomeProgrammeVersion:
    return home_programmes.prescribe(session, actor(session, world, "therapist"), world.episode, HomeProgrammeInput(
        starts_on=START, items=[HomeItemInput.model_validate(SQUAT)]))


def _done(session: Session, world: World, item_id: int) -> None:
    """Mon 16 done, Wed 18 half done, Fri 20 missed, Mon 23 done with severe pain, Wed 25 (today) not yet."""
    patient = actor(session, world, "patient")
    home_sessions.tick_done(session, patient, item_id, day=START)
    home_sessions.tick_done(session, patient, item_id, day=START + timedelta(days=2), sets_done=1)
    home_sessions.tick_done(session, patient, item_id, day=START + timedelta(days=7), pain_score=8)


def test_an_episode_s_adherence_reads_its_days_streak_share_and_flags(factory: sessionmaker[Session],
                                                                     records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        assert adherence.for_episode(session, therapist, records.episode) is None
        item = _prescribed(session, records).items[0].id
        _done(session, records, item)
        found = adherence.for_episode(session, therapist, records.episode)
        assert found is not None and found.today == TODAY
        statuses = {d.day: d.status for d in found.summary.days if d.status is not DayStatus.REST}
        assert list(statuses.values()) == [DayStatus.DONE, DayStatus.PARTLY, DayStatus.MISSED, DayStatus.DONE,
                                           DayStatus.DUE]
        assert found.summary.streak == 1 and found.summary.last_session_on == START + timedelta(days=7)
        assert found.summary.share_last_week == pytest.approx(0.5)  # Fri 20 missed, Mon 23 done; Wed 25 not yet
        assert [f.kind for f in found.summary.flags] == [FlagKind.PAIN_REPORTED]
        assert found.summary.flags[0].severe and found.counts_by_kind() == {"guided": 0, "ticked": 3}
        assert found.month(2026, 11).counts[DayStatus.DUE] == 3  # Wed 25, Fri 27, Mon 30

        painful = found.summary.flags[0].sessions[0].session_id
        home_sessions.review_flag(session, therapist, painful)
        assert adherence.for_episode(session, therapist, records.episode).summary.flags == ()  # type: ignore[union-attr]


def test_the_patient_reads_their_own_programmes_and_nobody_else_s(factory: sessionmaker[Session],
                                                                 records: World) -> None:
    with unit_of_work(factory) as session:
        _done(session, records, _prescribed(session, records).items[0].id)
        mine = adherence.mine(session, actor(session, records, "patient"))
        assert [m.patient.id for m in mine] == [records.p1] and mine[0].summary.streak == 1
        assert mine[0].first_day == START  # where the calendar's months begin
        assert adherence.mine(session, actor(session, records, "other_patient")) == []
        with pytest.raises(Forbidden):
            adherence.mine(session, actor(session, records, "therapist"))
        with pytest.raises(NotFound):
            adherence.for_episode(session, actor(session, records, "other_patient"), records.episode)


def test_the_panel_lists_the_clinician_s_patients_with_a_running_programme(factory: sessionmaker[Session],
                                                                          records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        assert adherence.panel(session, therapist) == []
        _done(session, records, _prescribed(session, records).items[0].id)
        rows = adherence.panel(session, therapist)
        assert [r.adherence.patient.id for r in rows] == [records.p1]
        assert rows[0].summary.flags[0].kind is FlagKind.PAIN_REPORTED
        assert adherence.panel(session, actor(session, records, "other_therapist")) == []
        for persona in ("front_desk", "admin", "patient"):
            with pytest.raises(Forbidden, match=r"^Home programmes are followed by clinicians\.$"):
                adherence.panel(session, actor(session, records, persona))
        assert session.scalars(select(AuditEvent).where(
            AuditEvent.user_id == therapist.user_id, AuditEvent.resource_type == "home_session",
            AuditEvent.action == AuditAction.READ, AuditEvent.patient_id == records.p1)).first() is not None


def test_a_programme_that_has_ended_leaves_the_panel(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        home_programmes.prescribe(session, actor(session, records, "therapist"), records.episode, HomeProgrammeInput(
            starts_on=START, ends_on=TODAY - timedelta(days=1), items=[HomeItemInput.model_validate(SQUAT)]))
        assert adherence.panel(session, actor(session, records, "therapist")) == []
        assert adherence.mine(session, actor(session, records, "patient")) == []
