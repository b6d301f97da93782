"""Request dependencies: the database session (one unit of work per request) and who is asking.

Those that only read the request are ``async def``: FastAPI runs a plain ``def`` dependency in the
thread pool, and each such hop costs the event loop a turn (under load, a wait for the GIL) for nothing.
The session and the log-in lookup touch the database, so they run in the thread pool.

Aliases keep routes short: ``SessionDep``, ``ActorDep`` (any logged-in person), ``StaffDep``,
``PatientDep``. Authentication accepts the session cookie (browsers; unsafe methods then need the
CSRF token) or ``Authorization: Bearer <token>`` (API clients).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property, partial
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Forbidden, NotAuthenticated
from reeducate.clinic.models import User
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import auth
from reeducate.clinic.vocabulary import STAFF, Role
from reeducate.settings import Settings
from reeducate.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SAFE_METHODS,
    csrf_matches,
    csrf_token,
    session_token,
)

#: Sent by a page's automatic requests (the job panel's poll): no activity of the person's own.
POLL_HEADER = "X-Reeducate-Poll"


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back if it raises."""
    with unit_of_work(request.app.state.session_factory) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""Scoped to the route function: the commit happens before the response is sent, so a client that
follows a redirect sees what was written, and a failed commit is reported as a failure."""
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_recording_store(request: Request) -> RecordingStore:
    """The raw-recording store of these settings."""
    return RecordingStore(request.app.state.settings.resolved_recordings_dir)


StoreDep = Annotated[RecordingStore, Depends(get_recording_store)]


async def get_policy(request: Request) -> auth.SessionPolicy:
    return request.app.state.session_policy


PolicyDep = Annotated[auth.SessionPolicy, Depends(get_policy)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def session_policy(settings: Settings) -> auth.SessionPolicy:
    """The log-in and session limits of ``settings`` (built once, when the app is created)."""
    return auth.SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        max_age=timedelta(hours=settings.session_max_hours),
        max_failures=settings.login_max_failures,
        max_failures_per_ip=settings.login_max_failures_per_ip,
        window=timedelta(minutes=settings.login_window_minutes),
    )


@dataclass(frozen=True)
class Login:
    """The logged-in user, the actor built from them, and their session token."""

    user: User
    actor: Actor
    token: str
    csrf: str

    @cached_property
    def timezone(self) -> str:
        """The zone this person's pages show moments in: their clinic's main (first) location's,
        looked up once per request, on first use; UTC for a clinic with no location yet."""
        locations = self.user.clinic.locations
        return locations[0].timezone if locations else "UTC"

    @property
    def can(self) -> permissions.Permissions:
        """What this person may do, for templates to show only the buttons that will work."""
        return permissions.of(self.user.role)


async def current_login(request: Request, session: SessionDep, settings: SettingsDep,
                        policy: PolicyDep) -> Login:
    """Who is asking; the session is looked up in the thread pool, never on the event loop.

    Async only to read a posted form's CSRF field, which needs the event loop; a route that reads
    the form again gets Starlette's cached copy.
    """
    token, from_cookie = session_token(request.headers)
    # A page's own look at a job's progress (the panel's poll) does not keep an unattended session alive.
    touch = POLL_HEADER not in request.headers
    user = await run_in_threadpool(partial(auth.resolve, touch=touch), session, policy, token) if token else None
    if user is None or token is None:
        raise NotAuthenticated("Log in first: no valid session (it may have expired).")
    secret = settings.secret_key.get_secret_value()
    if from_cookie and request.method not in SAFE_METHODS:
        presented = request.headers.get(CSRF_HEADER)
        if presented is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            presented = str((await request.form()).get(CSRF_FIELD) or "")
        if not csrf_matches(secret, token, presented):
            raise Forbidden("The form's security token is missing or stale; reload the page and try again.")
    actor = Actor.of(user, ip_address=client_ip(request), user_agent=request.headers.get("user-agent", ""))
    request.state.actor = actor
    return Login(user=user, actor=actor, token=token, csrf=csrf_token(secret, token))


LoginDep = Annotated[Login, Depends(current_login)]


async def _actor(login: LoginDep) -> Actor:
    return login.actor


async def _staff(login: LoginDep) -> Actor:
    if login.actor.role not in STAFF:
        raise Forbidden("This is for clinic staff; patients use the portal.")
    return login.actor


async def _patient(login: LoginDep) -> Actor:
    if login.actor.role is not Role.PATIENT:
        raise Forbidden("This is the patient portal; staff use the clinic pages.")
    return login.actor


ActorDep = Annotated[Actor, Depends(_actor)]
StaffDep = Annotated[Actor, Depends(_staff)]
PatientDep = Annotated[Actor, Depends(_patient)]
