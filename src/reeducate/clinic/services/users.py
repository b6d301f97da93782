"""Accounts: creating them, hashing and checking passwords (argon2id)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import record
from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.models import Clinic, Patient, User
from reeducate.clinic.passwords import check_password
from reeducate.clinic.vocabulary import CLINICIANS, AuditAction, Role

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
