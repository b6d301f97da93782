"""The administrator's pages: staff accounts, the clinic's settings and fee schedule, locations with
their rooms and opening hours, and the audit log (filtered, paginated, exported as CSV).

Every route reads the form and calls a service in ``clinic.services`` (users, organisation, audit),
which refuses anyone but an administrator; a refused input re-shows its form with the values (422)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reeducate.billing.codes import catalogue
from reeducate.clinic import permissions
from reeducate.clinic.access import require_role
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.schemas import MAX_ID, ClinicSettingsUpdate, LocationInput, StaffCreate, StaffUpdate
from reeducate.clinic.services import audit, organisation, scheduling, users
from reeducate.clinic.vocabulary import STAFF, AuditAction, Role
from reeducate.web.deps import LoginDep, SessionDep, SettingsDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.templating import render

router = APIRouter(prefix="/admin")
HOUR_ROWS = 3
"""Opening intervals a weekday's row offers (blank ones are ignored)."""


def _see_other(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def _attempt(action: Callable[[], object]) -> str:
    """Run ``action``; the reason it was refused, or "" if it was done."""
    try:
        action()
    except ValidationError as error:
        return first_error(error)
    except (InvalidInput, Conflict) as error:
        return error.message
    return ""


@router.get("")
def home(request: Request, login: LoginDep, settings: SettingsDep) -> Response:
    require_role(login.actor, permissions.ADMINISTER, "administer the clinic")
    return render(request, "pages/admin_home.html", {"login": login, "settings": settings})


# --- users ------------------------------------------------------------------------------------------


def _users_page(request: Request, login: LoginDep, session: SessionDep, values: dict[str, str] | None = None,
                error: str = "", status_code: int = 200) -> Response:
    return render(request, "pages/admin_users.html", {
        "login": login, "accounts": users.list_staff(session, login.actor), "roles": sorted(STAFF),
        "values": values or {"role": Role.PHYSICAL_THERAPIST.value}, "error": error,
        "done": request.query_params.get("done"),
    }, status_code=status_code)


@router.get("/users")
def users_page(request: Request, login: LoginDep, session: SessionDep) -> Response:
    return _users_page(request, login, session)


@router.post("/users")
def create_user(request: Request, login: LoginDep, session: SessionDep, form: FormDep) -> Response:
    values = form_values(form)
    error = _attempt(lambda: users.create_staff(session, login.actor, StaffCreate.model_validate(values)))
    if error:
        session.rollback()
        return _users_page(request, login, session, {**values, "password": ""}, error, 422)
    return _see_other("/admin/users?done=created")


def _user_page(request: Request, login: LoginDep, session: SessionDep, user_id: int,
               values: dict[str, str] | None = None, error: str = "", status_code: int = 200) -> Response:
    account = users.get_staff(session, login.actor, user_id)
    return render(request, "pages/admin_user.html", {
        "login": login, "account": account, "roles": sorted(STAFF), "error": error,
        "values": values or {"full_name": account.full_name, "role": account.role.value,
                             "credentials": account.credentials, "npi": account.npi or ""},
        "is_self": account.id == login.user.id, "done": request.query_params.get("done"),
    }, status_code=status_code)


@router.get("/users/{user_id}")
def user_page(request: Request, user_id: int, login: LoginDep, session: SessionDep) -> Response:
    return _user_page(request, login, session, user_id)


@router.post("/users/{user_id}")
def update_user(request: Request, user_id: int, login: LoginDep, session: SessionDep, form: FormDep) -> Response:
    values = form_values(form)
    error = _attempt(lambda: users.update_staff(session, login.actor, user_id, StaffUpdate.model_validate(values)))
    if error:
        session.rollback()
        return _user_page(request, login, session, user_id, values, error, 422)
    return _see_other(f"/admin/users/{user_id}?done=saved")


@router.post("/users/{user_id}/active")
def set_active(request: Request, user_id: int, login: LoginDep, session: SessionDep, form: FormDep) -> Response:
    active = form.get("active") == "yes"
    reason = str(form.get("reason") or "")
    error = _attempt(lambda: users.set_active(session, login.actor, user_id, active=active, reason=reason))
    if error:
        session.rollback()
        return _user_page(request, login, session, user_id, error=error, status_code=422)
    return _see_other(f"/admin/users/{user_id}?done={'reactivated' if active else 'deactivated'}")


@router.post("/users/{user_id}/password")
def reset_password(request: Request, user_id: int, login: LoginDep, session: SessionDep, form: FormDep) -> Response:
    password = str(form.get("password") or "")
    error = _attempt(lambda: users.reset_password(session, login.actor, user_id, password))
    if error:
        session.rollback()
        return _user_page(request, login, session, user_id, error=error, status_code=422)
    return _see_other(f"/admin/users/{user_id}?done=password")


# --- the clinic's settings and fee schedule ---------------------------------------------------------


def _clinic_page(request: Request, login: LoginDep, session: SessionDep, *, values: dict[str, str] | None = None,
                 fees: dict[str, str] | None = None, error: str = "", status_code: int = 200) -> Response:
    clinic = organisation.settings_of(session, login.actor)
    current = {name: getattr(clinic, name) for name in organisation.CLINIC_FIELDS}
    return render(request, "pages/admin_clinic.html", {
        "login": login, "clinic": clinic, "error": error, "done": request.query_params.get("done"),
        "values": values or {k: ("on" if v is True else "" if v is False else v) for k, v in current.items()},
        "fees": fees if fees is not None else dict(clinic.fee_schedule or {}), "codes": catalogue().values(),
    }, status_code=status_code)


@router.get("/clinic")
def clinic_page(request: Request, login: LoginDep, session: SessionDep) -> Response:
    return _clinic_page(request, login, session)


@router.post("/clinic")
def update_clinic(request: Request, login: LoginDep, session: SessionDep, form: FormDep) -> Response:
    values = form_values(form)
    data = {**values, "pta_notes_need_cosignature": values.get("pta_notes_need_cosignature") == "on"}
    error = _attempt(lambda: organisation.update_settings(session, login.actor, ClinicSettingsUpdate.model_validate(data)))
    if error:
        session.rollback()
        return _clinic_page(request, login, session, values=values, error=error, status_code=422)
    return _see_other("/admin/clinic?done=settings")


@router.post("/fees")
def update_fees(request: Request, login: LoginDep, session: SessionDep, form: FormDep) -> Response:
    """The fee schedule's form: one field ``fee-<code>`` per catalogue code; an empty one charges nothing."""
    fees = {key.removeprefix("fee-"): value.strip() for key, value in form_values(form).items()
            if key.startswith("fee-")}

    def save() -> None:
        amounts: dict[str, Decimal] = {}
        for number, text in fees.items():
            amount = organisation.parse_fee(text, number)
            if amount is not None:
                amounts[number] = amount
        organisation.set_fee_schedule(session, login.actor, amounts)

    error = _attempt(save)
    if error:
        session.rollback()
        return _clinic_page(request, login, session, fees=fees, error=error, status_code=422)
    return _see_other("/admin/clinic?done=fees#fees")


# --- locations, rooms, opening hours -------------------------------------------------------------------


def _locations_page(request: Request, login: LoginDep, session: SessionDep, values: dict[str, str] | None = None,
                    error: str = "", status_code: int = 200) -> Response:
    return render(request, "pages/admin_locations.html", {
        "login": login, "locations": organisation.locations(session, login.actor), "values": values or {},
        "error": error,
    }, status_code=status_code)


@router.get("/locations")
def locations_page(request: Request, login: LoginDep, session: SessionDep) -> Response:
    return _locations_page(request, login, session)


@router.post("/locations")
def create_location(request: Request, login: LoginDep, session: SessionDep, form: FormDep) -> Response:
    values = form_values(form)
    created: list[int] = []
    error = _attempt(lambda: created.append(
        organisation.create_location(session, login.actor, LocationInput.model_validate(values)).id))
    if error:
        session.rollback()
        return _locations_page(request, login, session, values, error, 422)
    return _see_other(f"/admin/locations/{created[0]}")


def _hours_rows(location: Any) -> dict[int, list[tuple[str, str]]]:
    """Each weekday's intervals as the form's text, padded with blank rows to HOUR_ROWS."""
    rows: dict[int, list[tuple[str, str]]] = {day: [] for day in range(7)}
    for interval in location.opening_hours:
        rows[interval.weekday].append((f"{interval.opens_at:%H:%M}", f"{interval.closes_at:%H:%M}"))
    return {day: found + [("", "")] * max(1, HOUR_ROWS - len(found)) for day, found in rows.items()}


def _location_page(request: Request, login: LoginDep, session: SessionDep, location_id: int, *,
                   values: dict[str, str] | None = None, hours: dict[int, list[tuple[str, str]]] | None = None,
                   error: str = "", status_code: int = 200) -> Response:
    location = organisation.get_location(session, login.actor, location_id)
    return render(request, "pages/admin_location.html", {
        "login": login, "location": location, "error": error, "done": request.query_params.get("done"),
        "values": values or {"name": location.name, "address": location.address, "timezone": location.timezone},
        "hours": hours or _hours_rows(location), "weekdays": organisation.WEEKDAYS,
    }, status_code=status_code)


@router.get("/locations/{location_id}")
def location_page(request: Request, location_id: int, login: LoginDep, session: SessionDep) -> Response:
    return _location_page(request, login, session, location_id)


@router.post("/locations/{location_id}")
def update_location(request: Request, location_id: int, login: LoginDep, session: SessionDep,
                    form: FormDep) -> Response:
    values = form_values(form)
    error = _attempt(lambda: organisation.update_location(session, login.actor, location_id,
                                                          LocationInput.model_validate(values)))
    if error:
        session.rollback()
        return _location_page(request, login, session, location_id, values=values, error=error, status_code=422)
    return _see_other(f"/admin/locations/{location_id}?done=saved")


def _time(text: str, day: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{day}: {text!r} is not a time of day such as 08:30.", field="hours") from None


@router.post("/locations/{location_id}/hours")
def set_hours(request: Request, location_id: int, login: LoginDep, session: SessionDep, form: FormDep) -> Response:
    """Fields ``opens-<weekday>`` and ``closes-<weekday>``, repeated per interval; a blank pair is no interval."""
    rows = {day: list(zip((str(v).strip() for v in form.getlist(f"opens-{day}")),
                          (str(v).strip() for v in form.getlist(f"closes-{day}")), strict=False)) for day in range(7)}

    def save() -> None:
        weekly: dict[int, list[tuple[time, time]]] = {}
        for day, pairs in rows.items():
            name = organisation.WEEKDAYS[day]
            for opens, closes in pairs:
                if opens or closes:
                    if not (opens and closes):
                        raise InvalidInput(f"{name}: give both the opening and the closing time, or neither.")
                    weekly.setdefault(day, []).append((_time(opens, name), _time(closes, name)))
        organisation.set_hours(session, login.actor, location_id, weekly)

    error = _attempt(save)
    if error:
        session.rollback()
        shown = {day: [p for p in pairs if any(p)] + [("", "")] for day, pairs in rows.items()}
        return _location_page(request, login, session, location_id, hours=shown, error=error, status_code=422)
    return _see_other(f"/admin/locations/{location_id}?done=hours#hours")


@router.post("/locations/{location_id}/rooms")
def add_room(request: Request, location_id: int, login: LoginDep, session: SessionDep, form: FormDep) -> Response:
    error = _attempt(lambda: organisation.add_room(session, login.actor, location_id, str(form.get("name") or "")))
    if error:
        session.rollback()
        return _location_page(request, login, session, location_id, error=error, status_code=422)
    return _see_other(f"/admin/locations/{location_id}?done=room#rooms")


@router.post("/rooms/{room_id}")
def rename_room(request: Request, room_id: int, login: LoginDep, session: SessionDep, form: FormDep) -> Response:
    room = organisation.get_room(session, login.actor, room_id)
    location_id = room.location_id
    error = _attempt(lambda: organisation.rename_room(session, login.actor, room_id, str(form.get("name") or "")))
    if error:
        session.rollback()
        return _location_page(request, login, session, location_id, error=error, status_code=422)
    return _see_other(f"/admin/locations/{location_id}?done=room#rooms")


@router.get("/rooms/{room_id}/remove")
def confirm_room_removal(request: Request, room_id: int, login: LoginDep, session: SessionDep) -> Response:
    """Removing a room is confirmed on a page of its own (no script: the CSP allows none inline)."""
    room = organisation.get_room(session, login.actor, room_id)
    return render(request, "pages/admin_room_remove.html", {"login": login, "room": room})


@router.post("/rooms/{room_id}/remove")
def remove_room(request: Request, room_id: int, login: LoginDep, session: SessionDep) -> Response:
    location_id = organisation.get_room(session, login.actor, room_id).location_id
    error = _attempt(lambda: organisation.remove_room(session, login.actor, room_id))
    if error:
        session.rollback()
        return _location_page(request, login, session, location_id, error=error, status_code=422)
    return _see_other(f"/admin/locations/{location_id}?done=removed#rooms")


# --- the audit log ------------------------------------------------------------------------------------


def _audit_filter(request: Request, login: LoginDep, session: SessionDep) -> tuple[audit.AuditFilter, str]:
    """The filter the query string asks for (dates are days at the clinic's main location), or why not."""
    query = request.query_params
    location = scheduling.location_of(session, login.actor, None)
    try:
        user_id = int(query["user"]) if query.get("user") else None
        action = AuditAction(query["action"]) if query.get("action") else None
        since = date.fromisoformat(query["from"]) if query.get("from") else None
        until = date.fromisoformat(query["to"]) if query.get("to") else None
    except ValueError:
        return audit.AuditFilter(), "Choose the user and action from the lists, and dates as YYYY-MM-DD."
    if user_id is not None and not 1 <= user_id <= MAX_ID:
        return audit.AuditFilter(), "Choose the user from the list."
    if since and until and until < since:
        return audit.AuditFilter(), "The end date is before the start date; swap them."
    return audit.AuditFilter(
        patient=query.get("patient", "")[:100], user_id=user_id, action=action,
        start=scheduling.day_bounds(since, location)[0] if since else None,
        end=scheduling.day_bounds(until, location)[1] if until else None,
    ), ""


@router.get("/audit")
def audit_page(request: Request, login: LoginDep, session: SessionDep, page: int = 1) -> Response:
    chosen, error = _audit_filter(request, login, session)
    found = audit.search(session, login.actor, chosen, page=page)
    query = {k: v for k, v in request.query_params.items() if k != "page"}
    return render(request, "pages/admin_audit.html", {
        "login": login, "found": found, "query": query, "error": error, "actions": list(AuditAction),
        "accounts": audit.accounts(session, login.actor),
    }, status_code=422 if error else 200)


@router.get("/audit.csv")
def audit_csv(request: Request, login: LoginDep, session: SessionDep) -> Response:
    chosen, error = _audit_filter(request, login, session)
    if error:
        raise InvalidInput(error)
    text = audit.export_csv(session, login.actor, chosen)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
