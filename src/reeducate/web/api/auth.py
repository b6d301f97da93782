"""Logging in and out through the API (bearer tokens for API clients)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from reeducate.clinic.errors import NotAuthenticated
from reeducate.clinic.schemas import Credentials, MeOut
from reeducate.clinic.services import auth
from reeducate.web.deps import LoginDep, PolicyDep, SessionDep, SettingsDep, client_ip
from reeducate.web.security import csrf_token

router = APIRouter(tags=["auth"])


class LoginOut(BaseModel):
    token: str
    token_type: str = "bearer"
    csrf_token: str
    user: MeOut


@router.post("/auth/login", response_model=LoginOut)
def log_in(data: Credentials, request: Request, session: SessionDep, settings: SettingsDep,
           policy: PolicyDep) -> LoginOut:
    """Exchange e-mail and password for a session token; send it as ``Authorization: Bearer``."""
    try:
        user, token = auth.log_in(
            session, policy, data.email, data.password,
            ip_address=client_ip(request), user_agent=request.headers.get("user-agent", ""),
        )
    except NotAuthenticated:
        session.commit()  # keep the failed attempt: it counts towards the lock-out
        raise
    secret = settings.secret_key.get_secret_value()
    return LoginOut(token=token, csrf_token=csrf_token(secret, token), user=MeOut.model_validate(user))


@router.post("/auth/logout", status_code=204)
def log_out(login: LoginDep, session: SessionDep) -> Response:
    auth.log_out(session, login.actor, login.token)
    return Response(status_code=204)


@router.get("/me", response_model=MeOut)
def me(login: LoginDep) -> MeOut:
    return MeOut.model_validate(login.user)


