"""Exercise reminders by e-mail: the patient's choice, which are due, sending each once, unsubscribing.

The patient chooses in the portal: on or off, an e-mail address, a time (``HH:MM`` in the clinic's
time zone, its first location's) and whether the e-mail may name the exercises. A reminder is due at
a moment when, at the clinic,

- the chosen time has come today (from that minute on, the rest of the day),
- none was sent today (``last_sent_on``),
- the choice was made before today's time (a choice made at 10:00 for 09:00 starts tomorrow),
- it is on and not unsubscribed, and
- today is an exercise day of a programme in force (``home_programmes.items_due``: a rest day, a
  programme not started or ended, a discharged episode have nothing due).

Sending claims each reminder in the database first (``UPDATE ... SET last_sent_on = today WHERE
last_sent_on IS DISTINCT FROM today``, committed) and only then hands the e-mail to the SMTP server,
so two senders at once (two server processes, or the server and `reeducate reminders send`) never
both send it: the second one's UPDATE finds the row already claimed. A send the server could not take
for now gives the claim back, so the next round tries again; a lost process after the claim loses
that day's reminder rather than sending it twice.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import MutableSet
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import EmailStr, Field, field_validator
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import changes_between, record, snapshot
from reeducate.clinic.db import unit_of_work, utcnow
from reeducate.clinic.errors import Forbidden, NotFound
from reeducate.clinic.mailer import MailError, SmtpMailer
from reeducate.clinic.models import Clinic, HomeReminder, Location, Patient
from reeducate.clinic.reminder_email import ReminderEmail
from reeducate.clinic.schemas import Input
from reeducate.clinic.services import home_programmes, patients
from reeducate.clinic.vocabulary import AuditAction
from reeducate.training.catalogue import exercise

log = logging.getLogger(__name__)

TODAY_PATH = "/portal/today"
SETTINGS_PATH = "/portal/reminders"
UNSUBSCRIBE_PATH = "/reminders/unsubscribe/"
DEFAULT_TIME = "09:00"
"""The time the form offers before the patient has chosen one: a morning, nothing more."""
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
_FIELDS = ("email", "at_local", "enabled", "name_exercises", "unsubscribed_at")


class ReminderChoice(Input):
    """What the patient chooses: on or off, where, when (``HH:MM`` at the clinic), and whether the
    e-mail may name the exercises."""

    enabled: bool = True
    email: Annotated[EmailStr, Field(max_length=254)]
    at_local: str
    name_exercises: bool = False

    @field_validator("at_local")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if len(value) == 8 and value.endswith(":00"):  # a browser's time field may send seconds
            value = value[:5]
        if not _HHMM.fullmatch(value):
            raise ValueError("give the time as hours and minutes, e.g. 08:30")
        return value


@dataclass(frozen=True)
class ReminderState:
    """The patient's reminder as the page shows it: the choice (or what the form suggests), whether
    one was saved, when it was unsubscribed by the e-mail's link, and the names the e-mail greets with."""

    choice: ReminderChoice
    saved: bool
    unsubscribed_at: datetime | None
    last_sent_on: date | None
    first_name: str
    clinic_name: str


@dataclass(frozen=True)
class DueReminder:
    """A reminder due at a moment: whom, where, the clinic's ``day``, and what the e-mail may say
    (``exercises`` are names, empty unless the patient allowed them). ``previous`` is the last day
    sent before this one, given back if sending fails."""

    reminder_id: int
    patient_id: int
    clinic_id: int
    day: date
    previous: date | None
    email: str
    token: str
    first_name: str
    clinic_name: str
    exercises: tuple[str, ...]

    def message(self, mailer: SmtpMailer, public_url: str) -> ReminderEmail:
        """The e-mail, with links built on the server's public address."""
        base = public_url.rstrip("/")
        return ReminderEmail(to=self.email, from_address=mailer.from_address, first_name=self.first_name,
                             clinic_name=self.clinic_name, today_url=base + TODAY_PATH,
                             settings_url=base + SETTINGS_PATH, unsubscribe_url=unsubscribe_url(public_url, self.token),
                             exercises=self.exercises)


@dataclass
class SendReport:
    """One sending round: reminders sent, found already sent by another sender, and not sent (why)."""

    sent: list[int] = field(default_factory=list)
    taken_by_another: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def unsubscribe_url(public_url: str, token: str) -> str:
    """The reminder's unsubscribe link (no log-in needed: the token is its secret)."""
    return f"{public_url.rstrip('/')}{UNSUBSCRIBE_PATH}{token}"


def _own(actor: Actor) -> int:
    if not actor.is_patient or actor.patient_id is None:
        raise Forbidden("Only the patient chooses their own reminders, in the portal.")
    return actor.patient_id


def _reminder(session: Session, patient_id: int) -> HomeReminder | None:
    return session.scalars(select(HomeReminder).where(HomeReminder.patient_id == patient_id)).first()


def state(session: Session, actor: Actor) -> ReminderState:
    """The patient's own reminder; before one is saved, a suggestion with the e-mail of their record
    (else their log-in's) at :data:`DEFAULT_TIME`. Audited."""
    patient = patients.load(session, actor, _own(actor), clinical=False)
    saved = _reminder(session, patient.id)
    record(session, actor, AuditAction.READ, "home_reminder", saved.id if saved else "", patient_id=patient.id)
    names = {"first_name": patient.first_name, "clinic_name": patient.clinic.name}
    if saved is None:
        return ReminderState(ReminderChoice.model_construct(enabled=True, email=patient.email or actor.email,
                                                            at_local=DEFAULT_TIME, name_exercises=False),
                             saved=False, unsubscribed_at=None, last_sent_on=None, **names)
    return ReminderState(ReminderChoice.model_construct(enabled=saved.enabled, email=saved.email,
                                                        at_local=saved.at_local,
                                                        name_exercises=saved.name_exercises),
                         saved=True, unsubscribed_at=saved.unsubscribed_at, last_sent_on=saved.last_sent_on,
                         **names)


def choose(session: Session, actor: Actor, choice: ReminderChoice, *, now: datetime | None = None) -> HomeReminder:
    """Save the patient's choice (turning it on again clears an unsubscription); audited with each change."""
    patient = patients.load(session, actor, _own(actor), clinical=False)
    now = now or utcnow()
    reminder = _reminder(session, patient.id)
    before = snapshot(reminder, _FIELDS) if reminder else {}
    if reminder is None:
        reminder = HomeReminder(patient_id=patient.id, token=secrets.token_urlsafe(32))
        session.add(reminder)
    reminder.email, reminder.at_local = str(choice.email), choice.at_local
    reminder.enabled, reminder.name_exercises = choice.enabled, choice.name_exercises
    if choice.enabled:
        reminder.unsubscribed_at = None
    reminder.updated_at = now
    session.flush()
    record(session, actor, AuditAction.UPDATE if before else AuditAction.CREATE, "home_reminder", reminder.id,
           patient_id=patient.id, changes=changes_between(before, snapshot(reminder, _FIELDS)))
    return reminder


def _clinic_zones(session: Session) -> dict[int, ZoneInfo]:
    """Each clinic's time zone: its first (main) location's."""
    zones: dict[int, ZoneInfo] = {}
    for clinic_id, timezone in session.execute(select(Location.clinic_id, Location.timezone).order_by(Location.id)):
        zones.setdefault(clinic_id, ZoneInfo(timezone))
    return zones


def due(session: Session, now: datetime, *, settled: MutableSet[tuple[int, date]] | None = None) -> list[DueReminder]:
    """The reminders due at ``now`` (aware), by the rules of the module's docstring.

    ``settled`` (a sender's memory across rounds) skips the (reminder, day) pairs already found to
    have nothing due that day, and gains the new ones, so a rest day is looked up once, not every minute.
    """
    zones = _clinic_zones(session)
    candidates = session.execute(
        select(HomeReminder, Patient, Clinic).join(Patient, Patient.id == HomeReminder.patient_id)
        .join(Clinic, Clinic.id == Patient.clinic_id)
        .where(HomeReminder.enabled, HomeReminder.unsubscribed_at.is_(None))
        .order_by(HomeReminder.id)
    ).all()
    found = []
    for reminder, patient, clinic in candidates:
        zone = zones.get(clinic.id)
        if zone is None:
            continue  # a clinic without a location has no time zone, so no "today" yet
        local_now = now.astimezone(zone)
        day = local_now.date()
        at = datetime.combine(day, time.fromisoformat(reminder.at_local), zone)
        if reminder.last_sent_on == day or local_now < at or reminder.updated_at > at:
            continue
        if settled is not None and (reminder.id, day) in settled:
            continue
        items = home_programmes.items_due(session, patient.id, day)
        if not items:
            if settled is not None:
                settled.add((reminder.id, day))
            continue
        names = tuple(dict.fromkeys(exercise(i.exercise_id).name for i in items)) if reminder.name_exercises else ()
        found.append(DueReminder(
            reminder_id=reminder.id, patient_id=patient.id, clinic_id=clinic.id, day=day,
            previous=reminder.last_sent_on, email=reminder.email, token=reminder.token,
            first_name=patient.first_name, clinic_name=clinic.name, exercises=names))
    return found


def _claim(sessions: sessionmaker[Session], reminder: DueReminder) -> bool:
    """Mark the reminder sent today, unless another sender did first (or it was turned off meanwhile)."""
    with unit_of_work(sessions) as session:
        return session.scalar(
            update(HomeReminder)
            .where(HomeReminder.id == reminder.reminder_id, HomeReminder.enabled,
                   HomeReminder.unsubscribed_at.is_(None), HomeReminder.last_sent_on.is_distinct_from(reminder.day))
            .values(last_sent_on=reminder.day).returning(HomeReminder.id)
            .execution_options(synchronize_session=False)
        ) is not None


def _give_back(sessions: sessionmaker[Session], reminder: DueReminder) -> None:
    """Undo :func:`_claim`, so that the next round tries again."""
    with unit_of_work(sessions) as session:
        session.execute(update(HomeReminder)
                        .where(HomeReminder.id == reminder.reminder_id, HomeReminder.last_sent_on == reminder.day)
                        .values(last_sent_on=reminder.previous).execution_options(synchronize_session=False))


def _sender(clinic_id: int, task: str) -> Actor:
    """The system acting for a clinic (no person), as its audit log names it."""
    return Actor(user_id=None, clinic_id=clinic_id, role=None, email=f"system: {task}")


def send_due(sessions: sessionmaker[Session], mailer: SmtpMailer, public_url: str, *, now: datetime | None = None,
             settled: MutableSet[tuple[int, date]] | None = None) -> SendReport:
    """Send every reminder due at ``now`` (default: the present) once: :func:`due`, then :func:`send`."""
    now = now or utcnow()
    with unit_of_work(sessions) as session:
        found = due(session, now, settled=settled)
    return send(sessions, mailer, public_url, found, now=now) if found else SendReport()


def send(sessions: sessionmaker[Session], mailer: SmtpMailer, public_url: str, found: list[DueReminder], *,
         now: datetime) -> SendReport:
    """Send ``found`` over one SMTP conversation, each at most once whoever else is sending.

    Each is claimed (its own committed transaction) before it is sent and audited after; a message
    the server could not take now is given back for the next round, one it refused for good (a bad
    address) stays claimed, so it is not retried every minute. Raises :class:`MailError` when the
    server cannot be reached (nothing is claimed then)."""
    report = SendReport()
    with mailer.conversation() as deliver:
        for reminder in found:
            if not _claim(sessions, reminder):
                report.taken_by_another.append(reminder.reminder_id)
                continue
            try:
                deliver(reminder.message(mailer, public_url).message(now))
            except MailError as error:
                if error.retryable:
                    _give_back(sessions, reminder)
                log.warning("reminder %s not sent: %s", reminder.reminder_id, error)
                report.failed[reminder.reminder_id] = str(error)
                continue
            with unit_of_work(sessions) as session:
                record(session, _sender(reminder.clinic_id, "reminders"), AuditAction.EXPORT, "home_reminder",
                       reminder.reminder_id, patient_id=reminder.patient_id,
                       detail=f"reminder e-mailed for {reminder.day.isoformat()}"
                       + (", exercises named" if reminder.exercises else ""))
            report.sent.append(reminder.reminder_id)
    return report


def by_token(session: Session, token: str) -> HomeReminder:
    """The reminder an unsubscribe link names; one answer for a malformed and an unknown token."""
    found = None
    if _TOKEN.fullmatch(token):
        found = session.scalars(select(HomeReminder).where(HomeReminder.token == token)).first()
    if found is None:
        raise NotFound("This unsubscribe link is not known: it may have been mistyped. "
                       "You can turn reminders off in the portal.")
    return found


def unsubscribe(session: Session, token: str, *, now: datetime | None = None) -> HomeReminder:
    """Stop the reminder the link names (no log-in: the token is the secret); again is harmless. Audited."""
    reminder = by_token(session, token)
    if reminder.unsubscribed_at is None:
        before = snapshot(reminder, _FIELDS)
        reminder.enabled, reminder.unsubscribed_at = False, now or utcnow()
        record(session, _sender(reminder.patient.clinic_id, "unsubscribe link"), AuditAction.UPDATE,
               "home_reminder", reminder.id, patient_id=reminder.patient_id,
               changes=changes_between(before, snapshot(reminder, _FIELDS)))
    return reminder
