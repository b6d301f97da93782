"""The patient's guided home session: one exercise of Today, watched by the patient's own camera.

The page runs the pose model in the browser (``static/pose-device.js``) and sends only the landmarks
over the WebSocket ``/portal/today/{item_id}/live`` (``web/live.py``), which counts, scores and cues
with the clinic's feedback engine; ``static/guided.js`` shows and speaks what comes back.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from reeducate.clinic.audit_log import record
from reeducate.clinic.services import home_programmes
from reeducate.clinic.vocabulary import AuditAction
from reeducate.training.catalogue import exercise
from reeducate.web.deps import LoginDep, PatientDep, SessionDep
from reeducate.web.security import POSE_PAGE_CSP
from reeducate.web.templating import render

router = APIRouter()

PAIN_WORDS = {0: "No pain", 10: "Worst pain you can imagine"}
"""The words under each end of the 0-10 pain buttons (as the home sessions service describes the scale)."""


@router.get("/portal/today/{item_id}/guided")
def guided(request: Request, item_id: int, login: LoginDep, _patient: PatientDep, session: SessionDep) -> Response:
    item = home_programmes.item(session, login.actor, item_id)
    record(session, login.actor, AuditAction.READ, "home_programme_item", item.id,
           patient_id=item.version.programme.patient_id, detail="guided session page")
    chosen = exercise(item.exercise_id)
    response = render(request, "pages/home_guided.html", {
        "login": login, "item": item, "exercise": chosen, "dose": home_programmes.dose_text(item),
        "pain_words": PAIN_WORDS,
    })
    response.headers["Content-Security-Policy"] = POSE_PAGE_CSP
    return response
