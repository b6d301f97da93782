"""FHIR R4 exchange: an episode exported whole as a Bundle, and a referral Bundle imported as a patient
and an episode (refused with every reason, nothing stored)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from reeducate.clinic.services import fhir_exchange
from reeducate.clinic.services.fhir_exchange import ReferralRefused
from reeducate.clinic.vocabulary import Condition
from reeducate.web.deps import SessionDep, StaffDep

router = APIRouter(tags=["fhir"])


def fhir_download(exported: fhir_exchange.Exported) -> Response:
    """The Bundle as an ``application/fhir+json`` attachment, never cached."""
    return Response(exported.content, media_type=fhir_exchange.FHIR_JSON, headers={
        "Content-Disposition": f'attachment; filename="{exported.filename}"', "Cache-Control": "private, no-store"})


@router.get("/episodes/{episode_id}/fhir", response_class=Response,
            responses={200: {"content": {fhir_exchange.FHIR_JSON: {}},
                             "description": "A FHIR R4 Bundle (type collection) of the whole episode."}})
def export_episode(episode_id: int, actor: StaffDep, session: SessionDep) -> Response:
    """The episode as a FHIR R4 collection Bundle: Patient, Conditions, Encounters, Observations, Goals,
    CarePlans and Procedures, validated and with every reference resolving inside it."""
    return fhir_download(fhir_exchange.export(session, actor, episode_id))


class ReferralImported(BaseModel):
    patient_id: int
    episode_id: int
    attached: bool
    """True when the episode was added to a patient already registered (``existing_patient_id``)."""
    not_kept: list[str]


class ReferralRefusal(BaseModel):
    detail: str
    field: str | None
    reasons: list[str]


async def _body(request: Request) -> bytes:
    return await request.body()


@router.post("/fhir/referrals", status_code=201, response_model=ReferralImported,
             responses={422: {"model": ReferralRefusal, "description": "Not imported; each reason says why."}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 fhir_exchange.FHIR_JSON: {"schema": {"type": "object"}},
                 "application/json": {"schema": {"type": "object"}}}}})
def import_referral(actor: StaffDep, session: SessionDep, body: Annotated[bytes, Depends(_body)],
                    condition: Condition | None = None, existing_patient_id: int | None = None) -> Response:
    """Import a referral Bundle (Patient, ICD-10-CM Conditions, a ServiceRequest with its requester's NPI):
    registers the patient, or adds the episode to ``existing_patient_id`` (the same person), and opens the
    episode. ``condition`` is needed when the primary diagnosis does not name one of the clinic's."""
    try:
        imported = fhir_exchange.import_referral(session, actor, body, condition=condition,
                                                 existing_patient_id=existing_patient_id)
    except ReferralRefused as refused:
        session.rollback()
        return JSONResponse(ReferralRefusal(detail=refused.message, field=refused.field,
                                            reasons=refused.reasons).model_dump(), status_code=422)
    return JSONResponse(ReferralImported(
        patient_id=imported.patient.id, episode_id=imported.episode.id, attached=imported.attached,
        not_kept=list(imported.not_kept)).model_dump(), status_code=201)
