"""A background job's panel: the page's view of an upload being analysed, asked for every second until it
is done (with the recording it made) or failed (with the reason)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from reeducate.clinic.services import emg, jobs, movement
from reeducate.clinic.vocabulary import JobStatus
from reeducate.reports import emg_text
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.templating import render

router = APIRouter()


@router.get("/jobs/{job_id}/panel")
def panel(request: Request, job_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    job = jobs.get(session, login.actor, job_id)
    recordings: list[Any] = []
    if job.status is JobStatus.DONE and job.result:
        kept = {"movement_recording": movement.get, "emg_recording": emg.get}.get(job.result["type"])
        if kept is not None:
            recordings = [kept(session, login.actor, recording_id) for recording_id in job.result["ids"]]
    return render(request, "partials/job_panel.html", {"login": login, "job": job, "recordings": recordings,
                                                       "text": emg_text})
