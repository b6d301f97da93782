"""The live training page of a visit: choose an exercise and a source, watch it run (the WebSocket in
``web/live.py``), see the visit's exercises so far, and resume after a severe pain report. The "on this
device" source poses the camera in the browser (``static/pose-device.js``), so the page's policy lets
it compile the model's WebAssembly."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from reeducate.clinic.errors import Conflict
from reeducate.clinic.note_draft import exercise_name
from reeducate.clinic.services import training, visit_record, visits
from reeducate.clinic.vocabulary import ExerciseSource
from reeducate.training.catalogue import library
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.security import POSE_PAGE_CSP
from reeducate.web.templating import render

router = APIRouter()


def _page(request: Request, login: LoginDep, session: SessionDep, visit_id: int, *, error: str = "",
          status_code: int = 200) -> Response:
    visit = visits.get(session, login.actor, visit_id)
    records = training.of_visit(session, login.actor, visit_id)
    lib = library()
    choices = [(f"{ex.id}|{m.key}", f"{ex.name} · {m.key.replace('_', ' ').replace('-', ' ')}", ex.sided, str(m.device))
               for ex in lib.exercises.values() for m in ex.monitors]
    lock = training.severe_pain_lock(session, visit.id)
    response = render(request, "pages/training.html", {
        "login": login, "visit": visit, "episode": visit.episode, "lines": visit_record.exercise_lines(records), "choices": choices,
        "sources": list(ExerciseSource), "recordings": training.replayable(session, login.actor, visit_id),
        "lock": lock, "lock_name": exercise_name(lock) if lock else "",
        "active_minutes": training.active_minutes(records), "error": error,
    }, status_code=status_code)
    response.headers["Content-Security-Policy"] = POSE_PAGE_CSP  # the "on this device" source runs the pose model
    return response


@router.get("/visits/{visit_id}/training")
def training_page(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _page(request, login, session, visit_id)


@router.post("/visits/{visit_id}/training/resume")
def resume(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    try:
        training.resume(session, login.actor, visit_id)
    except Conflict as error:
        return _page(request, login, session, visit_id, error=error.message, status_code=409)
    return RedirectResponse(f"/visits/{visit_id}/training", status_code=303)
