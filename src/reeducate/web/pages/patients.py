"""Patient search and list, registration, and the patient's chart."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.schemas import CoverageCreate, PatientCreate
from reeducate.clinic.services import episodes, patients, scheduling, visits
from reeducate.clinic.vocabulary import PlanKind, Sex
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.templating import render

router = APIRouter()


@router.get("/patients")
def patient_list(request: Request, login: LoginDep, session: SessionDep, q: str = "") -> Response:
    found = patients.search(session, login.actor, q)
    template = "partials/patient_rows.html" if request.headers.get("hx-request") else "pages/patients.html"
    return render(request, template, {"login": login, "patients": found, "q": q})


def _new_form(request: Request, login: LoginDep, values: dict[str, str], error: str = "",
              status_code: int = 200) -> Response:
    return render(request, "pages/patient_new.html", {
        "login": login, "values": values, "error": error, "sexes": list(Sex), "plans": list(PlanKind),
    }, status_code=status_code)


@router.get("/patients/new")
def new_patient_form(request: Request, login: LoginDep, _staff: StaffDep) -> Response:
    return _new_form(request, login, {})


@router.post("/patients/new")
def register_patient(request: Request, login: LoginDep, _staff: StaffDep, session: SessionDep,
                     form: FormDep) -> Response:
    values = form_values(form)
    try:
        coverage = None
        if values.get("payer_name") or values.get("plan_kind") == PlanKind.SELF_PAY.value:
            # The form's text, checked and converted by the schemas.
            coverage = CoverageCreate.model_validate({
                "plan_kind": values.get("plan_kind", ""), "payer_name": values.get("payer_name") or "Self-pay",
                "member_id": values.get("member_id", ""), "claim_number": values.get("claim_number", ""),
            })
        data = PatientCreate.model_validate({
            "first_name": values.get("first_name", ""), "last_name": values.get("last_name", ""),
            "date_of_birth": values.get("date_of_birth", ""), "sex": values.get("sex", ""),
            "phone": values.get("phone", ""), "email": values.get("email") or None, "coverage": coverage,
        })
        patient = patients.create(session, login.actor, data)
    except ValidationError as error:
        return _new_form(request, login, values, first_error(error), 422)
    except (InvalidInput, Conflict) as error:
        return _new_form(request, login, values, error.message, 422)
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


@router.get("/patients/{patient_id}")
def chart(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep,
          session: SessionDep) -> Response:
    """Demographics and insurance for all staff; episodes and visits for clinicians only."""
    patient = patients.get(session, login.actor, patient_id)
    clinical = login.can.see_clinical
    location = scheduling.location_of(session, login.actor, None)
    return render(request, "pages/chart.html", {
        "login": login,
        "patient": patient,
        "clinical": clinical,
        "episodes": episodes.list_for_patient(session, login.actor, patient_id) if clinical else [],
        "visits": visits.for_patient(session, login.actor, patient_id) if clinical else [],
        "appointments": scheduling.for_patient(session, login.actor, patient_id),
        "today": scheduling.local_today(location),
        "tz": location.timezone,
        "booked": request.query_params.get("booked"),
    })


