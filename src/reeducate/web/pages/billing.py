"""A visit's billing page (minutes per code, units and modifiers by the payer's rule, the claim and the
superbill) and its note page (the draft, signing, addenda, the PDF)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from reeducate.billing.codes import catalogue
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.models import Claim
from reeducate.clinic.note_draft import NMR_FIELDS, SECTIONS
from reeducate.clinic.services import billing, notes
from reeducate.clinic.services.billing import ChargeInput
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep
from reeducate.web.templating import render

router = APIRouter()
CHARGE_ROWS = 8


def _billing_page(request: Request, login: LoginDep, session: SessionDep, visit_id: int, *, error: str = "",
                  status_code: int = 200) -> Response:
    summary = billing.summary(session, login.actor, visit_id)
    note_status = billing.note_status(session, visit_id)
    claims: list[Claim] = billing.claims_of(session, login.actor, visit_id)
    rows = [*summary.charges, *[None] * max(0, CHARGE_ROWS - len(summary.charges))]
    return render(request, "pages/billing.html", {
        "login": login, "visit": summary.visit, "episode": summary.visit.episode, "summary": summary, "rows": rows, "codes": catalogue(),
        "uncoded": billing.activities_without_code(summary.visit, summary.charges),
        "note_status": note_status, "claims": claims, "live_claim": next((c for c in claims if c.is_live), None),
        "error": error,
        "awaiting_cosignature": billing.awaiting_cosignature(session, visit_id),
    }, status_code=status_code)


@router.get("/visits/{visit_id}/billing")
def billing_page(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _billing_page(request, login, session, visit_id)


def _int(text: object) -> int:
    value = str(text or "").strip()
    if not value:
        return 0
    if not value.lstrip("-").isdigit():
        raise ValueError(value)
    return int(value)


@router.post("/visits/{visit_id}/billing")
def save_billing(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                 form: FormDep) -> Response:
    codes, minutes = form.getlist("code"), form.getlist("minutes")
    assistant, regions = form.getlist("assistant_minutes"), form.getlist("region")
    try:
        charges = [ChargeInput(str(c).strip(), _int(m), _int(a), str(r)) for c, m, a, r
                   in zip(codes, minutes, assistant, regions, strict=True) if str(c).strip()]
        billing.set_charges(session, login.actor, visit_id, charges)
    except ValueError as error:
        message = f"Minutes must be whole numbers; {str(error)!r} is not."
    except (InvalidInput, Conflict) as error:
        message = error.message
    else:
        return RedirectResponse(f"/visits/{visit_id}/billing?saved=1", status_code=303)
    session.rollback()
    return _billing_page(request, login, session, visit_id, error=message, status_code=422)


@router.post("/visits/{visit_id}/claims")
def release(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    try:
        billing.release_claim(session, login.actor, visit_id)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _billing_page(request, login, session, visit_id, error=error.message, status_code=422)
    return RedirectResponse(f"/visits/{visit_id}/billing?released=1", status_code=303)


def _note_page(request: Request, login: LoginDep, session: SessionDep, visit_id: int, *, error: str = "",
               status_code: int = 200) -> Response:
    note = notes.of_visit(session, login.actor, visit_id)
    visit = billing.billing_visit(session, login.actor, visit_id) if note is None else note.visit
    return render(request, "pages/note.html", {
        "login": login, "visit": visit, "episode": visit.episode, "note": note, "sections": SECTIONS, "nmr_fields": NMR_FIELDS,
        "verified": note is not None and notes.verify(note), "error": error,
        "can_cosign": note is not None and notes.may_cosign(note, login.actor),
    }, status_code=status_code)


@router.get("/visits/{visit_id}/note")
def note_page(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _note_page(request, login, session, visit_id)


@router.post("/visits/{visit_id}/note")
def note_action(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                form: FormDep) -> Response:
    action = str(form.get("action") or "")
    try:
        if action == "draft":
            notes.start_draft(session, login.actor, visit_id)
        elif action in {"save", "sign"}:
            content: dict[str, Any] = {key: str(form.get(key) or "") for key in SECTIONS}
            nmr: dict[str, str | int] = {key: str(form.get(f"nmr_{key}") or "")
                                         for key in NMR_FIELDS if key != "minutes"}
            nmr["minutes"] = _int(form.get("nmr_minutes"))
            content["nmr"] = nmr
            notes.edit(session, login.actor, visit_id, content)
            if action == "sign":
                try:
                    notes.sign(session, login.actor, visit_id)
                except (InvalidInput, Conflict) as refusal:  # sign checks before it changes anything
                    return _note_page(request, login, session, visit_id, status_code=422,
                                      error=f"Your text is saved as a draft, not signed: {refusal.message}")
        elif action == "cosign":
            notes.cosign(session, login.actor, visit_id)
        elif action == "addendum":
            notes.add_addendum(session, login.actor, visit_id, str(form.get("addendum") or ""))
        else:
            raise ValueError(action)
    except ValueError:
        message = "Minutes must be a whole number."
    except (InvalidInput, Conflict) as error:
        message = error.message
    else:
        return RedirectResponse(f"/visits/{visit_id}/note?done={action}", status_code=303)
    session.rollback()
    return _note_page(request, login, session, visit_id, error=message, status_code=422)
