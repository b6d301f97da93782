"""The patient's Today: the home exercises due on their day (the clinic's local day), each with the library's
instructions and the dose in words, what is already done, and on a rest day the next day with exercises.

Only the patient reads it (their portal); every read goes through the audited reads of
:mod:`~reeducate.clinic.services.home_programmes` and :mod:`~reeducate.clinic.services.home_sessions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, require_role
from reeducate.clinic.models import HomeProgrammeItem, HomeSession
from reeducate.clinic.services import episodes, home_print, home_programmes, home_sessions, patients
from reeducate.clinic.vocabulary import ExerciseStatus, HomeSessionKind
from reeducate.training.catalogue import exercise


@dataclass(frozen=True)
class TodayEntry:
    """One exercise due today: the item, its name and instructions as read at home, the dose in words (with
    the limb for a one-limb exercise), which side the camera watches when both legs move, whether it has a
    drawing, and the sessions of it already ended today (ticked, guided, or stopped for pain)."""

    item: HomeProgrammeItem
    name: str
    instructions: str
    dose: str
    camera: str
    figure: bool
    done: list[HomeSession]

    @property
    def undoable(self) -> HomeSession | None:
        """Today's last "I did it", if it can be taken back (:func:`home_sessions.undo_tick`)."""
        last = self.done[-1] if self.done else None
        return last if last is not None and last.kind is HomeSessionKind.TICKED and not last.flagged else None


@dataclass(frozen=True)
class Today:
    """The patient's day: ``programme`` says whether they have one at all (in force or starting later);
    ``next_day`` is the next day with exercises when none are due today; ``notes`` the therapist's words
    of the versions in force."""

    day: date
    programme: bool
    entries: list[TodayEntry]
    next_day: date | None
    notes: list[str]
    clinic_phone: str

    @property
    def left(self) -> int:
        """Exercises due today not yet done."""
        return sum(1 for entry in self.entries if not entry.done)


def _entry(item: HomeProgrammeItem, sessions: list[HomeSession]) -> TodayEntry:
    chosen = exercise(item.exercise_id)
    dose, side = home_programmes.dose_text(item), home_programmes.side_text(item)
    return TodayEntry(item, chosen.name, chosen.instructions_at_home, f"{dose}, {side}" if side else dose,
                      home_programmes.camera_text(item), home_print.has_figure(item.exercise_id),
                      [s for s in sessions if s.item_id == item.id and s.status is not ExerciseStatus.IN_PROGRESS])


def today(session: Session, actor: Actor, day: date | None = None) -> Today:
    """The patient's own Today (``day``: the clinic's today by default)."""
    require_role(actor, permissions.USE_PORTAL, "open a patient's Today page (it is the patient's own)")
    assert actor.patient_id is not None, "a portal account is a patient's"
    day = day or episodes.clinic_today(session, actor)
    in_force = home_programmes.for_patient(session, actor, actor.patient_id, day)
    due = home_programmes.due_on(session, actor, actor.patient_id, day)
    done = home_sessions.between(session, actor, actor.patient_id, day, day) if due else []
    next_day = None if due else home_programmes.next_day_due(session, actor, actor.patient_id, day)
    phone = patients.load(session, actor, actor.patient_id, clinical=True).clinic.billing_phone
    return Today(day, bool(in_force) or next_day is not None, [_entry(item, done) for item in due], next_day,
                 [v.notes_for_patient for v in in_force if v.notes_for_patient], phone)
