"""A patient's home programme: prescribed from the library by a clinician (``permissions.PRESCRIBE_HOME``),
changed only by new versions (each kept), read by the episode's clinicians and by the patient.

The version in force on a day is the newest (highest-numbered) version that has started by then, unless
it has ended: a version written today that starts next Monday leaves the current one in force until
then, and a programme whose newest started version has ended has nothing due.

For the therapist's form: a first programme starts from the plan of care's and the accepted problems'
exercises with the library's dose (:func:`suggestions`), and each version is listed with what it changed,
found by comparing it with the one before (:func:`history`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import Episode, HomeProgramme, HomeProgrammeItem, HomeProgrammeVersion
from reeducate.clinic.schemas import Input
from reeducate.clinic.services import episodes, patients, plan_of_care
from reeducate.clinic.vocabulary import AuditAction, EpisodeStatus
from reeducate.feedback.adapters.base import Device
from reeducate.reports.dates import day_text
from reeducate.reports.exercise_figures import moves_both_legs
from reeducate.training.adherence import version_on
from reeducate.training.catalogue import UnknownExercise, exercise

MAX_NOTES_CHARS = 2000
MAX_ITEMS = 30
"""Exercises in one version: more than any patient does at home."""
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""ISO weekday 1 ... 7 in words."""


class HomeItemInput(Input):
    """One exercise as prescribed: the library's id, the camera monitor a guided session watches with
    (None: ticked as done only), the side, the dose (sets of ``reps``, or holds of ``hold_s`` seconds)
    and the ISO weekdays (1 Monday ... 7 Sunday)."""

    exercise_id: str
    monitor: str | None = None
    side: Literal["left", "right"] | None = None
    sets: int = Field(ge=1, le=20)
    reps: int | None = Field(None, ge=1, le=200)
    hold_s: float | None = Field(None, gt=0, le=600)
    weekdays: list[int] = Field(max_length=7)
    notes: str = Field("", max_length=MAX_NOTES_CHARS)

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, days: list[int]) -> list[int]:
        if not days:
            raise ValueError("choose at least one day of the week")
        if any(not 1 <= day <= 7 for day in days):
            raise ValueError("days are 1 (Monday) to 7 (Sunday)")
        return sorted(set(days))


class HomeProgrammeInput(Input):
    """A version of the programme as written: its dates, words for the patient, why it changed, its exercises."""

    starts_on: date
    ends_on: date | None = None
    notes_for_patient: str = Field("", max_length=MAX_NOTES_CHARS)
    change_reason: str = Field("", max_length=MAX_NOTES_CHARS)
    items: list[HomeItemInput] = Field(min_length=1, max_length=MAX_ITEMS)


def _seconds(hold_s: float) -> str:
    return f"{hold_s:g} second{'' if hold_s == 1 else 's'}"


def dose_text(item: HomeProgrammeItem | HomeItemInput) -> str:
    """The dose in words: "2 sets of 10", "10 times", "hold 30 seconds, 3 times", and for held repetitions
    "2 sets of 5, holding each 5 seconds"."""
    if item.reps is None:
        times = {1: "once", 2: "twice"}.get(item.sets, f"{item.sets} times")
        return f"hold {_seconds(item.hold_s or 0)}, {times}"
    words = f"{item.reps} times" if item.sets == 1 else f"{item.sets} sets of {item.reps}"
    return f"{words}, holding each {_seconds(item.hold_s)}" if item.hold_s is not None else words


def days_text(weekdays: Sequence[int]) -> str:
    """The days in words: "every day", "Monday, Wednesday and Friday"."""
    if len(weekdays) == 7:
        return "every day"
    names = [WEEKDAY_NAMES[day - 1] for day in sorted(weekdays)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


LIMBS = {"shoulder": "arm", "elbow": "arm", "wrist": "arm", "hip": "leg", "knee": "leg", "ankle": "leg", "foot": "leg"}
"""The limb a watched joint belongs to (the first word of a ``{side}_`` signal, ``training/signals.py``)."""


def _watched_joint(item: HomeProgrammeItem) -> str:
    """The joint of the trained side the exercise's signals name ("knee" for ``{side}_knee_flexion``): the
    prescribed monitor's, else the library's first that names one ("" when none does)."""
    chosen = exercise(item.exercise_id)
    monitors = [chosen.monitor(item.monitor)] if item.monitor else chosen.monitors
    for watched in monitors:
        for signal in (watched.signal, watched.paired_signal or "", *(f.signal for f in watched.faults)):
            if signal.startswith("{side}_"):
                return signal.removeprefix("{side}_").split("_")[0]
    return ""


def side_text(item: HomeProgrammeItem) -> str:
    """The side in the patient's words: the limb that does it ("right leg", "left arm") for a one-limb
    exercise; nothing when both legs move (a squat: the side is only the one the camera watches,
    :func:`camera_text`); "right side" when the library does not say which (an exercise without a drawing,
    :func:`reeducate.reports.exercise_figures.moves_both_legs`)."""
    if item.side is None:
        return ""
    both = moves_both_legs(item.exercise_id)
    if both:
        return ""
    limb = LIMBS.get(_watched_joint(item)) if both is False else None
    return f"{item.side} {limb or 'side'}"


def camera_text(item: HomeProgrammeItem) -> str:
    """For an exercise both legs do, guided by the camera: which side it watches ("the camera watches your
    right knee"); otherwise nothing (the side is in :func:`side_text`)."""
    if item.side is None or item.monitor is None or not moves_both_legs(item.exercise_id):
        return ""
    return f"the camera watches your {item.side} {_watched_joint(item) or 'side'}"


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
        if watched.jps is not None:
            raise InvalidInput(f"{chosen.name}: joint position sense training is guided in the clinic; the home page "
                               "does not lead its phases (eyes closed, the angle hidden). Prescribe it without a "
                               "camera guide, or train it in the clinic.", field="items")
        monitor = watched.key
    if chosen.sided and data.side is None:
        raise InvalidInput(f"{chosen.name} trains one side: choose left or right.", field="items")
    if data.reps is None and data.hold_s is None:
        raise InvalidInput(f"{chosen.name}: give repetitions per set or a hold in seconds.", field="items")
    return HomeProgrammeItem(position=position, exercise_id=chosen.id, monitor=monitor,
                             side=data.side if chosen.sided else None, sets=data.sets, reps=data.reps,
                             hold_s=data.hold_s, weekdays=list(data.weekdays), notes=data.notes.strip())


def prescribe(session: Session, actor: Actor, episode_id: int, data: HomeProgrammeInput, *,
              now: datetime | None = None) -> HomeProgrammeVersion:
    """The next version of the episode's programme (the first one makes the programme), written at ``now``
    (the present by default; the demo gives its own moment); audited. A version that changes nothing from
    the newest one is refused: it would only be noise in the history."""
    require_role(actor, permissions.PRESCRIBE_HOME, "write a home programme")
    episode = episodes.clinical_episode(session, actor, episode_id)
    serialise(session, LockScope.EPISODE, episode.id)
    if episode.status is not EpisodeStatus.ACTIVE:
        raise Conflict("This episode is discharged; a home programme belongs to an active episode.")
    if data.starts_on < episode.started_on:
        raise InvalidInput(f"The programme starts ({day_text(data.starts_on)}) before the episode of care did "
                           f"({day_text(episode.started_on)}); check the first day.", field="starts_on")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise InvalidInput(f"The programme ends ({day_text(data.ends_on)}) before it starts "
                           f"({day_text(data.starts_on)}).", field="ends_on")
    items = [_checked_item(item, position) for position, item in enumerate(data.items)]
    if len({(i.exercise_id, i.side) for i in items}) != len(items):
        raise InvalidInput("The same exercise is listed twice for the same side; give it one dose.", field="items")
    programme = _programme(session, episode)
    latest = programme.versions[-1] if programme is not None and programme.versions else None
    if latest is not None and data.starts_on < latest.starts_on:
        raise InvalidInput(f"Version {latest.number + 1} starts ({day_text(data.starts_on)}) before version "
                           f"{latest.number} did ({day_text(latest.starts_on)}), which would then never have been "
                           "in force; start it on that day or later.", field="starts_on")
    version = HomeProgrammeVersion(starts_on=data.starts_on, ends_on=data.ends_on,
                                   notes_for_patient=data.notes_for_patient.strip(),
                                   change_reason=data.change_reason.strip(), created_by_id=actor.user_id, items=items,
                                   created_at=now or utcnow())
    if latest is not None and _same_for_patient(latest, version):
        raise InvalidInput(f"Nothing changed: the exercises, doses, days, end date and notes are those of version "
                           f"{latest.number}, so it stays in force. Change something to make version "
                           f"{latest.number + 1}.", field="items")
    if latest is not None and not data.change_reason.strip():
        raise InvalidInput("Say why the programme changes (the reason is kept with the new version).",
                           field="change_reason")
    if programme is None:
        programme = HomeProgramme(patient_id=episode.patient_id, episode_id=episode.id, created_by_id=actor.user_id,
                                  created_at=version.created_at)
        session.add(programme)
        session.flush()
    number = len(programme.versions) + 1
    version.programme_id, version.number = programme.id, number
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
    return version_on(versions(session, actor, episode_id), day or episodes.clinic_today(session, actor))


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
    found = [v for p in _active_programmes(session, patient.id) if (v := version_on(p.versions, day)) is not None]
    record(session, actor, AuditAction.READ, "home_programme", patient_id=patient.id, detail=f"in force {day}")
    return found


def _due_in(programmes: Sequence[HomeProgramme], day: date) -> list[HomeProgrammeItem]:
    due: list[HomeProgrammeItem] = []
    for programme in programmes:
        version = version_on(programme.versions, day)
        if version is not None:
            due.extend(item for item in version.items if day.isoweekday() in item.weekdays)
    return due


def items_due(session: Session, patient_id: int, day: date) -> list[HomeProgrammeItem]:
    """The exercises the patient has on ``day`` (unchecked: for callers that already decided access,
    such as the reminder sender, which has no logged-in person)."""
    return _due_in(_active_programmes(session, patient_id), day)


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


def next_day_due(session: Session, actor: Actor, patient_id: int, after: date) -> date | None:
    """The first day after ``after`` with an exercise due (None: no more are planned); audited.

    Days repeat weekly, so the search ends a week past the last day a version starts."""
    patient = patients.load(session, actor, patient_id, clinical=True)
    programmes = _active_programmes(session, patient.id)
    record(session, actor, AuditAction.READ, "home_programme", patient_id=patient.id, detail=f"next due after {after}")
    starts = [v.starts_on for p in programmes for v in p.versions]
    last = max([after, *starts]) + timedelta(days=7)
    day = after + timedelta(days=1)
    while day <= last:
        if _due_in(programmes, day):
            return day
        day += timedelta(days=1)
    return None


# --- the therapist's form: what a first programme starts from, what each version changed ---------------

DEFAULT_WEEKDAYS = {1: (3,), 2: (2, 5), 3: (1, 3, 5), 4: (1, 2, 4, 5), 5: (1, 2, 3, 4, 5), 6: (1, 2, 3, 4, 5, 6)}
"""The days an exercise new to the form starts with, for the library's sessions a week, spread over the week
(our setting: 7 or more a week is every day, none given three days; the therapist changes them)."""


def default_weekdays(sessions_per_week: int | None) -> list[int]:
    """The days an exercise new to the form starts with (:data:`DEFAULT_WEEKDAYS`)."""
    return list(DEFAULT_WEEKDAYS.get(sessions_per_week or 3, range(1, 8)))


def camera_monitors(exercise_id: str) -> list[tuple[str, str]]:
    """(key, label) of the exercise's camera monitors, the ones a home session can be guided by."""
    return [(m.key, f"Guided by the camera, {m.view} view") for m in exercise(exercise_id).monitors
            if m.device is Device.CAMERA and m.jps is None]


@dataclass(frozen=True)
class Suggestion:
    """An exercise as a new line of the form: the library's dose and first camera monitor, the days for
    its sessions a week, where it was suggested from and, if the plan says its dose otherwise, the plan's words."""

    exercise_id: str
    sets: int
    reps: int | None
    hold_s: float | None
    monitor: str | None
    weekdays: list[int]
    source: str = ""
    hint: str = ""


def suggestion(exercise_id: str, source: str = "", dosage_words: str = "") -> Suggestion:
    """``exercise_id`` with the library's dose (UnknownExercise for an id the library lacks)."""
    chosen = exercise(exercise_id)
    dose = chosen.dosage
    monitors = camera_monitors(exercise_id)
    hint = f"The plan says: {dosage_words}" if dosage_words and dosage_words != dose.text else ""
    return Suggestion(chosen.id, dose.sets, dose.reps, dose.hold_s, monitors[0][0] if monitors else None,
                      default_weekdays(dose.sessions_per_week), source, hint)


def suggestions(session: Session, actor: Actor, episode: Episode) -> list[Suggestion]:
    """A first programme's exercises: those of the episode's newest plan of care, then those kept on its
    accepted problems, once each (techniques are the clinic's, not the home's; the plan is read audited)."""
    plans = plan_of_care.of_episode(session, actor, episode.id)
    chosen: dict[str, Suggestion] = {}
    for source, interventions in (("plan of care", plans[-1].interventions if plans else []),
                                  ("problem list", plan_of_care.problem_interventions(session, episode))):
        for kept in interventions:
            exercise_id = str(kept.get("id", ""))
            if kept.get("kind") == "exercise" and exercise_id not in chosen:
                try:
                    chosen[exercise_id] = suggestion(exercise_id, source, str(kept.get("dosage", "")))
                except UnknownExercise:
                    continue  # no longer in the library
    return list(chosen.values())


def _described(item: HomeProgrammeItem) -> str:
    name = exercise(item.exercise_id).name
    return f"{name} ({item.side})" if item.side else name


def _item_changes(before: HomeProgrammeItem, after: HomeProgrammeItem) -> list[str]:
    said = []
    if dose_text(before) != dose_text(after):
        said.append(f"dose {dose_text(before)} → {dose_text(after)}")
    if sorted(before.weekdays) != sorted(after.weekdays):
        said.append(f"days {days_text(before.weekdays)} → {days_text(after.weekdays)}")
    if before.monitor != after.monitor:
        said.append("now guided by the camera" if after.monitor else "now ticked as done (no camera)")
    if before.notes.strip() != after.notes.strip():
        said.append("its notes for the patient changed")
    return said


def _span(version: HomeProgrammeVersion) -> str:
    return f"{day_text(version.starts_on)} to {day_text(version.ends_on) if version.ends_on else 'no end date'}"


def _exercise_changes(before: HomeProgrammeVersion | None, after: HomeProgrammeVersion) -> list[str]:
    old = {(i.exercise_id, i.side): i for i in before.items} if before else {}
    new = {(i.exercise_id, i.side): i for i in after.items}
    lines = []
    for key, item in new.items():
        if key not in old:
            lines.append(f"Added {_described(item)}: {dose_text(item)}, {days_text(item.weekdays)}")
        elif said := _item_changes(old[key], item):
            lines.append(f"{_described(item)}: {'; '.join(said)}")
    return lines + [f"Removed {_described(item)}" for key, item in old.items() if key not in new]


def _same_for_patient(before: HomeProgrammeVersion, after: HomeProgrammeVersion) -> bool:
    """Whether ``after`` asks nothing new of the patient: the same exercises, doses, days, camera, notes and
    end date (a later start alone changes nothing they do, the version before is in force until then)."""
    return (not _exercise_changes(before, after) and before.ends_on == after.ends_on
            and before.notes_for_patient == after.notes_for_patient)


def changes(before: HomeProgrammeVersion | None, after: HomeProgrammeVersion) -> list[str]:
    """What ``after`` changed from ``before`` (None: ``after`` is the first version), a line each, found by
    comparing the two: exercises added and removed (an exercise is one side of it), a dose, days, camera or
    notes changed, then the dates and the notes for the patient."""
    lines = _exercise_changes(before, after)
    if before is not None:
        if (before.starts_on, before.ends_on) != (after.starts_on, after.ends_on):
            lines.append(f"Dates {_span(before)} → {_span(after)}")
        if before.notes_for_patient != after.notes_for_patient:
            lines.append("Notes for the patient changed")
    return lines


@dataclass(frozen=True)
class VersionChanges:
    """A version with what it changed from the one before."""

    version: HomeProgrammeVersion
    changes: list[str]


def history(session: Session, actor: Actor, episode_id: int) -> list[VersionChanges]:
    """Every version of the episode's programme with its changes, oldest first; audited (as :func:`versions`)."""
    kept = versions(session, actor, episode_id)
    return [VersionChanges(v, changes(kept[n - 1] if n else None, v)) for n, v in enumerate(kept)]
