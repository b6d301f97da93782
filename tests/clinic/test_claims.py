"""Claims after release: a visit billed once, a replacement (frequency 7) or a void (8) naming the claim it
corrects, a void final, corrections deciding one at a time, and the front desk's billing worklist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.billing.x12.validation import x12_errors
from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput
from reeducate.clinic.models import AuditEvent, Claim, Coverage, Patient, User, Visit
from reeducate.clinic.services import billing, billing_worklist, claims
from reeducate.clinic.services.billing_worklist import Filters
from reeducate.clinic.vocabulary import AuditAction, ClaimFrequency, ClaimStatus, PlanKind
from tests.clinic.conftest import row_counts
from tests.clinic.test_races import race
from tests.support import NOW, World

REPLACE, VOID = ClaimFrequency.REPLACEMENT, ClaimFrequency.VOID


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get(User, world.user_ids[persona]))


def correct(factory: sessionmaker[Session], world: World, claim_id: int, frequency: ClaimFrequency,
            reason: str = "member ID corrected", persona: str = "front_desk") -> Claim:
    with unit_of_work(factory) as session:
        made = claims.correct(session, actor(session, world, persona), claim_id, frequency, reason)
        session.expunge(made)
        return made


def status_of(factory: sessionmaker[Session], claim_id: int) -> ClaimStatus:
    with factory() as session:
        return session.get_one(Claim, claim_id).status


def segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def test_a_second_release_is_refused_while_the_visits_claim_stands(factory: sessionmaker[Session], records: World) -> None:
    before = row_counts(factory)
    with pytest.raises(Conflict, match=r"already released \(control number 1, \$50.00\).*replacement or a void"):
        with unit_of_work(factory) as session:
            billing.release_claim(session, actor(session, records, "front_desk"), records.visit_done)
    assert row_counts(factory) == before


def test_a_replacement_bills_the_visit_now_with_frequency_7_naming_the_claim_it_replaces(
    factory: sessionmaker[Session], records: World
) -> None:
    with unit_of_work(factory) as session:  # the clinic's fee for gait training changed since the release
        session.get_one(Patient, records.p1).clinic.fee_schedule = {"97116": "55.00"}
    replacement = correct(factory, records, records.claim, REPLACE)
    assert x12_errors(replacement.x12) == [] and str(replacement.total_charge) == "55.00"
    found = segments(replacement.x12)
    assert f"CLM*V{records.visit_done}*55***11:B:7*Y*A*Y*Y" in found and f"REF*F8*V{records.visit_done}" in found
    assert replacement.replaces_claim_id == records.claim and replacement.reason == "member ID corrected"
    assert status_of(factory, records.claim) is ClaimStatus.REPLACED
    assert status_of(factory, replacement.id) is ClaimStatus.REPLACEMENT
    with factory() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "claim",
                                                         AuditEvent.action == AuditAction.CREATE)).all()[-1]
        assert audit.detail.startswith("Replacement of claim 1: 837P") and "member ID corrected" in audit.detail


def test_a_void_repeats_the_claim_with_frequency_8_and_the_visit_may_be_billed_anew(
    factory: sessionmaker[Session], records: World
) -> None:
    void = correct(factory, records, records.claim, VOID, "billed to the wrong payer")
    with factory() as session:
        original = session.get_one(Claim, records.claim)
        assert x12_errors(void.x12) == [] and void.total_charge == original.total_charge
        assert "11:B:8" in void.x12 and f"REF*F8*V{records.visit_done}" in segments(void.x12)
        assert [s for s in segments(void.x12) if s.startswith("SV1")] == [
            s for s in segments(original.x12) if s.startswith("SV1")]
    assert status_of(factory, records.claim) is ClaimStatus.VOIDED and status_of(factory, void.id) is ClaimStatus.VOID
    with unit_of_work(factory) as session:
        again = billing.release_claim(session, actor(session, records, "front_desk"), records.visit_done)
        assert again.frequency_code is ClaimFrequency.ORIGINAL and again.replaces_claim_id is None


@pytest.mark.parametrize("frequency", [REPLACE, VOID])
def test_a_voided_claim_and_a_void_cannot_be_corrected(factory: sessionmaker[Session], records: World,
                                                       frequency: ClaimFrequency) -> None:
    void = correct(factory, records, records.claim, VOID)
    before = row_counts(factory)
    with pytest.raises(Conflict, match="was voided by claim 2: a voided claim cannot be replaced"):
        correct(factory, records, records.claim, frequency)
    with pytest.raises(Conflict, match="Claim 2 is a void: it cancels a claim and cannot itself be"):
        correct(factory, records, void.id, frequency)
    assert row_counts(factory) == before


def test_a_replaced_claim_is_corrected_through_its_replacement(factory: sessionmaker[Session], records: World) -> None:
    replacement = correct(factory, records, records.claim, REPLACE)
    with pytest.raises(Conflict, match="already replaced by claim 2: correct claim 2 instead"):
        correct(factory, records, records.claim, VOID)
    void = correct(factory, records, replacement.id, VOID, "duplicate")
    assert void.replaces_claim_id == replacement.id and x12_errors(void.x12) == []
    assert segments(void.x12).count(f"REF*F8*V{records.visit_done}") == 1
    assert [status_of(factory, i) for i in (records.claim, replacement.id, void.id)] == [
        ClaimStatus.REPLACED, ClaimStatus.VOIDED, ClaimStatus.VOID]


@pytest.mark.parametrize(("reason", "message"), [("  ", "Give the reason for the correction"),
                                                 ("x" * 501, "The reason has 501 characters")])
def test_a_correction_without_a_reason_is_refused_and_nothing_is_stored(
    factory: sessionmaker[Session], records: World, reason: str, message: str
) -> None:
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match=message):
        correct(factory, records, records.claim, VOID, reason)
    assert row_counts(factory) == before


def test_a_pt_assistant_sees_a_claim_but_may_not_correct_it(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        assert claims.view(session, actor(session, records, "assistant"), records.claim).claim.id == records.claim
    with pytest.raises(Forbidden):
        correct(factory, records, records.claim, VOID, persona="assistant")
    assert correct(factory, records, records.claim, VOID, persona="therapist").frequency_code is VOID


def test_a_replacement_keeps_the_payer_and_a_new_payer_needs_a_void_then_a_new_claim(
    factory: sessionmaker[Session], records: World
) -> None:
    with unit_of_work(factory) as session:
        patient = session.get_one(Patient, records.p1)
        patient.coverages[0].priority = 2
        session.add(Coverage(patient=patient, plan_kind=PlanKind.COMMERCIAL, payer_name="Acme Health",
                             payer_id="ACME1", member_id="A123", priority=1))
    with unit_of_work(factory) as session:
        view = claims.view(session, actor(session, records, "front_desk"), records.claim)
        assert "now Acme Health, not Medicare" in view.replacement_refusal
    with pytest.raises(Conflict, match="A replacement goes to the same payer: void claim 1, then release a new"):
        correct(factory, records, records.claim, REPLACE)
    void = correct(factory, records, records.claim, VOID, "wrong payer")
    assert "NM1*PR*2*MEDICARE" in void.x12  # the void goes where the claim went


def test_the_medicare_years_amount_counts_only_the_claims_that_stand(factory: sessionmaker[Session],
                                                                    records: World) -> None:
    def amount_before() -> str:
        with factory() as session:
            return str(billing.context_of(session, session.get_one(Visit, records.visit_open)).therapy_amount_before)

    assert amount_before() == "50.00"
    replacement = correct(factory, records, records.claim, REPLACE)
    assert amount_before() == "50.00"  # the replacement, not both
    correct(factory, records, replacement.id, VOID)
    assert amount_before() == "0"


def five_at_once(factory: sessionmaker[Session], world: World, attempt) -> list[type[BaseException]]:  # noqa: ANN001
    outcomes = race(factory, 5, attempt)
    assert len(outcomes.succeeded()) == 1
    return outcomes.raised()


def test_five_corrections_of_one_claim_at_once_make_one(factory: sessionmaker[Session], records: World) -> None:
    def attempt(session: Session, i: int) -> int:
        return claims.correct(session, actor(session, records, "front_desk"), records.claim,
                              REPLACE if i % 2 else VOID, f"attempt {i}").id

    assert five_at_once(factory, records, attempt) == [Conflict] * 4
    with factory() as session:
        assert len(session.scalars(select(Claim).where(Claim.replaces_claim_id == records.claim)).all()) == 1


def test_five_releases_of_a_voided_visit_at_once_make_one_new_claim(factory: sessionmaker[Session],
                                                                    records: World) -> None:
    correct(factory, records, records.claim, VOID)

    def attempt(session: Session, _i: int) -> int:
        return billing.release_claim(session, actor(session, records, "front_desk"), records.visit_done).id

    assert five_at_once(factory, records, attempt) == [Conflict] * 4
    with factory() as session:
        assert len(session.scalars(select(Claim).where(Claim.visit_id == records.visit_done)).all()) == 3


# --- the worklist ---------------------------------------------------------------------------------


def worklist(factory: sessionmaker[Session], world: World, persona: str = "front_desk",
             filters: Filters | None = None) -> billing_worklist.Worklist:
    with unit_of_work(factory) as session:
        found = billing_worklist.worklist(session, actor(session, world, persona), filters or Filters())
        for row in [*found.to_bill, *found.not_ready]:
            assert row.visit.patient.full_name and row.visit.clinician.full_name  # loaded while the session is open
        for claim in found.released:
            assert claim.visit.patient.full_name and claim.status
        return found


def test_the_worklist_shows_unsigned_visits_with_minutes_and_released_claims(factory: sessionmaker[Session],
                                                                             records: World) -> None:
    found = worklist(factory, records)
    assert found.to_bill == [] and found.payers == ["Medicare"] and found.cut == []
    assert [(r.visit.id, r.minutes, r.reason) for r in found.not_ready] == [
        (records.visit_open, 15, "No note yet")]
    assert [c.id for c in found.released] == [records.claim]


def test_a_voided_visit_returns_to_be_billed_with_what_its_note_billed(factory: sessionmaker[Session],
                                                                       records: World) -> None:
    void = correct(factory, records, records.claim, VOID, "billed in error")
    found = worklist(factory, records)
    [row] = found.to_bill
    assert row.visit.id == records.visit_done and row.voided.id == void.id and row.claimable
    assert str(row.total) == "50.00" and [line["code"] for line in row.billed["lines"]] == ["97116"]
    assert [c.id for c in found.released] == [void.id, records.claim]


def test_the_worklist_filters_by_date_of_service_and_payer(factory: sessionmaker[Session], records: World) -> None:
    today = NOW.date()
    only_today = worklist(factory, records, filters=Filters(since=today, until=today))
    assert [r.visit.id for r in only_today.not_ready] == [records.visit_open] and only_today.released == []
    assert worklist(factory, records, filters=Filters(payer="Acme Health")).not_ready == []
    assert [c.id for c in worklist(factory, records, filters=Filters(payer="Medicare")).released] == [records.claim]
    with pytest.raises(InvalidInput, match="The date range runs backwards"):
        worklist(factory, records, filters=Filters(since=today, until=today - timedelta(days=1)))


def test_another_clinics_therapist_sees_none_of_this_clinics_visits(factory: sessionmaker[Session],
                                                                    records: World) -> None:
    found = worklist(factory, records, "other_therapist")
    assert found.to_bill == found.not_ready == found.released == []  # Quinn Zeller has no visit yet
