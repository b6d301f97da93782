"""Who may see and do what. Every service calls these checks before it reads or writes.

Rules (issue 2): a patient sees only their own records; front desk and administrators see the
schedule, demographics and insurance but no clinical content; clinicians see their own clinic's
patients only; nobody sees another clinic's.

Refusals (issue 17) must not tell which ids exist. A refusal that depends on the role alone ("may not
see clinical content") is "forbidden" (403), and is decided before any record is looked up, so it is
the same for every id. A record the caller may not know about (another patient's, another clinic's)
is "not found" (404) in exactly the words a missing id gets (:func:`not_found`):
:func:`fetch_for_patient` does both, in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from reeducate.clinic.errors import Forbidden, NotFound
from reeducate.clinic.models import Patient, User
from reeducate.clinic.schemas import MAX_ID
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


def not_found(what: str, record_id: int) -> NotFound:
    """The one answer for a missing ``what`` and for one the caller may not know about."""
    return NotFound(f"No {what} {record_id}.")


def _get(session: Session, model: type[T], record_id: int) -> T | None:
    """The row, or None; an id no row can have (as from a URL) is not even sent to the database."""
    return session.get(model, record_id) if 1 <= record_id <= MAX_ID else None


def fetch(session: Session, model: type[T], record_id: int, what: str) -> T:
    """The ``model`` row with ``record_id``, or :class:`NotFound` naming ``what`` was looked for."""
    found = _get(session, model, record_id)
    if found is None:
        raise not_found(what, record_id)
    return found


def may_see_patient(actor: Actor, patient: Patient) -> bool:
    """Whether ``actor`` may know about ``patient`` at all: the patient themself, or their clinic's staff."""
    if actor.is_patient:
        return patient.id == actor.patient_id
    return actor.clinic_id is not None and patient.clinic_id == actor.clinic_id


def require_clinical_role(actor: Actor) -> None:
    """Refuse clinical content to a role that never sees it (front desk, administrator), whatever the record."""
    if not (actor.is_patient or actor.is_clinician):
        raise Forbidden(
            f"{actor.role.label if actor.role else 'This account'} may not see clinical content; "
            "ask a clinician on the patient's care team."
        )


def fetch_for_patient(session: Session, actor: Actor, model: type[T], record_id: int, what: str, *,
                      patient_of: Callable[[T], Patient], clinical: bool) -> T:
    """The ``model`` row with ``record_id`` if ``actor`` may see it: the role first (403 for every id,
    when ``clinical``), then one :func:`not_found` for a missing row and for another patient's or clinic's."""
    if clinical:
        require_clinical_role(actor)
    found = _get(session, model, record_id)
    if found is None or not may_see_patient(actor, patient_of(found)):
        raise not_found(what, record_id)
    return found


def require_role(actor: Actor, allowed: Collection[Role], doing: str) -> None:
    """Refuse unless the actor's role is one of ``allowed``."""
    if actor.role not in allowed:
        who = actor.role.label if actor.role else "This account"
        raise Forbidden(f"{who} may not {doing}.")


def check_patient_access(actor: Actor, patient: Patient, *, clinical: bool) -> None:
    """Refuse unless ``actor`` may see ``patient`` (and, if ``clinical``, their clinical content).

    A service that looked a record up by its own id uses :func:`fetch_for_patient` instead, whose
    "not found" names that record as a missing id's does; this one names the patient."""
    if clinical:
        require_clinical_role(actor)
    if not may_see_patient(actor, patient):
        raise not_found("patient", patient.id)


def check_same_clinic(actor: Actor, clinic_id: int, what: str) -> None:
    """Refuse (as not found) a record of another clinic."""
    if actor.clinic_id != clinic_id:
        raise NotFound(f"No {what}.")
