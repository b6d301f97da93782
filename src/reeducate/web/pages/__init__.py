"""Server-rendered pages (Jinja2, htmx where a page updates in place)."""

from fastapi import APIRouter

from reeducate.web.pages import (
    auth,
    balance,
    billing,
    booking,
    coverages,
    measures,
    movement,
    patients,
    portal,
    schedule,
    training,
    visits,
)

router = APIRouter(include_in_schema=False)
for module in (auth, schedule, patients, coverages, booking, portal, measures, balance, movement, training,
               billing, visits):
    router.include_router(module.router)
