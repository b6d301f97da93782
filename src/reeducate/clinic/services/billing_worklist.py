"""The front desk's billing worklist: signed visits not yet billed, visits with minutes whose note is not
signed (and why), and the claims released, filtered by date of service and payer.

Any staff member who sees billing reads it (the same as a visit's billing page); releasing and
correcting stay with `permissions.BILL`. Every visit and claim listed is audited as read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, selectinload

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, require_role
from reeducate.clinic.audit_log import record_reads
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.models import (
    Claim,
    Coverage,
    Location,
    Patient,
    Visit,
    VisitActivity,
    VisitCharge,
    VisitNote,
)
from reeducate.clinic.schemas import plain_text
from reeducate.clinic.services.billing import live_claims, primary_coverage
from reeducate.clinic.services.scheduling import day_bounds, location_of
from reeducate.clinic.vocabulary import ClaimFrequency, NoteStatus, PlanKind
from reeducate.reports.dates import day_text

MAX_PAYER_CHARS = 100
"""The longest payer name the filter takes (a search's limit)."""
MAX_ROWS = 200
"""Rows shown per section; a longer section says so and asks for a narrower filter."""


@dataclass(frozen=True)
class Filters:
    """Dates of service from ``since`` to ``until`` (both included, the clinic's local days) and a payer's name."""

    since: date | None = None
    until: date | None = None
    payer: str = ""


@dataclass(frozen=True)
class ToBill:
    """A signed visit with no live claim: what its signed note billed, and any claim voided before."""

    visit: Visit
    coverage: Coverage | None
    billed: dict[str, Any] | None  # the note's billing snapshot (billing.snapshot)
    voided: Claim | None

    @property
    def total(self) -> Decimal | None:
        return Decimal(self.billed["total_charge"]) if self.billed else None

    @property
    def claimable(self) -> bool:
        """Whether a claim can go to an insurer (a self-pay visit is billed with its superbill)."""
        return self.coverage is not None and self.coverage.plan_kind is not PlanKind.SELF_PAY


@dataclass(frozen=True)
class NotReady:
    """A visit with minutes recorded whose note is not signed, and what is missing."""

    visit: Visit
    minutes: int
    reason: str


@dataclass(frozen=True)
class Worklist:
    to_bill: list[ToBill]
    not_ready: list[NotReady]
    released: list[Claim]
    payers: list[str]
    timezone: str
    cut: list[str]  # the sections longer than MAX_ROWS


def _visits(actor: Actor, filters: Filters, location: Location) -> Select[Visit]:
    """The clinic's visits within the filters (a payer: the patient's active coverage with it)."""
    statement = select(Visit).join(Patient, Visit.patient_id == Patient.id).where(Patient.clinic_id == actor.clinic_id)
    if filters.since is not None:
        statement = statement.where(Visit.checked_in_at >= day_bounds(filters.since, location)[0])
    if filters.until is not None:
        statement = statement.where(Visit.checked_in_at < day_bounds(filters.until, location)[1])
    if filters.payer:
        statement = statement.where(exists().where(
            Coverage.patient_id == Visit.patient_id, Coverage.is_active, Coverage.payer_name == filters.payer))
    return statement.options(selectinload(Visit.patient).selectinload(Patient.coverages),
                             selectinload(Visit.clinician))


SIGNED = select(VisitNote.visit_id).where(VisitNote.status == NoteStatus.SIGNED)


def _to_bill(session: Session, visits: Select[Visit]) -> list[ToBill]:
    rows = list(session.scalars(visits.where(Visit.id.in_(SIGNED), Visit.id.not_in(select(Claim.visit_id).where(
        live_claims()))).order_by(Visit.checked_in_at, Visit.id).limit(MAX_ROWS + 1)))
    ids = [v.id for v in rows]
    notes = {n.visit_id: n for n in session.scalars(select(VisitNote).where(VisitNote.visit_id.in_(ids)))}
    voids = {c.visit_id: c for c in session.scalars(select(Claim).where(
        Claim.visit_id.in_(ids), Claim.frequency_code == ClaimFrequency.VOID).order_by(Claim.id))}
    return [ToBill(v, primary_coverage(v), notes[v.id].billing, voids.get(v.id)) for v in rows]


def _not_ready_reason(note: VisitNote | None) -> str:
    if note is None:
        return "No note yet"
    if note.status is NoteStatus.DRAFT:
        return "Note drafted, not signed"
    return f"Note {note.status.value.replace('_', ' ')}, not signed"


def _not_ready(session: Session, visits: Select[Visit]) -> list[NotReady]:
    """Unsigned visits with minutes recorded (activities) or confirmed (minutes per code)."""
    recorded = (select(VisitActivity.visit_id, func.sum(VisitActivity.minutes).label("minutes"))
                .group_by(VisitActivity.visit_id).having(func.sum(VisitActivity.minutes) > 0).subquery())
    confirmed = (select(VisitCharge.visit_id, func.sum(VisitCharge.minutes).label("minutes"))
                 .group_by(VisitCharge.visit_id).having(func.sum(VisitCharge.minutes) > 0).subquery())
    rows = list(session.scalars(
        visits.where(Visit.id.not_in(SIGNED),
                     Visit.id.in_(select(recorded.c.visit_id)) | Visit.id.in_(select(confirmed.c.visit_id)))
        .order_by(Visit.checked_in_at, Visit.id).limit(MAX_ROWS + 1)))
    ids = [v.id for v in rows]
    minutes: dict[int, int] = {}
    for table in (recorded, confirmed):  # minutes per code, once confirmed, are what will be billed
        minutes |= {row.visit_id: int(row.minutes) for row in session.execute(
            select(table.c.visit_id, table.c.minutes).where(table.c.visit_id.in_(ids)))}
    notes = {n.visit_id: n for n in session.scalars(select(VisitNote).where(VisitNote.visit_id.in_(ids)))}
    return [NotReady(v, int(minutes.get(v.id) or 0), _not_ready_reason(notes.get(v.id))) for v in rows]


def _released(session: Session, visits: Select[Visit], filters: Filters) -> list[Claim]:
    """Claims of the visits, newest first (a payer: the claims sent to it)."""
    claims = select(Claim).where(Claim.visit_id.in_(visits.with_only_columns(Visit.id)))
    if filters.payer:
        claims = claims.join(Coverage, Claim.coverage_id == Coverage.id).where(Coverage.payer_name == filters.payer)
    return list(session.scalars(claims.order_by(Claim.created_at.desc(), Claim.id.desc()).limit(MAX_ROWS + 1)
                                .options(selectinload(Claim.visit).selectinload(Visit.patient),
                                         selectinload(Claim.coverage), selectinload(Claim.created_by),
                                         selectinload(Claim.corrected_by), selectinload(Claim.replaces))))


def payers(session: Session, actor: Actor) -> list[str]:
    """The names of the insurers the clinic's patients are covered by (the payer filter's choices)."""
    return list(session.scalars(
        select(Coverage.payer_name).join(Patient, Coverage.patient_id == Patient.id)
        .where(Patient.clinic_id == actor.clinic_id, Coverage.plan_kind != PlanKind.SELF_PAY, Coverage.payer_name != "")
        .distinct().order_by(Coverage.payer_name)))


def worklist(session: Session, actor: Actor, filters: Filters) -> Worklist:
    """The three sections for the actor's clinic, oldest visit first (the closest to a filing limit)."""
    require_role(actor, permissions.SEE_BILLING, "see the billing worklist")
    if len(plain_text(filters.payer, "The payer")) > MAX_PAYER_CHARS:
        raise InvalidInput(f"A payer's name has at most {MAX_PAYER_CHARS} characters: pick the payer from the list.",
                           field="payer")
    if filters.since and filters.until and filters.since > filters.until:
        raise InvalidInput(f"The date range runs backwards: {day_text(filters.since)} is after "
                           f"{day_text(filters.until)}. Swap the dates.", field="since")
    location = location_of(session, actor, None)
    visits = _visits(actor, filters, location)
    to_bill, not_ready, released = _to_bill(session, visits), _not_ready(session, visits), _released(session, visits, filters)
    sections: dict[str, list[Any]] = {"Signed, not yet billed": to_bill, "Not ready": not_ready,
                                      "Released claims": released}
    cut = [name for name, rows in sections.items() if len(rows) > MAX_ROWS]
    to_bill, not_ready, released = to_bill[:MAX_ROWS], not_ready[:MAX_ROWS], released[:MAX_ROWS]
    record_reads(session, actor, "visit_billing", [r.visit.patient_id for r in to_bill] + [r.visit.patient_id for r in not_ready]
                 + [c.visit.patient_id for c in released], "billing worklist")
    return Worklist(to_bill, not_ready, released, payers(session, actor), location.timezone, cut)
