"""The episode's problem list: findings of a visit proposed with their evidence and sources, each
accepted (the statement edited, the suggested techniques and exercises kept by checkbox) or rejected, and
a problem added in the therapist's own words. Only accepted problems are the problem list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.services import problems
from reeducate.clinic.vocabulary import EpisodeStatus
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, form_values
from reeducate.web.templating import render

router = APIRouter()
NOTICES = {"accepted": "Problem accepted onto the list.", "rejected": "Problem rejected.",
           "added": "Problem added to the list."}


def _page(request: Request, login: LoginDep, session: Session, episode_id: int, *, error: str = "",
          values: dict[str, str] | None = None, status_code: int = 200) -> Response:
    listed = problems.list_for_episode(session, login.actor, episode_id)
    proposed = request.query_params.get("proposed")
    notice = NOTICES.get(request.query_params.get("done", ""), "")
    if proposed is not None:
        notice = (f"{proposed} finding{'' if proposed == '1' else 's'} proposed." if proposed != "0" else
                  "No new finding: nothing past a cut-off, or every finding is on the list already.")
    return render(request, "pages/problems.html", {
        "login": login, "episode": listed.episode, "listed": listed,
        "visit_days": {v.id: v.checked_in_at for v in listed.visits},
        "active": listed.episode.status is EpisodeStatus.ACTIVE, "choices": problems.library_choices(),
        "error": error, "values": values or {}, "notice": notice,
    }, status_code=status_code)


def _refused(request: Request, login: LoginDep, session: Session, episode_id: int, error: InvalidInput | Conflict,
             values: dict[str, str] | None = None) -> Response:
    """The page again with what is wrong; nothing stored."""
    session.rollback()
    return _page(request, login, session, episode_id, error=error.message, values=values, status_code=422)


@router.get("/episodes/{episode_id}/problems")
def problems_page(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep,
                  session: SessionDep) -> Response:
    return _page(request, login, session, episode_id)


@router.post("/episodes/{episode_id}/problems/propose")
def propose(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
            form: FormDep) -> Response:
    """Propose the findings of the visit posted (the visit page's button, or the list's visit picker)."""
    try:
        visit_id = int(str(form.get("visit_id") or ""))
    except ValueError:
        return _refused(request, login, session, episode_id, InvalidInput("Choose the visit whose findings to propose."))
    try:
        created = problems.propose(session, login.actor, visit_id, episode_id=episode_id)
    except (InvalidInput, Conflict) as error:
        return _refused(request, login, session, episode_id, error)
    return RedirectResponse(f"/episodes/{episode_id}/problems?proposed={len(created)}#proposed", status_code=303)


@router.post("/episodes/{episode_id}/problems")
def add_problem(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                form: FormDep) -> Response:
    """A problem in the therapist's own words, with the library items chosen for it."""
    try:
        problems.add(session, login.actor, episode_id, str(form.get("statement") or ""),
                     [str(v) for v in form.getlist("interventions")])
    except (InvalidInput, Conflict) as error:
        return _refused(request, login, session, episode_id, error, form_values(form))
    return RedirectResponse(f"/episodes/{episode_id}/problems?done=added#accepted", status_code=303)


@router.post("/episodes/{episode_id}/problems/{problem_id}/accept")
def accept(request: Request, episode_id: int, problem_id: int, login: LoginDep, _staff: StaffDep,
           session: SessionDep, form: FormDep) -> Response:
    try:
        problem = problems.accept(session, login.actor, problem_id, str(form.get("statement") or ""),
                                  [str(v) for v in form.getlist("interventions")])
    except (InvalidInput, Conflict) as error:
        return _refused(request, login, session, episode_id, error)
    return RedirectResponse(f"/episodes/{problem.episode_id}/problems?done=accepted#accepted", status_code=303)


@router.post("/episodes/{episode_id}/problems/{problem_id}/reject")
def reject(request: Request, episode_id: int, problem_id: int, login: LoginDep, _staff: StaffDep,
           session: SessionDep) -> Response:
    try:
        problem = problems.reject(session, login.actor, problem_id)
    except Conflict as error:
        return _refused(request, login, session, episode_id, error)
    return RedirectResponse(f"/episodes/{problem.episode_id}/problems?done=rejected#rejected", status_code=303)
