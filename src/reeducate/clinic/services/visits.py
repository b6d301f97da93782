"""Visits: check-in from a booked appointment, minutes per activity, completion.

A visit's life is checked in -> in progress -> completed. The first thing recorded in it (minutes, an
outcome measure, a force-plate trial, a movement recording, a live exercise) moves it to in progress
(:func:`record_into`, which every service that records in a visit calls); completing it needs the
minutes per activity, and afterwards nothing more is recorded in it: only its note (with addenda) and
its billing go on.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, check_same_clinic, fetch, fetch_for_patient, require_role
from reeducate.clinic.audit_log import changes_between, record, snapshot
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import Appointment, ExerciseRecord, Job, Location, Visit, VisitActivity
from reeducate.clinic.schemas import VisitActivityAdd
from reeducate.clinic.services import patients
from reeducate.clinic.vocabulary import (
    CLINICIANS,
    EVALUATING_ACTIVITIES,
    STAFF,
    AppointmentStatus,
    AuditAction,
    ExerciseStatus,
    JobStatus,
    VisitStatus,
)
from reeducate.reports.dates import day_text

NEXT_VISIT = "the patient's next visit"


def check_in(session: Session, actor: Actor, appointment_id: int, *, now: datetime | None = None) -> Visit:
    """Open the visit of a booked appointment on its day (front desk or clinician)."""
    require_role(actor, STAFF, "check patients in")
    now = now or utcnow()
    serialise(session, LockScope.APPOINTMENT, appointment_id)  # before its status is read
    appointment = fetch(session, Appointment, appointment_id, "appointment")
    check_same_clinic(actor, appointment.clinic_id, f"appointment {appointment_id}")
    if appointment.status is not AppointmentStatus.BOOKED:
        raise Conflict(
            f"{appointment.described} is {appointment.status.label.lower()}; only a booked "
            "appointment can be checked in."
        )
    zone = ZoneInfo(appointment.location.timezone)
    if now.astimezone(zone).date() != appointment.starts_at.astimezone(zone).date():
        raise Conflict(
            f"{appointment.described} is not today ({day_text(now, zone)}): a patient is checked in on the "
            "day of the appointment."
        )
    assert appointment.provider_id is not None
    appointment.status = AppointmentStatus.CHECKED_IN
    visit = Visit(
        patient_id=appointment.patient_id,
        appointment_id=appointment.id,
        episode_id=appointment.episode_id,
        clinician_id=appointment.provider_id,
        status=VisitStatus.CHECKED_IN,
        checked_in_at=now,
    )
    session.add(visit)
    session.flush()
    record(session, actor, AuditAction.CREATE, "visit", visit.id, patient_id=visit.patient_id,
           detail=f"checked in for appointment {appointment.id}")
    return visit


def zone_of(session: Session, visit: Visit) -> ZoneInfo:
    """The time zone the visit's times are read in: its appointment's location's, else the clinic's first
    location's (UTC for a clinic with none)."""
    location = visit.appointment.location if visit.appointment else session.scalar(
        select(Location).where(Location.clinic_id == visit.patient.clinic_id).order_by(Location.id))
    return ZoneInfo(location.timezone if location else "UTC")


def clinical_visit(session: Session, actor: Actor, visit_id: int) -> Visit:
    """The visit, if ``actor`` may see its clinical content (NotFound/Forbidden otherwise); not audited."""
    return fetch_for_patient(session, actor, Visit, visit_id, "visit", patient_of=lambda v: v.patient,
                             clinical=True)


def get(session: Session, actor: Actor, visit_id: int) -> Visit:
    visit = clinical_visit(session, actor, visit_id)
    record(session, actor, AuditAction.READ, "visit", visit.id, patient_id=visit.patient_id)
    return visit


def record_into(session: Session, actor: Actor, visit: Visit, what: str) -> None:
    """``what`` is about to be recorded in ``visit``: refused once the visit is completed, and the first
    thing recorded moves a checked-in visit to in progress.

    Taken under the visit's lock and read afresh (a file may have been analysed meanwhile), so that a
    completion and a recording decide one after the other."""
    serialise(session, LockScope.VISIT, visit.id)
    session.refresh(visit)
    if visit.status is VisitStatus.COMPLETED:
        raise Conflict(f"This visit was completed on {day_text(visit.completed_at, zone_of(session, visit))}; record {what} in "
                       f"{NEXT_VISIT}.")
    if visit.status is VisitStatus.CHECKED_IN:
        before = snapshot(visit, ["status"])
        visit.status = VisitStatus.IN_PROGRESS
        record(session, actor, AuditAction.UPDATE, "visit", visit.id, patient_id=visit.patient_id,
               detail=f"in progress: {what} recorded", changes=changes_between(before, snapshot(visit, ["status"])))


def add_activity(session: Session, actor: Actor, visit_id: int, data: VisitActivityAdd) -> Visit:
    """Record minutes of one activity; the visit is then in progress."""
    require_role(actor, CLINICIANS, "record treatment minutes")
    visit = clinical_visit(session, actor, visit_id)
    if data.activity in EVALUATING_ACTIVITIES and visit.clinician.role not in permissions.EVALUATE:
        raise InvalidInput(f"{visit.clinician.full_name} is a {visit.clinician.role.label}, who does not evaluate: "
                           f"{data.activity.label.lower()} minutes belong to a physical therapist's or "
                           "chiropractor's visit.", field="activity")
    record_into(session, actor, visit, "minutes")
    session.add(VisitActivity(visit_id=visit.id, activity=data.activity, minutes=data.minutes,
                              recorded_by_id=actor.user_id))
    session.flush()
    session.refresh(visit, ["activities"])
    record(session, actor, AuditAction.UPDATE, "visit", visit.id, patient_id=visit.patient_id,
           detail=f"{data.minutes} min {data.activity.value}")
    return visit


def completion_refusal(session: Session, visit: Visit) -> str | None:
    """Why ``visit`` cannot be completed now, in words for the clinician; None when it can."""
    if visit.status is VisitStatus.COMPLETED:
        return "This visit is already completed."
    if not visit.activities:
        return ("Record the minutes spent per activity before completing the visit: a visit is completed "
                "with the minutes it took.")
    running = session.scalar(select(ExerciseRecord.id).where(
        ExerciseRecord.visit_id == visit.id, ExerciseRecord.status == ExerciseStatus.IN_PROGRESS).limit(1))
    if running is not None:
        return "A live exercise is still running in this visit; end it before completing the visit."
    analysing = session.scalar(select(Job.id).where(
        Job.visit_id == visit.id, Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING))).limit(1))
    if analysing is not None:
        return ("A recording of this visit is still being analysed; complete the visit once its results are in "
                "(its page shows how far it has got).")
    return None


def complete(session: Session, actor: Actor, visit_id: int, *, now: datetime | None = None) -> Visit:
    """Close the visit: it needs at least one activity with minutes, no exercise still running and no recording
    still being analysed (its result joins the visit)."""
    require_role(actor, CLINICIANS, "complete visits")
    visit = clinical_visit(session, actor, visit_id)
    serialise(session, LockScope.VISIT, visit.id)  # before the status and minutes are read
    session.refresh(visit)
    if (refusal := completion_refusal(session, visit)) is not None:
        raise Conflict(refusal)
    names = ["status", "completed_at"]
    before = snapshot(visit, names)
    visit.status = VisitStatus.COMPLETED
    visit.completed_at = now or utcnow()
    if visit.appointment is not None:
        visit.appointment.status = AppointmentStatus.COMPLETED
    record(session, actor, AuditAction.UPDATE, "visit", visit.id, patient_id=visit.patient_id,
           detail=f"completed, {visit.total_minutes} min", changes=changes_between(before, snapshot(visit, names)))
    return visit


def of_appointments(session: Session, actor: Actor, appointments: list[Appointment]) -> dict[int, int]:
    """The visit opened for each of ``appointments`` (checked in), by appointment id, so that a clinician
    goes from the schedule straight to the visit; nothing for a role that sees no clinical content."""
    if actor.role not in permissions.SEE_CLINICAL:
        return {}
    ids = [a.id for a in appointments if a.clinic_id == actor.clinic_id]
    if not ids:
        return {}
    rows = session.execute(select(Visit.appointment_id, Visit.id).where(Visit.appointment_id.in_(ids)))
    return {appointment_id: visit_id for appointment_id, visit_id in rows if appointment_id is not None}


def for_patient(session: Session, actor: Actor, patient_id: int) -> list[Visit]:
    """A patient's visits with their minutes, newest first (clinicians and the patient)."""
    patient = patients.load(session, actor, patient_id, clinical=True)
    visits = list(session.scalars(
        select(Visit).where(Visit.patient_id == patient.id).order_by(Visit.checked_in_at.desc())
    ))
    record(session, actor, AuditAction.READ, "visit", patient_id=patient.id, detail="list")
    return visits
