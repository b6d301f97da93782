"""The patient portal's home: my appointments, my care, and a request for a new time."""

from __future__ import annotations

from datetime import date, datetime, time

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.schemas import AppointmentRequest
from reeducate.clinic.services import episodes, measures, patients, prognosis, scheduling, users, visits
from reeducate.clinic.vocabulary import EpisodeStatus
from reeducate.measures import catalogue
from reeducate.web.deps import LoginDep, PatientDep, SessionDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.templating import render

router = APIRouter()


def _page(request: Request, login: LoginDep, session: SessionDep, values: dict[str, str],
          error: str = "", notice: str = "", status_code: int = 200) -> Response:
    actor = login.actor
    assert actor.patient_id is not None
    location = scheduling.location_of(session, actor, None)
    appointments = scheduling.for_patient(session, actor, actor.patient_id)
    now = utcnow()
    mine = episodes.list_for_patient(session, actor, actor.patient_id)
    return render(request, "pages/portal.html", {
        "login": login,
        "patient": patients.get(session, actor, actor.patient_id),
        "upcoming": [a for a in reversed(appointments) if a.ends_at >= now],
        "episodes": mine,
        "prognoses": {e.id: prognosis.for_episode(session, actor, e.id) for e in mine
                      if e.status is EpisodeStatus.ACTIVE},
        "visits": visits.for_patient(session, actor, actor.patient_id)[:10],
        "clinicians": users.list_clinicians(session, actor),
        "location": location,
        "values": values, "error": error, "notice": notice,
        "today": scheduling.local_today(location),
        "questionnaires": measures.portal_questionnaires(session, actor),
        "instruments": catalogue.instruments(),
    }, status_code=status_code)


@router.get("/portal")
def portal(request: Request, login: LoginDep, _patient: PatientDep, session: SessionDep) -> Response:
    notice = "Your request was sent; the front desk will confirm it." if request.query_params.get("requested") else ""
    if request.query_params.get("filled"):
        notice = "Thank you: your answers are saved for your care team."
    return _page(request, login, session, {"time": "09:00"}, notice=notice)


@router.post("/portal/requests")
def request_time(request: Request, login: LoginDep, _patient: PatientDep, session: SessionDep,
                 form: FormDep) -> Response:
    values = form_values(form)
    try:
        try:
            starts_at = datetime.combine(date.fromisoformat(values.get("date", "")),
                                         time.fromisoformat(values.get("time", "")))
        except ValueError:
            return _page(request, login, session, values, "Give a date and a time (HH:MM).", status_code=422)
        scheduling.request(session, login.actor, AppointmentRequest.model_validate({
            "starts_at": starts_at, "provider_id": values.get("provider_id") or None,
            "reason": values.get("reason", ""),
        }))
    except ValidationError as error:
        return _page(request, login, session, values, first_error(error), status_code=422)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _page(request, login, session, values, error.message, status_code=422)
    return RedirectResponse("/portal?requested=1", status_code=303)


@router.post("/portal/appointments/{appointment_id}/cancel")
def cancel_mine(appointment_id: int, login: LoginDep, _patient: PatientDep, session: SessionDep) -> Response:
    scheduling.cancel(session, login.actor, appointment_id, "cancelled by the patient in the portal")
    return RedirectResponse("/portal", status_code=303)
