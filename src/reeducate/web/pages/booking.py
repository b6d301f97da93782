"""Booking (staff): pick the patient (search by name, MRN or date of birth), then one appointment or a
recurring series, with clear refusals; a series with conflicts is shown date by date for the desk to
book the free dates or change it."""

from __future__ import annotations

from datetime import date, datetime, time

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.schemas import AppointmentBook, AppointmentSeriesBook
from reeducate.clinic.services import patients, scheduling, series, users
from reeducate.clinic.vocabulary import AppointmentKind
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.templating import render

router = APIRouter()


def _form(request: Request, login: LoginDep, session: SessionDep, values: dict[str, str], weekdays: list[str],
          error: str = "", status_code: int = 200, q: str = "") -> Response:
    location = scheduling.location_of(session, login.actor, None)
    patient = None
    if values.get("patient_id", "").isdecimal():
        patient = patients.get(session, login.actor, int(values["patient_id"]))
    return render(request, "pages/book.html", {
        "login": login, "values": values, "weekdays": weekdays, "error": error, "patient": patient,
        "location": location, "clinicians": users.list_clinicians(session, login.actor),
        "kinds": list(AppointmentKind), "today": scheduling.local_today(location), "day_names": series.SHORT_DAYS,
        "q": q, "found": patients.search(session, login.actor, q) if q and patient is None else [],
    }, status_code=status_code)


@router.get("/appointments/new")
def booking_form(request: Request, login: LoginDep, _staff: StaffDep, session: SessionDep, patient_id: str = "",
                 day: str = "", q: str = "") -> Response:
    if request.headers.get("hx-request") and "q" in request.query_params:  # the picker's live search
        return render(request, "partials/patient_picker.html", {
            "login": login, "q": q, "day": day, "found": patients.search(session, login.actor, q) if q else []})
    values = {"patient_id": patient_id, "date": day, "time": "09:00", "duration_min": "45",
              "kind": AppointmentKind.TREATMENT.value}
    return _form(request, login, session, values, [], q=q)


def _starts(values: dict[str, str]) -> tuple[date, time]:
    """The form's date and time; ValueError if either is missing or malformed."""
    return date.fromisoformat(values.get("date", "")), time.fromisoformat(values.get("time", ""))


def _book_series(request: Request, login: LoginDep, session: SessionDep, values: dict[str, str],
                 weekdays: list[str], first_day: date, at: time) -> Response:
    location = scheduling.location_of(session, login.actor, None)
    data = AppointmentSeriesBook.model_validate({  # the form's text, checked and converted by the schema
        "patient_id": values.get("patient_id", ""), "provider_id": values.get("provider_id", ""),
        "location_id": location.id, "room_id": values.get("room_id") or None, "first_day": first_day, "at": at,
        "weekdays": weekdays, "weeks": values.get("weeks") or None, "until": values.get("until") or None,
        "duration_min": values.get("duration_min") or 45,
        "kind": values.get("kind") or AppointmentKind.TREATMENT.value, "reason": values.get("reason", ""),
    })
    outcome = series.book_series(session, login.actor, data, free_only=values.get("action") == "book_free")
    if outcome.series is None:
        session.rollback()  # nothing of the refused series is kept
    elif not outcome.conflicts:
        booked = outcome.occurrences[0].appointment
        return RedirectResponse(f"/patients/{booked.patient_id}?booked={booked.id}", status_code=303)
    return render(request, "pages/series_review.html", {  # each date: booked, free or refused, and why
        "login": login, "outcome": outcome, "values": values, "weekdays": weekdays, "location": location,
        "pattern": series.pattern(data),
    }, status_code=200 if outcome.series else 409)


@router.post("/appointments/new")
def book(request: Request, login: LoginDep, _staff: StaffDep, session: SessionDep, form: FormDep) -> Response:
    values = form_values(form)
    weekdays = [str(d) for d in form.getlist("weekday")]
    if values.get("action") == "change":
        return _form(request, login, session, values, weekdays)
    try:
        try:
            first_day, at = _starts(values)
        except ValueError:
            return _form(request, login, session, values, weekdays,
                         "Date and time: give a date and a time (HH:MM).", 422)
        if weekdays:
            return _book_series(request, login, session, values, weekdays, first_day, at)
        location = scheduling.location_of(session, login.actor, None)
        data = AppointmentBook.model_validate({  # the form's text, checked and converted by the schema
            "patient_id": values.get("patient_id", ""), "provider_id": values.get("provider_id", ""),
            "location_id": location.id, "room_id": values.get("room_id") or None,
            "starts_at": datetime.combine(first_day, at), "duration_min": values.get("duration_min") or 45,
            "kind": values.get("kind") or AppointmentKind.TREATMENT.value, "reason": values.get("reason", ""),
        })
        appointment = scheduling.book(session, login.actor, data)
    except ValidationError as error:
        return _form(request, login, session, values, weekdays, first_error(error), 422)
    except (InvalidInput, Conflict) as error:
        session.rollback()  # nothing of the refused booking is kept
        return _form(request, login, session, values, weekdays, error.message,
                     409 if isinstance(error, Conflict) else 422)
    return RedirectResponse(f"/patients/{appointment.patient_id}?booked={appointment.id}", status_code=303)
