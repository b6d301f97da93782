"""Billing and documentation of a visit: minutes per code, units and modifiers, the note (draft,
edit, sign, addenda, HTML/PDF), the claim (837P), the superbill, and eligibility (270 out, 271 in)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from reeducate.clinic.models import Claim
from reeducate.clinic.services import billing, claims, documents, notes
from reeducate.clinic.services.billing import ChargeInput, VisitBilling
from reeducate.clinic.vocabulary import ClaimFrequency, ClaimStatus
from reeducate.web.deps import ActorDep, SessionDep, StaffDep

router = APIRouter(tags=["billing"])


class ChargeIn(BaseModel):
    code: str = Field(max_length=5)
    minutes: int = 0
    assistant_minutes: int = 0
    region: str = Field("", max_length=120)


class LineOut(BaseModel):
    code: str
    units: int
    modifiers: list[str]
    minutes: int
    assistant_minutes: int
    region: str
    charge: str


class BillingOut(BaseModel):
    visit_id: int
    rule: str
    medicare: bool
    drafted: bool
    charges: list[ChargeIn]
    units: dict[str, int]
    total_timed_minutes: int
    total_units: int
    total_charge: str
    lines: list[LineOut]
    choice: list[str]
    notes: list[str]
    problems: list[str]


def billing_out(summary: VisitBilling) -> BillingOut:
    billed = summary.billed
    return BillingOut(
        visit_id=summary.visit.id, rule=summary.context.unit_rule.value, medicare=summary.context.medicare,
        drafted=summary.drafted,
        charges=[ChargeIn(code=c.code, minutes=c.minutes, assistant_minutes=c.assistant_minutes, region=c.region)
                 for c in summary.charges],
        units=billed.units.units if billed else {}, total_timed_minutes=billed.units.total_timed_minutes if billed else 0,
        total_units=billed.units.total_units if billed else 0, total_charge=str(billed.total_charge) if billed else "0",
        lines=[LineOut(code=x.code, units=x.units, modifiers=list(x.modifiers), minutes=x.minutes,
                       assistant_minutes=x.assistant_minutes, region=x.region, charge=str(x.charge))
               for x in (billed.lines if billed else ())],
        choice=list(billed.units.choice) if billed else [], notes=list(billed.notes) if billed else [],
        problems=summary.problems,
    )


class NoteOut(BaseModel):
    visit_id: int
    status: str
    content: dict[str, Any]
    billing: dict[str, Any] | None
    signed_by_id: int | None
    signed_at: str | None
    content_sha256: str | None
    awaiting_cosignature: bool
    cosigned_by_id: int | None
    cosigned_at: str | None
    addenda: list[dict[str, Any]]


def note_out(note) -> NoteOut:  # noqa: ANN001 - a VisitNote row
    return NoteOut(visit_id=note.visit_id, status=note.status.value, content=note.content, billing=note.billing,
                   signed_by_id=note.signed_by_id, signed_at=note.signed_at.isoformat() if note.signed_at else None,
                   content_sha256=note.content_sha256, awaiting_cosignature=note.awaiting_cosignature,
                   cosigned_by_id=note.cosigned_by_id,
                   cosigned_at=note.cosigned_at.isoformat() if note.cosigned_at else None,
                   addenda=[{"id": a.id, "author_id": a.author_id, "author": a.author.full_name,
                             "created_at": a.created_at.isoformat(), "text": a.text, "sha256": a.sha256}
                            for a in note.addenda])


class AddendumIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)


class ClaimOut(BaseModel):
    id: int
    visit_id: int
    control_number: int
    total_charge: str
    created_at: str
    frequency_code: str = Field(description="CLM05-3: 1 original, 7 replacement, 8 void")
    status: ClaimStatus
    replaces_claim_id: int | None = Field(description="The claim this one replaces or voids")
    reason: str


def claim_out(claim: Claim) -> ClaimOut:
    return ClaimOut(id=claim.id, visit_id=claim.visit_id, control_number=claim.control_number,
                    total_charge=str(claim.total_charge), created_at=claim.created_at.isoformat(),
                    frequency_code=claim.frequency_code.value, status=claim.status,
                    replaces_claim_id=claim.replaces_claim_id, reason=claim.reason)


class CorrectionIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="Why the claim is replaced or voided")


@router.get("/visits/{visit_id}/billing", response_model=BillingOut)
def get_billing(visit_id: int, actor: StaffDep, session: SessionDep) -> BillingOut:
    return billing_out(billing.summary(session, actor, visit_id))


@router.put("/visits/{visit_id}/billing", response_model=BillingOut)
def put_billing(visit_id: int, charges: list[ChargeIn], actor: StaffDep, session: SessionDep) -> BillingOut:
    """Replace the visit's minutes per code (clinicians; refused once the note is signed)."""
    return billing_out(billing.set_charges(session, actor, visit_id, [ChargeInput(**c.model_dump()) for c in charges]))


@router.get("/visits/{visit_id}/note", response_model=NoteOut | None)
def get_note(visit_id: int, actor: ActorDep, session: SessionDep) -> NoteOut | None:
    note = notes.of_visit(session, actor, visit_id)
    return note_out(note) if note else None


@router.post("/visits/{visit_id}/note", response_model=NoteOut, status_code=201)
def start_note(visit_id: int, actor: StaffDep, session: SessionDep) -> NoteOut:
    """The draft, written from what the visit recorded (or the existing note)."""
    return note_out(notes.start_draft(session, actor, visit_id))


@router.put("/visits/{visit_id}/note", response_model=NoteOut)
def edit_note(visit_id: int, actor: StaffDep, session: SessionDep,
              content: dict[str, Any] = Body(...)) -> NoteOut:  # noqa: B008
    return note_out(notes.edit(session, actor, visit_id, content))


@router.post("/visits/{visit_id}/note/sign", response_model=NoteOut)
def sign_note(visit_id: int, actor: StaffDep, session: SessionDep) -> NoteOut:
    return note_out(notes.sign(session, actor, visit_id))


@router.post("/visits/{visit_id}/note/addenda", response_model=NoteOut, status_code=201)
def add_addendum(visit_id: int, data: AddendumIn, actor: StaffDep, session: SessionDep) -> NoteOut:
    addendum = notes.add_addendum(session, actor, visit_id, data.text)
    session.refresh(addendum.note, ["addenda"])
    return note_out(addendum.note)


@router.get("/visits/{visit_id}/note/document")
def note_document(visit_id: int, actor: ActorDep, session: SessionDep,
                  format: str = Query("pdf", pattern="^(pdf|html)$")) -> Response:
    name, body = documents.note_document(session, actor, visit_id, as_pdf=format == "pdf")
    if format == "html":
        return HTMLResponse(body, headers={"Cache-Control": "private, no-store"})
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"})


@router.get("/visits/{visit_id}/superbill")
def superbill(visit_id: int, actor: StaffDep, session: SessionDep) -> Response:
    name, body = documents.superbill(session, actor, visit_id)
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"})


@router.post("/visits/{visit_id}/claims", response_model=ClaimOut, status_code=201)
def release_claim(visit_id: int, actor: StaffDep, session: SessionDep) -> ClaimOut:
    """Write, validate with pyx12 and keep the visit's 837P (signed visits only; once, while it stands)."""
    return claim_out(billing.release_claim(session, actor, visit_id))


@router.get("/visits/{visit_id}/claims", response_model=list[ClaimOut])
def list_claims(visit_id: int, actor: StaffDep, session: SessionDep) -> list[ClaimOut]:
    return [claim_out(c) for c in billing.claims_of(session, actor, visit_id)]


@router.post("/claims/{claim_id}/replacement", response_model=ClaimOut, status_code=201)
def replace_claim(claim_id: int, data: CorrectionIn, actor: StaffDep, session: SessionDep) -> ClaimOut:
    """A replacement (frequency 7) of a live claim, from the visit's billing now, to the same payer."""
    return claim_out(claims.correct(session, actor, claim_id, ClaimFrequency.REPLACEMENT, data.reason))


@router.post("/claims/{claim_id}/void", response_model=ClaimOut, status_code=201)
def void_claim(claim_id: int, data: CorrectionIn, actor: StaffDep, session: SessionDep) -> ClaimOut:
    """The void (frequency 8) of a live claim: final; the visit may then be billed anew."""
    return claim_out(claims.correct(session, actor, claim_id, ClaimFrequency.VOID, data.reason))


@router.get("/claims/{claim_id}/x12")
def claim_x12(claim_id: int, actor: StaffDep, session: SessionDep) -> Response:
    claim = billing.get_claim(session, actor, claim_id)
    return Response(claim.x12, media_type="application/edi-x12", headers={
        "Content-Disposition": f'attachment; filename="claim-{claim.control_number}.x12"',
        "Cache-Control": "private, no-store"})


@router.get("/coverages/{coverage_id}/eligibility-request")
def eligibility_request(coverage_id: int, actor: StaffDep, session: SessionDep) -> Response:
    """The X12 270 to send to the payer (or its clearinghouse)."""
    return Response(billing.eligibility_request(session, actor, coverage_id), media_type="application/edi-x12",
                    headers={"Cache-Control": "private, no-store"})


class EligibilityOut(BaseModel):
    coverage_id: int
    status: str
    checked_at: str
    answer: dict[str, Any]


class EligibilityIn(BaseModel):
    x12: str = Field(max_length=1_000_000, description="The payer's 271, as received.")


@router.post("/coverages/{coverage_id}/eligibility-response", response_model=EligibilityOut)
def eligibility_response(coverage_id: int, data: EligibilityIn, actor: StaffDep, session: SessionDep) -> EligibilityOut:
    """Read the payer's 271 into the coverage (refused, nothing changed, if it is not about this member)."""
    coverage = billing.apply_eligibility_response(session, actor, coverage_id, data.x12)
    assert coverage.eligibility_checked_at is not None, "set by apply_eligibility_response"
    return EligibilityOut(coverage_id=coverage.id, status=coverage.eligibility_status,
                          checked_at=coverage.eligibility_checked_at.isoformat(), answer=coverage.eligibility or {})
