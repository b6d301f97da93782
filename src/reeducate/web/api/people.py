"""The clinic's clinicians (for booking and for patients choosing whom to see)."""

from __future__ import annotations

from fastapi import APIRouter

from reeducate.clinic.schemas import PersonOut
from reeducate.clinic.services import users
from reeducate.web.deps import ActorDep, SessionDep

router = APIRouter(tags=["people"])


@router.get("/clinicians", response_model=list[PersonOut])
def list_clinicians(actor: ActorDep, session: SessionDep) -> list[PersonOut]:
    return [PersonOut.model_validate(u) for u in users.list_clinicians(session, actor)]
