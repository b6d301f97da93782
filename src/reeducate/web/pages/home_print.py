"""An exercise's figure (SVG) and the printable home programme (PDF), for the patient and for the clinic."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from reeducate.clinic.services import home_print
from reeducate.web.deps import LoginDep, PatientDep, SessionDep, StaffDep

router = APIRouter()

PRIVATE = {"Cache-Control": "private, no-store"}


def _svg(request: Request, found: home_print.Figure) -> Response:
    """The figure with its digest as ETag (304 when the client has it already)."""
    etag = f'"{found.sha256}"'
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": etag, **PRIVATE})
    return Response(found.svg, media_type="image/svg+xml", headers={"ETag": etag, **PRIVATE})


def _pdf(name: str, content: bytes) -> Response:
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', **PRIVATE})


@router.get("/portal/exercises/{exercise_id}/figure.svg")
def my_exercise_figure(request: Request, exercise_id: str, login: LoginDep, _patient: PatientDep,
                       session: SessionDep) -> Response:
    return _svg(request, home_print.figure(session, login.actor, exercise_id))


@router.get("/exercises/{exercise_id}/figure.svg")
def exercise_figure(request: Request, exercise_id: str, login: LoginDep, _staff: StaffDep,
                    session: SessionDep) -> Response:
    return _svg(request, home_print.figure(session, login.actor, exercise_id))


@router.get("/portal/programme.pdf")
def my_programme_pdf(login: LoginDep, _patient: PatientDep, session: SessionDep) -> Response:
    return _pdf(*home_print.for_patient(session, login.actor))


@router.get("/episodes/{episode_id}/home/programme.pdf")
def programme_pdf(episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _pdf(*home_print.for_episode(session, login.actor, episode_id))
