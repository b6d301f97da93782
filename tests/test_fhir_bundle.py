"""The episode's FHIR Bundle validates, its references resolve, and its JSON reads back to the same content,
field by field; and a referral Bundle reads into the patient, the diagnoses and the referrer."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from reeducate.interop.fhir import MEASURE_SYSTEM
from reeducate.interop.fhir_bundle import (
    ACT_CODE,
    CPT,
    GOAL_ACHIEVEMENT,
    ICD10CM,
    INTERVENTION_SYSTEM,
    MRN_SYSTEM,
    AdministrationData,
    ChargeData,
    DiagnosisData,
    EpisodeData,
    GoalData,
    InterventionData,
    PatientData,
    PlanData,
    VisitData,
    episode_bundle,
    full_url,
    unresolved_references,
)
from reeducate.interop.fhir_referral import ReferralProblems, read_referral
from reeducate.measures.catalogue import get
from reeducate.measures.scoring import score

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
BERG, NPRS = get("berg"), get("nprs")
PATIENT = PatientData(id=7, mrn="MRN000007", first_name="Penny", last_name="Quennell", birth_date=date(1948, 3, 2),
                      sex="female", phone="312-555-0101", email="penny@example.org", address_line="1 Elm St",
                      city="Evanston", state="IL", postal_code="60201")
DIAGNOSES = (DiagnosisData("R26.81", "Unsteadiness on feet"), DiagnosisData("Z91.81", "History of falling"))
VISITS = (
    VisitData(id=11, status="completed", started=datetime(2026, 11, 23, 15, 55, tzinfo=UTC),
              ended=datetime(2026, 11, 23, 16, 45, tzinfo=UTC), clinician="Thea Rapist, PT",
              charges=(ChargeData("97116", 20), ChargeData("97161"))),
    VisitData(id=12, status="in_progress", started=datetime(2026, 11, 25, 14, 0, tzinfo=UTC), ended=None,
              clinician="Thea Rapist, PT"),
)
ADMINISTRATIONS = (
    AdministrationData(id=31, instrument=BERG, result=score(BERG, [4] * 10 + [3, 3, 2, 2]),
                       administered_at=datetime(2026, 11, 25, 14, 20, tzinfo=UTC), visit_id=12),
    AdministrationData(id=32, instrument=NPRS, result=score(NPRS, [6]),
                       administered_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
)
GOALS = (
    GoalData(id=41, status="active", term="long", instrument=BERG, target=50, due_on=date(2027, 1, 6),
             set_on=date(2026, 11, 11)),
    GoalData(id=42, status="met", term="short", instrument=NPRS, target=3, set_on=date(2026, 11, 11),
             status_on=date(2026, 11, 24)),
    GoalData(id=43, status="not_met", term="long", description="Walks to the mailbox without a cane"),
    GoalData(id=44, status="discontinued", term="short", description="Climbs 12 stairs with one rail"),
)
PLANS = (
    PlanData(id=51, number=1, signed=True, starts_on=date(2026, 10, 1), ends_on=date(2026, 11, 10),
             visits_per_week=2, weeks=6, signed_at=datetime(2026, 10, 1, 17, 0, tzinfo=UTC), signed_by="Thea Rapist"),
    PlanData(id=52, number=2, signed=True, starts_on=date(2026, 11, 11), ends_on=date(2027, 1, 6),
             visits_per_week=3, weeks=8, recertifies_id=51, home_programme="Tandem stance at the counter daily",
             interventions=(InterventionData("exercise", "tandem-stance", "Tandem stance", "3 x 30 s"),
                            InterventionData("technique", "gait-training", "Gait training"))),
    PlanData(id=53, number=3, signed=False, starts_on=date(2027, 1, 7), ends_on=date(2027, 2, 3),
             visits_per_week=1, weeks=4),
)
EPISODE = EpisodeData(id=3, active=True, started_on=date(2026, 10, 1), discharged_on=None, patient=PATIENT,
                      diagnoses=DIAGNOSES, visits=VISITS, administrations=ADMINISTRATIONS, goals=GOALS, plans=PLANS)


@pytest.fixture(scope="module")
def again() -> Bundle:
    """The exported Bundle, written as JSON and read back through fhir.resources."""
    text = episode_bundle(EPISODE, now=NOW, today=TODAY).model_dump_json(exclude_none=True)
    return Bundle.model_validate_json(text)


def _of(bundle: Bundle, kind: str) -> list:
    return [e.resource for e in bundle.entry if e.resource.get_resource_type() == kind]


def _url(bundle: Bundle, resource: object) -> str:
    return next(e.fullUrl for e in bundle.entry if e.resource is resource)


def test_it_is_a_collection_whose_references_all_resolve(again: Bundle) -> None:
    body = json.loads(again.model_dump_json(exclude_none=True))
    assert again.type == "collection" and again.timestamp == NOW
    assert all(e.fullUrl.startswith("urn:uuid:") for e in again.entry)
    assert len({e.fullUrl for e in again.entry}) == len(again.entry) == 1 + 2 + 2 + 2 + 2 + 4 + 3
    assert unresolved_references(body) == []
    assert json.dumps(body).count('"reference"') > 30  # there were references to resolve


def test_a_reference_outside_the_bundle_is_found() -> None:
    body = json.loads(episode_bundle(EPISODE, now=NOW, today=TODAY).model_dump_json(exclude_none=True))
    body["entry"][1]["resource"]["subject"]["reference"] = "Patient/7"
    assert unresolved_references(body) == ["Patient/7"]


def test_the_same_episode_exports_to_the_same_identifiers(again: Bundle) -> None:
    assert [e.fullUrl for e in episode_bundle(EPISODE, now=NOW, today=TODAY).entry] == [e.fullUrl for e in again.entry]


def test_the_patient_reads_back(again: Bundle) -> None:
    [patient] = _of(again, "Patient")
    assert (patient.identifier[0].system, patient.identifier[0].value) == (MRN_SYSTEM, "MRN000007")
    assert (patient.name[0].family, patient.name[0].given, patient.gender, patient.birthDate) == (
        "Quennell", ["Penny"], "female", date(1948, 3, 2))
    assert [(t.system, t.value) for t in patient.telecom] == [("phone", "312-555-0101"), ("email", "penny@example.org")]
    address = patient.address[0]
    assert (address.line, address.city, address.state, address.postalCode) == (["1 Elm St"], "Evanston", "IL", "60201")


def test_each_diagnosis_is_a_condition_in_icd_10_cm(again: Bundle) -> None:
    conditions = _of(again, "Condition")
    assert [(c.code.coding[0].system, c.code.coding[0].code, c.code.coding[0].display) for c in conditions] == [
        (ICD10CM, d.code, d.description) for d in DIAGNOSES]
    assert all(c.clinicalStatus.coding[0].code == "active" for c in conditions)
    patient_url = _url(again, _of(again, "Patient")[0])
    assert all(c.subject.reference == patient_url for c in conditions)


def test_each_visit_is_an_ambulatory_encounter(again: Bundle) -> None:
    done, open_ = _of(again, "Encounter")
    assert (done.status, open_.status) == ("finished", "in-progress")
    assert (done.class_fhir.system, done.class_fhir.code) == (ACT_CODE, "AMB")
    assert (done.period.start, done.period.end) == (VISITS[0].started, VISITS[0].ended)
    assert open_.period.start == VISITS[1].started and open_.period.end is None
    assert done.participant[0].individual.display == "Thea Rapist, PT"
    assert [r.reference for r in done.reasonReference] == [_url(again, c) for c in _of(again, "Condition")]


def test_each_billed_code_is_a_procedure_of_its_encounter(again: Bundle) -> None:
    procedures = _of(again, "Procedure")
    done = _of(again, "Encounter")[0]
    assert [(p.code.coding[0].system, p.code.coding[0].code) for p in procedures] == [(CPT, "97116"), (CPT, "97161")]
    assert all(p.encounter.reference == _url(again, done) and p.status == "completed" for p in procedures)
    assert all(p.performedDateTime == VISITS[0].started for p in procedures)
    assert procedures[0].note[0].text == "Timed minutes billed: 20" and procedures[1].note is None


def test_each_administration_is_an_observation_of_its_encounter(again: Bundle) -> None:
    berg, nprs = _of(again, "Observation")
    assert any(c.system == MEASURE_SYSTEM and c.code == "berg" for c in berg.code.coding)
    assert float(berg.valueQuantity.value) == ADMINISTRATIONS[0].result.score
    assert berg.encounter.reference == _url(again, _of(again, "Encounter")[1])
    assert nprs.code.coding[0].code == "72514-3" and nprs.encounter is None and float(nprs.valueQuantity.value) == 6


def test_goals_carry_their_status_target_and_due_date(again: Bundle) -> None:
    balance, pain, mailbox, stairs = _of(again, "Goal")
    achievement = [g.achievementStatus.coding[0].code if g.achievementStatus else None for g in _of(again, "Goal")]
    assert [g.lifecycleStatus for g in (balance, pain, mailbox, stairs)] == ["active", "completed", "completed",
                                                                             "cancelled"]
    assert achievement == ["in-progress", "achieved", "not-achieved", None]
    assert {c.system for c in (g.coding[0] for g in [s.category[0] for s in (balance, pain)])} == {
        "urn:reeducate:fhir:CodeSystem:goal-term"}
    assert [g.category[0].coding[0].code for g in (balance, pain)] == ["long", "short"]
    target = balance.target[0]
    assert [c.system for c in target.measure.coding] == [MEASURE_SYSTEM]  # the Berg has no verified LOINC code
    assert (float(target.detailQuantity.value), target.detailQuantity.comparator, target.dueDate) == (
        50, ">=", date(2027, 1, 6))
    assert balance.description.text == "Berg Balance Scale: at least 50 points" and balance.startDate == date(2026, 11, 11)
    pain_target = pain.target[0]
    assert pain_target.measure.coding[0].system == "http://loinc.org" and pain_target.measure.coding[0].code == "72514-3"
    assert (float(pain_target.detailQuantity.value), pain_target.detailQuantity.comparator) == (3, "<=")
    assert pain.statusDate == date(2026, 11, 24)
    assert mailbox.description.text == "Walks to the mailbox without a cane" and mailbox.target is None
    assert GOAL_ACHIEVEMENT == balance.achievementStatus.coding[0].system


def test_each_plan_version_is_a_care_plan(again: Bundle) -> None:
    first, second, draft = _of(again, "CarePlan")
    assert [p.status for p in (first, second, draft)] == ["completed", "active", "draft"]
    assert all(p.intent == "plan" for p in (first, second, draft))
    assert (second.period.start, second.period.end, second.title) == (date(2026, 11, 11), date(2027, 1, 6),
                                                                      "Plan of care 2")
    visits, tandem, gait = second.activity
    repeat = visits.detail.scheduledTiming.repeat
    assert (repeat.frequency, float(repeat.period), repeat.periodUnit, float(repeat.boundsDuration.value)) == (
        3, 1, "wk", 8)
    assert (tandem.detail.code.coding[0].system, tandem.detail.code.coding[0].code, tandem.detail.description) == (
        INTERVENTION_SYSTEM, "exercise:tandem-stance", "3 x 30 s")
    assert gait.detail.code.text == "Gait training" and gait.detail.description is None
    assert {a.detail.status for a in second.activity} == {"in-progress"}
    assert draft.activity[0].detail.status == "not-started"
    assert second.replaces[0].reference == _url(again, first) and first.replaces is None
    assert [r.reference for r in second.addresses] == [_url(again, c) for c in _of(again, "Condition")]
    assert [r.reference for r in second.goal] == [_url(again, g) for g in _of(again, "Goal")]
    assert second.note[0].text == "Home programme: Tandem stance at the counter daily"
    assert first.created == PLANS[0].signed_at and first.author.display == "Thea Rapist"


def test_after_discharge_the_signed_plan_is_completed_and_conditions_say_no_status() -> None:
    discharged = EpisodeData(**{**EPISODE.__dict__, "active": False, "discharged_on": TODAY})
    bundle = episode_bundle(discharged, now=NOW, today=TODAY)
    assert [p.status for p in _of(bundle, "CarePlan")] == ["completed", "completed", "draft"]
    assert all(c.clinicalStatus is None for c in _of(bundle, "Condition"))


def test_full_urls_name_the_record() -> None:
    assert full_url("visit", 11) == full_url("visit", 11) != full_url("visit", 12) != full_url("goal", 12)


REFERRAL = Path(__file__).resolve().parent / "data" / "fhir_referral.json"


def test_a_referral_reads_with_references_by_type_and_id() -> None:
    body = json.loads(REFERRAL.read_text())
    for entry in body["entry"]:  # a server's Bundle: ids and Type/id references instead of urn:uuid
        entry["resource"]["id"] = entry.pop("fullUrl")[-2:]
    text = json.dumps(body).replace('"urn:uuid:5b1f3c1e-6a53-4d1e-9d0a-2f1a6c0b7e01"', '"Patient/01"')
    for n, kind in (("02", "Condition"), ("03", "Condition"), ("04", "Practitioner")):
        text = text.replace(f'"urn:uuid:5b1f3c1e-6a53-4d1e-9d0a-2f1a6c0b7e{n}"', f'"{kind}/{n}"')
    referral = read_referral(text.encode())
    assert [c.code for c in referral.conditions] == ["Z96.651", "Z91.81"]
    assert (referral.referrer_name, referral.referrer_npi, referral.referred_on) == (
        "Elena Brandt", "1987654328", date(2026, 11, 20))


def test_a_referral_missing_its_parts_names_each() -> None:
    body = json.loads(REFERRAL.read_text())
    body["entry"] = [e for e in body["entry"] if e["resource"]["resourceType"] == "Patient"]
    with pytest.raises(ReferralProblems) as problems:
        read_referral(json.dumps(body).encode())
    assert problems.value.reasons == [
        "The Bundle has 0 ServiceRequest entries; a referral has exactly one ServiceRequest.",
        "The Bundle has no Condition; a referral names at least one diagnosis (ICD-10-CM)."]
