"""Who may see and do what. Every service calls these checks before it reads or writes.

Rules (issue 2): a patient sees only their own records; front desk and administrators see the
schedule, demographics and insurance but no clinical content; clinicians see their own clinic's
patients only; nobody sees another clinic's. A record the caller may not know about is "not found"
(404), so that its existence is not revealed; a known record the role may not open is "forbidden".
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from reeducate.clinic.errors import Forbidden, NotFound
from reeducate.clinic.models import Patient, User
from reeducate.clinic.vocabulary import CLINICIANS, Role

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """The person (or system task) doing something, and where from, for checks and the audit log."""

    user_id: int | None
    clinic_id: int | None
    role: Role | None
    email: str
    patient_id: int | None = None
    ip_address: str = ""
    user_agent: str = ""

    @classmethod
    def of(cls, user: User, *, ip_address: str = "", user_agent: str = "") -> Actor:
        return cls(
            user_id=user.id,
            clinic_id=user.clinic_id,
            role=user.role,
            email=user.email,
            patient_id=user.patient_id,
            ip_address=ip_address,
            user_agent=user_agent[:300],
        )

    @classmethod
    def system(cls, task: str) -> Actor:
        """An operator task run from the command line (backup, restore, demo seeding)."""
        return cls(user_id=None, clinic_id=None, role=None, email=f"system: {task}")

    @property
    def is_patient(self) -> bool:
        return self.role is Role.PATIENT

    @property
    def is_clinician(self) -> bool:
        return self.role in CLINICIANS


def fetch(session: Session, model: type[T], record_id: int, what: str) -> T:
    """The ``model`` row with ``record_id``, or :class:`NotFound` naming ``what`` was looked for."""
    found = session.get(model, record_id)
    if found is None:
        raise NotFound(f"No {what} {record_id}.")
    return found


def require_role(actor: Actor, allowed: Collection[Role], doing: str) -> None:
    """Refuse unless the actor's role is one of ``allowed``."""
    if actor.role not in allowed:
        who = actor.role.label if actor.role else "This account"
        raise Forbidden(f"{who} may not {doing}.")


def check_patient_access(actor: Actor, patient: Patient, *, clinical: bool) -> None:
    """Refuse unless ``actor`` may see ``patient`` (and, if ``clinical``, their clinical content)."""
    if actor.is_patient:
        if patient.id != actor.patient_id:
            raise NotFound(f"No patient {patient.id}.")
        return
    if patient.clinic_id != actor.clinic_id:
        raise NotFound(f"No patient {patient.id}.")
    if clinical and not actor.is_clinician:
        raise Forbidden(
            f"{actor.role.label if actor.role else 'This account'} may not see clinical content; "
            "ask a clinician on the patient's care team."
        )


def check_same_clinic(actor: Actor, clinic_id: int, what: str) -> None:
    """Refuse (as not found) a record of another clinic."""
    if actor.clinic_id != clinic_id:
        raise NotFound(f"No {what}.")
