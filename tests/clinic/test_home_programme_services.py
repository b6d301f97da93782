"""The home programme's shared services: versions kept, the version in force on a day, what is due,
and the patient's own sessions (ticked or guided) with their dose, pain flag and review."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.models import AuditEvent, User
from reeducate.clinic.services import home_programmes, home_sessions
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.vocabulary import AuditAction, ExerciseStatus, HomeSessionKind
from tests.support import NOW, World

TODAY = NOW.date()  # a Wednesday
SQUAT = {"exercise_id": "mini-squat", "monitor": "camera-side", "side": "left", "sets": 2, "reps": 10,
         "weekdays": [1, 3, 5]}


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _programme(starts_on: date = TODAY, reason: str = "", **item: object) -> HomeProgrammeInput:
    return HomeProgrammeInput(starts_on=starts_on, change_reason=reason, notes_for_patient="Slowly.",
                              items=[HomeItemInput.model_validate({**SQUAT, **item})])


def test_versions_are_kept_and_the_next_one_needs_a_reason(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        first = home_programmes.prescribe(session, therapist, records.episode, _programme())
        assert first.number == 1 and first.items[0].monitor == "camera-side"
        with pytest.raises(InvalidInput, match="Say why"):
            home_programmes.prescribe(session, therapist, records.episode, _programme(reps=12))
        second = home_programmes.prescribe(session, actor(session, records, "assistant"), records.episode,
                                           _programme(TODAY + timedelta(days=5), reason="Stronger", reps=12))
        kept = home_programmes.versions(session, therapist, records.episode)
        assert [v.number for v in kept] == [1, 2] and kept[0].items[0].reps == 10
        assert home_programmes.current(session, therapist, records.episode, TODAY) is first
        assert home_programmes.current(session, therapist, records.episode, TODAY + timedelta(days=5)) is second
        assert session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "home_programme_version",
                                                        AuditEvent.action == AuditAction.CREATE)).all()


def test_bad_prescriptions_are_refused_with_the_reason(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        with pytest.raises(InvalidInput, match="left or right"):
            home_programmes.prescribe(session, therapist, records.episode, _programme(side=None))
        with pytest.raises(InvalidInput, match="ends"):
            home_programmes.prescribe(session, therapist, records.episode, HomeProgrammeInput(
                starts_on=TODAY, ends_on=TODAY - timedelta(days=1), items=[HomeItemInput.model_validate(SQUAT)]))
        with pytest.raises(ValueError, match="Monday"):
            HomeItemInput.model_validate({**SQUAT, "weekdays": [0]})
        with pytest.raises(Forbidden):
            home_programmes.prescribe(session, actor(session, records, "front_desk"), records.episode, _programme())
        with pytest.raises(InvalidInput, match="joint position sense training is guided in the clinic"):
            home_programmes.prescribe(session, therapist, records.episode,
                                      _programme(exercise_id="knee-position-sense-seated"))
    assert home_programmes.camera_monitors("knee-position-sense-seated") == [], "no camera guide offered for it"


def test_what_is_due_follows_the_weekdays_and_the_dates(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        home_programmes.prescribe(session, therapist, records.episode, HomeProgrammeInput(
            starts_on=TODAY, ends_on=TODAY + timedelta(days=7), items=[HomeItemInput.model_validate(SQUAT)]))
        patient = actor(session, records, "patient")
        assert len(home_programmes.due_on(session, patient, records.p1, TODAY)) == 1  # Wednesday
        assert home_programmes.due_on(session, patient, records.p1, TODAY + timedelta(days=1)) == []  # Thursday
        assert home_programmes.due_on(session, patient, records.p1, TODAY - timedelta(days=2)) == []  # not started
        assert home_programmes.due_on(session, patient, records.p1, TODAY + timedelta(days=9)) == []  # ended
        with pytest.raises(NotFound):
            home_programmes.due_on(session, actor(session, records, "other_patient"), records.p1, TODAY)


def test_the_patient_ticks_and_guides_their_own_sessions(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        version = home_programmes.prescribe(session, actor(session, records, "therapist"), records.episode,
                                            _programme())
        item = version.items[0].id
        patient = actor(session, records, "patient")
        ticked = home_sessions.tick_done(session, patient, item, day=TODAY, sets_done=1)
        assert ticked.kind is HomeSessionKind.TICKED and ticked.repetitions == 10 and not ticked.flagged
        assert ticked.prescribed == {"sets": 2, "reps": 10, "hold_s": None}
        guided = home_sessions.start_guided(session, patient, item, day=TODAY)
        home_sessions.save_progress(session, patient, guided.id, {"repetitions": 12, "active_s": 30.0})
        assert guided.sets_done == 1
        home_sessions.report_pain(session, patient, guided.id, {"repetitions": 13}, score=8, at_s=41.0)
        assert guided.status is ExerciseStatus.STOPPED_FOR_PAIN and guided.flagged
        with pytest.raises(Conflict, match="already ended"):
            home_sessions.finish(session, patient, guided.id, {})
        with pytest.raises(Forbidden):
            home_sessions.tick_done(session, actor(session, records, "therapist"), item, day=TODAY)
        with pytest.raises(NotFound):
            home_sessions.tick_done(session, actor(session, records, "other_patient"), item, day=TODAY)
        with pytest.raises(InvalidInput, match="Pain"):
            home_sessions.tick_done(session, patient, item, day=TODAY, pain_score=11)
        therapist = actor(session, records, "therapist")
        assert [s.id for s in home_sessions.between(session, therapist, records.p1, TODAY, TODAY)] == [ticked.id,
                                                                                                         guided.id]
        home_sessions.review_flag(session, therapist, guided.id)
        assert guided.flag_reviewed_by_id == therapist.user_id
        with pytest.raises(Conflict, match="no flag"):
            home_sessions.review_flag(session, therapist, ticked.id)


def test_a_session_on_a_replaced_version_is_refused(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        therapist = actor(session, records, "therapist")
        old = home_programmes.prescribe(session, therapist, records.episode, _programme())
        home_programmes.prescribe(session, therapist, records.episode, _programme(reason="Harder", reps=15))
        with pytest.raises(Conflict, match="not in your programme"):
            home_sessions.start_guided(session, actor(session, records, "patient"), old.items[0].id, day=TODAY)


def test_the_patient_undoes_only_their_own_tick_of_today(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        version = home_programmes.prescribe(session, actor(session, records, "therapist"), records.episode,
                                            _programme(starts_on=TODAY - timedelta(days=2)))
        item = version.items[0].id
        patient = actor(session, records, "patient")
        monday = home_sessions.tick_done(session, patient, item, day=TODAY - timedelta(days=2))
        mistaken = home_sessions.tick_done(session, patient, item, day=TODAY, pain_score=2)
        painful = home_sessions.tick_done(session, patient, item, day=TODAY, pain_score=8)
        guided = home_sessions.start_guided(session, patient, item, day=TODAY)
        home_sessions.finish(session, patient, guided.id, {"repetitions": 10, "active_s": 30.0})
        with pytest.raises(NotFound):
            home_sessions.undo_tick(session, actor(session, records, "other_patient"), mistaken.id, day=TODAY)
        with pytest.raises(Forbidden):
            home_sessions.undo_tick(session, actor(session, records, "therapist"), mistaken.id, day=TODAY)
        with pytest.raises(Conflict, match="Only today's"):
            home_sessions.undo_tick(session, patient, monday.id, day=TODAY)
        with pytest.raises(Conflict, match="guided"):
            home_sessions.undo_tick(session, patient, guided.id, day=TODAY)
        with pytest.raises(Conflict, match="pain"):
            home_sessions.undo_tick(session, patient, painful.id, day=TODAY)
        mistaken_id = mistaken.id
        home_sessions.undo_tick(session, patient, mistaken_id, day=TODAY)
        left = home_sessions.between(session, patient, records.p1, TODAY - timedelta(days=2), TODAY)
        assert [s.id for s in left] == [monday.id, painful.id, guided.id]
        undone = session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.DELETE,
                                                          AuditEvent.resource_type == "home_session")).one()
        assert undone.resource_id == str(mistaken_id) and "undone by the patient" in undone.detail
