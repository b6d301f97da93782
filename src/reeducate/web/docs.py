"""The API's documentation at /docs (Swagger UI) and /openapi.json, and the site's icon, all served by
the app itself.

Swagger UI's files are the published build that the fastapi-offline package ships, so the page works
offline and under our Content-Security-Policy (self only); the script that starts it is a static file
of ours (static/swagger-init.js), never inline. ReDoc is off: it injects its styles inline.

Outside development the documentation is for logged-in clinic staff only: it maps every route, which
is no business of a passer-by (a browser is sent to the log-in page, an API client answered 401).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from reeducate.clinic.errors import Forbidden
from reeducate.clinic.vocabulary import STAFF
from reeducate.web.deps import PolicyDep, SessionDep, SettingsDep, current_login
from reeducate.web.templating import templates

#: Swagger UI's own files (swagger-ui-bundle.js, swagger-ui.css), mounted under /static/swagger-ui.
SWAGGER_UI_FILES = StaticFiles(packages=[("fastapi_offline", "static")])
ICON = Path(__file__).parent / "static" / "favicon.svg"
OPENAPI_URL = "/openapi.json"


async def _documentation_reader(request: Request, session: SessionDep, settings: SettingsDep,
                                policy: PolicyDep) -> None:
    """Anyone in development; elsewhere a logged-in member of a clinic's staff."""
    if settings.is_development:
        return
    login = await current_login(request, session, settings, policy)
    if login.actor.role not in STAFF:
        raise Forbidden("The API's documentation is for clinic staff.")


router = APIRouter(include_in_schema=False)
DOCUMENTATION_READER = [Depends(_documentation_reader)]


@router.get("/docs", response_class=HTMLResponse, dependencies=DOCUMENTATION_READER)
def swagger_ui(request: Request) -> HTMLResponse:
    """The interactive API reference, read from the app's OpenAPI document."""
    return templates.TemplateResponse(request, "docs.html", {"openapi_url": OPENAPI_URL})


@router.get(OPENAPI_URL, dependencies=DOCUMENTATION_READER)
def openapi(request: Request) -> dict[str, Any]:
    """The app's OpenAPI document (FastAPI's own, which the app is told not to serve itself)."""
    return request.app.openapi()


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The icon a browser asks for on its own (our pages link it as /static/favicon.svg)."""
    return FileResponse(ICON, media_type="image/svg+xml")
