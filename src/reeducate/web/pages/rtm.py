"""A patient's remote therapeutic monitoring: the current 30-day period's days with data, this month's
minutes and real-time communication, the codes that would bill now and what is missing, the claim lines;
forms to log minutes, remove a mistaken entry and record the set-up and education
(``login.can.monitor_remotely``), each posted to the page's own address so that a refusal is shown there.
Whoever sees billing (the front desk too) has the claim lines and the superbill alone (``/rtm/claims``)."""

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
from reeducate.clinic.services.rtm import MAX_ENTRY_MINUTES, RtmSetupInput, RtmTimeInput
from reeducate.clinic.vocabulary import RtmActivity
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.templating import render

router = APIRouter()
NOTICES: dict[str, str] = {"time": "Minutes logged.", "setup": "Set-up and education recorded.",
                           "remove": "Entry removed."}


def _episode_id(request: Request) -> int | None:
    raw = request.query_params.get("episode_id", "")
    return int(raw) if raw.isdigit() else None


def _page(request: Request, login: LoginDep, session: Session, patient_id: int, *, episode_id: int | None,
          error: str = "", values: dict[str, str] | None = None, status_code: int = 200) -> Response:
    seen = rtm.overview(session, login.actor, patient_id, episode_id=episode_id)
    return render(request, "pages/rtm.html", {
        "login": login, "rtm": seen, "activities": list(RtmActivity), "assistant_rule": ASSISTANT_RULE,
        "codes": catalogue(), "max_entry_minutes": MAX_ENTRY_MINUTES,
        "error": error, "values": values or {}, "notice": NOTICES.get(request.query_params.get("done", ""), ""),
    }, status_code=status_code)


@router.get("/patients/{patient_id}/rtm")
def rtm_page(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _page(request, login, session, patient_id, episode_id=_episode_id(request))


@router.get("/patients/{patient_id}/rtm/claims")
def rtm_claims(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    """The claim lines and the superbill alone, for whoever sees billing: nothing clinical."""
    seen = rtm.claim_lines_of(session, login.actor, patient_id, episode_id=_episode_id(request))
    return render(request, "pages/rtm_claims.html", {"login": login, "rtm": seen, "codes": catalogue(),
                                                     "assistant_rule": ASSISTANT_RULE})


@router.get("/patients/{patient_id}/rtm/superbill.pdf")
def rtm_superbill(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep,
                  session: SessionDep) -> Response:
    """The superbill of the set-up and each ended period and month (PDF), for whoever sees billing."""
    name, body = documents.rtm_superbill(session, login.actor, patient_id, episode_id=_episode_id(request))
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"})


@router.post("/patients/{patient_id}/rtm")
def rtm_post(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
             form: FormDep) -> Response:
    """Log minutes, remove a mistaken entry, or record the set-up (``do``); back to the page with the notice,
    or the page again, at its own address, with why."""
    raw = str(form.get("episode_id") or "")
    episode_id = int(raw) if raw.isdigit() else None
    doing = str(form.get("do") or "")
    actions: dict[str, Callable[[int], object]] = {
        "time": lambda episode: rtm.log_time(session, login.actor, patient_id, episode, RtmTimeInput.model_validate({
            "performed_on": str(form.get("performed_on") or ""), "minutes": str(form.get("minutes") or ""),
            "activity": str(form.get("activity") or ""), "interactive": form.get("interactive") == "yes",
            "note": str(form.get("note") or "")})),
        "setup": lambda episode: rtm.record_setup(session, login.actor, patient_id, episode, RtmSetupInput.model_validate({
            "performed_on": str(form.get("performed_on") or ""), "note": str(form.get("note") or "")})),
        "remove": lambda _episode: rtm.remove_time(session, login.actor, patient_id,
                                                   _entry_id(str(form.get("entry_id") or "")),
                                                   str(form.get("reason") or "")),
    }
    try:
        if doing not in actions:
            raise InvalidInput("Choose what to record: minutes, a removal, or the set-up.")
        if episode_id is None:
            raise InvalidInput("Open an episode of care first: remote monitoring belongs to an episode.")
        actions[doing](episode_id)
    except ValidationError as error:
        message = first_error(error)
    except (InvalidInput, Conflict) as error:
        message = error.message
    else:
        return RedirectResponse(f"/patients/{patient_id}/rtm?episode_id={episode_id}&done={doing}", status_code=303)
    session.rollback()
    return _page(request, login, session, patient_id, episode_id=episode_id, error=message,
                 values={**form_values(form), "refused": doing}, status_code=422)


def _entry_id(raw: str) -> int:
    if not raw.isdigit():
        raise InvalidInput("Choose the entry to remove.", field="entry_id")
    return int(raw)
