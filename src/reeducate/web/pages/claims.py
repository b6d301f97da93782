"""The front desk's billing worklist (/billing) and a released claim's page, where it is replaced or
voided with a reason."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.services import billing_worklist, claims
from reeducate.clinic.services.billing_worklist import Filters
from reeducate.clinic.vocabulary import ClaimFrequency
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep
from reeducate.web.templating import render

router = APIRouter()


def _day(text: str, name: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"The {name} date {text.strip()!r} is not a date: pick one in the calendar "
                           "(year-month-day).", field=name) from None


@router.get("/billing")
def worklist_page(request: Request, login: LoginDep, _staff: StaffDep, session: SessionDep, since: str = "",
                  until: str = "", payer: str = "") -> Response:
    shown = {"since": since, "until": until, "payer": payer}
    try:
        filters = Filters(_day(since, "since"), _day(until, "until"), payer.strip())
        found = billing_worklist.worklist(session, login.actor, filters)
    except InvalidInput as error:
        session.rollback()
        found = billing_worklist.worklist(session, login.actor, Filters())
        return render(request, "pages/billing_worklist.html", {
            "login": login, "worklist": found, "shown": shown, "error": error.message}, status_code=422)
    return render(request, "pages/billing_worklist.html", {
        "login": login, "worklist": found, "shown": shown, "error": ""})


def _claim_page(request: Request, login: LoginDep, session: SessionDep, claim_id: int, *, error: str = "",
                reason: str = "", kind: str = "", sent: bool = False, status_code: int = 200) -> Response:
    return render(request, "pages/claim.html", {
        "login": login, "view": claims.view(session, login.actor, claim_id), "error": error, "reason": reason,
        "kind": kind, "frequency": ClaimFrequency, "sent": sent,
    }, status_code=status_code)


@router.get("/claims/{claim_id}")
def claim_page(request: Request, claim_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
               sent: str = "") -> Response:
    return _claim_page(request, login, session, claim_id, sent=sent == "1")


def _correct(request: Request, claim_id: int, login: LoginDep, session: SessionDep, form: FormDep,
             frequency: ClaimFrequency) -> Response:
    reason = str(form.get("reason") or "")
    try:
        correction = claims.correct(session, login.actor, claim_id, frequency, reason)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _claim_page(request, login, session, claim_id, error=error.message, reason=reason,
                           kind=frequency.value, status_code=422)
    return RedirectResponse(f"/claims/{correction.id}?sent=1", status_code=303)


@router.post("/claims/{claim_id}/replacement")
def replace_claim(request: Request, claim_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                  form: FormDep) -> Response:
    return _correct(request, claim_id, login, session, form, ClaimFrequency.REPLACEMENT)


@router.post("/claims/{claim_id}/void")
def void_claim(request: Request, claim_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
               form: FormDep) -> Response:
    return _correct(request, claim_id, login, session, form, ClaimFrequency.VOID)
