"""The patient's guided home session: one exercise of Today, watched by the patient's own camera.

The page runs the pose model in the browser (``static/pose-device.js``) and sends only the landmarks
over the WebSocket ``/portal/today/{item_id}/live`` (``web/live.py``), which counts, scores and cues
with the clinic's feedback engine; ``static/guided.js`` shows and speaks what comes back.

If the patient ticks the box before Start, the page also records the camera (its first 60 s, on the
phone) and, once the session has ended, asks whether to share that clip with the therapist or delete it;
only "Share" sends it (``POST /portal/home-sessions/{id}/clip``). The clinic's clinicians then open it
from the episode (``GET /home-sessions/{id}/clip``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from reeducate.clinic.audit_log import record
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.models import HomeProgrammeItem
from reeducate.clinic.services import home_programmes, home_sessions
from reeducate.clinic.vocabulary import AuditAction
from reeducate.training.catalogue import exercise
from reeducate.web.deps import LoginDep, PatientDep, SessionDep, StaffDep, StoreDep
from reeducate.web.downloads import attachment
from reeducate.web.forms import FormDep
from reeducate.web.security import POSE_PAGE_CSP
from reeducate.web.templating import render

router = APIRouter()

PAIN_WORDS = {0: "No pain", 10: "Worst pain you can imagine"}
"""The words under each end of the 0-10 pain buttons (as the home sessions service describes the scale)."""


def _placing(view: str | None, item: HomeProgrammeItem) -> str:
    """Where the patient stands for the camera, in their words, and which side it watches where both legs move."""
    where = "Stand facing the camera" if view == "front" else "Stand side-on to the camera"
    watched = home_programmes.camera_text(item)
    return f"{where}; {watched}." if watched else f"{where}."


@router.get("/portal/today/{item_id}/guided")
def guided(request: Request, item_id: int, login: LoginDep, _patient: PatientDep, session: SessionDep) -> Response:
    item = home_programmes.item(session, login.actor, item_id)
    record(session, login.actor, AuditAction.READ, "home_programme_item", item.id,
           patient_id=item.version.programme.patient_id, detail="guided session page")
    chosen = exercise(item.exercise_id)
    response = render(request, "pages/home_guided.html", {
        "login": login, "item": item, "exercise": chosen, "dose": home_programmes.dose_text(item),
        "side": home_programmes.side_text(item), "placing": _placing(chosen.monitor(item.monitor).view, item),
        "pain_words": PAIN_WORDS,
    })
    response.headers["Content-Security-Policy"] = POSE_PAGE_CSP
    return response


@router.post("/portal/home-sessions/{session_id}/clip")
def share_clip(session_id: int, login: LoginDep, _patient: PatientDep, session: SessionDep, store: StoreDep,
               form: FormDep) -> Response:
    """The patient's "Share with my therapist": the clip of their own ended guided session (field ``clip``)."""
    file = form.get("clip")
    if not isinstance(file, UploadFile):
        raise InvalidInput("Choose the clip to share.", field="clip")
    content = file.file.read(home_sessions.CLIP_MAX_BYTES + 1)
    home_sessions.share_clip(session, login.actor, session_id, content, store)
    return JSONResponse({"message": "Shared with your therapist."}, status_code=201)


@router.get("/home-sessions/{session_id}/clip")
def shared_clip(session_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep, store: StoreDep) -> Response:
    """The clip a patient shared, as it was uploaded (the clinic's clinicians)."""
    return attachment(*home_sessions.clip_file(session, login.actor, session_id, store))
