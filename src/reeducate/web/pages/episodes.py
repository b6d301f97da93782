"""Episode-of-care pages: open an episode (diagnoses searched by code or words as the user types, or
by posting the code without JavaScript), the episode page (diagnoses, care team, referral, precautions
and red flags, the payer's authorisation and its use, each editable while active) and the discharge
with its reason, confirmed on a page of its own."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from reeducate.clinic.diagnoses import BillableCode, search_billable, validate_icd10cm
from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.schemas import CareTeamSet, EpisodeCreate, EpisodeDischarge, EpisodeUpdate
from reeducate.clinic.services import adherence, episodes, plan_of_care, problems, prognosis, reports
from reeducate.clinic.vocabulary import Condition, DischargeReason, EpisodeStatus
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.templating import render

router = APIRouter()
OPTIONAL_VALUES = {"started_on", "onset_date", "surgery_date", "referral_date", "authorised_visits",
                   "authorised_from", "authorised_until", "discharged_on", "lead_id"}
"""Form fields whose empty text means "none" rather than an empty text."""
_CODES = re.compile(r"[\s,;]+")


def _typed(values: dict[str, str], names: tuple[str, ...] | set[str]) -> dict[str, Any]:
    """The posted ``names`` that are present, an empty optional date or number as None."""
    return {name: (values[name] or None) if name in OPTIONAL_VALUES else values[name]
            for name in names if name in values}


def _codes(text: str) -> list[str]:
    return [code for code in _CODES.split(text.upper()) if code]


def _chosen(codes: list[str]) -> list[tuple[str, str]]:
    """(code, description or why it is refused) for each code typed or picked so far."""
    shown = []
    for code in codes:
        try:
            found = validate_icd10cm(code)
            shown.append((found.code, found.description))
        except InvalidInput as error:
            shown.append((code, error.message))
    return shown


def _matches(q: str) -> tuple[list[BillableCode], str]:
    try:
        return search_billable(q), ""
    except InvalidInput as error:
        return [], error.message


# --- opening an episode ----------------------------------------------------------------------------


def _new_form(request: Request, login: LoginDep, session: Session, patient_id: int, values: dict[str, str],
              team: list[str], *, error: str = "", status_code: int = 200) -> Response:
    patient = episodes.patient_to_evaluate(session, login.actor, patient_id)
    codes = _codes(values.get("diagnoses", ""))
    matches, search_error = _matches(values.get("q", "")) if values.get("q") else ([], "")
    return render(request, "pages/episode_new.html", {
        "login": login, "patient": patient, "values": values, "team": team, "error": error or search_error,
        "conditions": list(Condition), "choices": episodes.team_choices(session, login.actor),
        "chosen": _chosen(codes), "matches": matches, "searched": bool(values.get("q")),
    }, status_code=status_code)


@router.get("/patients/{patient_id}/episodes/new")
def new_episode_form(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep,
                     session: SessionDep) -> Response:
    return _new_form(request, login, session, patient_id, {"lead_id": str(login.user.id)}, [str(login.user.id)])


def _picked(values: dict[str, str], form: FormData) -> bool:
    """Apply a diagnosis picked from the matches or removed from the list; True if the form only changed."""
    codes = _codes(values.get("diagnoses", ""))
    if added := values.pop("add_code", ""):
        codes = [*[c for c in codes if c != added.upper()], added.upper()]
    elif removed := values.pop("remove_code", ""):
        codes = [c for c in codes if c != removed.upper()]
    elif form.get("action") != "search":
        return False
    values["diagnoses"] = ", ".join(codes)
    return True


@router.post("/patients/{patient_id}/episodes/new")
def open_episode(request: Request, patient_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                 form: FormDep) -> Response:
    """Open the episode; a search, a pick or a removal in the diagnoses re-shows the form, storing nothing."""
    values, team = form_values(form), [str(v) for v in form.getlist("care_team")]
    values.pop("care_team", None)
    if _picked(values, form):
        return _new_form(request, login, session, patient_id, values, team)
    values.pop("action", None)
    try:
        data = EpisodeCreate.model_validate({
            **_typed(values, {*EpisodeCreate.model_fields} - {"diagnoses", "care_team"}),
            "diagnoses": _codes(values.get("diagnoses", "")), "care_team": team,
        })
        episode = episodes.create(session, login.actor, patient_id, data)
    except ValidationError as error:
        message = first_error(error)
    except (InvalidInput, Conflict, NotFound) as error:
        message = error.message
    else:
        # "#top": the form's address ends in #diagnoses (a pick comes back there), which the page would inherit
        return RedirectResponse(f"/episodes/{episode.id}?opened=1#top", status_code=303)
    session.rollback()
    return _new_form(request, login, session, patient_id, values, team, error=message, status_code=422)


@router.get("/diagnoses/search")
def diagnosis_matches(request: Request, login: LoginDep, _staff: StaffDep, q: str = "") -> Response:
    """The billable codes matching what is typed so far (htmx swaps this list in under the search box)."""
    matches, error = _matches(q)
    return render(request, "partials/episode_diagnosis_matches.html",
                  {"login": login, "matches": matches, "searched": bool(q.strip()), "search_error": error})


# --- the episode page ------------------------------------------------------------------------------


def _page(request: Request, login: LoginDep, session: Session, episode_id: int, *, values: dict[str, str] | None = None,
          section: str = "", error: str = "", q: str = "", status_code: int = 200) -> Response:
    episode = episodes.get(session, login.actor, episode_id)
    matches, search_error = _matches(q) if q else ([], "")
    plan_view = plan_of_care.episode_plan(session, login.actor, episode)
    return render(request, "pages/episode.html", {
        "login": login, "episode": episode, "active": episode.status is EpisodeStatus.ACTIVE,
        "use": episodes.authorisation_use(session, login.actor, episode),
        "problems": problems.list_for_episode(session, login.actor, episode_id).accepted,
        "choices": episodes.team_choices(session, login.actor), "values": values or {}, "section": section,
        "error": error or search_error, "q": q, "matches": matches, "searched": bool(q),
        "notice": next((key for key in ("opened", "saved", "discharged") if request.query_params.get(key)), ""),
        "plan_view": plan_view, "plan_rules": plan_of_care.RULES,
        "reports": reports.of_episode(session, episode), "dues": plan_view.dues,
        "prognoses": prognosis.for_episode(session, login.actor, episode.id),
        "home_trend": adherence.for_episode(session, login.actor, episode.id),
    }, status_code=status_code)


@router.get("/episodes/{episode_id}")
def episode_page(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep,
                 session: SessionDep) -> Response:
    return _page(request, login, session, episode_id)


def _refused(request: Request, login: LoginDep, session: Session, episode_id: int, form: FormData, section: str,
             error: ValidationError | InvalidInput | Conflict | NotFound) -> Response:
    """The episode page again, the section's form with what was typed and what is wrong; nothing stored."""
    session.rollback()
    message = first_error(error) if isinstance(error, ValidationError) else error.message
    values = form_values(form)
    values["care_team"] = ",".join(str(v) for v in form.getlist("care_team"))
    return _page(request, login, session, episode_id, values=values, section=section, error=message,
                 status_code=422)


@router.post("/episodes/{episode_id}")
def update_episode(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                   form: FormDep) -> Response:
    """Save one section of the page (referral and dates, precautions and red flags, or the authorisation):
    only the fields it posts change."""
    values, section = form_values(form), str(form.get("section") or "")
    try:
        episodes.update(session, login.actor, episode_id,
                        EpisodeUpdate.model_validate(_typed(values, episodes.DETAILS)))
    except (ValidationError, InvalidInput, Conflict) as error:
        return _refused(request, login, session, episode_id, form, section, error)
    return RedirectResponse(f"/episodes/{episode_id}?saved=1#{section}", status_code=303)


@router.post("/episodes/{episode_id}/diagnoses")
def add_diagnosis(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                  form: FormDep) -> Response:
    """Add the code picked from the matches or typed; "Search" without JavaScript lists the matches."""
    if form.get("action") == "search":
        return _page(request, login, session, episode_id, q=str(form.get("q") or "").strip())
    try:
        episodes.add_diagnosis(session, login.actor, episode_id, str(form.get("add_code") or form.get("code") or ""))
    except (InvalidInput, Conflict) as error:
        return _refused(request, login, session, episode_id, form, "diagnoses", error)
    return RedirectResponse(f"/episodes/{episode_id}?saved=1#diagnoses", status_code=303)


@router.post("/episodes/{episode_id}/diagnoses/remove")
def remove_diagnosis(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                     form: FormDep) -> Response:
    try:
        episodes.remove_diagnosis(session, login.actor, episode_id, str(form.get("code") or ""))
    except (NotFound, Conflict) as error:
        return _refused(request, login, session, episode_id, form, "diagnoses", error)
    return RedirectResponse(f"/episodes/{episode_id}?saved=1#diagnoses", status_code=303)


@router.post("/episodes/{episode_id}/care-team")
def set_care_team(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                  form: FormDep) -> Response:
    try:
        data = CareTeamSet.model_validate({"members": form.getlist("care_team"), "lead_id": form.get("lead_id")})
        episodes.set_care_team(session, login.actor, episode_id, data)
    except (ValidationError, InvalidInput, Conflict, NotFound) as error:
        return _refused(request, login, session, episode_id, form, "care-team", error)
    return RedirectResponse(f"/episodes/{episode_id}?saved=1#care-team", status_code=303)


# --- discharge -------------------------------------------------------------------------------------


def _discharge_form(request: Request, login: LoginDep, session: Session, episode_id: int, values: dict[str, str],
                    *, error: str = "", status_code: int = 200) -> Response:
    episode = episodes.to_discharge(session, login.actor, episode_id)
    return render(request, "pages/episode_discharge.html", {
        "login": login, "episode": episode, "values": values, "reasons": list(DischargeReason), "error": error,
        "today": episodes.clinic_today(session, login.actor), "open_visits": episodes.open_visits(session, episode),
    }, status_code=status_code)


@router.get("/episodes/{episode_id}/discharge")
def discharge_form(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep,
                   session: SessionDep) -> Response:
    """The discharge's confirmation page: reason, note and date, then one button that discharges."""
    return _discharge_form(request, login, session, episode_id, {})


@router.post("/episodes/{episode_id}/discharge")
def discharge(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
              form: FormDep) -> Response:
    values = form_values(form)
    try:
        if not values.get("reason"):
            raise InvalidInput("Choose why the episode ends: one of the reasons listed.", field="reason")
        episodes.discharge(session, login.actor, episode_id,
                           EpisodeDischarge.model_validate(_typed(values, {"reason", "note", "discharged_on"})))
    except ValidationError as error:
        message = first_error(error)
    except InvalidInput as error:
        message = error.message
    else:
        return RedirectResponse(f"/episodes/{episode_id}?discharged=1", status_code=303)
    session.rollback()
    return _discharge_form(request, login, session, episode_id, values, error=message, status_code=422)

