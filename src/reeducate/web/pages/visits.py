"""A visit's page: everything recorded in it (measures, force plate, movement, live exercises, minutes,
note, billing) with a link to each part's page, the minutes entered per activity, and the visit
completed after a confirmation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reeducate.clinic.errors import Conflict
from reeducate.clinic.models import Visit
from reeducate.clinic.schemas import VisitActivityAdd
from reeducate.clinic.services import jobs, visit_record, visits
from reeducate.clinic.vocabulary import Activity, AppointmentKind
from reeducate.measures.catalogue import instruments
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.templating import render

router = APIRouter()
NOTICES = {"minutes": "Minutes recorded.", "completed": "Visit completed.", "measure": "Measure recorded."}


def _usual_activity(visit: Visit) -> Activity:
    """The activity the minutes form offers first: what a visit of the appointment's kind is mostly
    spent on (an evaluation evaluates; a treatment visit, neuromuscular re-education)."""
    kind = visit.appointment.kind if visit.appointment else None
    if kind is AppointmentKind.EVALUATION:
        return Activity.EVALUATION
    if kind is AppointmentKind.RE_EVALUATION:
        return Activity.RE_EVALUATION
    return Activity.NEUROMUSCULAR_REEDUCATION


def _page(request: Request, login: LoginDep, session: SessionDep, visit_id: int, *, error: str = "",
          values: dict[str, str] | None = None, template: str = "pages/visit.html",
          status_code: int = 200) -> Response:
    gathered = visit_record.gather(session, login.actor, visit_id)
    return render(request, template, {
        "login": login, "record": gathered, "visit": gathered.visit, "episode": gathered.visit.episode,
        "activities": list(Activity),
        "instruments": instruments(), "values": values or {"activity": _usual_activity(gathered.visit).value},
        "error": error, "analysing": jobs.waiting_in_visit(session, login.actor, visit_id),
        "notice": NOTICES.get(request.query_params.get("done", ""), ""),
    }, status_code=status_code)


@router.get("/visits/{visit_id}")
def visit_page(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _page(request, login, session, visit_id)


@router.post("/visits/{visit_id}/activities")
def add_minutes(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                form: FormDep) -> Response:
    values = form_values(form)
    try:
        visits.add_activity(session, login.actor, visit_id, VisitActivityAdd.model_validate(
            {"activity": values.get("activity", ""), "minutes": values.get("minutes", "").strip()}))
    except ValidationError as error:
        message = first_error(error) + " Choose an activity and enter whole minutes from 1 to 480."
    except Conflict as error:
        message = error.message
    else:
        return RedirectResponse(f"/visits/{visit_id}?done=minutes", status_code=303)
    session.rollback()
    return _page(request, login, session, visit_id, error=message, values=values, status_code=422)


@router.get("/visits/{visit_id}/complete")
def confirm_completion(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep,
                       session: SessionDep) -> Response:
    """The confirmation page: what completing means, with the visit's minutes to check first."""
    return _page(request, login, session, visit_id, template="pages/visit_complete.html")


@router.post("/visits/{visit_id}/complete")
def complete(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    try:
        visits.complete(session, login.actor, visit_id)
    except Conflict as error:
        session.rollback()
        return _page(request, login, session, visit_id, error=error.message, template="pages/visit_complete.html",
                     status_code=409)
    return RedirectResponse(f"/visits/{visit_id}?done=completed", status_code=303)
