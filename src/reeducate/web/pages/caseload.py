"""A clinician's own patients ("my patients"), with their next appointment and last visit."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from reeducate.clinic.services import caseload, scheduling
from reeducate.web.deps import LoginDep, SessionDep
from reeducate.web.templating import render

router = APIRouter()


@router.get("/my-patients")
def my_patients(request: Request, login: LoginDep, session: SessionDep) -> Response:
    rows = caseload.my_patients(session, login.actor)
    return render(request, "pages/my_patients.html", {
        "login": login, "rows": rows, "location": scheduling.location_of(session, login.actor, None),
        "recent_days": caseload.RECENT.days,
    })
