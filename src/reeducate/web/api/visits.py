"""Visits: check-in, minutes per activity, completion."""

from __future__ import annotations

from fastapi import APIRouter

from reeducate.clinic.schemas import VisitActivityAdd, VisitCheckIn, VisitOut, VisitSummary
from reeducate.clinic.services import visits
from reeducate.web.deps import ActorDep, SessionDep, StaffDep

router = APIRouter(prefix="/visits", tags=["visits"])


@router.post("", response_model=VisitSummary, status_code=201)
def check_in(data: VisitCheckIn, actor: StaffDep, session: SessionDep) -> VisitSummary:
    return VisitSummary.model_validate(visits.check_in(session, actor, data.appointment_id))


@router.get("/{visit_id}", response_model=VisitOut)
def read_visit(visit_id: int, actor: ActorDep, session: SessionDep) -> VisitOut:
    return VisitOut.model_validate(visits.get(session, actor, visit_id))


@router.post("/{visit_id}/activities", response_model=VisitOut, status_code=201)
def add_activity(visit_id: int, data: VisitActivityAdd, actor: StaffDep, session: SessionDep) -> VisitOut:
    return VisitOut.model_validate(visits.add_activity(session, actor, visit_id, data))


@router.post("/{visit_id}/complete", response_model=VisitOut)
def complete(visit_id: int, actor: StaffDep, session: SessionDep) -> VisitOut:
    return VisitOut.model_validate(visits.complete(session, actor, visit_id))
