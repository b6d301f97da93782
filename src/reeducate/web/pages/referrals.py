"""The import of a referral sent as a FHIR Bundle: upload the file, choose the condition if the primary
diagnosis does not name one, and the new episode opens; a refusal shows every reason, nothing stored."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from reeducate.clinic.models import Patient
from reeducate.clinic.services import fhir_exchange
from reeducate.clinic.services.fhir_exchange import ReferralRefused
from reeducate.clinic.vocabulary import Condition
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep
from reeducate.web.templating import render

router = APIRouter()


def _form(request: Request, login: LoginDep, *, condition: str = "", reasons: list[str] | None = None,
          charts: list[Patient] | None = None, status_code: int = 200) -> Response:
    return render(request, "pages/referral_import.html", {
        "login": login, "conditions": list(Condition), "condition": condition, "reasons": reasons or [],
        "charts": charts or [], "max_mb": fhir_exchange.MAX_REFERRAL_BYTES // 1_000_000,
    }, status_code=status_code)


@router.get("/referrals/import")
def import_form(request: Request, login: LoginDep, _staff: StaffDep) -> Response:
    fhir_exchange.require_importer(login.actor)
    return _form(request, login)


@router.post("/referrals/import")
def import_referral(request: Request, login: LoginDep, _staff: StaffDep, session: SessionDep,
                    form: FormDep) -> Response:
    """Import the uploaded Bundle and open its episode, or show the form again with every reason."""
    fhir_exchange.require_importer(login.actor)
    upload, condition = form.get("file"), str(form.get("condition") or "")
    existing = str(form.get("existing_patient_id") or "")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _form(request, login, condition=condition, status_code=422,
                     reasons=["Choose the referral's file (a FHIR Bundle in JSON) to import."])
    # the form is already read (spooled); reading its file here, in the thread pool, blocks no one
    content = upload.file.read(fhir_exchange.MAX_REFERRAL_BYTES + 1)
    if condition and condition not in {c.value for c in Condition}:
        return _form(request, login, status_code=422, reasons=["Choose the condition treated from the list."])
    try:
        imported = fhir_exchange.import_referral(session, login.actor, content,
                                                 condition=Condition(condition) if condition else None,
                                                 existing_patient_id=int(existing) if existing.isdigit() else None)
    except ReferralRefused as refused:
        session.rollback()
        return _form(request, login, condition=condition, reasons=refused.reasons, charts=refused.charts,
                     status_code=422)
    return RedirectResponse(f"/episodes/{imported.episode.id}?opened=1", status_code=303)
