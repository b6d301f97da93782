"""Booking an appointment (staff): patient, clinician, room, date and time, with clear refusals."""

from __future__ import annotations

from datetime import date, datetime, time

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.schemas import AppointmentBook
from reeducate.clinic.services import patients, scheduling, users
from reeducate.clinic.vocabulary import AppointmentKind
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.templating import render

router = APIRouter()


def _form(request: Request, login: LoginDep, session: SessionDep, values: dict[str, str],
          error: str = "", status_code: int = 200) -> Response:
    location = scheduling.location_of(session, login.actor, None)
    patient = None
    if values.get("patient_id", "").isdecimal():
        patient = patients.get(session, login.actor, int(values["patient_id"]))
    return render(request, "pages/book.html", {
        "login": login, "values": values, "error": error, "patient": patient, "location": location,
        "clinicians": users.list_clinicians(session, login.actor), "kinds": list(AppointmentKind),
        "today": scheduling.local_today(location),
    }, status_code=status_code)


@router.get("/appointments/new")
def booking_form(request: Request, login: LoginDep, _staff: StaffDep, session: SessionDep, patient_id: str = "",
                 day: str = "") -> Response:
    values = {"patient_id": patient_id, "date": day, "time": "09:00", "duration_min": "45",
              "kind": AppointmentKind.TREATMENT.value}
    return _form(request, login, session, values)


@router.post("/appointments/new")
def book(request: Request, login: LoginDep, _staff: StaffDep, session: SessionDep, form: FormDep) -> Response:
    values = form_values(form)
    try:
        location = scheduling.location_of(session, login.actor, None)
        try:
            starts_at = datetime.combine(date.fromisoformat(values.get("date", "")),
                                         time.fromisoformat(values.get("time", "")))
        except ValueError:
            return _form(request, login, session, values, "Date and time: give a date and a time (HH:MM).", 422)
        data = AppointmentBook.model_validate({  # the form's text, checked and converted by the schema
            "patient_id": values.get("patient_id", ""), "provider_id": values.get("provider_id", ""),
            "location_id": location.id, "room_id": values.get("room_id") or None,
            "starts_at": starts_at, "duration_min": values.get("duration_min") or 45,
            "kind": values.get("kind") or AppointmentKind.TREATMENT.value, "reason": values.get("reason", ""),
        })
        appointment = scheduling.book(session, login.actor, data)
    except ValidationError as error:
        return _form(request, login, session, values, first_error(error), 422)
    except (InvalidInput, Conflict) as error:
        session.rollback()  # nothing of the refused booking is kept
        return _form(request, login, session, values, error.message,
                     409 if isinstance(error, Conflict) else 422)
    return RedirectResponse(f"/patients/{appointment.patient_id}?booked={appointment.id}", status_code=303)
