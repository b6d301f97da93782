"""Reading the audit log (administrators of the clinic)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor, require_role
from reeducate.clinic.models import AuditEvent
from reeducate.clinic.vocabulary import Role


def events(session: Session, actor: Actor, *, patient_id: int | None = None, limit: int = 200) -> list[AuditEvent]:
    """The clinic's newest audit events, optionally for one patient."""
    require_role(actor, {Role.ADMIN}, "read the audit log")
    statement = select(AuditEvent).where(AuditEvent.clinic_id == actor.clinic_id)
    if patient_id is not None:
        statement = statement.where(AuditEvent.patient_id == patient_id)
    return list(session.scalars(statement.order_by(AuditEvent.id.desc()).limit(limit)))
