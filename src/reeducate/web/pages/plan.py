"""The episode's goals and plan of care pages: goals set, edited and judged with each one's progress;
the plan drafted, signed, printed for the physician and renewed; and the physician's certification
with its due dates, recorded (and its signed scan uploaded) by any staff member. The front desk sees
the certification panel only, never the plan's clinical content."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.models import Episode, PlanOfCare
from reeducate.clinic.services import documentation_due, episodes, goals, plan_of_care, problems
from reeducate.clinic.vocabulary import EpisodeStatus, GoalStatus, GoalTerm
from reeducate.measures import catalogue
from reeducate.web.deps import LoginDep, SessionDep, StaffDep, StoreDep
from reeducate.web.downloads import attachment
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.templating import render

router = APIRouter()
REFUSED = (InvalidInput, Conflict, NotFound)
"""What a form's service may refuse with: the page comes back with the message and the values kept."""


def _tried(session: Session, action: Callable[[], object]) -> str:
    """Run ``action``; "" when it was stored, else the message to show (nothing of it kept)."""
    try:
        action()
    except ValidationError as error:
        message = first_error(error)
    except REFUSED as error:
        message = error.message
    else:
        return ""
    session.rollback()
    return message


def _optional(values: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    """The posted ``names`` with an empty text as None (an empty date or number means "none")."""
    return {name: values.get(name, "").strip() or None for name in names}


# --- goals ---------------------------------------------------------------------------------------------


def _goal_fields(values: dict[str, str]) -> goals.GoalFields:
    return goals.GoalFields.model_validate({
        "term": values.get("term") or GoalTerm.LONG, "description": values.get("description", ""),
        **_optional(values, ("measure_id", "target", "due_on", "problem_id"))})


def _goals_page(request: Request, login: LoginDep, session: Session, episode_id: int, *, error: str = "",
                values: dict[str, str] | None = None, editing: int | None = None, status_code: int = 200) -> Response:
    episode = episodes.get(session, login.actor, episode_id)
    return render(request, "pages/goals.html", {
        "login": login, "episode": episode, "progress": goals.for_episode(session, login.actor, episode_id),
        "writable": episode.status is EpisodeStatus.ACTIVE and login.can.plan,
        "instruments": catalogue.instruments(), "problems": problems.accepted(session, episode.id),
        "terms": list(GoalTerm), "statuses": list(GoalStatus), "today": episodes.clinic_today(session, login.actor),
        "error": error, "values": values or {}, "editing": editing,
        "saved": request.query_params.get("saved", ""),
    }, status_code=status_code)


@router.get("/episodes/{episode_id}/goals")
def goals_page(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _goals_page(request, login, session, episode_id)


@router.post("/episodes/{episode_id}/goals/new")
def add_goal(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
             form: FormDep) -> Response:
    values = form_values(form)
    error = _tried(session, lambda: goals.add(session, login.actor, episode_id, _goal_fields(values)))
    if error:
        return _goals_page(request, login, session, episode_id, error=error, values=values, status_code=422)
    return RedirectResponse(f"/episodes/{episode_id}/goals?saved=added", status_code=303)


@router.post("/goals/{goal_id}")
def edit_goal(request: Request, goal_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
              form: FormDep) -> Response:
    values = form_values(form)
    episode_id = goals.episode_of(session, login.actor, goal_id)
    error = _tried(session, lambda: goals.edit(session, login.actor, goal_id, _goal_fields(values)))
    if error:
        return _goals_page(request, login, session, episode_id, error=error, values=values, editing=goal_id,
                           status_code=422)
    return RedirectResponse(f"/episodes/{episode_id}/goals?saved=changed", status_code=303)


@router.post("/goals/{goal_id}/status")
def judge_goal(request: Request, goal_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
               form: FormDep) -> Response:
    values = form_values(form)
    episode_id = goals.episode_of(session, login.actor, goal_id)

    try:
        status = GoalStatus(values.get("status", ""))
        met_on = date.fromisoformat(values["met_on"]) if values.get("met_on") else None
    except ValueError:
        error = "Choose met, not met, discontinued or in progress, and give the day met as a date."
    else:
        error = _tried(session, lambda: goals.judge(session, login.actor, goal_id, status, met_on=met_on))
    if error:
        return _goals_page(request, login, session, episode_id, error=error, status_code=422)
    return RedirectResponse(f"/episodes/{episode_id}/goals?saved=judged", status_code=303)


# --- the plan of care -------------------------------------------------------------------------------------


def _interventions(form: FormData) -> list[dict[str, str]]:
    """The plan's list as posted: each item ("kind:id") with its dosage, less those ticked for removal,
    plus the one picked to add (its dosage left for the library's)."""
    removed = {str(v) for v in form.getlist("remove")}
    chosen = []
    for item, dosage in zip(form.getlist("item"), form.getlist("dosage"), strict=False):
        if str(item) not in removed:
            kind, _, item_id = str(item).partition(":")
            chosen.append({"kind": kind, "id": item_id, "dosage": str(dosage)})
    for added in form.getlist("add"):
        kind, _, item_id = str(added).partition(":")
        if item_id and not any(c["kind"] == kind and c["id"] == item_id for c in chosen):
            chosen.append({"kind": kind, "id": item_id, "dosage": ""})
    return chosen


def _plan_fields(form: FormData) -> plan_of_care.PlanFields:
    values = form_values(form)
    return plan_of_care.PlanFields.model_validate({
        **_optional(values, ("starts_on", "ends_on")), "visits_per_week": values.get("visits_per_week", ""),
        "weeks": values.get("weeks", ""), "home_programme": values.get("home_programme", ""),
        "interventions": _interventions(form)})


def _plan_page(request: Request, login: LoginDep, session: Session, episode_id: int, *, error: str = "",
               status_code: int = 200) -> Response:
    clinical = login.can.see_clinical
    episode: Episode
    if clinical:
        episode = episodes.get(session, login.actor, episode_id)
        plans = plan_of_care.of_episode(session, login.actor, episode_id)
    else:
        episode = plan_of_care.episode_for_certification(session, login.actor, episode_id)
        plans = plan_of_care.certification_view(session, login.actor, episode_id)
    plan: PlanOfCare | None = plans[-1] if plans else None
    dues = documentation_due.of_episode(session, episode)
    context: dict[str, Any] = {
        "login": login, "episode": episode, "clinical": clinical, "plan": plan, "plans": plans, "dues": dues,
        "lines": plan_of_care.certification_lines(dues), "error": error,
        "active": episode.status is EpisodeStatus.ACTIVE, "saved": request.query_params.get("saved", ""),
        "rules": plan_of_care.RULES,
    }
    if clinical:
        context |= {
            "progress": goals.progress_of(session, episode, goals.active_goals(session, episode)),
            "library": plan_of_care.library_choices(), "from_problems": plan_of_care.problem_interventions(
                session, episode),
            "verified": plan is not None and plan.content_sha256 is not None and plan_of_care.verify(plan),
        }
    return render(request, "pages/plan.html", context, status_code=status_code)


@router.get("/episodes/{episode_id}/plan")
def plan_page(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _plan_page(request, login, session, episode_id)


@router.post("/episodes/{episode_id}/plan")
def draft_plan(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
               form: FormDep) -> Response:
    error = _tried(session, lambda: plan_of_care.draft(session, login.actor, episode_id, _plan_fields(form)))
    if error:
        return _plan_page(request, login, session, episode_id, error=error, status_code=422)
    return RedirectResponse(f"/episodes/{episode_id}/plan?saved=drafted", status_code=303)


def _on_plan(request: Request, login: LoginDep, session: Session, plan_id: int, saved: str,
             action: Callable[[], object], *, certification: bool = False) -> Response:
    """Run a change of a plan (of its certification: any staff member); back to its episode's plan page,
    with the message if it was refused."""
    episode_id = plan_of_care.episode_of(session, login.actor, plan_id, certification=certification)
    error = _tried(session, action)
    if error:
        return _plan_page(request, login, session, episode_id, error=error, status_code=422)
    return RedirectResponse(f"/episodes/{episode_id}/plan?saved={saved}", status_code=303)


@router.post("/plans/{plan_id}")
def edit_plan(request: Request, plan_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
              form: FormDep) -> Response:
    return _on_plan(request, login, session, plan_id, "changed",
                    lambda: plan_of_care.edit(session, login.actor, plan_id, _plan_fields(form)))


@router.post("/plans/{plan_id}/sign")
def sign_plan(request: Request, plan_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _on_plan(request, login, session, plan_id, "signed",
                    lambda: plan_of_care.sign(session, login.actor, plan_id))


@router.post("/plans/{plan_id}/new-version")
def new_plan_version(request: Request, plan_id: int, login: LoginDep, _staff: StaffDep,
                     session: SessionDep) -> Response:
    return _on_plan(request, login, session, plan_id, "drafted",
                    lambda: plan_of_care.new_version(session, login.actor, plan_id))


@router.get("/plans/{plan_id}/plan-of-care.pdf")
def plan_pdf(plan_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    name, content = plan_of_care.document(session, login.actor, plan_id)
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"})


@router.post("/plans/{plan_id}/certification")
def record_certification(request: Request, plan_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                         form: FormDep) -> Response:
    values = form_values(form)
    fields = {name: values.get(name, "") for name in ("physician_name", "physician_npi", "certification_note")}
    dates = _optional(values, ("sent_on", "verbal_order_on", "received_on", "certified_on"))
    return _on_plan(request, login, session, plan_id, "certification", lambda: plan_of_care.record_certification(
        session, login.actor, plan_id, plan_of_care.CertificationFields.model_validate({**fields, **dates})),
        certification=True)


@router.post("/plans/{plan_id}/signature")
def upload_signature(request: Request, plan_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                     store: StoreDep, form: FormDep) -> Response:
    file = form.get("signature")

    def attach() -> object:
        if not isinstance(file, UploadFile) or not file.filename:
            raise InvalidInput("Choose the scan of the signed plan (PDF, PNG or JPEG).", field="signature")
        content = file.file.read(plan_of_care.SIGNATURE_MAX_BYTES + 1)
        return plan_of_care.attach_signature(session, login.actor, plan_id, file.filename, content, store)

    return _on_plan(request, login, session, plan_id, "scan", attach, certification=True)


@router.get("/plans/{plan_id}/signature")
def download_signature(plan_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                       store: StoreDep) -> Response:
    return attachment(*plan_of_care.signature_file(session, login.actor, plan_id, store))
