"""The plan of care: drafted within Medicare's 90-day limit, signed by a PT or chiropractor (final),
renewed as a new version; its certification recorded by any staff member, dates checked, the scanned
signature stored once and downloadable by clinicians; every write audited."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.billing.npi import with_check_digit
from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.models import AuditEvent, Episode, PlanOfCare, Problem, User
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import documentation_due, goals, plan_of_care
from reeducate.clinic.vocabulary import AuditAction, NoteStatus, ProblemStatus
from reeducate.planning.medicare import Timing
from tests.clinic.conftest import row_counts
from tests.support import NOW, World

TODAY = NOW.date()
START = TODAY - timedelta(days=14)  # the world's episode starts two weeks before its present
BALANCE = plan_of_care.InterventionChoice(kind="technique", id="balance-training", dosage="15 min per visit")
STANCE = plan_of_care.InterventionChoice(kind="exercise", id="foam-stance")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def _fields(**more: object) -> plan_of_care.PlanFields:
    return plan_of_care.PlanFields.model_validate({"visits_per_week": 2, "weeks": 6,
                                                   "interventions": [BALANCE, STANCE], **more})


def _signed(session: Session, world: World, **more: object) -> PlanOfCare:
    pt = actor(session, world, "therapist")
    goals.add(session, pt, world.episode, goals.GoalFields(measure_id="berg", target=54))
    plan = plan_of_care.draft(session, pt, world.episode, _fields(**more))
    return plan_of_care.sign(session, pt, plan.id)


def test_a_draft_starts_with_the_episode_and_runs_its_weeks(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        episode = session.get_one(Episode, records.episode)
        episode.referring_provider_name, episode.referring_provider_npi = "Dr Ada Reyes", with_check_digit("123456789")
        plan = plan_of_care.draft(session, actor(session, records, "therapist"), records.episode, _fields())
        assert (plan.number, plan.starts_on, plan.ends_on) == (1, START, START + timedelta(days=41))
        assert plan.expected_visits == 12 and plan.status is NoteStatus.DRAFT
        assert plan.interventions[0] == {"kind": "technique", "id": "balance-training", "name": "Balance training",
                                         "dosage": "15 min per visit"}
        assert plan.interventions[1]["dosage"] == "3 sets, holds of 30 s, rest 30 s, 3 sessions a week"  # the library's
        assert plan.physician_name == "Dr Ada Reyes" and plan.physician_npi == episode.referring_provider_npi
        audit = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "plan_of_care")).one()
        assert audit.action is AuditAction.CREATE and "2x a week for 6 weeks" in audit.detail


def test_a_plan_of_90_days_is_accepted(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        plan = plan_of_care.draft(session, actor(session, records, "therapist"), records.episode,
                                  _fields(weeks=13, ends_on=START + timedelta(days=89)))
        assert (plan.ends_on - plan.starts_on).days + 1 == 90


def test_a_plan_of_91_days_is_refused_naming_the_rule(factory: sessionmaker[Session], records: World) -> None:
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match=r"91 days is too long \(Medicare Benefit Policy Manual ch. 15 §220.1.3") \
            as refused, unit_of_work(factory) as session:
        plan_of_care.draft(session, actor(session, records, "therapist"), records.episode,
                           _fields(weeks=13, ends_on=START + timedelta(days=90)))
    assert refused.value.field == "ends_on" and row_counts(factory) == before


def test_thirteen_weeks_by_default_run_past_the_limit(factory: sessionmaker[Session], records: World) -> None:
    with pytest.raises(InvalidInput, match="ends by"), unit_of_work(factory) as session:
        plan_of_care.draft(session, actor(session, records, "therapist"), records.episode, _fields(weeks=13))


@pytest.mark.parametrize(("more", "field", "message"), [
    ({"starts_on": START - timedelta(days=1)}, "starts_on", "before the episode"),
    ({"ends_on": START - timedelta(days=1)}, "ends_on", "ends before it starts"),
    ({"interventions": [{"kind": "exercise", "id": "no-such"}]}, "interventions", "no exercise 'no-such'"),
    ({"interventions": [STANCE, STANCE]}, "interventions", "listed twice"),
])
def test_a_plan_that_cannot_be_right_is_refused(factory: sessionmaker[Session], records: World,
                                                more: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as refused, unit_of_work(factory) as session:
        plan_of_care.draft(session, actor(session, records, "therapist"), records.episode, _fields(**more))
    assert refused.value.field == field


def test_the_accepted_problems_kept_interventions_are_offered(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        for status, kept in ((ProblemStatus.ACCEPTED, "foam-stance"), (ProblemStatus.PROPOSED, "two-foot-stance")):
            session.add(Problem(episode_id=records.episode, statement="Unsteady", status=status,
                                interventions=[{"kind": "exercise", "id": kept}, {"kind": "exercise", "id": "gone"}]))
        session.flush()
        offered = plan_of_care.problem_interventions(session, session.get_one(Episode, records.episode))
        assert [(i["id"], i["name"]) for i in offered] == [("foam-stance", "Stance on foam")]


def test_a_draft_is_edited_with_its_changes_audited_and_a_second_draft_refused(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        pt = actor(session, records, "therapist")
        plan = plan_of_care.draft(session, pt, records.episode, _fields())
        plan_of_care.edit(session, pt, plan.id, _fields(visits_per_week=3, home_programme="Stance daily"))
        assert plan.expected_visits == 18
        audit = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "plan_of_care",
                                                         AuditEvent.action == AuditAction.UPDATE)).one()
        assert audit.changes["visits_per_week"] == [2, 3] and audit.changes["home_programme"] == ["", "Stance daily"]
        with pytest.raises(Conflict, match="already has a plan"):
            plan_of_care.draft(session, pt, records.episode, _fields())


def test_signing_needs_a_goal_and_an_intervention(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        pt = actor(session, records, "therapist")
        plan = plan_of_care.draft(session, pt, records.episode, _fields(interventions=[]))
        with pytest.raises(InvalidInput, match="at least one goal"):
            plan_of_care.sign(session, pt, plan.id)
        goals.add(session, pt, records.episode, goals.GoalFields(description="Stairs with one rail"))
        with pytest.raises(InvalidInput, match="technique or exercise"):
            plan_of_care.sign(session, pt, plan.id)


def test_a_signed_plan_is_final_and_its_hash_holds(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        plan = _signed(session, records)
        assert plan.status is NoteStatus.SIGNED and plan.signed_by_id == records.user_ids["therapist"]
        assert plan_of_care.verify(plan)
        with pytest.raises(Conflict, match="signed"):
            plan_of_care.edit(session, actor(session, records, "therapist"), plan.id, _fields(weeks=4))
        with pytest.raises(Conflict, match="signed"):
            plan_of_care.sign(session, actor(session, records, "therapist"), plan.id)
    with pytest.raises(Conflict, match="signed"), unit_of_work(factory) as session:
        session.get_one(PlanOfCare, plan.id).weeks = 4  # the ORM itself refuses
        session.flush()


@pytest.mark.parametrize("persona", ["assistant", "front_desk", "admin"])
def test_only_a_pt_or_chiropractor_signs(factory: sessionmaker[Session], records: World, persona: str) -> None:
    with unit_of_work(factory) as session:
        pt = actor(session, records, "therapist")
        goals.add(session, pt, records.episode, goals.GoalFields(description="Stairs"))
        plan_id = plan_of_care.draft(session, pt, records.episode, _fields()).id
    with pytest.raises(Forbidden), unit_of_work(factory) as session:
        plan_of_care.sign(session, actor(session, records, persona), plan_id)


def test_a_new_version_follows_the_signed_plan_as_a_draft(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        first = _signed(session, records, home_programme="Stance daily")
        second = plan_of_care.new_version(session, actor(session, records, "chiropractor"), first.id)
        assert (second.number, second.recertifies_id, second.status) == (2, first.id, NoteStatus.DRAFT)
        assert second.starts_on == first.ends_on + timedelta(days=1) and second.weeks == first.weeks
        assert second.interventions == first.interventions and second.home_programme == "Stance daily"
        with pytest.raises(Conflict, match="newer plan"):
            plan_of_care.new_version(session, actor(session, records, "therapist"), first.id)


def test_the_front_desk_records_the_certification_audited(factory: sessionmaker[Session], records: World) -> None:
    npi = with_check_digit("123456789")
    with unit_of_work(factory) as session:
        plan = _signed(session, records)
        plan_of_care.record_certification(session, actor(session, records, "front_desk"), plan.id,
                                          plan_of_care.CertificationFields(
                                              physician_name="Dr Ada Reyes", physician_npi=npi,
                                              sent_on=TODAY - timedelta(days=3), certified_on=TODAY - timedelta(days=1),
                                              received_on=TODAY), today=TODAY)
        assert (plan.certified_on, plan.physician_npi) == (TODAY - timedelta(days=1), npi)
        audit = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "plan_certification")).one()
        assert audit.user_id == records.user_ids["front_desk"] and audit.changes["certified_on"][0] is None
        dues = documentation_due.of_episode(session, plan.episode, today=TODAY)
        assert dues.certification is not None and dues.certification.state is Timing.DONE


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"certified_on": TODAY + timedelta(days=1), "physician_name": "Dr R"}, "certified_on", "in the future"),
    ({"certified_on": START - timedelta(days=1), "physician_name": "Dr R"}, "certified_on", "before this plan"),
    ({"sent_on": TODAY, "received_on": TODAY - timedelta(days=1), "physician_name": "Dr R"}, "received_on",
     "received before it was sent"),
    ({"certified_on": TODAY, "received_on": TODAY - timedelta(days=1), "physician_name": "Dr R"}, "received_on",
     "before the physician signed"),
    ({"certified_on": TODAY}, "physician_name", "Name the physician"),
    ({"physician_npi": "1234567890"}, "physician_npi", "not valid"),
])
def test_certification_dates_that_cannot_be_right_are_refused(
        factory: sessionmaker[Session], records: World, fields: dict[str, object], field: str, message: str) -> None:
    with unit_of_work(factory) as session:
        plan_id = _signed(session, records).id
    with pytest.raises(InvalidInput, match=message) as refused, unit_of_work(factory) as session:
        plan_of_care.record_certification(session, actor(session, records, "front_desk"), plan_id,
                                          plan_of_care.CertificationFields.model_validate(fields), today=TODAY)
    assert refused.value.field == field


def test_a_draft_may_carry_a_verbal_order_only(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        plan = plan_of_care.draft(session, actor(session, records, "therapist"), records.episode, _fields())
        desk = actor(session, records, "front_desk")
        with pytest.raises(InvalidInput, match="still a draft"):
            plan_of_care.record_certification(session, desk, plan.id, plan_of_care.CertificationFields(
                physician_name="Dr R", certified_on=TODAY), today=TODAY)
        plan_of_care.record_certification(session, desk, plan.id, plan_of_care.CertificationFields(
            verbal_order_on=TODAY - timedelta(days=2)), today=TODAY)


def test_a_verbal_order_shows_when_the_signature_is_due(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        plan = _signed(session, records)
        verbal = TODAY - timedelta(days=2)
        plan_of_care.record_certification(session, actor(session, records, "front_desk"), plan.id,
                                          plan_of_care.CertificationFields(verbal_order_on=verbal), today=TODAY)
        dues = documentation_due.of_episode(session, plan.episode, today=TODAY)
        lines = {line.label: line for line in plan_of_care.certification_lines(dues)}
        signature = lines["Signature after the verbal order"]
        assert signature.due == verbal + timedelta(days=14) and signature.state is Timing.DUE
        assert "§220.1.3 B" in signature.rule and lines["Certification"].state is Timing.DONE
        assert lines["Next recertification"].due == plan.ends_on


def test_the_certification_is_due_30_days_after_the_first_treatment(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        plan = _signed(session, records)  # from the evaluation, before the world's first treated visit
        dues = documentation_due.of_episode(session, plan.episode, today=TODAY)
        line = plan_of_care.certification_lines(dues)[0]
        assert dues.first_treatment is not None and plan.starts_on < dues.first_treatment
        assert (line.label, line.due, line.state) == ("Certification", START + timedelta(days=30), Timing.DUE)
        assert line.rule.endswith("§220.1.3 B: within 30 days of the first treatment")


def test_a_scanned_signature_is_stored_once_and_downloadable_by_clinicians(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        plan = _signed(session, records)
        desk = actor(session, records, "front_desk")
        plan_of_care.attach_signature(session, desk, plan.id, "../signed plan.png", PNG, store)
        plan_of_care.attach_signature(session, desk, plan.id, "again.png", PNG, store)
        assert plan.signature_filename == "again.png"
        assert [p for p in Path(store.root).rglob(plan.signature_sha256 or "-")] == [store.path(plan.signature_sha256 or "")]
        name, content = plan_of_care.signature_file(session, actor(session, records, "therapist"), plan.id, store)
        assert (name, content) == ("again.png", PNG)
        with pytest.raises(Forbidden):
            plan_of_care.signature_file(session, desk, plan.id, store)
        audit = session.scalars(select(AuditEvent).where(AuditEvent.resource_type == "plan_certification")).all()
        assert len(audit) == 2 and "PNG" in audit[0].detail


@pytest.mark.parametrize(("content", "message"), [(b"GIF89a....", "PDF, PNG or JPEG"), (b"", "empty")])
def test_a_scan_that_is_not_a_pdf_or_picture_is_refused(factory: sessionmaker[Session], records: World,
                                                       store: RecordingStore, content: bytes, message: str) -> None:
    with unit_of_work(factory) as session:
        plan_id = _signed(session, records).id
    with pytest.raises(InvalidInput, match=message), unit_of_work(factory) as session:
        plan_of_care.attach_signature(session, actor(session, records, "front_desk"), plan_id, "x.gif", content, store)


def test_no_scan_yet_is_not_found_and_the_patient_may_not_upload(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        plan = _signed(session, records)
        with pytest.raises(NotFound, match="No scan"):
            plan_of_care.signature_file(session, actor(session, records, "therapist"), plan.id, store)
        with pytest.raises(Forbidden):
            plan_of_care.attach_signature(session, actor(session, records, "patient"), plan.id, "x.png", PNG, store)
        with pytest.raises(NotFound):
            plan_of_care.record_certification(session, actor(session, records, "other_therapist"), plan.id,
                                              plan_of_care.CertificationFields(), today=TODAY)


def test_the_desk_reads_the_certification_but_not_the_plan(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        plan = _signed(session, records)
        desk = actor(session, records, "front_desk")
        assert plan_of_care.certification_view(session, desk, records.episode) == [plan]
        with pytest.raises(Forbidden):
            plan_of_care.get(session, desk, plan.id)
        with pytest.raises(Forbidden):
            plan_of_care.of_episode(session, desk, records.episode)



def test_the_plan_prints_for_the_physician_with_goals_dosage_and_a_certification_block(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        episode = session.get_one(Episode, records.episode)
        episode.referring_provider_name, episode.referring_provider_npi = "Dr Ada Reyes", with_check_digit("123456789")
        pt = actor(session, records, "therapist")
        goals.add(session, pt, records.episode, goals.GoalFields(
            term="short", description="Stand at the kitchen counter for 5 minutes", due_on=TODAY + timedelta(days=14)))
        plan = _signed(session, records, home_programme="Foam stance at the counter, twice a day.")
        name, data = plan_of_care.document(session, pt, plan.id)
        assert re.fullmatch(r"plan-of-care-MRN\d+-1-\d{4}-\d\d-\d\d\.pdf", name) and data.startswith(b"%PDF")
        text = " ".join("".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(data)).split())
        for expected in ("Plan of care", "Penny Quennell", "R26.81", "2× a week for 6 weeks", "Expected visits",
                         "Berg Balance Scale: 54 points", "50 points, Wed 25 Nov 2026", "Stand at the kitchen counter",
                         "Balance training", "15 min per visit", "3 sets, holds of 30 s, rest 30 s, 3 sessions a week",
                         "Foam stance at the counter", "electronically signed by Therapist", "Dr Ada Reyes",
                         episode.referring_provider_npi, "I certify", "Physician's signature", "Date signed"):
            assert expected.lower() in text.lower(), expected  # table headings print in capitals
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)).one()
        assert audit.resource_type == "plan_of_care" and audit.detail == "pdf"
        folder = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(pdfium.PdfDocument(data), start=1):
            page.render(scale=1.6).to_pil().save(folder / f"plan-of-care-{number}.png")
        with pytest.raises(Forbidden):
            plan_of_care.document(session, actor(session, records, "front_desk"), plan.id)


@pytest.mark.parametrize(("days_after_start", "state"), [(30, Timing.DONE), (31, Timing.LATE)])
def test_a_certification_recorded_on_day_30_is_timely_and_on_day_31_late(
        factory: sessionmaker[Session], records: World, days_after_start: int, state: Timing) -> None:
    later = START + timedelta(days=40)
    with unit_of_work(factory) as session:
        plan = _signed(session, records)  # the plan starts with the episode, its first day of treatment here
        plan_of_care.record_certification(session, actor(session, records, "front_desk"), plan.id,
                                          plan_of_care.CertificationFields(
                                              physician_name="Dr R", certified_on=START + timedelta(days=days_after_start)),
                                          today=later)
        line = plan_of_care.certification_lines(documentation_due.of_episode(session, plan.episode, today=later))[0]
        assert (line.due, line.state) == (START + timedelta(days=30), state)


@pytest.mark.parametrize(("days_after_order", "state"), [(14, Timing.DONE), (15, Timing.LATE)])
def test_a_signature_14_days_after_the_verbal_order_is_timely_and_15_late(
        factory: sessionmaker[Session], records: World, days_after_order: int, state: Timing) -> None:
    verbal, later = START + timedelta(days=9), START + timedelta(days=40)
    with unit_of_work(factory) as session:
        plan = _signed(session, records)
        plan_of_care.record_certification(session, actor(session, records, "front_desk"), plan.id,
                                          plan_of_care.CertificationFields(
                                              physician_name="Dr R", verbal_order_on=verbal,
                                              certified_on=verbal + timedelta(days=days_after_order)), today=later)
        lines = plan_of_care.certification_lines(documentation_due.of_episode(session, plan.episode, today=later))
        signature = next(line for line in lines if line.label == "Signature after the verbal order")
        assert (signature.due, signature.state) == (verbal + timedelta(days=14), state)
        assert lines[0].state is Timing.DONE  # the verbal order itself came within the 30 days
