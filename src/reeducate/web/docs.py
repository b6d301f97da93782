"""The API's documentation at /docs (Swagger UI) and the site's icon, both served by the app itself.

Swagger UI's files are the published build that the fastapi-offline package ships, so the page works
offline and under our Content-Security-Policy (self only); the script that starts it is a static file
of ours (static/swagger-init.js), never inline. ReDoc is off: it injects its styles inline.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from reeducate.web.templating import templates

#: Swagger UI's own files (swagger-ui-bundle.js, swagger-ui.css), mounted under /static/swagger-ui.
SWAGGER_UI_FILES = StaticFiles(packages=[("fastapi_offline", "static")])
ICON = Path(__file__).parent / "static" / "favicon.svg"

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """The interactive API reference, read from the app's OpenAPI document."""
    return templates.TemplateResponse(request, "docs.html", {"openapi_url": request.app.openapi_url})


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The icon a browser asks for on its own (our pages link it as /static/favicon.svg)."""
    return FileResponse(ICON, media_type="image/svg+xml")
