"""A patient's insurance: add a plan (primary or secondary), correct one, end one; each change audited
with its fields before and after.

The order of payers is the front desk's rule: one active primary and at most one active secondary.
A new primary replaces the active one, which either has ended (it becomes inactive, the default: a
patient who brings a new card usually has a new plan) or stays on as the secondary (someone turning
65 whose employer plan now pays after Medicare), in which case an active secondary before it ends.
A new secondary replaces the active secondary, which ends. When the primary ends, the active
secondary becomes the primary (it is then the payer claims go to first).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import changes_between, record, snapshot
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import Coverage, Patient
from reeducate.clinic.schemas import CoverageCreate, CoverageUpdate, plain_text
from reeducate.clinic.vocabulary import AuditAction, SubscriberRelationship

PRIMARY, SECONDARY = 1, 2
MAX_REASON_CHARS = 300
"""Why a coverage ended: a phrase, kept in the audit row's detail."""
SUBSCRIBER_FIELDS = ("subscriber_relationship", "subscriber_first_name", "subscriber_last_name",
                     "subscriber_date_of_birth", "subscriber_sex")
EDITABLE = ("plan_kind", "payer_name", "member_id", "group_number", "claim_number", "payer_id", *SUBSCRIBER_FIELDS)
"""What a coverage's edit may change (its priority and whether it is active change by add and end)."""


def get(session: Session, actor: Actor, coverage_id: int, *, for_billing: bool = False) -> Coverage:
    """A coverage of a patient the actor may see, for staff who register (or, ``for_billing``, who check
    eligibility); audited as a read."""
    if for_billing:
        require_role(actor, permissions.BILL, "check insurance eligibility")
    coverage = _load(session, actor, coverage_id, "change insurance")
    record(session, actor, AuditAction.READ, "coverage", coverage.id, patient_id=coverage.patient_id)
    return coverage


def _load(session: Session, actor: Actor, coverage_id: int, doing: str) -> Coverage:
    require_role(actor, permissions.REGISTER, doing)
    return fetch_for_patient(session, actor, Coverage, coverage_id, "coverage", patient_of=lambda c: c.patient,
                             clinical=False)


def _end(session: Session, actor: Actor, coverage: Coverage, why: str) -> None:
    before = snapshot(coverage, ("is_active",))
    coverage.is_active = False
    record(session, actor, AuditAction.UPDATE, "coverage", coverage.id, patient_id=coverage.patient_id,
           detail=f"{coverage.payer_name} ended: {why}", changes=changes_between(before, {"is_active": False}))


def add(session: Session, actor: Actor, patient: Patient, data: CoverageCreate) -> Coverage:
    """Add a plan to ``patient`` (already checked as visible to ``actor``), by the order of payers above."""
    require_role(actor, permissions.REGISTER, "change insurance")
    serialise(session, LockScope.PATIENT, patient.id)  # two desks adding a primary must leave one
    session.refresh(patient, ["coverages"])
    active = {c.priority: c for c in patient.coverages if c.is_active}
    replaced = active.get(data.priority)
    if replaced is not None and data.priority == PRIMARY and data.previous_primary == "secondary":
        if SECONDARY in active:
            _end(session, actor, active[SECONDARY], f"{replaced.payer_name} became the secondary payer")
        before = snapshot(replaced, ("priority",))
        replaced.priority = SECONDARY
        record(session, actor, AuditAction.UPDATE, "coverage", replaced.id, patient_id=patient.id,
               detail=f"{replaced.payer_name} became the secondary payer: {data.payer_name} is the primary",
               changes=changes_between(before, {"priority": SECONDARY}))
    elif replaced is not None:
        _end(session, actor, replaced, f"{data.payer_name} replaces it")
    coverage = Coverage(patient_id=patient.id, **data.model_dump(exclude={"previous_primary"}))
    _check_subscriber(coverage)
    session.add(coverage)
    session.flush()
    session.refresh(patient, ["coverages"])
    record(session, actor, AuditAction.CREATE, "coverage", coverage.id, patient_id=patient.id,
           detail=f"{'primary' if data.priority == PRIMARY else 'secondary'} {data.plan_kind.value} "
                  f"{data.payer_name}",
           changes=changes_between({}, {name: value for name, value in snapshot(coverage, ("priority", *EDITABLE)).items()
                                        if value not in ("", None)}))
    return coverage


def update(session: Session, actor: Actor, coverage_id: int, data: CoverageUpdate) -> Coverage:
    """Correct a coverage's payer, plan, numbers or subscriber; the audit row keeps before and after."""
    coverage = _load(session, actor, coverage_id, "change insurance")
    changes = data.model_dump(exclude_unset=True)
    before = snapshot(coverage, EDITABLE)
    for name, value in changes.items():
        setattr(coverage, name, value)
    _check_subscriber(coverage)
    changed = changes_between(before, snapshot(coverage, EDITABLE))
    record(session, actor, AuditAction.UPDATE, "coverage", coverage.id, patient_id=coverage.patient_id,
           detail="changed " + (", ".join(sorted(changed)) or "nothing"), changes=changed)
    return coverage


def deactivate(session: Session, actor: Actor, coverage_id: int, reason: str) -> Coverage:
    """End a coverage (it stays on the record, inactive, with the claims made to it)."""
    coverage = _load(session, actor, coverage_id, "change insurance")
    if not coverage.is_active:
        raise InvalidInput(f"{coverage.payer_name} is already inactive.")
    reason = plain_text(reason, "The reason").strip()
    if not reason or len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"Say in at most {MAX_REASON_CHARS} characters why the coverage ends (for example: "
                           "plan ended, wrong card).", field="reason")
    serialise(session, LockScope.PATIENT, coverage.patient_id)
    _end(session, actor, coverage, reason)
    successor = next_payer(coverage)
    if coverage.priority == PRIMARY and successor is not None:
        before = snapshot(successor, ("priority",))
        successor.priority = PRIMARY
        record(session, actor, AuditAction.UPDATE, "coverage", successor.id, patient_id=successor.patient_id,
               detail=f"{successor.payer_name} became the primary payer: {coverage.payer_name} ended",
               changes=changes_between(before, {"priority": PRIMARY}))
    return coverage


def next_payer(coverage: Coverage) -> Coverage | None:
    """The active secondary that becomes the primary when ``coverage``, the primary, ends."""
    if coverage.priority != PRIMARY:
        return None
    return next((c for c in coverage.patient.coverages
                 if c.is_active and c.priority == SECONDARY and c.id != coverage.id), None)


def _check_subscriber(coverage: Coverage) -> None:
    """A subscriber other than the patient is named with birth date and sex (the 837P needs them);
    the patient's own plan keeps no subscriber fields."""
    if coverage.subscriber_relationship is SubscriberRelationship.SELF:
        coverage.subscriber_first_name = coverage.subscriber_last_name = ""
        coverage.subscriber_date_of_birth = coverage.subscriber_sex = None
        return
    missing = [label for label, value in (("first name", coverage.subscriber_first_name),
                                          ("last name", coverage.subscriber_last_name),
                                          ("date of birth", coverage.subscriber_date_of_birth),
                                          ("sex", coverage.subscriber_sex)) if not value]
    if missing:
        raise InvalidInput(f"The patient is the subscriber's {coverage.subscriber_relationship.value}: give the "
                           f"subscriber's {', '.join(missing)} as on the insurance card, or choose 'Self' if "
                           "the patient holds the plan.", field="subscriber")
