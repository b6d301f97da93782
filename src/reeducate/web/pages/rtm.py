"""A patient's remote therapeutic monitoring: the current 30-day period's days with data, this month's
minutes and real-time communication, the codes that would bill now and what is missing, the claim lines;
forms to log minutes and to record the set-up and education (``login.can.monitor_remotely``)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from reeducate.billing.codes import catalogue
from reeducate.billing.rtm import ASSISTANT_RULE
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.services import documents, rtm
from reeducate.clinic.services.rtm import RtmSetupInput, RtmTimeInput
from reeducate.clinic.vocabulary import RtmActivity
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.templating import render

router = APIRouter()
NOTICES = {"time": "Minutes logged.", "setup": "Set-up and education recorded."}


def _episode_id(request: Request) -> int | None:
    raw = request.query_params.get("episode_id", "")
    return int(raw) if raw.isdigit() else None


def _page(request: Request, login: LoginDep, session: Session, patient_id: int, *, episode_id: int | None,
          error: str = "", values: dict[str, str] | None = None, status_code: int = 200) -> Response:
    seen = rtm.overview(session, login.actor, patient_id, episode_id=episode_id)
    return render(request, "pages/rtm.html", {
        "login": login, "rtm": seen, "activities": list(RtmActivity), "assistant_rule": ASSISTANT_RULE,
        "codes": catalogue(),
        "error": error, "values": values or {}, "notice": NOTICES.get(request.query_params.get("done", ""), ""),
    }, status_code=status_code)


@router.get("/patients/{patient_id}/rtm")
def rtm_page(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _page(request, login, session, patient_id, episode_id=_episode_id(request))


@router.get("/patients/{patient_id}/rtm/superbill.pdf")
def rtm_superbill(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep,
                  session: SessionDep) -> Response:
    """The superbill of the set-up and each ended period and month (PDF)."""
    name, body = documents.rtm_superbill(session, login.actor, patient_id, episode_id=_episode_id(request))
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"})


def _write(request: Request, login: LoginDep, session: Session, patient_id: int, form: FormDep,
           action: Callable[[int], object], done: str) -> Response:
    """Run ``action`` on the posted episode; back to the page with the notice, or the page again with why."""
    raw = str(form.get("episode_id") or "")
    episode_id = int(raw) if raw.isdigit() else None
    try:
        if episode_id is None:
            raise InvalidInput("Open an episode of care first: remote monitoring belongs to an episode.")
        action(episode_id)
    except ValidationError as error:
        message = first_error(error)
    except (InvalidInput, Conflict) as error:
        message = error.message
    else:
        return RedirectResponse(f"/patients/{patient_id}/rtm?episode_id={episode_id}&done={done}", status_code=303)
    session.rollback()
    return _page(request, login, session, patient_id, episode_id=episode_id, error=message,
                 values=form_values(form), status_code=422)


@router.post("/patients/{patient_id}/rtm/time")
def log_time(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
             form: FormDep) -> Response:
    """Minutes of monitoring: the day, minutes, activity, real time or not, a note."""
    def action(episode_id: int) -> object:
        return rtm.log_time(session, login.actor, patient_id, episode_id, RtmTimeInput.model_validate({
            "performed_on": str(form.get("performed_on") or ""), "minutes": str(form.get("minutes") or ""),
            "activity": str(form.get("activity") or ""), "interactive": form.get("interactive") == "yes",
            "note": str(form.get("note") or "")}))
    return _write(request, login, session, patient_id, form, action, "time")


@router.post("/patients/{patient_id}/rtm/setup")
def record_setup(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                 form: FormDep) -> Response:
    """The set-up and the patient's education (98975), once per episode."""
    def action(episode_id: int) -> object:
        return rtm.record_setup(session, login.actor, patient_id, episode_id, RtmSetupInput.model_validate({
            "performed_on": str(form.get("performed_on") or ""), "note": str(form.get("note") or "")}))
    return _write(request, login, session, patient_id, form, action, "setup")
