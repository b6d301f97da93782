"""A released claim and its corrections: a replacement (frequency code 7) built from the visit's billing
as it stands now, or a void (8) repeating the claim it cancels; each names the claim it corrects (REF*F8),
is validated with pyx12 before it is kept, and says why it was sent.

A claim is corrected once: what replaced it is corrected next, and a void is final (the visit may
then be billed anew with a new original claim, from its billing page).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reeducate.billing.x12 import claim_837p as x837
from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import Claim
from reeducate.clinic.schemas import plain_text
from reeducate.clinic.services.billing import VisitBilling, assess, keep_claim, parties_of, professional_claim
from reeducate.clinic.vocabulary import AuditAction, ClaimFrequency

MAX_REASON_CHARS = 500
"""A correction's reason (the column's size)."""


@dataclass(frozen=True)
class ClaimView:
    """A claim with the visit's other claims (oldest first) and, while it is live, what a replacement
    would bill now or why none can be sent."""

    claim: Claim
    history: list[Claim]
    replacement: VisitBilling | None
    replacement_refusal: str

    @property
    def submitter(self) -> str:
        """The claim submitter identifier (CLM01) the claim was sent with: what a correction names in REF*F8."""
        return x837.submitter_identifier(self.claim.x12)


def _claim(session: Session, actor: Actor, claim_id: int) -> Claim:
    return fetch_for_patient(session, actor, Claim, claim_id, "claim", patient_of=lambda c: c.visit.patient,
                             clinical=False)


def view(session: Session, actor: Actor, claim_id: int) -> ClaimView:
    """The claim's page: who released it when, its status and corrections (audited read)."""
    require_role(actor, permissions.SEE_BILLING, "see a visit's billing")
    claim = _claim(session, actor, claim_id)
    history = list(session.scalars(
        select(Claim).where(Claim.visit_id == claim.visit_id).order_by(Claim.id)
        .options(selectinload(Claim.created_by), selectinload(Claim.corrected_by), selectinload(Claim.coverage))))
    record(session, actor, AuditAction.READ, "claim", claim.id, patient_id=claim.visit.patient_id)
    if not claim.is_live:
        return ClaimView(claim, history, None, "")
    billing = assess(session, claim.visit)
    return ClaimView(claim, history, billing, _replacement_refusal(claim, billing))


def _replacement_refusal(claim: Claim, billing: VisitBilling) -> str:
    """Why no replacement of ``claim`` can go to its payer, or "" (a replacement keeps the payer)."""
    if billing.coverage is None or billing.coverage.id != claim.coverage_id:
        now = billing.coverage.payer_name if billing.coverage else "no insurance"
        return (f"The patient's primary insurance is now {now}, not {claim.coverage.payer_name}, which claim "
                f"{claim.control_number} went to. A replacement goes to the same payer: void claim "
                f"{claim.control_number}, then release a new claim from the visit's billing page.")
    return ""


def _reason(text: str) -> str:
    reason = plain_text(text, "The reason").strip()
    if not reason:
        raise InvalidInput("Give the reason for the correction (e.g. 'wrong member ID', 'billed in error'): "
                           "it is kept with the claim and in the audit log.", field="reason")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"The reason has {len(reason)} characters; say it in at most {MAX_REASON_CHARS}.",
                           field="reason")
    return reason


def _correctable(session: Session, claim: Claim) -> None:
    """Refuse a void, or a claim already corrected (read after the visit's lock, so two at once decide in turn)."""
    if claim.frequency_code is ClaimFrequency.VOID:
        raise Conflict(f"Claim {claim.control_number} is a void: it cancels a claim and cannot itself be "
                       "replaced or voided.")
    done = session.scalar(select(Claim).where(Claim.replaces_claim_id == claim.id))
    if done is None:
        return
    if done.frequency_code is ClaimFrequency.VOID:
        raise Conflict(f"Claim {claim.control_number} was voided by claim {done.control_number}: a voided "
                       "claim cannot be replaced or voided again. Release a new claim from the visit's billing page.")
    raise Conflict(f"Claim {claim.control_number} was already replaced by claim {done.control_number}: "
                   f"correct claim {done.control_number} instead.")


def correct(session: Session, actor: Actor, claim_id: int, frequency: ClaimFrequency, reason: str, *,
            now: datetime | None = None) -> Claim:
    """Send a replacement (the visit's billing now, to the same payer) or a void of a live claim."""
    require_role(actor, permissions.BILL, "correct claims")
    if frequency is ClaimFrequency.ORIGINAL:
        raise InvalidInput("A correction is a replacement or a void.")
    claim = _claim(session, actor, claim_id)
    reason = _reason(reason)
    serialise(session, LockScope.VISIT, claim.visit_id)  # two corrections of one claim decide in turn
    _correctable(session, claim)
    visit, created_at = claim.visit, now or utcnow()
    if frequency is ClaimFrequency.VOID:
        return keep_claim(session, actor, visit, claim.coverage, claim.total_charge,
                          lambda number: x837.void_837p(claim.x12, control_number=number, created_at=created_at),
                          corrects=claim, frequency=frequency, reason=reason)
    billing = assess(session, visit)
    refusal = _replacement_refusal(claim, billing)
    if refusal:
        raise Conflict(refusal)
    content = replace(professional_claim(session, visit, billing), frequency_code=frequency,
                      corrects=x837.submitter_identifier(claim.x12))
    return keep_claim(session, actor, visit, claim.coverage, content.total_charge,
                      lambda number: x837.build_837p(content, parties_of(visit, claim.coverage),
                                                     control_number=number, created_at=created_at),
                      corrects=claim, frequency=frequency, reason=reason)
