"""A patient's insurance pages: add a coverage, correct one, end one (after a confirmation with the
reason), and check its eligibility: the 270 to send through the clinic's clearinghouse, and the
payer's 271 answer read onto the coverage."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from reeducate.billing.x12.eligibility import PERIODS
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.models import Coverage, Patient
from reeducate.clinic.schemas import CoverageCreate, CoverageUpdate
from reeducate.clinic.services import billing, coverages, patients
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.pages.patients import choices
from reeducate.web.patient_forms import COVERAGE_FIELDS, coverage_input
from reeducate.web.templating import money, render

router = APIRouter()
MAX_271_BYTES = 1_000_000
"""A payer's answer about one member is a few kilobytes; a larger file is not one."""


def _form(request: Request, login: LoginDep, patient: Patient, values: dict[str, Any], *,
          coverage: Coverage | None = None, error: str = "", status_code: int = 200) -> Response:
    active = {c.priority: c for c in patient.coverages if c.is_active}
    return render(request, "pages/coverage_form.html", {
        "login": login, "patient": patient, "coverage": coverage, "values": values, "error": error,
        "current_primary": active.get(coverages.PRIMARY), "current_secondary": active.get(coverages.SECONDARY),
        **choices(),
    }, status_code=status_code)


@router.get("/patients/{patient_id}/coverages/new")
def new_coverage_form(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                      priority: int = coverages.PRIMARY) -> Response:
    patient = patients.for_edit(session, login.actor, patient_id)
    chosen = coverages.SECONDARY if priority == coverages.SECONDARY else coverages.PRIMARY
    return _form(request, login, patient, {"priority": str(chosen), "previous_primary": "inactive"})


@router.post("/patients/{patient_id}/coverages/new")
def add_coverage(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                 form: FormDep) -> Response:
    values = form_values(form)
    try:
        data = CoverageCreate.model_validate({
            **(coverage_input(values) or {"plan_kind": values.get("plan_kind", ""), "payer_name": ""}),
            "priority": values.get("priority", ""), "previous_primary": values.get("previous_primary") or "inactive",
        })
        patients.add_coverage(session, login.actor, patient_id, data)
    except ValidationError as error:
        message = first_error(error)
    except InvalidInput as error:
        message = error.message
    else:
        return RedirectResponse(f"/patients/{patient_id}?saved=coverage", status_code=303)
    session.rollback()
    return _form(request, login, patients.for_edit(session, login.actor, patient_id), values, error=message,
                 status_code=422)


@router.get("/coverages/{coverage_id}/edit")
def edit_coverage_form(request: Request, coverage_id: int, login: LoginDep, _staff: StaffDep,
                       session: SessionDep) -> Response:
    coverage = coverages.get(session, login.actor, coverage_id)
    values = {name: getattr(coverage, name) for name in COVERAGE_FIELDS}
    values = {name: getattr(value, "value", value) for name, value in values.items()}
    if coverage.subscriber_date_of_birth:
        values["subscriber_date_of_birth"] = coverage.subscriber_date_of_birth.isoformat()
    return _form(request, login, coverage.patient, values, coverage=coverage)


@router.post("/coverages/{coverage_id}/edit")
def edit_coverage(request: Request, coverage_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                  form: FormDep) -> Response:
    values = form_values(form)
    try:
        data = CoverageUpdate.model_validate(coverage_input(values) or {"payer_name": ""})
        coverage = coverages.update(session, login.actor, coverage_id, data)
    except ValidationError as error:
        message = first_error(error)
    except InvalidInput as error:
        message = error.message
    else:
        return RedirectResponse(f"/patients/{coverage.patient_id}?saved=coverage", status_code=303)
    session.rollback()
    coverage = coverages.get(session, login.actor, coverage_id)
    return _form(request, login, coverage.patient, values, coverage=coverage, error=message, status_code=422)


def _end_page(request: Request, login: LoginDep, coverage: Coverage, reason: str = "", error: str = "",
              status_code: int = 200) -> Response:
    return render(request, "pages/coverage_end.html", {
        "login": login, "coverage": coverage, "patient": coverage.patient, "reason": reason, "error": error,
        "successor": coverages.next_payer(coverage),
    }, status_code=status_code)


@router.get("/coverages/{coverage_id}/deactivate")
def end_coverage_form(request: Request, coverage_id: int, login: LoginDep, _staff: StaffDep,
                      session: SessionDep) -> Response:
    """The confirmation: what ends, and a required reason."""
    return _end_page(request, login, coverages.get(session, login.actor, coverage_id))


@router.post("/coverages/{coverage_id}/deactivate")
def end_coverage(request: Request, coverage_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                 form: FormDep) -> Response:
    reason = str(form.get("reason") or "")
    try:
        coverage = coverages.deactivate(session, login.actor, coverage_id, reason)
    except InvalidInput as error:
        session.rollback()
        return _end_page(request, login, coverages.get(session, login.actor, coverage_id), reason, error.message,
                         422)
    return RedirectResponse(f"/patients/{coverage.patient_id}?saved=ended", status_code=303)


def _percent(text: str) -> str:
    """A 271 percent (a fraction, EB08 ".2") as people read it ("20 %")."""
    try:
        return f"{(Decimal(text) * 100).normalize():f} %"
    except InvalidOperation:
        return text


def _amount(text: str) -> str:
    """A 271 amount (EB07, dollars) as people read money ("$1,500.00")."""
    try:
        return money(Decimal(text))
    except InvalidOperation:
        return f"${text}"


def benefit_rows(answer: dict[str, Any]) -> list[dict[str, str]]:
    """The 271's benefits as the page's table shows them: what, for which services, how much, per what."""
    return [{
        "what": benefit["kind_label"], "services": ", ".join(benefit["service_types"]) or "—",
        "value": " ".join(filter(None, [_amount(benefit["amount"]) if benefit["amount"] else "",
                                        _percent(benefit["percent"]) if benefit["percent"] else ""])),
        "period": PERIODS.get(benefit["period"], benefit["period"]), "plan": benefit["plan"],
        "messages": " ".join(benefit["messages"]),
    } for benefit in answer.get("benefits", [])]


def _eligibility_page(request: Request, login: LoginDep, session: SessionDep, coverage: Coverage, error: str = "",
                      status_code: int = 200) -> Response:
    answer = coverage.eligibility or {}
    return render(request, "pages/coverage_eligibility.html", {
        "login": login, "coverage": coverage, "patient": coverage.patient, "answer": answer,
        "benefits": benefit_rows(answer), "error": error, "read": request.query_params.get("read"),
    }, status_code=status_code)


@router.get("/coverages/{coverage_id}/eligibility")
def eligibility_page(request: Request, coverage_id: int, login: LoginDep, _staff: StaffDep,
                     session: SessionDep) -> Response:
    return _eligibility_page(request, login, session, coverages.get(session, login.actor, coverage_id, for_billing=True))


@router.get("/coverages/{coverage_id}/eligibility/270")
def eligibility_request(coverage_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    """The 270 as a file to hand to the clearinghouse."""
    text = billing.eligibility_request(session, login.actor, coverage_id)
    return Response(text, media_type="application/edi-x12", headers={
        "Content-Disposition": f'attachment; filename="eligibility-270-{coverage_id}.x12"',
        "Cache-Control": "private, no-store"})


@router.post("/coverages/{coverage_id}/eligibility")
def eligibility_answer(request: Request, coverage_id: int, login: LoginDep, _staff: StaffDep,
                       session: SessionDep, form: FormDep) -> Response:
    """The payer's 271, uploaded as a file or pasted, read onto the coverage."""
    upload, pasted = form.get("file"), str(form.get("x12") or "")
    # the form is already read (spooled); reading its file here, in the thread pool, blocks no one
    content = upload.file.read(MAX_271_BYTES + 1) if isinstance(upload, UploadFile) and upload.filename else b""
    message = _apply_271(session, login, coverage_id, content, pasted)
    if not message:
        return RedirectResponse(f"/coverages/{coverage_id}/eligibility?read=1", status_code=303)
    session.rollback()
    return _eligibility_page(request, login, session, coverages.get(session, login.actor, coverage_id, for_billing=True),
                             message, 422)


def _apply_271(session: SessionDep, login: LoginDep, coverage_id: int, content: bytes, pasted: str) -> str:
    """Read the 271 onto the coverage; the refusal's words, or "" when it was read."""
    if len(content) > MAX_271_BYTES or len(pasted) > MAX_271_BYTES:
        return "The file is larger than a payer's answer about one member (1 MB); upload the 271 alone."
    try:
        text = content.decode("utf-8") if content else pasted
    except UnicodeDecodeError:
        return "The file is not text: upload the 271 as the clearinghouse sent it (an X12 text file)."
    if not text.strip():
        return "Choose the 271 file the clearinghouse sent back, or paste its text."
    try:
        billing.apply_eligibility_response(session, login.actor, coverage_id, text)
    except InvalidInput as error:
        return error.message
    return ""
