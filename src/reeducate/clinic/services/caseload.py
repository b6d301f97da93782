"""A clinician's own patients ("my patients"): those whose active episode has the clinician on its care
team, and those with an appointment with them from :data:`RECENT` ago on; each with their next
appointment and last visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, require_role
from reeducate.clinic.audit_log import record_reads
from reeducate.clinic.db import utcnow
from reeducate.clinic.models import Appointment, CareTeamMember, Episode, Patient, Visit
from reeducate.clinic.services.scheduling import SHOWN_WITH
from reeducate.clinic.vocabulary import SLOT_HOLDING, AppointmentStatus, EpisodeStatus

RECENT = timedelta(days=30)
"""A patient seen by (or booked with) the clinician this recently stays on their list: a working list's
choice, so that a patient between two blocks of care is not lost from sight."""


@dataclass(frozen=True)
class CaseloadRow:
    """One of the clinician's patients, why they are on the list, and when they come next and came last."""

    patient: Patient
    on_care_team: bool
    next_appointment: Appointment | None
    last_visit_at: datetime | None


def my_patients(session: Session, actor: Actor, *, now: datetime | None = None) -> list[CaseloadRow]:
    """The logged-in clinician's patients, by last name."""
    require_role(actor, permissions.TREAT, "have patients of their own")
    now = now or utcnow()
    on_team = set(session.scalars(
        select(Episode.patient_id).join(CareTeamMember, CareTeamMember.episode_id == Episode.id)
        .where(CareTeamMember.user_id == actor.user_id, Episode.status == EpisodeStatus.ACTIVE)
    ))
    booked = set(session.scalars(
        select(Appointment.patient_id).where(
            Appointment.provider_id == actor.user_id,
            Appointment.status.in_(SLOT_HOLDING | {AppointmentStatus.NO_SHOW}),
            Appointment.starts_at >= now - RECENT,
        )
    ))
    ids = on_team | booked
    patients = session.scalars(
        select(Patient).where(Patient.id.in_(ids), Patient.clinic_id == actor.clinic_id)
        .order_by(Patient.last_name, Patient.first_name)
    ).all()
    upcoming: dict[int, Appointment] = {}
    for appointment in session.scalars(
        select(Appointment).where(Appointment.patient_id.in_(ids), Appointment.status == AppointmentStatus.BOOKED,
                                  Appointment.starts_at >= now)
        .options(*SHOWN_WITH).order_by(Appointment.starts_at.desc())
    ):
        upcoming[appointment.patient_id] = appointment  # the earliest is written last
    last_visits = {patient_id: at for patient_id, at in session.execute(
        select(Visit.patient_id, func.max(Visit.checked_in_at)).where(Visit.patient_id.in_(ids))
        .group_by(Visit.patient_id)
    )}
    record_reads(session, actor, "patient", (p.id for p in patients), "my patients")
    return [CaseloadRow(p, p.id in on_team, upcoming.get(p.id), last_visits.get(p.id)) for p in patients]
