"""Reading the audit log (the clinic's administrators): filtered by patient, user, action and time,
a page at a time, and exported as CSV (the export itself audited)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.models import AuditEvent, Patient, User
from reeducate.clinic.schemas import plain_text
from reeducate.clinic.vocabulary import AuditAction

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
"""The most rows one CSV export holds (a narrower filter exports the rest)."""
CSV_COLUMNS = ("at_utc", "who", "patient", "mrn", "action", "resource", "resource_id", "detail", "changes",
               "ip_address", "user_agent")


@dataclass(frozen=True)
class AuditFilter:
    """Which rows to show: a patient's name or MRN (words), one account, one action, a time range [start, end)."""

    patient: str = ""
    user_id: int | None = None
    action: AuditAction | None = None
    start: datetime | None = None
    end: datetime | None = None

    def describe(self) -> str:
        """The filter in words, for the export's audit row."""
        parts = [f"patient {self.patient!r}" if self.patient else "", f"user {self.user_id}" if self.user_id else "",
                 f"action {self.action.value}" if self.action else "",
                 f"from {self.start:%Y-%m-%d %H:%M}" if self.start else "", f"to {self.end:%Y-%m-%d %H:%M}" if self.end else ""]
        return ", ".join(p for p in parts if p) or "all rows"


@dataclass(frozen=True)
class AuditRow:
    """One audit event with the patient it concerns (None: no patient's data)."""

    event: AuditEvent
    patient: Patient | None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int


def _filtered(actor: Actor, chosen: AuditFilter) -> Select[AuditEvent, Patient]:
    require_role(actor, permissions.ADMINISTER, "read the audit log")
    statement = (select(AuditEvent, Patient).outerjoin(Patient, Patient.id == AuditEvent.patient_id)
                 .where(AuditEvent.clinic_id == actor.clinic_id))
    for word in plain_text(chosen.patient, "The patient search").split()[:5]:
        like = f"%{word.lower()}%"
        statement = statement.where(or_(func.lower(Patient.first_name).like(like),
                                        func.lower(Patient.last_name).like(like), func.lower(Patient.mrn).like(like)))
    if chosen.user_id is not None:
        statement = statement.where(AuditEvent.user_id == chosen.user_id)
    if chosen.action is not None:
        statement = statement.where(AuditEvent.action == chosen.action)
    if chosen.start is not None:
        statement = statement.where(AuditEvent.at >= chosen.start)
    if chosen.end is not None:
        statement = statement.where(AuditEvent.at < chosen.end)
    return statement


def events(session: Session, actor: Actor, *, patient_id: int | None = None, chosen: AuditFilter | None = None,
           limit: int = 200) -> list[AuditEvent]:
    """The clinic's newest audit events (for the API), optionally for one patient or as ``chosen`` filters."""
    statement = _filtered(actor, chosen or AuditFilter()).with_only_columns(AuditEvent)
    if patient_id is not None:
        statement = statement.where(AuditEvent.patient_id == patient_id)
    return list(session.scalars(statement.order_by(AuditEvent.id.desc()).limit(limit)))


def search(session: Session, actor: Actor, chosen: AuditFilter, *, page: int = 1) -> AuditPage:
    """One page (newest first) of the rows ``chosen`` selects, with how many there are in all; the view is
    audited as one row (it shows patients' names), not one per patient."""
    statement = _filtered(actor, chosen)
    total = session.scalar(statement.with_only_columns(func.count(AuditEvent.id)).order_by(None)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    found = session.execute(statement.order_by(AuditEvent.id.desc()).offset((page - 1) * PAGE_SIZE)
                            .limit(PAGE_SIZE)).all()
    record(session, actor, AuditAction.READ, "audit_log", detail=f"page {page} of {chosen.describe()}")
    return AuditPage([AuditRow(event, patient) for event, patient in found], total, page, pages)


def accounts(session: Session, actor: Actor) -> list[User]:
    """Every account of the clinic that can appear in its log (staff and patients), by name, to filter by."""
    require_role(actor, permissions.ADMINISTER, "read the audit log")
    return list(session.scalars(select(User).where(User.clinic_id == actor.clinic_id).order_by(User.full_name)))


def export_csv(session: Session, actor: Actor, chosen: AuditFilter) -> str:
    """The rows ``chosen`` selects (newest first, at most EXPORT_LIMIT) as CSV; the export is audited."""
    found = session.execute(_filtered(actor, chosen).order_by(AuditEvent.id.desc()).limit(EXPORT_LIMIT)).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event, patient in found:
        writer.writerow([event.at.isoformat(), event.actor, patient.full_name if patient else "",
                         patient.mrn if patient else "", event.action.value, event.resource_type, event.resource_id,
                         event.detail, json.dumps(event.changes, ensure_ascii=False) if event.changes else "",
                         event.ip_address, event.user_agent])
    record(session, actor, AuditAction.EXPORT, "audit_log",
           detail=f"CSV of {len(found)} row(s): {chosen.describe()}")
    return out.getvalue()
