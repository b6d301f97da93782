"""Log-in and log-out pages, and the home address that sends each role to its page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reeducate.clinic.errors import NotAuthenticated, TooManyAttempts
from reeducate.clinic.schemas import Credentials
from reeducate.clinic.services import auth
from reeducate.clinic.vocabulary import Role
from reeducate.web.deps import LoginDep, PolicyDep, SessionDep, SettingsDep, client_ip
from reeducate.web.forms import first_error
from reeducate.web.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE, new_login_csrf
from reeducate.web.templating import render

router = APIRouter()


def _home_of(role: Role) -> str:
    return "/portal" if role is Role.PATIENT else "/schedule"


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect a log-in to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _login_page(request: Request, settings: SettingsDep, *, error: str = "", email: str = "",
                next_path: str = "", status_code: int = 200) -> Response:
    token = new_login_csrf()
    response = render(request, "pages/login.html",
                      {"login": None, "csrf": token, "error": error, "email": email, "next": next_path},
                      status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=settings.cookies_secure, max_age=3600)
    return response


@router.get("/login")
def login_form(request: Request, settings: SettingsDep, next: str = "") -> Response:
    return _login_page(request, settings, next_path=_safe_next(next) or "")


@router.post("/login")
def log_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    policy: PolicyDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    if not csrf_token or csrf_token != request.cookies.get(LOGIN_CSRF_COOKIE):
        return _login_page(request, settings, error="The page had expired; please log in again.",
                           email=email, status_code=403)
    try:
        credentials = Credentials.model_validate({"email": email, "password": password})
    except ValidationError as error:
        return _login_page(request, settings, error=first_error(error), status_code=422)
    try:
        user, token = auth.log_in(session, policy, credentials.email, credentials.password,
                                  ip_address=client_ip(request),
                                  user_agent=request.headers.get("user-agent", ""))
    except NotAuthenticated as error:
        session.commit()  # keep the failed attempt: it counts towards the lock-out
        return _login_page(request, settings, error=error.message, email=email, status_code=401)
    except TooManyAttempts as error:
        return _login_page(request, settings, error=error.message, email=email, status_code=429)
    response = RedirectResponse(_safe_next(next) or _home_of(user.role), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=settings.cookies_secure)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def log_out(login: LoginDep, session: SessionDep) -> Response:
    auth.log_out(session, login.actor, login.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(login: LoginDep) -> Response:
    return RedirectResponse(_home_of(login.user.role), status_code=303)
