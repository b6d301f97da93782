"""Accounts: creating them, hashing and checking passwords (argon2id), and the administrator's
work on staff accounts (role, deactivation, password reset), each audited with what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reeducate.billing.npi import check_npi
from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, not_found, require_role
from reeducate.clinic.audit_log import changes_between, record, snapshot
from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import AuditEvent, AuthSession, Clinic, Patient, User
from reeducate.clinic.passwords import check_password
from reeducate.clinic.schemas import MAX_ID, StaffCreate, StaffUpdate, plain_text
from reeducate.clinic.vocabulary import CLINICIANS, STAFF, AuditAction, Role

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("a password nobody has, to spend the same time on unknown e-mails")


def hash_password(password: str, *, email: str, clinic: Clinic) -> str:
    """The argon2id hash of the account's new password, once it meets the policy (clinic.passwords);
    every way of setting a password goes through here."""
    check_password(password, email=email, clinic_name=clinic.name)
    return _hasher.hash(password)


def password_matches(user: User | None, password: str) -> bool:
    """Check a password in constant work whether or not the account exists."""
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and bool(user)
    except (VerifyMismatchError, InvalidHashError):
        return False


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    session: Session,
    actor: Actor,
    *,
    clinic: Clinic,
    email: str,
    full_name: str,
    role: Role,
    password: str,
    credentials: str = "",
    npi: str | None = None,
    patient: Patient | None = None,
) -> User:
    """Create an account; a patient account must name its patient record of the same clinic."""
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput(f"{email!r} is not an e-mail address.", field="email")
    if find_by_email(session, email):
        raise Conflict(f"An account for {email} already exists.", field="email")
    if (role is Role.PATIENT) != (patient is not None):
        raise InvalidInput("A patient account needs its patient record, and only a patient's does.")
    if patient is not None and patient.clinic_id != clinic.id:
        raise NotFound(f"No patient {patient.id} in {clinic.name}.")
    user = User(
        clinic_id=clinic.id,
        email=email,
        full_name=full_name.strip(),
        role=role,
        credentials=credentials,
        npi=npi,
        password_hash=hash_password(password, email=email, clinic=clinic),
        patient_id=patient.id if patient else None,
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor,
        AuditAction.CREATE,
        "user",
        user.id,
        patient_id=user.patient_id,
        detail=f"{role.value} {email}",
    )
    return user


def list_clinicians(session: Session, actor: Actor) -> list[User]:
    """The active clinicians of the actor's clinic (anyone logged in may see who treats there)."""
    return list(
        session.scalars(
            select(User)
            .where(User.clinic_id == actor.clinic_id, User.role.in_(CLINICIANS), User.is_active)
            .order_by(User.full_name)
        )
    )


# --- the administrator's work on staff accounts -----------------------------------------------------

ACCOUNT_FIELDS = ("full_name", "role", "credentials", "npi", "is_active")
"""What the audit log compares before and after an account changes (never the password)."""


@dataclass(frozen=True)
class StaffAccount:
    """A staff account as the administrator's list shows it, with its last log-in (None: none logged)."""

    user: User
    last_login_at: datetime | None


def list_staff(session: Session, actor: Actor) -> list[StaffAccount]:
    """The clinic's staff accounts, active first, by name, each with its last log-in from the audit log."""
    require_role(actor, permissions.ADMINISTER, "manage user accounts")
    last_login = (select(AuditEvent.user_id, func.max(AuditEvent.at).label("at"))
                  .where(AuditEvent.action == AuditAction.LOGIN).group_by(AuditEvent.user_id).subquery())
    rows = session.execute(
        select(User, last_login.c.at).outerjoin(last_login, last_login.c.user_id == User.id)
        .where(User.clinic_id == actor.clinic_id, User.role.in_(STAFF))
        .order_by(User.is_active.desc(), User.full_name)
    ).all()
    return [StaffAccount(user, at) for user, at in rows]


def get_staff(session: Session, actor: Actor, user_id: int) -> User:
    """A staff account of the administrator's clinic (another clinic's, or a patient's, is not found)."""
    require_role(actor, permissions.ADMINISTER, "manage user accounts")
    user = session.get(User, user_id) if 1 <= user_id <= MAX_ID else None
    if user is None or user.clinic_id != actor.clinic_id or user.role not in STAFF:
        raise not_found("staff account", user_id)
    return user


def _npi(role: Role, npi: str, full_name: str) -> str | None:
    """A clinician's NPI, checked (billing/npi.py); other roles have none on a claim."""
    npi = npi.strip()
    if not npi:
        return None
    if role not in CLINICIANS:
        raise InvalidInput(f"A {role.label.lower()} bills under no NPI of their own; leave the NPI empty.",
                           field="npi")
    try:
        return check_npi(npi, full_name)
    except ValueError as error:
        raise InvalidInput(f"{error}.", field="npi") from None


def _clinic(session: Session, actor: Actor) -> Clinic:
    clinic = session.get(Clinic, actor.clinic_id) if actor.clinic_id else None
    assert clinic is not None, "an administrator belongs to a clinic"
    return clinic


def create_staff(session: Session, actor: Actor, data: StaffCreate) -> User:
    """A new staff account with an initial password meeting the policy (given to its owner in person)."""
    require_role(actor, permissions.ADMINISTER, "create user accounts")
    if data.role not in STAFF:
        raise InvalidInput("A patient's portal account is made from their chart, not here.", field="role")
    npi = _npi(data.role, data.npi, data.full_name)
    return create_user(session, actor, clinic=_clinic(session, actor), email=str(data.email),
                       full_name=data.full_name, role=data.role, password=data.password,
                       credentials=data.credentials, npi=npi)


def _keep_an_administrator(session: Session, actor: Actor, user: User, doing: str) -> None:
    """Refuse a change that would leave the clinic without an active administrator."""
    serialise(session, LockScope.CLINIC_ACCOUNTS, user.clinic_id)
    others = session.scalar(select(func.count()).select_from(User).where(
        User.clinic_id == user.clinic_id, User.role == Role.ADMIN, User.is_active, User.id != user.id)) or 0
    if user.role is Role.ADMIN and user.is_active and others == 0:
        raise Conflict(f"{user.full_name} is the clinic's last active administrator; make another account "
                       f"an administrator before you {doing}.")


def _audit_change(session: Session, actor: Actor, user: User, before: dict[str, object], detail: str) -> None:
    changed = changes_between(before, snapshot(user, ACCOUNT_FIELDS))
    record(session, actor, AuditAction.UPDATE, "user", user.id, detail=f"{user.email}: {detail}"[:500],
           changes=changed)


def update_staff(session: Session, actor: Actor, user_id: int, data: StaffUpdate) -> User:
    """Change an account's name, role, credentials and NPI; the clinic keeps an administrator."""
    user = get_staff(session, actor, user_id)
    if data.role not in STAFF:
        raise InvalidInput("A staff account cannot become a patient's portal account.", field="role")
    if data.role is not Role.ADMIN:
        _keep_an_administrator(session, actor, user, f"give {user.full_name} another role")
    before = snapshot(user, ACCOUNT_FIELDS)
    user.full_name, user.role, user.credentials = data.full_name, data.role, data.credentials
    user.npi = _npi(data.role, data.npi, data.full_name)
    _audit_change(session, actor, user, before, "account changed")
    return user


def _end_sessions(session: Session, user: User) -> None:
    """Log the account out everywhere (its sessions are deleted; the next request needs a log-in)."""
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))


def set_active(session: Session, actor: Actor, user_id: int, *, active: bool, reason: str = "") -> User:
    """Deactivate (with a reason; the account is logged out everywhere) or reactivate an account.

    An administrator cannot deactivate themself, nor the clinic's last administrator."""
    user = get_staff(session, actor, user_id)
    reason = plain_text(reason.strip(), "The reason")[:300]
    if not active:
        if user.id == actor.user_id:
            raise Conflict("You cannot deactivate your own account; ask another administrator.")
        if not reason:
            raise InvalidInput(f"Say why {user.full_name}'s account is deactivated (e.g. left the clinic).",
                               field="reason")
        _keep_an_administrator(session, actor, user, f"deactivate {user.full_name}")
    before = snapshot(user, ACCOUNT_FIELDS)
    user.is_active = active
    if not active:
        _end_sessions(session, user)
    _audit_change(session, actor, user, before, ("deactivated: " + reason) if not active else "reactivated")
    return user


def reset_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """Set a new password meeting the policy (the administrator hands it over; the account's sessions end).

    The audit row says the password was reset, never what to."""
    user = get_staff(session, actor, user_id)
    user.password_hash = hash_password(password, email=user.email, clinic=user.clinic)
    _end_sessions(session, user)
    record(session, actor, AuditAction.UPDATE, "user", user.id, detail=f"{user.email}: password reset")
    return user
