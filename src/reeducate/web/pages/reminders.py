"""Exercise reminders: the patient's choice in the portal, and the e-mail's unsubscribe link.

The unsubscribe page needs no log-in (the link's token is its secret) and stops nothing on a GET: mail
scanners open links, so the page asks, and a button (a POST) does it. A mail program's one-click
unsubscribe (RFC 8058) posts to the same address.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reeducate.clinic.services import reminders
from reeducate.web.deps import LoginDep, PatientDep, SessionDep, SettingsDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.templating import render

router = APIRouter()
#: The form's labels for the fields a refusal names ("At local" is the schema's name for the time).
FIELD_LABELS = {"At local": "Time", "Email": "E-mail"}


def _page(request: Request, login: LoginDep, session: SessionDep, settings: SettingsDep,
          values: dict[str, str] | None = None, error: str = "", notice: str = "", status_code: int = 200) -> Response:
    state = reminders.state(session, login.actor)
    if values is None:
        choice = state.choice
        values = {"enabled": "on" if choice.enabled else "off", "email": choice.email, "at_local": choice.at_local,
                  "name_exercises": "on" if choice.name_exercises else ""}
    return render(request, "pages/reminders.html", {
        "login": login, "state": state, "values": values, "error": error, "notice": notice,
        "sends_email": settings.sends_email,
    }, status_code=status_code)


@router.get("/portal/reminders")
def reminder_page(request: Request, login: LoginDep, _patient: PatientDep, session: SessionDep,
                  settings: SettingsDep) -> Response:
    notice = ""
    if request.query_params.get("saved") == "on":
        notice = "Saved. We will e-mail you on your exercise days."
    elif request.query_params.get("saved") == "off":
        notice = "Saved. You will get no reminder e-mails."
    return _page(request, login, session, settings, notice=notice)


@router.post("/portal/reminders")
def choose_reminder(request: Request, login: LoginDep, _patient: PatientDep, session: SessionDep,
                    settings: SettingsDep, form: FormDep) -> Response:
    values = form_values(form)
    try:
        choice = reminders.ReminderChoice.model_validate({
            "enabled": values.get("enabled") == "on", "email": values.get("email", ""),
            "at_local": values.get("at_local", ""), "name_exercises": values.get("name_exercises") == "on"})
    except ValidationError as error:
        field, _, why = first_error(error).partition(": ")
        return _page(request, login, session, settings, values, f"{FIELD_LABELS.get(field, field)}: {why}",
                     status_code=422)
    reminders.choose(session, login.actor, choice)
    return RedirectResponse(f"/portal/reminders?saved={'on' if choice.enabled else 'off'}", status_code=303)


@router.get("/reminders/unsubscribe/{token}")
def unsubscribe_page(request: Request, token: str, session: SessionDep) -> Response:
    reminder = reminders.by_token(session, token)
    return render(request, "pages/unsubscribe.html", {
        "login": None, "token": token, "done": reminder.unsubscribed_at is not None,
        "clinic_name": reminder.patient.clinic.name,
    })


@router.post("/reminders/unsubscribe/{token}")
def unsubscribe(request: Request, token: str, session: SessionDep) -> Response:
    reminder = reminders.unsubscribe(session, token)
    return render(request, "pages/unsubscribe.html", {
        "login": None, "token": token, "done": True, "clinic_name": reminder.patient.clinic.name,
    })
