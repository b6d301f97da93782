"""Logging in and out: rate-limited password checks and revocable server-side sessions.

A session token is 256 random bits given to the browser (cookie) or API client (bearer); the
database keeps only its SHA-256, so a stolen backup cannot be replayed as a log-in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import NotAuthenticated, TooManyAttempts
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import AuthSession, LoginAttempt, User
from reeducate.clinic.services.users import find_by_email, password_matches
from reeducate.clinic.vocabulary import AuditAction

LAST_SEEN_RESOLUTION = timedelta(minutes=1)
"""How stale ``last_seen_at`` may get before a request writes it again."""


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions last and how many failed log-ins are tolerated (from Settings)."""

    idle: timedelta
    max_age: timedelta
    max_failures: int
    max_failures_per_ip: int
    window: timedelta


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _recent_failures(session: Session, since: datetime, *criteria: ColumnElement[bool]) -> int:
    return session.scalar(
        select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False), *criteria
        )
    ) or 0


def log_in(
    session: Session,
    policy: SessionPolicy,
    email: str,
    password: str,
    *,
    ip_address: str,
    user_agent: str = "",
    now: datetime | None = None,
) -> tuple[User, str]:
    """Check the credentials and open a session; returns the user and the session token.

    Raises :class:`TooManyAttempts` once an account or an address has failed too often within the
    window, before even checking the password, so that guessing cannot continue. Log-ins to one
    account, and from one address, are counted one at a time until the attempt is stored (committed,
    as a failure until the password proves right), so a burst of simultaneous guesses gets no more
    password checks than the limit.
    """
    now = now or utcnow()
    email = email.strip().lower()
    since = now - policy.window
    serialise(session, LockScope.LOGIN_ACCOUNT, email)
    serialise(session, LockScope.LOGIN_ADDRESS, ip_address)
    if (
        _recent_failures(session, since, LoginAttempt.email == email) >= policy.max_failures
        or _recent_failures(session, since, LoginAttempt.ip_address == ip_address)
        >= policy.max_failures_per_ip
    ):
        minutes = int(policy.window.total_seconds() // 60)
        raise TooManyAttempts(
            f"Too many failed log-ins; wait {minutes} minutes and try again, "
            "or ask an administrator to reset the password."
        )
    user = find_by_email(session, email)
    attempt = LoginAttempt(at=now, email=email, ip_address=ip_address, succeeded=False)
    session.add(attempt)
    # Stored as a failure until the password is known to be right, and the transaction ended: the
    # check (argon2id: tens of milliseconds and 64 MiB) then runs without the limiter's locks or the
    # database's write turn, so a morning of log-ins does not queue behind it, and a burst of guesses
    # still has every attempt counted before its password is checked.
    session.commit()
    ok = password_matches(user, password) and user is not None and user.is_active
    attempt.succeeded = ok
    if not ok or user is None:
        record(
            session,
            Actor(None, user.clinic_id if user else None, None, email, None, ip_address, user_agent),
            AuditAction.LOGIN_FAILED,
            "session",
        )
        raise NotAuthenticated("The e-mail or the password is wrong.")
    token = secrets.token_urlsafe(32)
    session.add(
        AuthSession(
            token_sha256=token_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.max_age,
            ip_address=ip_address,
        )
    )
    record(
        session, Actor.of(user, ip_address=ip_address, user_agent=user_agent), AuditAction.LOGIN,
        "session",
    )
    return user, token


def resolve(
    session: Session, policy: SessionPolicy, token: str, *, now: datetime | None = None, touch: bool = True
) -> User | None:
    """The user of a live session token, or None if unknown, expired, idle too long or disabled; ``touch``
    (a person's own request) counts as activity, a page's automatic look at a job's progress does not."""
    now = now or utcnow()
    found = session.scalar(select(AuthSession).where(AuthSession.token_sha256 == token_digest(token)))
    if found is None:
        return None
    if now >= found.expires_at or now - found.last_seen_at >= policy.idle or not found.user.is_active:
        session.delete(found)
        return None
    if touch and now - found.last_seen_at >= LAST_SEEN_RESOLUTION:
        found.last_seen_at = now
    return found.user


def log_out(session: Session, actor: Actor, token: str) -> None:
    """End the session of ``token`` (other sessions of the same user stay open)."""
    session.execute(delete(AuthSession).where(AuthSession.token_sha256 == token_digest(token)))
    record(session, actor, AuditAction.LOGOUT, "session")
