"""Server-rendered pages (Jinja2, htmx where a page updates in place)."""

from fastapi import APIRouter

from reeducate.web.pages import (
    auth,
    balance,
    billing,
    booking,
    caseload,
    measures,
    movement,
    patients,
    portal,
    schedule,
    training,
)

router = APIRouter(include_in_schema=False)
for module in (auth, schedule, patients, booking, portal, measures, balance, movement, training,
               billing, caseload):
    router.include_router(module.router)
