"""Visits: check-in from a booked appointment, minutes per activity, completion."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor, check_same_clinic, fetch, fetch_for_patient, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import Appointment, Visit, VisitActivity
from reeducate.clinic.schemas import VisitActivityAdd
from reeducate.clinic.services import patients
from reeducate.clinic.vocabulary import (
    CLINICIANS,
    STAFF,
    AppointmentStatus,
    AuditAction,
    VisitStatus,
)


def check_in(session: Session, actor: Actor, appointment_id: int, *, now: datetime | None = None) -> Visit:
    """Open the visit of a booked appointment on its day (front desk or clinician)."""
    require_role(actor, STAFF, "check patients in")
    now = now or utcnow()
    serialise(session, LockScope.APPOINTMENT, appointment_id)  # before its status is read
    appointment = fetch(session, Appointment, appointment_id, "appointment")
    check_same_clinic(actor, appointment.clinic_id, f"appointment {appointment_id}")
    if appointment.status is not AppointmentStatus.BOOKED:
        raise Conflict(
            f"Appointment {appointment.id} is {appointment.status.label.lower()}; only a booked "
            "appointment can be checked in."
        )
    zone = ZoneInfo(appointment.location.timezone)
    if now.astimezone(zone).date() != appointment.starts_at.astimezone(zone).date():
        raise Conflict(
            f"Appointment {appointment.id} is on {appointment.starts_at.astimezone(zone):%a %d %b}; "
            "a patient is checked in on the day of the appointment."
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


def clinical_visit(session: Session, actor: Actor, visit_id: int) -> Visit:
    """The visit, if ``actor`` may see its clinical content (NotFound/Forbidden otherwise); not audited."""
    return fetch_for_patient(session, actor, Visit, visit_id, "visit", patient_of=lambda v: v.patient,
                             clinical=True)


def get(session: Session, actor: Actor, visit_id: int) -> Visit:
    visit = clinical_visit(session, actor, visit_id)
    record(session, actor, AuditAction.READ, "visit", visit.id, patient_id=visit.patient_id)
    return visit


def add_activity(session: Session, actor: Actor, visit_id: int, data: VisitActivityAdd) -> Visit:
    """Record minutes of one activity; the visit is then in progress."""
    require_role(actor, CLINICIANS, "record treatment minutes")
    visit = clinical_visit(session, actor, visit_id)
    if visit.status is VisitStatus.COMPLETED:
        raise Conflict(f"Visit {visit.id} is completed; its minutes can no longer change.")
    session.add(VisitActivity(visit_id=visit.id, activity=data.activity, minutes=data.minutes,
                              recorded_by_id=actor.user_id))
    visit.status = VisitStatus.IN_PROGRESS
    session.flush()
    session.refresh(visit, ["activities"])
    record(session, actor, AuditAction.UPDATE, "visit", visit.id, patient_id=visit.patient_id,
           detail=f"{data.minutes} min {data.activity.value}")
    return visit


def complete(session: Session, actor: Actor, visit_id: int, *, now: datetime | None = None) -> Visit:
    """Close the visit; it needs at least one activity with minutes."""
    require_role(actor, CLINICIANS, "complete visits")
    visit = clinical_visit(session, actor, visit_id)
    if visit.status is VisitStatus.COMPLETED:
        raise Conflict(f"Visit {visit.id} is already completed.")
    if not visit.activities:
        raise Conflict("Record the minutes spent per activity before completing the visit.")
    visit.status = VisitStatus.COMPLETED
    visit.completed_at = now or utcnow()
    if visit.appointment is not None:
        visit.appointment.status = AppointmentStatus.COMPLETED
    record(session, actor, AuditAction.UPDATE, "visit", visit.id, patient_id=visit.patient_id,
           detail=f"completed, {visit.total_minutes} min")
    return visit


def for_patient(session: Session, actor: Actor, patient_id: int) -> list[Visit]:
    """A patient's visits with their minutes, newest first (clinicians and the patient)."""
    patient = patients.load(session, actor, patient_id, clinical=True)
    visits = list(session.scalars(
        select(Visit).where(Visit.patient_id == patient.id).order_by(Visit.checked_in_at.desc())
    ))
    record(session, actor, AuditAction.READ, "visit", patient_id=patient.id, detail="list")
    return visits
