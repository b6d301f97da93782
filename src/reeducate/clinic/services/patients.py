"""Patients: search, read, register, update demographics and insurance."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import changes_between, record, record_reads, snapshot
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.models import Coverage, Patient
from reeducate.clinic.numbering import mrn_series, next_number
from reeducate.clinic.schemas import CoverageCreate, PatientCreate, PatientUpdate, plain_text
from reeducate.clinic.services import coverages
from reeducate.clinic.vocabulary import STAFF, AuditAction

SEARCH_LIMIT = 50
SEARCH_MAX_CHARS = 100
"""A name, MRN, phone and birth date together fit; a longer search is a mistake (or a probe), refused."""


def get(session: Session, actor: Actor, patient_id: int, *, clinical: bool = False) -> Patient:
    """A patient the actor may see; audited as a read of their record."""
    patient = load(session, actor, patient_id, clinical=clinical)
    record(session, actor, AuditAction.READ, "patient", patient.id, patient_id=patient.id)
    return patient


def for_edit(session: Session, actor: Actor, patient_id: int) -> Patient:
    """A patient whose details the actor may change (staff who register); audited as a read."""
    require_role(actor, permissions.REGISTER, "change patient demographics")
    return get(session, actor, patient_id)


def load(session: Session, actor: Actor, patient_id: int, *, clinical: bool) -> Patient:
    """A patient the actor may see, without an audit row (the caller audits what it reads)."""
    return fetch_for_patient(session, actor, Patient, patient_id, "patient", patient_of=lambda p: p,
                             clinical=clinical)


def search(session: Session, actor: Actor, query: str = "", *, limit: int = SEARCH_LIMIT) -> list[Patient]:
    """Staff search their clinic's patients; every word must match a name, MRN, phone or birth date.

    A word shaped YYYY-MM-DD is also compared with the date of birth.
    """
    require_role(actor, STAFF, "search patients")
    if len(query) > SEARCH_MAX_CHARS:
        raise InvalidInput(f"The search has {len(query)} characters; search with at most {SEARCH_MAX_CHARS} "
                           "characters: a name, an MRN, a phone number or a birth date.", field="q")
    plain_text(query, "The search")
    statement = select(Patient).where(Patient.clinic_id == actor.clinic_id)
    for term in query.split():
        like = f"%{term.lower()}%"
        clauses: list[ColumnElement[bool]] = [
            func.lower(Patient.first_name).like(like),
            func.lower(Patient.last_name).like(like),
            func.lower(Patient.mrn).like(like),
            Patient.phone.like(f"%{term}%"),
        ]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", term):
            try:
                clauses.append(Patient.date_of_birth == date.fromisoformat(term))
            except ValueError:
                pass  # not a real date (e.g. 2020-02-31): it can still match a phone or MRN
        statement = statement.where(or_(*clauses))
    patients = list(
        session.scalars(statement.order_by(Patient.last_name, Patient.first_name).limit(limit))
    )
    record_reads(session, actor, "patient", (p.id for p in patients), f"search {query!r}"[:500])
    return patients


def _next_mrn(session: Session, clinic_id: int) -> str:
    return f"MRN{next_number(session, mrn_series(clinic_id)):06d}"


def create(session: Session, actor: Actor, data: PatientCreate) -> Patient:
    """Register a patient in the actor's clinic, with their primary and secondary insurance if given."""
    require_role(actor, permissions.REGISTER, "register patients")
    assert actor.clinic_id is not None
    patient = Patient(
        clinic_id=actor.clinic_id,
        mrn=_next_mrn(session, actor.clinic_id),
        **data.model_dump(exclude={"coverage", "secondary_coverage", "email"}),
        email=str(data.email or ""),
    )
    session.add(patient)
    session.flush()
    record(session, actor, AuditAction.CREATE, "patient", patient.id, patient_id=patient.id)
    if data.coverage:
        coverages.add(session, actor, patient, data.coverage.model_copy(update={"priority": 1}))
    if data.secondary_coverage:
        coverages.add(session, actor, patient, data.secondary_coverage.model_copy(update={"priority": 2}))
    return patient


def update(session: Session, actor: Actor, patient_id: int, data: PatientUpdate) -> Patient:
    """Change demographics, contact, address or emergency contact; the audit row keeps each changed
    field before and after."""
    require_role(actor, permissions.REGISTER, "change patient demographics")
    patient = load(session, actor, patient_id, clinical=False)
    changes = data.model_dump(exclude_unset=True)
    if "email" in changes:
        changes["email"] = str(changes["email"] or "")
    before = snapshot(patient, changes)
    for name, value in changes.items():
        setattr(patient, name, value)
    changed = changes_between(before, changes)
    record(
        session, actor, AuditAction.UPDATE, "patient", patient.id, patient_id=patient.id,
        detail="changed " + (", ".join(sorted(changed)) or "nothing"), changes=changed,
    )
    return patient


def add_coverage(session: Session, actor: Actor, patient_id: int, data: CoverageCreate) -> Coverage:
    """Add an insurance plan to a patient by the order of payers (:mod:`coverages`)."""
    require_role(actor, permissions.REGISTER, "change insurance")
    return coverages.add(session, actor, load(session, actor, patient_id, clinical=False), data)
