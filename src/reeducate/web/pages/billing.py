"""A visit's billing page (minutes per code, units and modifiers by the payer's rule, the claim and the
superbill) and its note page (the draft, signing, addenda, the PDF; an evaluation's sections and the
code panel where the therapist enters the four components and confirms the code)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from reeducate.billing.codes import catalogue
from reeducate.clinic import evaluation_draft
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.models import Claim, VisitNote
from reeducate.clinic.note_draft import NMR_FIELDS, SECTIONS
from reeducate.clinic.services import billing, notes
from reeducate.clinic.services.billing import ChargeInput
from reeducate.clinic.vocabulary import NoteTemplate
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
    template = notes.template_for(visit) if note is None else evaluation_draft.template_of(note.content)
    return render(request, "pages/note.html", {
        "login": login, "visit": visit, "episode": visit.episode, "note": note, "sections": SECTIONS, "nmr_fields": NMR_FIELDS,
        "verified": note is not None and notes.verify(note), "error": error,
        "can_cosign": note is not None and notes.may_cosign(note, login.actor),
        "template": template, "evaluation": _evaluation_view(session, login, note) if template is not NoteTemplate.DAILY else None,
    }, status_code=status_code)


def _evaluation_view(session: SessionDep, login: LoginDep, note: VisitNote | None) -> dict[str, Any]:
    """What the evaluation's sections and its code panel show: the labels, the problem list (as signed,
    or the episode's accepted problems now), and whether this person drafts and confirms the code."""
    visit = note.visit if note else None
    return {
        "history": evaluation_draft.HISTORY_FIELDS, "systems": evaluation_draft.SYSTEMS,
        "components": evaluation_draft.COMPONENTS, "presentations": evaluation_draft.PRESENTATIONS,
        "decisions": evaluation_draft.DECISIONS,
        "problems": notes.problem_list(session, note) if note else [],
        "needs_code": visit is not None and evaluation_draft.needs_code(visit.clinician.role),
        "may_code": visit is not None and login.can.evaluate and login.user.id == visit.clinician_id,
        "component_text": evaluation_draft.component_text, "complexity": evaluation_draft.COMPLEXITY,
        "limit_labels": evaluation_draft.LIMIT_LABELS,
        "confirmed_on": evaluation_draft.confirmed_on(note.content["code"]) if note else None,
    }


def _evaluation_form(form: Any, note: VisitNote) -> dict[str, Any]:
    """The evaluation's sections as the form posted them (a screening item left unanswered stays blank)."""
    screen = note.content["red_flags"]["screen"]
    return {
        "history": {key: str(form.get(f"history_{key}") or "") for key in evaluation_draft.HISTORY_FIELDS},
        "red_flags": {"answers": [str(form.get(f"screen_{i}") or "") for i in range(len(screen))],
                      "findings": str(form.get("red_flag_findings") or "")},
        "systems_review": {key: str(form.get(f"system_{key}") or "") for key in evaluation_draft.SYSTEMS},
        **{key: str(form.get(key) or "") for key in evaluation_draft.TEXT_SECTIONS},
    }


def _components(form: Any) -> dict[str, Any]:
    return evaluation_draft.components_from_form(*(str(form.get(f"code_{key}") or "")
                                                   for key in evaluation_draft.COMPONENTS))


def _save_evaluation(session: SessionDep, login: LoginDep, note: VisitNote, form: Any, action: str) -> str:
    """Save the evaluation's text, then draft the code from the components ("code") or confirm the drafted
    code ("confirm"); "" when done, else why the confirmation waits (components changed since drafted)."""
    visit_id = note.visit_id
    notes.edit(session, login.actor, visit_id, _evaluation_form(form, note))
    is_evaluation = evaluation_draft.template_of(note.content) is NoteTemplate.EVALUATION
    if action == "code" or (action == "confirm" and is_evaluation and _components_changed(form, note)):
        drafted = notes.set_code_components(session, login.actor, visit_id, _components(form)).content["code"]["drafted"]
        return "" if action == "code" else (f"The components changed: they now support {drafted}. Check it and "
                                            "confirm again.")
    if action == "confirm":
        notes.confirm_code(session, login.actor, visit_id)
    return ""


def _components_changed(form: Any, note: VisitNote) -> bool:
    code = note.content["code"]
    return any(str(form.get(f"code_{key}") or "").strip() != ("" if code.get(key) is None else str(code[key]))
               for key in evaluation_draft.COMPONENTS)


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
        elif action in {"save", "sign", "code", "confirm"} and (note := _evaluation_note(session, login, visit_id)):
            waiting = _save_evaluation(session, login, note, form, action)
            if waiting:  # the text and the new components are kept; the confirmation waits
                return _note_page(request, login, session, visit_id, status_code=422, error=waiting)
            if action == "sign":
                try:
                    notes.sign(session, login.actor, visit_id)
                except (InvalidInput, Conflict) as refusal:
                    return _note_page(request, login, session, visit_id, status_code=422,
                                      error=f"Your text is saved as a draft, not signed: {refusal.message}")
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


def _evaluation_note(session: SessionDep, login: LoginDep, visit_id: int) -> VisitNote | None:
    """The visit's note if it is an evaluation's or re-evaluation's (whose form this page posts)."""
    note = notes.of_visit(session, login.actor, visit_id)
    return note if note is not None and evaluation_draft.is_evaluation(note.content) else None
