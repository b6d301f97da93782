"""Patient search and list, registration, the edit of a patient's details, and the patient's chart."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.models import Patient
from reeducate.clinic.schemas import PatientCreate, PatientUpdate
from reeducate.clinic.services import episodes, patients, plan_of_care, scheduling, visits
from reeducate.clinic.vocabulary import PlanKind, Sex, SubscriberRelationship
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.patient_forms import PATIENT_FIELDS, SECONDARY, coverage_input, patient_input
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
        "login": login, "values": values, "error": error, **choices(),
    }, status_code=status_code)


def choices() -> dict[str, Any]:
    """The lists the patient and coverage forms choose from."""
    return {"sexes": list(Sex), "plans": list(PlanKind), "relationships": list(SubscriberRelationship),
            "secondary": SECONDARY}


@router.get("/patients/new")
def new_patient_form(request: Request, login: LoginDep, _staff: StaffDep) -> Response:
    return _new_form(request, login, {})


@router.post("/patients/new")
def register_patient(request: Request, login: LoginDep, _staff: StaffDep, session: SessionDep,
                     form: FormDep) -> Response:
    values = form_values(form)
    try:
        data = PatientCreate.model_validate({
            **patient_input(values), "coverage": coverage_input(values),
            "secondary_coverage": coverage_input(values, SECONDARY),
        })
        patient = patients.create(session, login.actor, data)
    except ValidationError as error:
        return _new_form(request, login, values, _payer(error) + first_error(error), 422)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _new_form(request, login, values, error.message, 422)
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


def _edit_form(request: Request, login: LoginDep, patient: Patient, values: dict[str, Any], error: str = "",
               status_code: int = 200) -> Response:
    return render(request, "pages/patient_edit.html", {
        "login": login, "patient": patient, "values": values, "error": error, **choices(),
    }, status_code=status_code)


@router.get("/patients/{patient_id}/edit")
def edit_patient_form(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep,
                      session: SessionDep) -> Response:
    patient = patients.for_edit(session, login.actor, patient_id)
    values = {name: getattr(patient, name) for name in PATIENT_FIELDS}
    return _edit_form(request, login, patient, {**values, "date_of_birth": patient.date_of_birth.isoformat(),
                                                "sex": patient.sex.value})


@router.post("/patients/{patient_id}/edit")
def edit_patient(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                 form: FormDep) -> Response:
    values = form_values(form)
    try:
        patients.update(session, login.actor, patient_id, PatientUpdate.model_validate(patient_input(values)))
    except ValidationError as error:
        message = first_error(error)
    except InvalidInput as error:
        message = error.message
    else:
        return RedirectResponse(f"/patients/{patient_id}?saved=details", status_code=303)
    session.rollback()  # nothing of a refused edit is kept
    return _edit_form(request, login, patients.for_edit(session, login.actor, patient_id), values, message, 422)


def _payer(error: ValidationError) -> str:
    """Which payer a registration's problem is about, if it is about one."""
    where = error.errors()[0]["loc"]
    return {"coverage": "Primary payer, ", "secondary_coverage": "Secondary payer, "}.get(str(where[0]) if where else "", "")


SAVED = {"details": "Patient details saved.", "coverage": "Insurance saved.", "ended": "Coverage ended."}
"""The notice the chart shows after a change (?saved=...)."""


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
        "dues": [(d, plan_of_care.certification_lines(d))
                 for d in plan_of_care.dues_of_patient(session, login.actor, patient_id)],
        "plan_rules": plan_of_care.RULES,
        "today": scheduling.local_today(location),
        "booked": request.query_params.get("booked"),
        "saved": SAVED.get(request.query_params.get("saved", "")),
    })


