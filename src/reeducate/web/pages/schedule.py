"""Today's schedule (front desk and clinicians) and the actions on it: check in, no-show, cancel,
confirm a portal request."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.schemas import AppointmentCancel, AppointmentConfirm
from reeducate.clinic.services import scheduling, users, visits
from reeducate.clinic.vocabulary import AppointmentStatus
from reeducate.web.deps import LoginDep, SessionDep
from reeducate.web.forms import first_error
from reeducate.web.templating import render

router = APIRouter()


@router.get("/schedule")
def schedule_page(request: Request, login: LoginDep, session: SessionDep, day: date | None = None) -> Response:
    location = scheduling.location_of(session, login.actor, None)
    today = scheduling.local_today(location)
    shown = day or today
    appointments = scheduling.schedule(session, login.actor, shown, location_id=location.id)
    return render(request, "pages/schedule.html", {
        "login": login,
        "day": shown,
        "previous": shown - timedelta(days=1),
        "next": shown + timedelta(days=1),
        "is_today": shown == today,
        "location": location,
        "appointments": appointments,
        "active": [a for a in appointments if a.status is not AppointmentStatus.REQUESTED],
        "requests": scheduling.pending_requests(session, login.actor),
        "clinicians": users.list_clinicians(session, login.actor),
        "now": utcnow(),
    })


def _back(day: str) -> RedirectResponse:
    return RedirectResponse(f"/schedule?day={day}" if day else "/schedule", status_code=303)


@router.post("/appointments/{appointment_id}/check-in")
def check_in(appointment_id: int, login: LoginDep, session: SessionDep,
             day: Annotated[str, Form()] = "") -> Response:
    visits.check_in(session, login.actor, appointment_id)
    return _back(day)


@router.post("/appointments/{appointment_id}/no-show")
def no_show(appointment_id: int, login: LoginDep, session: SessionDep,
            day: Annotated[str, Form()] = "") -> Response:
    scheduling.mark_no_show(session, login.actor, appointment_id)
    return _back(day)


@router.post("/appointments/{appointment_id}/cancel")
def cancel(appointment_id: int, login: LoginDep, session: SessionDep,
           day: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "") -> Response:
    try:
        data = AppointmentCancel(reason=reason)
    except ValidationError as error:
        raise InvalidInput(first_error(error), field="reason") from None
    scheduling.cancel(session, login.actor, appointment_id, data.reason)
    return _back(day)


@router.post("/appointments/{appointment_id}/confirm")
def confirm(appointment_id: int, login: LoginDep, session: SessionDep,
            provider_id: Annotated[int | None, Form()] = None,
            day: Annotated[str, Form()] = "") -> Response:
    scheduling.confirm(session, login.actor, appointment_id, AppointmentConfirm(provider_id=provider_id))
    return _back(day)
