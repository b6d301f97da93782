"""The audit log, for the clinic's administrators."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query

from reeducate.clinic.schemas import AuditEventOut, Id
from reeducate.clinic.services import audit
from reeducate.clinic.vocabulary import AuditAction
from reeducate.web.deps import ActorDep, SessionDep

router = APIRouter(prefix="/audit-events", tags=["audit"])


@router.get("", response_model=list[AuditEventOut])
def list_events(actor: ActorDep, session: SessionDep, patient_id: Id | None = None, user_id: Id | None = None,
                action: AuditAction | None = None, since: datetime | None = None, until: datetime | None = None,
                limit: int = Query(200, ge=1, le=1000)) -> list[AuditEventOut]:
    """The newest events first: one patient's, one account's, one action's, from ``since`` to before ``until``."""
    chosen = audit.AuditFilter(user_id=user_id, action=action, start=since, end=until)
    return [AuditEventOut.model_validate(e)
            for e in audit.events(session, actor, patient_id=patient_id, chosen=chosen, limit=limit)]
