"""Server-rendered pages (Jinja2, htmx where a page updates in place)."""

from fastapi import APIRouter

from reeducate.web.pages import auth, booking, patients, portal, schedule

router = APIRouter(include_in_schema=False)
for module in (auth, schedule, patients, booking, portal):
    router.include_router(module.router)
