"""Where a live exercise is kept while it runs: a visit's exercise record, or the patient's home session.

A keeper chooses what is run (the page's choice at a visit, the prescribed item at home), makes the
record once the source works (or takes up the record of an exercise whose connection broke: ``carry_on``,
the record's own exercise and count), rewrites its summary after every repetition or hold, and ends it
(done, interrupted, or stopped for pain). Every write names the connection's ``part``, so a connection
whose exercise was carried on by a newer one writes nothing more. Each call is one transaction of its own, made by the keeper: the
live session calls them off the event loop. What the record may claim, who may write it and what it
audits stay with the services it calls (``training``, ``home_sessions``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import home_programmes, home_sessions, training
from reeducate.clinic.services.live_session.messages import Start
from reeducate.clinic.services.training import StoredRecording
from reeducate.clinic.vocabulary import ExerciseSource, ExerciseStatus
from reeducate.training.catalogue import UnknownExercise, exercise
from reeducate.training.models import Exercise, Monitor

T = TypeVar("T")

#: What the patient at home reads when they report severe pain (7 or more): stop, rest, call the clinic,
#: and 911 for an emergency. Plain words; nothing that diagnoses.
HOME_SEVERE_PAIN = ("Please stop now and rest. Do not do your home exercises again until you have spoken with "
                    "your clinic: call them today. Your therapist will see this report. If the pain is severe and "
                    "getting worse, or you have chest pain, trouble breathing, or sudden weakness or numbness, "
                    "call 911.")
#: What the clinic's page says when severe pain locks the visit's exercises.
VISIT_SEVERE_PAIN = ("Severe pain: the session's exercises are stopped until a physical therapist or chiropractor "
                     "checks the patient and resumes them.")


@dataclass(frozen=True)
class Chosen:
    """What a live session runs: the library's exercise, its monitor and side, and the dose a programme
    prescribes (None: the library's own)."""

    exercise: Exercise
    monitor: Monitor
    side: str | None
    sets: int | None = None
    reps_per_set: int | None = None
    hold_s: float | None = None


@dataclass(frozen=True)
class Carried:
    """An exercise taken up again: what it runs, its source and the summary counted so far."""

    chosen: Chosen
    source: ExerciseSource
    summary: dict[str, Any]


class Keeper(Protocol):
    """The record of one live exercise; ``sources`` are those it accepts."""

    sources: tuple[ExerciseSource, ...]
    severe_pain_message: str

    def choose(self, start: Start) -> Chosen: ...

    def recording(self, ref: str) -> StoredRecording: ...

    def start(self, chosen: Chosen, source: ExerciseSource) -> int: ...

    def carry_on(self, record_id: int) -> Carried: ...

    def save_progress(self, summary: dict[str, Any]) -> None: ...

    def report_pain(self, summary: dict[str, Any], *, score: int, at_s: float, reported_by: str) -> None: ...

    def finish(self, summary: dict[str, Any], status: ExerciseStatus) -> ExerciseStatus: ...


class _Transactions:
    """Each call one transaction, as ``actor``."""

    def __init__(self, factory: sessionmaker[Session], actor: Actor) -> None:
        self.factory = factory
        self.actor = actor
        self._record_id: int | None = None
        self.part = 1  # which connection carries the record (``training.part_of``)

    def _in_session(self, work: Callable[[Session], T]) -> T:
        with unit_of_work(self.factory) as session:
            return work(session)

    @property
    def record_id(self) -> int:
        if self._record_id is None:
            raise RuntimeError("The record is made by start(); nothing is kept before it.")
        return self._record_id


class VisitKeeper(_Transactions):
    """An exercise of a visit, kept as its ``ExerciseRecord`` (``services.training``)."""

    sources: tuple[ExerciseSource, ...] = tuple(ExerciseSource)
    severe_pain_message = VISIT_SEVERE_PAIN

    def __init__(self, factory: sessionmaker[Session], actor: Actor, visit_id: int, store: RecordingStore) -> None:
        super().__init__(factory, actor)
        self.visit_id = visit_id
        self.store = store

    def choose(self, start: Start) -> Chosen:
        try:
            chosen = exercise(start.exercise)
            return Chosen(chosen, chosen.monitor(start.monitor), start.side)
        except (UnknownExercise, KeyError) as exc:
            raise InvalidInput(str(exc.args[0])) from None

    def recording(self, ref: str) -> StoredRecording:
        return self._in_session(lambda s: training.recording_to_replay(s, self.actor, self.visit_id, ref, self.store))

    def start(self, chosen: Chosen, source: ExerciseSource) -> int:
        self._record_id = self._in_session(lambda s: training.start(
            s, self.actor, self.visit_id, exercise_id=chosen.exercise.id, monitor=chosen.monitor.key,
            side=chosen.side, source=source).id)
        return self._record_id

    def carry_on(self, record_id: int) -> Carried:
        def take(session: Session) -> Carried:
            row, self.part = training.carry_on(session, self.actor, self.visit_id, record_id)
            self._record_id = row.id
            chosen = exercise(row.exercise_id)
            return Carried(Chosen(chosen, chosen.monitor(row.monitor), row.side), ExerciseSource(row.source),
                           dict(row.summary))
        return self._in_session(take)

    def save_progress(self, summary: dict[str, Any]) -> None:
        self._in_session(lambda s: training.save_progress(s, self.actor, self.record_id, summary, part=self.part))

    def report_pain(self, summary: dict[str, Any], *, score: int, at_s: float, reported_by: str) -> None:
        self._in_session(lambda s: training.report_pain(s, self.actor, self.record_id, summary, score=score,
                                                        at_s=at_s, reported_by=reported_by, part=self.part))

    def finish(self, summary: dict[str, Any], status: ExerciseStatus) -> ExerciseStatus:
        return self._in_session(lambda s: training.finish(s, self.actor, self.record_id, summary, status=status,
                                                          part=self.part).status)


class HomeKeeper(_Transactions):
    """A guided session at home, kept as the patient's ``HomeSession`` (``services.home_sessions``): the
    prescribed item decides the exercise and dose, and the pose runs on the patient's device."""

    sources: tuple[ExerciseSource, ...] = (ExerciseSource.DEVICE,)
    severe_pain_message = HOME_SEVERE_PAIN

    def __init__(self, factory: sessionmaker[Session], actor: Actor, item_id: int) -> None:
        super().__init__(factory, actor)
        self.item_id = item_id

    def choose(self, start: Start) -> Chosen:
        return self._in_session(self._prescribed)

    def _prescribed(self, session: Session) -> Chosen:
        item = home_programmes.item(session, self.actor, self.item_id)
        chosen = exercise(item.exercise_id)
        if item.monitor is None:
            raise InvalidInput(f"{chosen.name} is ticked as done at home; it is not guided by the camera.")
        return Chosen(chosen, chosen.monitor(item.monitor), item.side, item.sets, item.reps, item.hold_s)

    def recording(self, ref: str) -> StoredRecording:
        raise InvalidInput("A home session is watched live by the patient's own camera; nothing is replayed.")

    def start(self, chosen: Chosen, source: ExerciseSource) -> int:
        self._record_id = self._in_session(lambda s: home_sessions.start_guided(s, self.actor, self.item_id).id)
        return self._record_id

    def carry_on(self, record_id: int) -> Carried:
        def take(session: Session) -> Carried:
            row, self.part = home_sessions.carry_on(session, self.actor, self.item_id, record_id)
            self._record_id = row.id
            return Carried(self._prescribed(session), ExerciseSource.DEVICE, dict(row.summary))
        return self._in_session(take)

    def save_progress(self, summary: dict[str, Any]) -> None:
        self._in_session(lambda s: home_sessions.save_progress(s, self.actor, self.record_id, summary,
                                                               part=self.part))

    def report_pain(self, summary: dict[str, Any], *, score: int, at_s: float, reported_by: str) -> None:
        self._in_session(lambda s: home_sessions.report_pain(s, self.actor, self.record_id, summary, score=score,
                                                             at_s=at_s, part=self.part))

    def finish(self, summary: dict[str, Any], status: ExerciseStatus) -> ExerciseStatus:
        return self._in_session(lambda s: home_sessions.finish(s, self.actor, self.record_id, summary, status=status,
                                                               part=self.part).status)
