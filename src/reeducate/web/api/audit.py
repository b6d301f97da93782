"""The audit log, for the clinic's administrators."""

from __future__ import annotations

from fastapi import APIRouter

from reeducate.clinic.schemas import AuditEventOut
from reeducate.clinic.services import audit
from reeducate.web.deps import ActorDep, SessionDep

router = APIRouter(prefix="/audit-events", tags=["audit"])


@router.get("", response_model=list[AuditEventOut])
def list_events(actor: ActorDep, session: SessionDep, patient_id: int | None = None,
                limit: int = 200) -> list[AuditEventOut]:
    return [AuditEventOut.model_validate(e)
            for e in audit.events(session, actor, patient_id=patient_id, limit=min(limit, 1000))]
