"""The schedule (front desk and clinicians): a day or week grid per provider or per room with the day's
list and its actions (check in, confirm a portal request), and the confirmation pages of a
cancellation and a no-show, each with its required reason."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reeducate.clinic.db import utcnow
from reeducate.clinic.models import Appointment, Location
from reeducate.clinic.schemas import AppointmentCancel, AppointmentConfirm, AppointmentNoShow
from reeducate.clinic.services import plan_of_care, scheduling, users, visits
from reeducate.clinic.vocabulary import AppointmentStatus
from reeducate.web import schedule_grid
from reeducate.web.deps import LoginDep, SessionDep
from reeducate.web.forms import first_error
from reeducate.web.templating import render

router = APIRouter()

View = Literal["day", "week"]
By = Literal["provider", "room"]


def _shown_days(location: Location, day: date, view: View, appointments: list[Appointment]) -> list[date]:
    """The day, or the days of its week (Monday first) on which the location opens or has appointments."""
    if view == "day":
        return [day]
    monday = day - timedelta(days=day.weekday())
    open_weekdays = {h.weekday for h in location.opening_hours}
    busy = {scheduling.local_day(a.starts_at, location) for a in appointments}
    week = [monday + timedelta(days=n) for n in range(7)]
    return [d for d in week if d.weekday() in open_weekdays or d in busy]


@router.get("/schedule")
def schedule_page(request: Request, login: LoginDep, session: SessionDep, day: date | None = None,
                  view: View = "day", by: By = "provider", provider_id: int | None = None,
                  room_id: int | None = None) -> Response:
    location = scheduling.location_of(session, login.actor, None)
    today = scheduling.local_today(location)
    shown = day or today
    first = shown - timedelta(days=shown.weekday()) if view == "week" else shown
    appointments = scheduling.schedule(session, login.actor, first, days=7 if view == "week" else 1,
                                       location_id=location.id, provider_id=provider_id, room_id=room_id)
    clinicians = users.list_clinicians(session, login.actor)
    if by == "room":
        resources: list[tuple[int | None, str]] = [(r.id, r.name) for r in location.rooms
                                                   if room_id in (None, r.id)]
        if room_id is None and any(a.room_id is None for a in appointments):
            resources.append((None, "No room"))
    else:
        resources = [(c.id, c.display_name) for c in clinicians if provider_id in (None, c.id)]
    days = _shown_days(location, first, view, appointments)
    step = timedelta(days=7 if view == "week" else 1)
    filters = {"view": view, "by": by, "provider_id": provider_id, "room_id": room_id}

    def url(on: date | None) -> str:
        query = {k: v for k, v in {"day": on.isoformat() if on else None, **filters}.items() if v is not None}
        return "/schedule?" + urlencode(query)

    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return render(request, "pages/schedule.html", {
        "login": login, "day": shown, "here": here, "view": view, "by": by, "provider_id": provider_id, "room_id": room_id,
        "days": days, "location": location, "today": today,
        "previous": url(shown - step), "next": url(shown + step), "today_url": url(None),
        "is_current": (first <= today < first + step),
        "grid": schedule_grid.build(location, days, resources, appointments, by_room=by == "room"),
        "active": [a for a in appointments if a.status is not AppointmentStatus.REQUESTED],
        "requests": scheduling.pending_requests(session, login.actor),
        "clinicians": clinicians, "now": utcnow(),
        "visit_of": visits.of_appointments(session, login.actor, appointments),
        "dues_of": plan_of_care.schedule_badges(session, login.actor, appointments),
    })


RETURNS_TO = ("/schedule", "/patients/")
"""Where an action may send the browser back to (the page it was started from); anything else, such as
another site, goes to the schedule."""


def _back(back: str) -> RedirectResponse:
    return RedirectResponse(back if back.startswith(RETURNS_TO) else "/schedule", status_code=303)


@router.post("/appointments/{appointment_id}/check-in")
def check_in(appointment_id: int, login: LoginDep, session: SessionDep,
             back: Annotated[str, Form()] = "") -> Response:
    visits.check_in(session, login.actor, appointment_id)
    return _back(back)


def _confirmation(request: Request, login: LoginDep, session: SessionDep, appointment: Appointment, action: str,
                  back: str, values: dict[str, str], error: str = "", status_code: int = 200) -> Response:
    return render(request, "pages/appointment_confirm.html", {
        "login": login, "a": appointment, "action": action, "values": values, "error": error,
        "back": back if back.startswith(RETURNS_TO) else "/schedule",
        "late": action == "cancel" and scheduling.is_late_cancellation(appointment, utcnow()),
        "notice_h": int(scheduling.LATE_CANCEL_NOTICE.total_seconds() // 3600),
        "later": scheduling.later_in_series(session, appointment) if action == "cancel" else [],
    }, status_code=status_code)


def _reason_error(error: ValidationError, reason: str) -> str:
    if reason.strip():
        return first_error(error)
    return "Reason: give the reason in plain words; it is kept on the appointment and the patient sees it."


@router.get("/appointments/{appointment_id}/cancel")
def cancel_form(request: Request, appointment_id: int, login: LoginDep, session: SessionDep,
                back: str = "") -> Response:
    appointment = scheduling.to_cancel(session, login.actor, appointment_id)
    return _confirmation(request, login, session, appointment, "cancel", back, {})


@router.post("/appointments/{appointment_id}/cancel")
def cancel(request: Request, appointment_id: int, login: LoginDep, session: SessionDep,
           back: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
           rest_of_series: Annotated[str, Form()] = "") -> Response:
    try:
        data = AppointmentCancel(reason=reason, rest_of_series=rest_of_series == "yes")
    except ValidationError as error:
        appointment = scheduling.to_cancel(session, login.actor, appointment_id)
        return _confirmation(request, login, session, appointment, "cancel", back,
                             {"reason": reason, "rest_of_series": rest_of_series}, _reason_error(error, reason), 422)
    scheduling.cancel(session, login.actor, appointment_id, data.reason, rest_of_series=data.rest_of_series)
    if login.can.use_portal:
        return RedirectResponse("/portal", status_code=303)
    return _back(back)


@router.get("/appointments/{appointment_id}/no-show")
def no_show_form(request: Request, appointment_id: int, login: LoginDep, session: SessionDep,
                 back: str = "") -> Response:
    appointment = scheduling.to_mark_no_show(session, login.actor, appointment_id)
    return _confirmation(request, login, session, appointment, "no-show", back, {})


@router.post("/appointments/{appointment_id}/no-show")
def no_show(request: Request, appointment_id: int, login: LoginDep, session: SessionDep,
            back: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "") -> Response:
    try:
        data = AppointmentNoShow(reason=reason)
    except ValidationError as error:
        appointment = scheduling.to_mark_no_show(session, login.actor, appointment_id)
        return _confirmation(request, login, session, appointment, "no-show", back, {"reason": reason},
                             _reason_error(error, reason), 422)
    scheduling.mark_no_show(session, login.actor, appointment_id, data.reason)
    return _back(back)


@router.post("/appointments/{appointment_id}/confirm")
def confirm(appointment_id: int, login: LoginDep, session: SessionDep,
            provider_id: Annotated[int | None, Form()] = None,
            back: Annotated[str, Form()] = "") -> Response:
    scheduling.confirm(session, login.actor, appointment_id, AppointmentConfirm(provider_id=provider_id))
    return _back(back)
