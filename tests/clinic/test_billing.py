"""A visit's billing and note in the clinic: minutes per code, the note signed and final, addenda,
the 837P released only for a signed visit, and eligibility read into the coverage."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.billing.x12.validation import x12_errors
from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput
from reeducate.clinic.models import AuditEvent, Claim, Coverage, User, VisitActivity, VisitCharge, VisitNote
from reeducate.clinic.schemas import AppointmentBook, VisitActivityAdd
from reeducate.clinic.services import billing, documents, notes, scheduling, visits
from reeducate.clinic.services.billing import ChargeInput
from reeducate.clinic.vocabulary import Activity, NoteStatus
from tests.billing.test_x12 import PT_271
from tests.clinic.conftest import row_counts
from tests.support import World, local, write_note

NMR_AND_EXERCISE = [ChargeInput("97112", 24, 5), ChargeInput("97110", 23)]


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get(User, world.user_ids[persona]))


def signed_visit(factory: sessionmaker[Session], world: World) -> None:
    with unit_of_work(factory) as session:
        pt = actor(session, world, "therapist")
        billing.set_charges(session, pt, world.visit_open, NMR_AND_EXERCISE)
        notes.start_draft(session, pt, world.visit_open)
        notes.edit(session, pt, world.visit_open, {"subjective": "Feels steadier on stairs.",
                                                   "assessment": "Balance improving.", "plan": "Continue."})
        notes.sign(session, pt, world.visit_open)


def test_charges_are_drafted_from_the_recorded_activities_and_billed_by_medicares_rule(
    factory: sessionmaker[Session], records: World
) -> None:
    with unit_of_work(factory) as session:
        summary = billing.summary(session, actor(session, records, "therapist"), records.visit_open)
        assert summary.drafted and [(c.code, c.minutes) for c in summary.charges] == [("97112", 15)]
        assert summary.context.unit_rule.value == "cms" and summary.context.medicare
        assert [(line.code, line.units, line.modifiers) for line in summary.billed.lines] == [("97112", 1, ("GP",))]


def test_saved_minutes_give_units_modifiers_and_charges(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        summary = billing.set_charges(session, actor(session, records, "therapist"), records.visit_open, NMR_AND_EXERCISE)
        assert not summary.drafted and summary.problems == []
        assert [(line.code, line.units, line.modifiers, str(line.charge)) for line in summary.billed.lines] == [
            ("97112", 2, ("CQ", "GP"), "120.00"), ("97110", 1, ("GP",), "50.00")]


@pytest.mark.parametrize(
    ("charges", "message"),
    [
        ([ChargeInput("97999", 10)], "'97999' is not a code"),
        ([ChargeInput("97112", 500)], "minutes must be between 0 and 480"),
        ([ChargeInput("97112", 10, 12)], "the assistant's minutes must be between 0 and"),
        ([ChargeInput("97112", 10), ChargeInput("97112", 5)], "97112 is listed twice"),
        ([ChargeInput("97110", 0)], "97110 (Therapeutic exercise) is timed: give its minutes"),
    ],
)
def test_bad_minutes_are_refused_and_nothing_is_stored(
    factory: sessionmaker[Session], records: World, charges: list[ChargeInput], message: str
) -> None:
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        with unit_of_work(factory) as session:
            billing.set_charges(session, actor(session, records, "therapist"), records.visit_open, charges)
    assert row_counts(factory) == before


def test_a_broken_edit_shows_on_the_billing_and_blocks_signing_with_the_rule(
    factory: sessionmaker[Session], records: World
) -> None:
    with unit_of_work(factory) as session:
        pt = actor(session, records, "therapist")
        summary = billing.set_charges(session, pt, records.visit_open, [ChargeInput("98940", region="lumbar")])
        assert summary.billed is None and "billed by a chiropractor" in summary.problems[0]
        notes.start_draft(session, pt, records.visit_open)
        notes.edit(session, pt, records.visit_open, {"subjective": "s", "assessment": "a", "plan": "p"})
        with pytest.raises(InvalidInput, match="billing breaks a rule.*A code is billed by the discipline"):
            notes.sign(session, pt, records.visit_open)


def test_the_draft_note_is_written_from_what_the_visit_recorded(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        note = notes.start_draft(session, actor(session, records, "therapist"), records.visit_open)
        objective = note.content["objective"]
        assert "Berg Balance Scale: 50 points" in objective
        assert "Force-plate stance" in objective and "mean COP velocity" in objective
        assert "Gait (foot IMUs): cadence 110 steps/min, speed 1.25 m/s." in objective
        assert note.content["nmr"]["minutes"] == 15 and note.status is NoteStatus.DRAFT


def test_signing_needs_confirmed_minutes_and_every_soap_section(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        pt = actor(session, records, "therapist")
        notes.start_draft(session, pt, records.visit_open)
        with pytest.raises(InvalidInput, match="Write the subjective, assessment, plan section"):
            notes.sign(session, pt, records.visit_open)
        notes.edit(session, pt, records.visit_open, {"subjective": "s", "assessment": "a", "plan": "p"})
        with pytest.raises(InvalidInput, match="Confirm the visit's minutes per code"):
            notes.sign(session, pt, records.visit_open)


def test_only_the_clinician_who_treated_the_visit_signs_its_note(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        pt = actor(session, records, "therapist")
        billing.set_charges(session, pt, records.visit_open, NMR_AND_EXERCISE)
        write_note(session, pt, records.visit_open)
    before = row_counts(factory)
    with pytest.raises(Forbidden, match="Only Therapist may sign the note of this visit: the "
                                        "clinician who treated the visit"):
        with unit_of_work(factory) as session:  # on the care team, but not who treated the visit
            notes.sign(session, actor(session, records, "chiropractor"), records.visit_open)
    assert row_counts(factory) == before


def pt_assistant_visit(session: Session, world: World) -> int:
    """A visit the PT assistant treats today in the episode (care team: the therapist, who leads, and the
    chiropractor), its minutes confirmed and its note written: ready to sign."""
    desk, pta = actor(session, world, "front_desk"), actor(session, world, "assistant")
    appointment = scheduling.book(session, desk, AppointmentBook(
        patient_id=world.p1, provider_id=world.user_ids["assistant"], location_id=world.location_id,
        episode_id=world.episode, starts_at=local(0, 11), duration_min=45))
    visit_id = visits.check_in(session, desk, appointment.id).id
    visits.add_activity(session, pta, visit_id, VisitActivityAdd(activity=Activity.GAIT_TRAINING, minutes=20))
    billing.set_charges(session, pta, visit_id, [ChargeInput("97116", 20, 20)])
    write_note(session, pta, visit_id)
    return visit_id


@pytest.mark.parametrize("signer", ["assistant", "therapist"])
def test_a_pt_assistants_note_is_signed_by_them_or_co_signed_by_a_pt_of_the_care_team(
    factory: sessionmaker[Session], records: World, signer: str
) -> None:
    with unit_of_work(factory) as session:
        visit_id = pt_assistant_visit(session, records)
    with pytest.raises(Forbidden, match="Only Assistant or Therapist may sign .* a supervising physical therapist"):
        with unit_of_work(factory) as session:
            notes.sign(session, actor(session, records, "chiropractor"), visit_id)
    with unit_of_work(factory) as session:
        note = notes.sign(session, actor(session, records, signer), visit_id)
        assert note.signed_by_id == records.user_ids[signer] and notes.verify(note)


def test_a_signed_note_is_hashed_audited_and_final_through_every_path(
    factory: sessionmaker[Session], records: World
) -> None:
    signed_visit(factory, records)
    with unit_of_work(factory) as session:
        note = session.scalar(select(VisitNote).where(VisitNote.visit_id == records.visit_open))
        assert note.status is NoteStatus.SIGNED and note.signed_by_id == records.user_ids["therapist"]
        assert notes.verify(note) and len(note.content_sha256) == 64
        assert note.billing["lines"][0] == {"code": "97112", "units": 2, "modifiers": ["CQ", "GP"], "minutes": 24,
                                            "assistant_minutes": 5, "region": "", "charge": "120.00"}
        audit = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "visit_note",
                                                         AuditEvent.resource_id == str(note.id),
                                                         AuditEvent.detail.like("signed%"))).all()
        assert [a.user_id for a in audit] == [records.user_ids["therapist"]]
    before = row_counts(factory)
    for change in (
        lambda s, pt: notes.edit(s, pt, records.visit_open, {"plan": "changed"}),
        lambda s, pt: notes.sign(s, pt, records.visit_open),
        lambda s, pt: billing.set_charges(s, pt, records.visit_open, [ChargeInput("97112", 8)]),
    ):
        with pytest.raises(Conflict, match="signed"):
            with unit_of_work(factory) as session:
                change(session, actor(session, records, "therapist"))
    with pytest.raises(Conflict, match="is signed and cannot change"):
        with unit_of_work(factory) as session:  # even past the services, the ORM refuses
            note = session.scalar(select(VisitNote).where(VisitNote.visit_id == records.visit_open))
            note.content = {**note.content, "plan": "rewritten"}
            session.flush()
    assert row_counts(factory) == before
    with factory() as session:
        assert notes.verify(session.scalar(select(VisitNote).where(VisitNote.visit_id == records.visit_open)))


def test_an_addendum_is_kept_with_its_author_and_time(factory: sessionmaker[Session], records: World) -> None:
    signed_visit(factory, records)
    with unit_of_work(factory) as session:
        chiro = actor(session, records, "chiropractor")
        addendum = notes.add_addendum(session, chiro, records.visit_open, "Patient called: no soreness next day.")
        assert addendum.author_id == records.user_ids["chiropractor"] and addendum.created_at is not None
        assert len(addendum.sha256) == 64
    with pytest.raises(Conflict, match="part of the signed record"):
        with unit_of_work(factory) as session:
            note = session.scalar(select(VisitNote).where(VisitNote.visit_id == records.visit_open))
            note.addenda[0].text = "changed"
            session.flush()
    with pytest.raises(InvalidInput, match="empty"):
        with unit_of_work(factory) as session:
            notes.add_addendum(session, actor(session, records, "therapist"), records.visit_open, "   ")


def test_addenda_are_refused_on_a_draft(factory: sessionmaker[Session], records: World) -> None:
    with pytest.raises(Conflict, match="Addenda are for signed notes"):
        with unit_of_work(factory) as session:
            pt = actor(session, records, "therapist")
            notes.start_draft(session, pt, records.visit_open)
            notes.add_addendum(session, pt, records.visit_open, "x")


def test_the_front_desk_bills_but_does_not_read_the_note_and_the_patient_sees_only_a_signed_note(
    factory: sessionmaker[Session], records: World
) -> None:
    with unit_of_work(factory) as session:
        notes.start_draft(session, actor(session, records, "therapist"), records.visit_open)
        assert billing.summary(session, actor(session, records, "front_desk"), records.visit_open).billed
        with pytest.raises(Forbidden):
            notes.of_visit(session, actor(session, records, "front_desk"), records.visit_open)
        assert notes.of_visit(session, actor(session, records, "patient"), records.visit_open) is None
        with pytest.raises(Forbidden):
            billing.summary(session, actor(session, records, "patient"), records.visit_open)
    signed_visit(factory, records)
    with unit_of_work(factory) as session:
        assert notes.of_visit(session, actor(session, records, "patient"), records.visit_open).status is NoteStatus.SIGNED


def test_a_claim_is_released_only_for_a_signed_visit_and_validates(factory: sessionmaker[Session], records: World) -> None:
    with pytest.raises(Conflict, match="has no signed note"):
        with unit_of_work(factory) as session:
            billing.release_claim(session, actor(session, records, "front_desk"), records.visit_open)
    signed_visit(factory, records)
    with unit_of_work(factory) as session:
        claim = billing.release_claim(session, actor(session, records, "front_desk"), records.visit_open)
        assert x12_errors(claim.x12) == [] and str(claim.total_charge) == "170.00"
        assert "SV1*HC:97112:CQ:GP*120*UN*2***1~" in claim.x12 and "HI*ABK:R2681~" in claim.x12
    with unit_of_work(factory) as session:
        assert [c.id for c in billing.claims_of(session, actor(session, records, "therapist"), records.visit_open)]
    with pytest.raises(Forbidden):
        with unit_of_work(factory) as session:
            billing.release_claim(session, actor(session, records, "assistant"), records.visit_open)


def _release_is_refused(factory: sessionmaker[Session], records: World, error: type[Exception], match: str) -> None:
    """The front desk's release of the open visit's claim is refused with ``error`` and nothing is kept."""
    before = row_counts(factory)
    with pytest.raises(error, match=match):
        with unit_of_work(factory) as session:
            billing.release_claim(session, actor(session, records, "front_desk"), records.visit_open)
    assert row_counts(factory) == before


def test_a_visit_is_billed_once_and_a_second_release_is_refused_with_the_first_claims_number(
    factory: sessionmaker[Session], records: World
) -> None:
    signed_visit(factory, records)
    with unit_of_work(factory) as session:
        first = billing.release_claim(session, actor(session, records, "front_desk"), records.visit_open)
    _release_is_refused(factory, records, Conflict,
                        f"already released \\(control number {first.control_number}, \\$170.00\\)")


def test_a_signed_visit_with_nothing_billable_is_refused_with_the_reason(
    factory: sessionmaker[Session], records: World
) -> None:
    signed_visit(factory, records)
    with unit_of_work(factory) as session:  # as if every minute had gone: no code left to bill
        session.execute(delete(VisitCharge).where(VisitCharge.visit_id == records.visit_open))
        session.execute(delete(VisitActivity).where(VisitActivity.visit_id == records.visit_open))
    _release_is_refused(factory, records, InvalidInput, "has nothing billable")


def test_a_claim_missing_an_npi_is_refused_naming_it_and_nothing_is_kept(
    factory: sessionmaker[Session], records: World
) -> None:
    signed_visit(factory, records)
    with unit_of_work(factory) as session:
        session.get(User, records.user_ids["therapist"]).npi = None
    _release_is_refused(factory, records, InvalidInput, "Rendering provider Therapist has no NPI")
    with factory() as session:
        assert session.scalars(select(Claim).where(Claim.visit_id == records.visit_open)).all() == []


def test_eligibility_goes_out_as_a_270_and_the_271_lands_on_the_coverage(
    factory: sessionmaker[Session], records: World
) -> None:
    with unit_of_work(factory) as session:
        coverage_id = session.scalar(select(Coverage.id).where(Coverage.patient_id == records.p1))
        desk = actor(session, records, "front_desk")
        request = billing.eligibility_request(session, desk, coverage_id)
        assert "NM1*IL*1*QUENNELL*PENNY****MI*1EG4TE5MK73~" in request
        coverage = billing.apply_eligibility_response(session, desk, coverage_id, PT_271)
        assert coverage.eligibility_status == "active" and coverage.eligibility["plan"] == "MEDICARE PART B"
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match="not this coverage's 1EG4TE5MK73"):
        with unit_of_work(factory) as session:
            billing.apply_eligibility_response(session, actor(session, records, "front_desk"), coverage_id,
                                               PT_271.replace("1EG4TE5MK73", "9ZZ9ZZ9ZZ99"))
    with pytest.raises(InvalidInput, match="not an X12 file"):
        with unit_of_work(factory) as session:
            billing.apply_eligibility_response(session, actor(session, records, "front_desk"), coverage_id, "")
    with pytest.raises(Forbidden):
        with unit_of_work(factory) as session:
            billing.eligibility_request(session, actor(session, records, "assistant"), coverage_id)
    assert row_counts(factory) == before


def _pages_as_png(data: bytes, name: str) -> list[Path]:
    """Each PDF page rendered to PNG under test-artifacts/screenshots, for people to look at."""
    folder = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(data)
    paths = []
    for number in range(len(document)):
        path = folder / f"{name}-{number + 1}.png"
        document[number].render(scale=1.6).to_pil().save(path)
        paths.append(path)
    return paths


def test_a_code_with_minutes_but_no_unit_stays_on_the_billing_and_the_note_with_the_reason(
    factory: sessionmaker[Session], records: World
) -> None:
    with unit_of_work(factory) as session:
        pt = actor(session, records, "therapist")
        summary = billing.set_charges(session, pt, records.visit_open, [
            ChargeInput("97112", 24), ChargeInput("97110", 15), ChargeInput("97116", 8)])
        assert [(u.code, u.minutes) for u in summary.billed.unbilled] == [("97116", 8)]
        notes.start_draft(session, pt, records.visit_open)
        notes.edit(session, pt, records.visit_open, {"subjective": "s", "assessment": "a", "plan": "p"})
        notes.sign(session, pt, records.visit_open)
    with unit_of_work(factory) as session:
        _, html = documents.note_document(session, actor(session, records, "therapist"), records.visit_open,
                                          as_pdf=False)
    assert isinstance(html, str) and "97116" in html
    assert "not billed: the visit&#39;s 47 timed minutes make 3 units" in html


@pytest.mark.slow
def test_the_signed_note_and_the_superbill_print_as_pdf(factory: sessionmaker[Session], records: World) -> None:
    signed_visit(factory, records)
    with unit_of_work(factory) as session:
        notes.add_addendum(session, actor(session, records, "therapist"), records.visit_open, "Home programme reviewed.")
    with unit_of_work(factory) as session:
        name, data = documents.note_document(session, actor(session, records, "therapist"), records.visit_open,
                                             as_pdf=True)
        assert re.fullmatch(r"note-MRN\d+-\d{4}-\d\d-\d\d\.pdf", name) and data.startswith(b"%PDF")
        text = "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(data))
        for expected in ("Daily treatment note", "Penny Quennell", "Electronically signed by Therapist",
                         "Neuromuscular re-education (97112)", "97112", "CQ GP", "Home programme reviewed."):
            assert expected in text, expected
        assert re.search(r"Date of service: [A-Z][a-z]{2} \d\d [A-Z][a-z]{2} \d{4}", text), "the pages' date format"
        assert not re.search(r"\bVisit \d+", text), "the note names no visit by its row id"
        assert _pages_as_png(data, "visit-note")
        name, bill = documents.superbill(session, actor(session, records, "front_desk"), records.visit_open)
        text = "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(bill))
        assert re.fullmatch(r"superbill-MRN\d+-\d{4}-\d\d-\d\d\.pdf", name)
        assert not re.search(r"\bVisit \d+", text), "the superbill names no visit by its row id"
        for expected in ("Superbill", "1EG4TE5MK73", "R26.81", "$120.00", "$170.00", "Tax ID 12-3456789"):
            assert expected in text, expected
        assert _pages_as_png(bill, "superbill")
