"""A visit's billing: minutes per code, the payer's rules applied, the 837P released, eligibility.

The rules are the pure `billing` core's; this module supplies what the visit, the patient's coverage
and the clinic recorded, checks who may do what, and audits every read and write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from reeducate.billing.codes import Category, UnknownCode, code
from reeducate.billing.lines import BilledVisit, BillingRefused, Context, Discipline, Service, bill_visit
from reeducate.billing.units import UnitRule
from reeducate.billing.x12 import claim_837p as x837
from reeducate.billing.x12.eligibility import EligibilityError, Inquiry, build_270, parse_271
from reeducate.billing.x12.envelope import Parties
from reeducate.clinic import evaluation_draft, permissions
from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import Claim, Clinic, Coverage, Patient, Visit, VisitCharge, VisitNote
from reeducate.clinic.numbering import CLAIM_CONTROL_NUMBERS, next_number
from reeducate.clinic.schemas import plain_text
from reeducate.clinic.vocabulary import Activity, AuditAction, ClaimFrequency, NoteStatus, PlanKind, Role, Sex

ACTIVITY_CODES = {
    Activity.NEUROMUSCULAR_REEDUCATION: "97112",
    Activity.THERAPEUTIC_EXERCISE: "97110",
    Activity.THERAPEUTIC_ACTIVITIES: "97530",
    Activity.GAIT_TRAINING: "97116",
    Activity.MANUAL_THERAPY: "97140",
    Activity.PATIENT_EDUCATION: "97535",
    Activity.RE_EVALUATION: "97164",
    Activity.CHIROPRACTIC_MANIPULATION: "98940",
}
"""The code each recorded activity drafts to. An evaluation's code depends on its complexity, so the
therapist confirms it on the evaluation note (97161-97163; a re-evaluation's 97164 is confirmed there
too, and the confirmed code replaces the drafted one); "other" drafts to nothing."""

TAXONOMY = {Role.PHYSICAL_THERAPIST: "225100000X", Role.PT_ASSISTANT: "225200000X", Role.CHIROPRACTOR: "111N00000X"}
"""NUCC health care provider taxonomy codes of the rendering provider (PRV03)."""
FILING_INDICATOR = {PlanKind.MEDICARE: "MB", PlanKind.COMMERCIAL: "CI", PlanKind.AUTO_PIP: "AM",
                    PlanKind.WORKERS_COMP: "WC"}
"""SBR09 claim filing indicator codes."""


MAX_REGION_CHARS = 120
"""The body region a charge names (the column's size)."""


@dataclass(frozen=True)
class ChargeInput:
    code: str
    minutes: int = 0
    assistant_minutes: int = 0
    region: str = ""


@dataclass(frozen=True)
class VisitBilling:
    """What the visit bills under its payer's rules, or why it cannot yet."""

    visit: Visit
    coverage: Coverage | None
    context: Context
    charges: list[VisitCharge]
    drafted: bool  # charges come from the recorded activities, not yet saved
    billed: BilledVisit | None
    problems: list[str]


def billing_visit(session: Session, actor: Actor, visit_id: int) -> Visit:
    """The visit, if ``actor`` may see its billing (clinicians, front desk, admin of its clinic)."""
    require_role(actor, permissions.SEE_BILLING, "see a visit's billing")
    return fetch_for_patient(session, actor, Visit, visit_id, "visit", patient_of=lambda v: v.patient,
                             clinical=False)


def primary_coverage(visit: Visit) -> Coverage | None:
    return primary_coverage_of(visit.patient)


def primary_coverage_of(patient: Patient) -> Coverage | None:
    """The patient's active coverage of first priority, if any."""
    active = sorted((c for c in patient.coverages if c.is_active), key=lambda c: c.priority)
    return active[0] if active else None


def unit_rule_of(coverage: Coverage | None) -> UnitRule:
    """The payer's rule: the coverage's own choice, else Medicare's 8-minute rule for Medicare."""
    if coverage is not None and coverage.unit_rule:
        return UnitRule(coverage.unit_rule)
    return UnitRule.CMS if coverage is not None and coverage.plan_kind is PlanKind.MEDICARE else UnitRule.AMA


def fees_of(clinic: Clinic) -> dict[str, Decimal]:
    """The clinic's fee per code (a value that is not a number is left out)."""
    fees: dict[str, Decimal] = {}
    for number, value in (clinic.fee_schedule or {}).items():
        try:
            fees[number] = Decimal(str(value))
        except InvalidOperation:
            continue
    return fees


def context_of(session: Session, visit: Visit) -> Context:
    coverage = primary_coverage(visit)
    medicare = coverage is not None and coverage.plan_kind is PlanKind.MEDICARE
    day = visit.checked_in_at.date()
    before = claimed_in_year(session, visit.patient_id, coverage, day.year, besides_visit=visit.id) \
        if medicare and coverage is not None else Decimal(0)
    discipline = Discipline.CHIROPRACTIC if visit.clinician.role is Role.CHIROPRACTOR else Discipline.PHYSICAL_THERAPY
    return Context(day=day, discipline=discipline, medicare=medicare, unit_rule=unit_rule_of(coverage),
                   therapy_amount_before=before, fees=fees_of(visit.patient.clinic))


def claimed_in_year(session: Session, patient_id: int, coverage: Coverage, year: int, *,
                    besides_visit: int | None = None) -> Decimal:
    """What the patient's live claims to ``coverage`` charged in ``year`` (the KX threshold's running amount)."""
    query = (select(func.coalesce(func.sum(Claim.total_charge), 0)).join(Visit, Claim.visit_id == Visit.id)
             .where(Visit.patient_id == patient_id, Claim.coverage_id == coverage.id, live_claims(),
                    func.extract("year", Visit.checked_in_at) == year))
    if besides_visit is not None:
        query = query.where(Visit.id != besides_visit)
    return Decimal(session.scalar(query) or 0)


def drafted_charges(visit: Visit) -> list[VisitCharge]:
    """Charges drafted from the visit's recorded activities (not stored): minutes per code add up."""
    by_code: dict[str, VisitCharge] = {}
    assistant = visit.clinician.role is Role.PT_ASSISTANT
    for activity in visit.activities:
        number = ACTIVITY_CODES.get(activity.activity)
        if number is None:
            continue
        charge = by_code.setdefault(number, VisitCharge(visit_id=visit.id, code=number, minutes=0,
                                                        assistant_minutes=0, region=""))
        charge.minutes += activity.minutes if code(number).timed else 0
        charge.assistant_minutes = charge.minutes if assistant else 0
    return list(by_code.values())


def activities_without_code(visit: Visit, charges: list[VisitCharge]) -> list[str]:
    """Each recorded activity whose minutes no code carries, with what to do, so that no minutes vanish
    from the billing page without a word."""
    evaluated = any(code(charge.code).category == "evaluation" for charge in charges if charge.code)
    out = []
    for activity in visit.activities:
        if activity.activity is Activity.EVALUATION and not evaluated:
            how = ("choose 97161 (low), 97162 (moderate) or 97163 (high complexity) below, the code the "
                   "evaluation note confirms"
                   if visit.clinician.role is not Role.CHIROPRACTOR else
                   "this catalogue has no chiropractic evaluation code, so add the clinic's own on the claim")
            out.append(f"{activity.activity.label} {activity.minutes} min: an evaluation is billed by its "
                       f"complexity, not by its minutes; {how}.")
        elif activity.activity is Activity.OTHER:
            out.append(f"{activity.activity.label} {activity.minutes} min: no billing code, so these minutes "
                       "are not billed unless you add the code they belong to below.")
    return out


def stored_charges(session: Session, visit_id: int) -> list[VisitCharge]:
    return list(session.scalars(select(VisitCharge).where(VisitCharge.visit_id == visit_id).order_by(VisitCharge.id)))


def summary(session: Session, actor: Actor, visit_id: int) -> VisitBilling:
    """The visit's codes, units, modifiers and charges under its payer's rules (audited read)."""
    visit = billing_visit(session, actor, visit_id)
    record(session, actor, AuditAction.READ, "visit_billing", visit.id, patient_id=visit.patient_id)
    return assess(session, visit)


def _is_evaluation_code(number: str) -> bool:
    try:
        return code(number).category is Category.EVALUATION
    except UnknownCode:
        return False


def _evaluation_billing(session: Session, visit: Visit, charges: list[VisitCharge], drafted: bool
                        ) -> tuple[list[VisitCharge], list[str]]:
    """An evaluation note's code in the visit's billing: drafted charges carry the code the therapist
    confirmed on the note (never a default), and stored charges must name it; otherwise a problem says
    what to do (so the note is not signed, nor the claim released, on an unconfirmed code)."""
    note = _note(session, visit.id)
    if note is None or not evaluation_draft.is_evaluation(note.content) \
            or not evaluation_draft.needs_code(visit.clinician.role):
        return charges, []
    confirmed = evaluation_draft.confirmed_code(note.content)
    if drafted:
        charges = [c for c in charges if not _is_evaluation_code(c.code)]
        if confirmed:
            charges.append(VisitCharge(visit_id=visit.id, code=confirmed, minutes=0, assistant_minutes=0, region=""))
    if not confirmed:
        return charges, ["The evaluation code is not confirmed: confirm it on the visit's note."]
    listed = sorted({c.code for c in charges if _is_evaluation_code(c.code)})
    if listed != [confirmed]:
        return charges, [f"The billing lists {' and '.join(listed) or 'no evaluation code'}, but the evaluation "
                         f"note's confirmed code is {confirmed}: bill {confirmed} only."]
    return charges, []


def use_evaluation_code(session: Session, actor: Actor, visit: Visit, number: str) -> None:
    """The code the therapist confirmed on the evaluation note, put in the visit's saved minutes per code
    in place of any other evaluation code (drafted charges take it up by themselves)."""
    stored = stored_charges(session, visit.id)
    if not stored or [c.code for c in stored if _is_evaluation_code(c.code)] == [number]:
        return
    for old in stored:
        if _is_evaluation_code(old.code):
            session.delete(old)
    session.add(VisitCharge(visit_id=visit.id, code=number, minutes=0, assistant_minutes=0, region="",
                            recorded_by_id=actor.user_id))
    session.flush()
    record(session, actor, AuditAction.UPDATE, "visit_billing", visit.id, patient_id=visit.patient_id,
           detail=f"evaluation code {number} confirmed on the note")


def assess(session: Session, visit: Visit) -> VisitBilling:
    stored = stored_charges(session, visit.id)
    charges, problems = _evaluation_billing(session, visit, stored or drafted_charges(visit), not stored)
    context = context_of(session, visit)
    services = [Service(c.code, c.minutes, c.assistant_minutes, c.region) for c in charges]
    billed = None
    if services:
        try:
            billed = bill_visit(services, context)
        except BillingRefused as refusal:
            problems += [str(p) for p in refusal.problems]
        except ValueError as error:
            problems += [str(error)]
    return VisitBilling(visit, primary_coverage(visit), context, charges, not stored, billed, problems)


def snapshot(billed: BilledVisit | None) -> dict[str, Any] | None:
    """The billed lines as plain values: what a signed note keeps and what documents print."""
    if billed is None:
        return None
    return {
        "rule": billed.units.rule.value, "total_timed_minutes": billed.units.total_timed_minutes,
        "total_units": billed.units.total_units, "total_charge": str(billed.total_charge),
        "lines": [{"code": line.code, "units": line.units, "modifiers": list(line.modifiers),
                   "minutes": line.minutes, "assistant_minutes": line.assistant_minutes,
                   "region": line.region, "charge": str(line.charge)} for line in billed.lines],
        "unbilled": [{"code": u.code, "minutes": u.minutes, "reason": u.reason} for u in billed.unbilled],
    }


def _note(session: Session, visit_id: int) -> VisitNote | None:
    return session.scalar(select(VisitNote).where(VisitNote.visit_id == visit_id))


def note_status(session: Session, visit_id: int) -> NoteStatus | None:
    """Whether the visit's note is drafted or signed (what billing needs to know, not its content)."""
    note = _note(session, visit_id)
    return None if note is None else note.status


def awaiting_cosignature(session: Session, visit_id: int) -> bool:
    """Whether the visit's note awaits a supervising PT's co-signature (no claim until it has it)."""
    note = _note(session, visit_id)
    return note is not None and note.awaiting_cosignature


def set_charges(session: Session, actor: Actor, visit_id: int, charges: list[ChargeInput]) -> VisitBilling:
    """Replace the visit's minutes per code (clinicians), until its note is signed."""
    require_role(actor, permissions.TREAT, "record minutes per billing code")
    visit = billing_visit(session, actor, visit_id)
    note = _note(session, visit.id)
    if note is not None and note.status is NoteStatus.SIGNED:
        raise Conflict("The note of this visit is signed; its minutes and codes are final. "
                       "Correct them in an addendum.")
    seen: set[str] = set()
    rows = []
    for item in charges:
        try:
            entry = code(item.code)
        except UnknownCode as error:
            raise InvalidInput(str(error)) from None
        if entry.code in seen:
            raise InvalidInput(f"{entry.code} is listed twice: give its minutes once")
        seen.add(entry.code)
        if not 0 <= item.minutes <= 480:
            raise InvalidInput(f"{entry.code}: minutes must be between 0 and 480, not {item.minutes}")
        if not 0 <= item.assistant_minutes <= item.minutes:
            raise InvalidInput(f"{entry.code}: the assistant's minutes must be between 0 and the code's "
                               f"{item.minutes} minutes")
        if entry.timed and item.minutes == 0:
            raise InvalidInput(f"{entry.code} ({entry.label}) is timed: give its minutes")
        region = plain_text(item.region, f"{entry.code}: the region").strip()
        if len(region) > MAX_REGION_CHARS:
            raise InvalidInput(f"{entry.code}: the region has {len(region)} characters; name it in at most "
                               f"{MAX_REGION_CHARS} (e.g. 'lumbar')")
        rows.append(VisitCharge(visit_id=visit.id, code=entry.code, minutes=item.minutes,
                                assistant_minutes=item.assistant_minutes, region=region,
                                recorded_by_id=actor.user_id))
    for old in stored_charges(session, visit.id):
        session.delete(old)
    session.flush()
    session.add_all(rows)
    session.flush()
    record(session, actor, AuditAction.UPDATE, "visit_billing", visit.id, patient_id=visit.patient_id,
           detail=", ".join(f"{r.code} {r.minutes} min" for r in rows) or "no codes")
    return assess(session, visit)


# --- claims ---------------------------------------------------------------------------------------


def live_claims() -> ColumnElement[bool]:
    """Where a claim is one the payer should pay: not a void, and neither replaced nor voided since."""
    correction = aliased(Claim)
    return and_(Claim.frequency_code != ClaimFrequency.VOID,
                ~exists().where(correction.replaces_claim_id == Claim.id))


def live_claim(session: Session, visit_id: int) -> Claim | None:
    """The visit's claim in force, if one was released and not voided (a visit has at most one)."""
    return session.scalar(select(Claim).where(Claim.visit_id == visit_id, live_claims()))


def _address(line: str, city: str, state: str, postal: str) -> x837.Address:
    return x837.Address(line, city, state, postal)


def _person(user) -> x837.Person:  # noqa: ANN001 - a User row
    first, _, last = user.full_name.rpartition(" ")
    return x837.Person(last or user.full_name, first, user.npi or "", TAXONOMY.get(user.role, ""))


def _sex_code(sex: Sex | None) -> str:
    return {Sex.FEMALE: "F", Sex.MALE: "M"}.get(sex, "U") if sex else "U"


def professional_claim(session: Session, visit: Visit, billing: VisitBilling) -> x837.ProfessionalClaim:
    """The 837P's content for a visit whose note is signed; InvalidInput names what is missing."""
    note = _note(session, visit.id)
    if note is None or note.status is not NoteStatus.SIGNED:
        raise Conflict("This visit has no signed note: a claim is released only for a signed visit.")
    if billing.problems:
        raise InvalidInput("The visit's billing breaks a rule: " + "; ".join(billing.problems))
    coverage = billing.coverage
    if coverage is None or coverage.plan_kind is PlanKind.SELF_PAY:
        raise InvalidInput("The patient has no active insurance coverage to claim from; bill the patient "
                           "with the superbill instead.")
    clinic, patient = visit.patient.clinic, visit.patient
    diagnoses = [d.code for d in sorted(visit.episode.diagnoses, key=lambda d: d.position)] if visit.episode else []
    referring = None
    if visit.episode and visit.episode.referring_provider_npi:
        first, _, last = visit.episode.referring_provider_name.rpartition(" ")
        referring = x837.Person(last or visit.episode.referring_provider_name, first,
                                visit.episode.referring_provider_npi)
    if billing.billed is None or not billing.billed.lines:
        raise InvalidInput("This visit has nothing billable: no code has minutes that make a unit, so "
                           "there is no claim to release. Check each code's minutes on the visit's billing page.")
    address = _address(patient.address_line, patient.city, patient.state, patient.postal_code)
    if coverage.patient_is_subscriber:
        subscriber = x837.Subscriber(patient.last_name, patient.first_name, patient.date_of_birth,
                                     _sex_code(patient.sex), coverage.member_id, address, coverage.group_number)
        dependant = None
    else:  # the plan's holder in 2000B, the patient in 2000C
        subscriber = x837.Subscriber(coverage.subscriber_last_name, coverage.subscriber_first_name,
                                     coverage.subscriber_date_of_birth, _sex_code(coverage.subscriber_sex),
                                     coverage.member_id, None, coverage.group_number)
        dependant = x837.Dependant(x837.PATIENT_RELATIONSHIP[coverage.subscriber_relationship.value],
                                   patient.last_name, patient.first_name, patient.date_of_birth,
                                   _sex_code(patient.sex), address)
    return x837.ProfessionalClaim(
        claim_id=f"V{visit.id}", service_date=visit.checked_in_at.date(),
        billing_provider=x837.Organisation(clinic.name, clinic.npi, clinic.tax_id, _address(
            clinic.billing_address, clinic.billing_city, clinic.billing_state, clinic.billing_postal_code),
            clinic.billing_phone, "Billing office"),
        rendering=_person(visit.clinician),
        subscriber=subscriber, patient=dependant,
        payer=x837.Payer(coverage.payer_name, coverage.payer_id, FILING_INDICATOR[coverage.plan_kind]),
        diagnoses=diagnoses, lines=billing.billed.lines, referring=referring,
        onset_date=visit.episode.onset_date if visit.episode else None,
    )


def release_claim(session: Session, actor: Actor, visit_id: int, *, now: datetime | None = None) -> Claim:
    """Write, validate (pyx12) and keep the visit's 837P; refused with the reason if anything is wrong,
    or while the visit has a live claim (a void frees the visit to be billed anew)."""
    require_role(actor, permissions.BILL, "release claims")
    visit = billing_visit(session, actor, visit_id)
    serialise(session, LockScope.VISIT, visit.id)  # two clicks on "release" must not make two originals
    released = live_claim(session, visit.id)
    if released is not None:
        raise Conflict("This visit's claim was already released (control number "
                       f"{released.control_number}, ${released.total_charge}); a visit is billed once. "
                       "To correct it, send a replacement or a void from that claim's page.")
    if awaiting_cosignature(session, visit.id):  # a PT assistant's note the supervising PT has not co-signed
        raise Conflict("The note awaits its supervising physical therapist's co-signature; "
                       "the claim is released once the note is co-signed.")
    billing = assess(session, visit)
    claim = professional_claim(session, visit, billing)
    coverage = billing.coverage
    assert coverage is not None, "professional_claim refuses a visit without coverage"
    return keep_claim(session, actor, visit, coverage, claim.total_charge,
                      lambda number: x837.build_837p(claim, parties_of(visit, coverage), control_number=number,
                                                     created_at=now or utcnow()))


def parties_of(visit: Visit, coverage: Coverage) -> Parties:
    """The interchange's sender (the clinic, by NPI) and receiver (the payer, by payer ID)."""
    return Parties(visit.patient.clinic.npi or "REEDUCATE", coverage.payer_id)


def keep_claim(session: Session, actor: Actor, visit: Visit, coverage: Coverage, total: Decimal,
               write: Callable[[int], str], *, corrects: Claim | None = None,
               frequency: ClaimFrequency = ClaimFrequency.ORIGINAL, reason: str = "") -> Claim:
    """Number a claim, have ``write`` give its X12 for that control number (a ClaimNotValid is refused
    with the reason, nothing kept) and keep it, audited; a correction names the claim it corrects."""
    number = next_number(session, CLAIM_CONTROL_NUMBERS)
    try:
        text = write(number)
    except (x837.ClaimNotValid, ValueError) as error:
        raise InvalidInput(str(error)) from None
    row = Claim(visit_id=visit.id, coverage_id=coverage.id, control_number=number, total_charge=total, x12=text,
                created_by_id=actor.user_id, frequency_code=frequency,
                replaces_claim_id=corrects.id if corrects else None, reason=reason)
    session.add(row)
    session.flush()
    detail = f"837P for visit {visit.id}, ${total}"
    if corrects is not None:
        detail = f"{frequency.label} of claim {corrects.control_number}: {detail}; reason: {reason}"
    record(session, actor, AuditAction.CREATE, "claim", row.id, patient_id=visit.patient_id, detail=detail)
    return row


def claims_of(session: Session, actor: Actor, visit_id: int) -> list[Claim]:
    visit = billing_visit(session, actor, visit_id)
    rows = list(session.scalars(select(Claim).where(Claim.visit_id == visit.id).order_by(Claim.id)))
    record(session, actor, AuditAction.READ, "claim", patient_id=visit.patient_id, detail=f"visit {visit.id}")
    return rows


def get_claim(session: Session, actor: Actor, claim_id: int) -> Claim:
    require_role(actor, permissions.SEE_BILLING, "see a visit's billing")
    claim = fetch_for_patient(session, actor, Claim, claim_id, "claim", patient_of=lambda c: c.visit.patient,
                              clinical=False)
    record(session, actor, AuditAction.EXPORT, "claim", claim.id, patient_id=claim.visit.patient_id)
    return claim


# --- eligibility ----------------------------------------------------------------------------------


def _coverage(session: Session, actor: Actor, coverage_id: int) -> Coverage:
    require_role(actor, permissions.BILL, "check insurance eligibility")
    return fetch_for_patient(session, actor, Coverage, coverage_id, "coverage", patient_of=lambda c: c.patient,
                             clinical=False)


def eligibility_request(session: Session, actor: Actor, coverage_id: int, *, now: datetime | None = None) -> str:
    """The X12 270 asking the payer about this coverage today."""
    coverage = _coverage(session, actor, coverage_id)
    patient, clinic = coverage.patient, coverage.patient.clinic
    now = now or utcnow()
    try:
        text = build_270(Inquiry(
            trace_number=f"C{coverage.id}-{now:%Y%m%d%H%M}", provider_name=clinic.name, provider_npi=clinic.npi,
            provider_tax_id=clinic.tax_id, payer_name=coverage.payer_name, payer_id=coverage.payer_id,
            member_id=coverage.member_id, last_name=patient.last_name, first_name=patient.first_name,
            date_of_birth=patient.date_of_birth, sex={"female": "F", "male": "M"}.get(patient.sex.value, "U"),
            service_date=now.date(), service_types=("30", "PT", "33"),
        ), Parties(clinic.npi, coverage.payer_id or "PAYER"), control_number=coverage.id, created_at=now)
    except (EligibilityError, ValueError) as error:
        raise InvalidInput(str(error)) from None
    record(session, actor, AuditAction.EXPORT, "eligibility_request", coverage.id, patient_id=patient.id)
    return text


def apply_eligibility_response(session: Session, actor: Actor, coverage_id: int, text: str, *,
                               now: datetime | None = None) -> Coverage:
    """Read the payer's 271 into the coverage; refused (nothing changed) if it is not about this member."""
    coverage = _coverage(session, actor, coverage_id)
    try:
        answers = parse_271(text)
    except EligibilityError as error:
        raise InvalidInput(str(error)) from None
    answer = next((a for a in answers if a.member_id.upper() == coverage.member_id.upper()), None)
    if answer is None:
        found = ", ".join(a.member_id or "(none)" for a in answers)
        raise InvalidInput(f"The 271 answers about member {found}, not this coverage's {coverage.member_id}")
    coverage.eligibility = answer.to_dict()
    coverage.eligibility_status = answer.status
    coverage.eligibility_checked_at = now or utcnow()
    record(session, actor, AuditAction.UPDATE, "coverage", coverage.id, patient_id=coverage.patient_id,
           detail=f"eligibility {answer.status}")
    return coverage
