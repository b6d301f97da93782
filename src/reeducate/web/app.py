"""Build the FastAPI application: routers, error handling, security headers, static files, API docs."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reeducate import __version__
from reeducate.clinic.audit_log import record_refusal
from reeducate.clinic.db import make_engine, make_session_factory, unit_of_work
from reeducate.clinic.errors import ClinicError
from reeducate.clinic.queue import JobQueue
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import auth
from reeducate.settings import Settings, get_settings
from reeducate.web import api, docs, live, pages
from reeducate.web.deps import session_policy
from reeducate.web.gate import RequestGate, SessionCheck
from reeducate.web.security import CONTENT_SECURITY_POLICY
from reeducate.web.templating import templates

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


VENDOR_CACHE = "public, max-age=86400"
"""Browser libraries under /static/vendor/ (the pose model is 15 MB): kept a day, then revalidated by
their ETag; their addresses carry no version, so an upgrade reaches every browser within a day."""

HSTS = "max-age=31536000; includeSubDomains"
"""Strict-Transport-Security outside development: browsers use HTTPS only, for a year (RFC 6797)."""


def security_headers_for(settings: Settings) -> dict[str, str]:
    """The headers every response carries under ``settings`` (HSTS everywhere but development)."""
    return SECURITY_HEADERS if settings.is_development else {**SECURITY_HEADERS, "Strict-Transport-Security": HSTS}


class SecurityHeaders:
    """ASGI middleware: ``headers`` on every response (unless the route set its own), ``no-store`` on
    all but static files and a day's caching on /static/vendor/. Plain ASGI rather than
    ``@app.middleware``, whose per-request task group and body stream cost each request a little of
    the event loop's time."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        vendor = scope["path"].startswith("/static/vendor/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
                elif vendor:
                    headers.setdefault("Cache-Control", VENDOR_CACHE)
            await send(message)

        await self.app(scope, receive, with_headers)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path == "/api" or path.startswith("/api/") or path in ("/healthz", docs.OPENAPI_URL)


def _error_page(request: Request, status: int, message: str) -> Response:
    """The error page a browser gets: the status, what went wrong in words, and the way home."""
    return templates.TemplateResponse(
        request, "pages/error.html", {"status": status, "message": message, "login": None}, status_code=status,
    )


async def _clinic_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ClinicError)
    status = error.http_status
    await run_in_threadpool(record_refusal, request.app.state.session_factory,  # a write: off the event loop
                            getattr(request.state, "actor", None), error, f"{request.method} {request.url.path}")
    if _wants_json(request):
        return JSONResponse({"detail": error.message, "field": error.field}, status_code=status)
    if status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return _error_page(request, status, error.message)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    message = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}" for e in error.errors()
    )
    if _wants_json(request):  # the errors without the input they quote: it may be a password, or NaN
        errors = [{k: v for k, v in e.items() if k != "input"} for e in error.errors()]
        return JSONResponse({"detail": message, "errors": jsonable_encoder(errors)}, status_code=422)
    return _error_page(request, 422, message)


def _wants_page(request: Request) -> bool:
    """A browser asking for a page (it accepts HTML), outside the API."""
    return not _wants_json(request) and "text/html" in request.headers.get("accept", "")


async def _http_error(request: Request, error: Exception) -> Response:
    """An unknown address (or a method the address does not take) gets a page with a way home in a
    browser, JSON under /api and for other clients."""
    assert isinstance(error, HTTPException)
    if not _wants_page(request):
        return await http_exception_handler(request, error)
    if error.status_code == 404:
        message = f"There is no page at {request.url.path}: check the address, or start again from your home page."
    else:
        message = f"{request.url.path} does not take this request ({error.detail}); start again from your home page."
    return _error_page(request, error.status_code, message)


async def _server_error(request: Request, error: Exception) -> Response:
    """A fault of ours (500): a page in a browser, JSON elsewhere; the error itself goes to the server's log."""
    message = "Something went wrong on our side and nothing was saved by this request; try again, and tell your administrator if it happens again."
    if _wants_page(request):
        return _error_page(request, 500, message)
    return JSONResponse({"detail": message}, status_code=500)


def _session_check(app: FastAPI) -> SessionCheck:
    """Whether a token names a live session, looked up in the thread pool (the gate's first question)."""
    def is_live(token: str) -> bool:
        with unit_of_work(app.state.session_factory) as session:
            return auth.resolve(session, app.state.session_policy, token) is not None

    async def check(token: str) -> bool:
        return await run_in_threadpool(is_live, token)
    return check


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """The application for ``settings`` (default: the environment); refuses unsafe settings.
    Uploads' analyses and reminder e-mails are the job workers' (`reeducate worker`)."""
    settings = settings or get_settings()
    settings.check_safe_to_start()
    engine = engine or make_engine(settings.resolved_database_url, connections=settings.max_concurrent_requests)
    app = FastAPI(
        title="Reeducate",
        version=__version__,
        docs_url=None,  # web.docs serves /docs from local files and /openapi.json (behind log-in outside
        openapi_url=None,  # development); ReDoc is off
        redoc_url=None,
        description="Neuromuscular reeducation clinics: records, schedule, visits. "
        "Authenticate with POST /api/v1/auth/login and send `Authorization: Bearer <token>`.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.job_queue = JobQueue(settings.resolved_queue_url, app.state.session_factory,
                                   RecordingStore(settings.resolved_recordings_dir), settings.job_lease_s)
    app.state.session_policy = session_policy(settings)
    app.add_exception_handler(ClinicError, _clinic_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)

    app.add_middleware(  # inside the security headers, so its own answers carry them too
        RequestGate, concurrent=settings.max_concurrent_requests, queue_seconds=settings.request_queue_seconds,
        max_body_bytes=settings.max_upload_mb * 2**20, session_is_live=_session_check(app),
    )
    app.add_middleware(SecurityHeaders, headers=security_headers_for(settings))

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness and database reachability; shows no patient data."""
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(live.router)
    app.include_router(docs.router)
    app.mount("/static/swagger-ui", docs.SWAGGER_UI_FILES, name="swagger-ui")  # before /static, which would answer 404
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
