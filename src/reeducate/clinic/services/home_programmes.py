"""A patient's home programme: prescribed from the library by a clinician (``permissions.PRESCRIBE_HOME``),
changed only by new versions (each kept), read by the episode's clinicians and by the patient.

The version in force on a day is the newest (highest-numbered) version that has started by then, unless
it has ended: a version written today that starts next Monday leaves the current one in force until
then, and a programme whose newest started version has ended has nothing due.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import Episode, HomeProgramme, HomeProgrammeItem, HomeProgrammeVersion
from reeducate.clinic.services import episodes, patients
from reeducate.clinic.vocabulary import AuditAction, EpisodeStatus
from reeducate.feedback.adapters.base import Device
from reeducate.reports.dates import day_text
from reeducate.training.catalogue import UnknownExercise, exercise

MAX_NOTES_CHARS = 2000
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""ISO weekday 1 ... 7 in words."""


class HomeItemInput(BaseModel):
    """One exercise as prescribed: the library's id, the camera monitor a guided session watches with
    (None: ticked as done only), the side, the dose (sets of ``reps``, or holds of ``hold_s`` seconds)
    and the ISO weekdays (1 Monday ... 7 Sunday)."""

    exercise_id: str
    monitor: str | None = None
    side: Literal["left", "right"] | None = None
    sets: int = Field(ge=1, le=20)
    reps: int | None = Field(None, ge=1, le=200)
    hold_s: float | None = Field(None, gt=0, le=600)
    weekdays: list[int] = Field(min_length=1, max_length=7)
    notes: str = Field("", max_length=MAX_NOTES_CHARS)

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, days: list[int]) -> list[int]:
        if any(not 1 <= day <= 7 for day in days):
            raise ValueError("days are 1 (Monday) to 7 (Sunday)")
        return sorted(set(days))


class HomeProgrammeInput(BaseModel):
    """A version of the programme as written: its dates, words for the patient, why it changed, its exercises."""

    starts_on: date
    ends_on: date | None = None
    notes_for_patient: str = Field("", max_length=MAX_NOTES_CHARS)
    change_reason: str = Field("", max_length=MAX_NOTES_CHARS)
    items: list[HomeItemInput] = Field(min_length=1, max_length=30)


def in_force(versions: Sequence[HomeProgrammeVersion], day: date) -> HomeProgrammeVersion | None:
    """The version in force on ``day``: the newest that has started, unless it has ended (module docstring)."""
    started = [v for v in versions if v.starts_on <= day]
    if not started:
        return None
    newest = max(started, key=lambda v: v.number)
    return None if newest.ends_on is not None and newest.ends_on < day else newest


def dose_text(item: HomeProgrammeItem | HomeItemInput) -> str:
    """The dose in words: "2 sets of 10", "hold 30 seconds, 3 times"."""
    if item.hold_s is not None:
        times = "once" if item.sets == 1 else f"{item.sets} times"
        return f"hold {item.hold_s:g} seconds, {times}"
    sets = "1 set" if item.sets == 1 else f"{item.sets} sets"
    return f"{sets} of {item.reps}"


def days_text(weekdays: Sequence[int]) -> str:
    """The days in words: "every day", "Monday, Wednesday and Friday"."""
    if len(weekdays) == 7:
        return "every day"
    names = [WEEKDAY_NAMES[day - 1] for day in sorted(weekdays)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _checked_item(data: HomeItemInput, position: int) -> HomeProgrammeItem:
    try:
        chosen = exercise(data.exercise_id)
    except UnknownExercise as exc:
        raise InvalidInput(str(exc.args[0]), field="items") from None
    monitor = None
    if data.monitor:
        try:
            watched = chosen.monitor(data.monitor)
        except KeyError as exc:
            raise InvalidInput(str(exc.args[0]), field="items") from None
        if watched.device is not Device.CAMERA:
            raise InvalidInput(f"{chosen.name}: a home session is guided by the patient's camera; "
                               f"{watched.key} is a {watched.device.replace('_', ' ')}.", field="items")
        monitor = watched.key
    if chosen.sided and data.side is None:
        raise InvalidInput(f"{chosen.name} trains one side: choose left or right.", field="items")
    if data.reps is None and data.hold_s is None:
        raise InvalidInput(f"{chosen.name}: give repetitions per set or a hold in seconds.", field="items")
    return HomeProgrammeItem(position=position, exercise_id=chosen.id, monitor=monitor,
                             side=data.side if chosen.sided else None, sets=data.sets, reps=data.reps,
                             hold_s=data.hold_s, weekdays=list(data.weekdays), notes=data.notes.strip())


def prescribe(session: Session, actor: Actor, episode_id: int, data: HomeProgrammeInput) -> HomeProgrammeVersion:
    """The next version of the episode's programme (the first one makes the programme); audited."""
    require_role(actor, permissions.PRESCRIBE_HOME, "write a home programme")
    episode = episodes.clinical_episode(session, actor, episode_id)
    serialise(session, LockScope.EPISODE, episode.id)
    if episode.status is not EpisodeStatus.ACTIVE:
        raise Conflict("This episode is discharged; a home programme belongs to an active episode.")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise InvalidInput(f"The programme ends ({day_text(data.ends_on)}) before it starts "
                           f"({day_text(data.starts_on)}).", field="ends_on")
    programme = session.scalars(select(HomeProgramme).where(HomeProgramme.episode_id == episode.id)).first()
    if programme is None:
        programme = HomeProgramme(patient_id=episode.patient_id, episode_id=episode.id, created_by_id=actor.user_id)
        session.add(programme)
        session.flush()
    elif not data.change_reason.strip():
        raise InvalidInput("Say why the programme changes (the reason is kept with the new version).",
                           field="change_reason")
    items = [_checked_item(item, position) for position, item in enumerate(data.items)]
    number = len(programme.versions) + 1
    version = HomeProgrammeVersion(programme_id=programme.id, number=number, starts_on=data.starts_on,
                                   ends_on=data.ends_on, notes_for_patient=data.notes_for_patient.strip(),
                                   change_reason=data.change_reason.strip(), created_by_id=actor.user_id, items=items)
    session.add(version)
    session.flush()
    session.refresh(programme, ["versions"])
    record(session, actor, AuditAction.CREATE, "home_programme_version", version.id, patient_id=episode.patient_id,
           detail=f"episode {episode.id}: version {number}, {len(items)} exercises from {data.starts_on}")
    return version


def _programme(session: Session, episode: Episode) -> HomeProgramme | None:
    return session.scalars(select(HomeProgramme).where(HomeProgramme.episode_id == episode.id)).first()


def versions(session: Session, actor: Actor, episode_id: int) -> list[HomeProgrammeVersion]:
    """Every version of the episode's programme, oldest first (none yet: empty); audited."""
    episode = episodes.clinical_episode(session, actor, episode_id)
    programme = _programme(session, episode)
    record(session, actor, AuditAction.READ, "home_programme", programme.id if programme else None,
           patient_id=episode.patient_id, detail=f"episode {episode.id}")
    return list(programme.versions) if programme else []


def current(session: Session, actor: Actor, episode_id: int, day: date | None = None) -> HomeProgrammeVersion | None:
    """The version in force on ``day`` (the clinic's today by default); audited."""
    return in_force(versions(session, actor, episode_id), day or episodes.clinic_today(session, actor))


def _active_programmes(session: Session, patient_id: int) -> list[HomeProgramme]:
    return list(session.scalars(
        select(HomeProgramme).join(Episode, Episode.id == HomeProgramme.episode_id)
        .where(HomeProgramme.patient_id == patient_id, Episode.status == EpisodeStatus.ACTIVE)
        .order_by(HomeProgramme.id)))


def for_patient(session: Session, actor: Actor, patient_id: int, day: date | None = None
                ) -> list[HomeProgrammeVersion]:
    """The versions in force on ``day`` of the patient's active episodes' programmes; audited."""
    patient = patients.load(session, actor, patient_id, clinical=True)
    day = day or episodes.clinic_today(session, actor)
    found = [v for p in _active_programmes(session, patient.id) if (v := in_force(p.versions, day)) is not None]
    record(session, actor, AuditAction.READ, "home_programme", patient_id=patient.id, detail=f"in force {day}")
    return found


def items_due(session: Session, patient_id: int, day: date) -> list[HomeProgrammeItem]:
    """The exercises the patient has on ``day`` (unchecked: for callers that already decided access,
    such as the reminder sender, which has no logged-in person)."""
    due: list[HomeProgrammeItem] = []
    for programme in _active_programmes(session, patient_id):
        version = in_force(programme.versions, day)
        if version is not None:
            due.extend(item for item in version.items if day.isoweekday() in item.weekdays)
    return due


def due_on(session: Session, actor: Actor, patient_id: int, day: date) -> list[HomeProgrammeItem]:
    """The exercises the patient has on ``day``; audited."""
    patient = patients.load(session, actor, patient_id, clinical=True)
    due = items_due(session, patient.id, day)
    record(session, actor, AuditAction.READ, "home_programme", patient_id=patient.id, detail=f"due {day}")
    return due


def item(session: Session, actor: Actor, item_id: int) -> HomeProgrammeItem:
    """One prescribed exercise, if ``actor`` may see it (the patient their own; the clinic's clinicians)."""
    return fetch_for_patient(session, actor, HomeProgrammeItem, item_id, "home exercise",
                             patient_of=lambda i: i.version.programme.patient, clinical=True)
