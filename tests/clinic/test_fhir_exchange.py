"""The episode over FHIR: exported whole (audited, clinicians only), and a referral Bundle imported as a
patient and an episode, or refused with every reason and nothing stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from copy import deepcopy
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Forbidden, InvalidInput, NotFound
from reeducate.clinic.models import AuditEvent, Episode, Patient, PlanOfCare, User, VisitCharge
from reeducate.clinic.services import episodes, fhir_exchange, measures
from reeducate.clinic.services.fhir_exchange import ReferralRefused, condition_for
from reeducate.clinic.vocabulary import AuditAction, Condition, NoteStatus
from reeducate.interop.fhir_bundle import CPT, ICD10CM, unresolved_references
from tests.clinic.conftest import row_counts
from tests.support import NOW, World

REFERRAL = Path(__file__).resolve().parents[1] / "data" / "fhir_referral.json"
TODAY = NOW.date()


def _actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get_one(User, world.user_ids[persona]))


def referral(change: Callable[[dict[str, Any]], object] | None = None) -> bytes:
    """The sample referral (Marisol Okonkwo-Hale, Z96.651 then Z91.81, Dr Elena Brandt), changed by ``change``."""
    bundle = json.loads(REFERRAL.read_text())
    if change:
        change(bundle)
    return json.dumps(bundle).encode()


def _resource(bundle: dict[str, Any], kind: str, nth: int = 0) -> dict[str, Any]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind][nth]


def _events(session: Session, action: AuditAction, resource_type: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                         AuditEvent.resource_type == resource_type)))


def test_an_exported_episode_holds_the_whole_record_and_is_audited(factory: sessionmaker[Session],
                                                                   records: World) -> None:
    with unit_of_work(factory) as session:
        pt = _actor(session, records, "therapist")
        measures.set_goal(session, pt, records.episode, "berg", 45)
        session.add(PlanOfCare(episode_id=records.episode, starts_on=TODAY - timedelta(days=14),
                               ends_on=TODAY + timedelta(days=28), visits_per_week=2, weeks=6,
                               interventions=[{"kind": "exercise", "id": "tandem-stance", "name": "Tandem stance",
                                               "dosage": "3 x 30 s, twice a day"}],
                               status=NoteStatus.SIGNED, created_by_id=pt.user_id, signed_by_id=pt.user_id,
                               signed_at=NOW, content_sha256="0" * 64))
        session.flush()
        exported = fhir_exchange.export(session, pt, records.episode)
        charges = list(session.scalars(select(VisitCharge).where(VisitCharge.visit_id == records.visit_done)))
        [event] = _events(session, AuditAction.EXPORT, "episode")
        assert event.resource_id == str(records.episode) and event.patient_id == records.p1
    body = json.loads(exported.content)
    Bundle.model_validate(body)
    assert body["type"] == "collection" and unresolved_references(body) == []
    kinds = [e["resource"]["resourceType"] for e in body["entry"]]
    assert kinds.count("Patient") == 1 and kinds.count("Encounter") == 2 and kinds.count("Observation") == 1
    assert _resource(body, "Patient")["name"][0] == {"use": "official", "family": "Quennell", "given": ["Penny"]}
    assert _resource(body, "Condition")["code"]["coding"][0] == {
        "system": ICD10CM, "code": "R26.81", "display": "Unsteadiness on feet"}
    procedures = [e["resource"] for e in body["entry"] if e["resource"]["resourceType"] == "Procedure"]
    assert sorted(p["code"]["coding"][0]["code"] for p in procedures) == sorted(c.code for c in charges)
    assert charges and all(p["code"]["coding"][0]["system"] == CPT for p in procedures)
    goal = _resource(body, "Goal")
    assert goal["target"][0]["detailQuantity"]["value"] == 45 and goal["lifecycleStatus"] == "active"
    plan = _resource(body, "CarePlan")
    assert plan["status"] == "active" and plan["activity"][1]["detail"]["description"] == "3 x 30 s, twice a day"
    assert exported.filename.startswith(f"episode-{records.episode}-MRN")


@pytest.mark.parametrize("persona, refusal", [("front_desk", Forbidden), ("admin", Forbidden),
                                              ("other_therapist", NotFound), ("patient", Forbidden)])
def test_only_the_clinics_clinicians_export_an_episode(factory: sessionmaker[Session], records: World,
                                                       persona: str, refusal: type[Exception]) -> None:
    with unit_of_work(factory) as session, pytest.raises(refusal):
        fhir_exchange.export(session, _actor(session, records, persona), records.episode)


def test_a_referral_registers_the_patient_and_opens_the_episode(factory: sessionmaker[Session],
                                                                records: World) -> None:
    before = row_counts(factory)
    with unit_of_work(factory) as session:
        imported = fhir_exchange.import_referral(session, _actor(session, records, "therapist"), referral())
        patient, episode = imported.patient, imported.episode
        assert (patient.first_name, patient.last_name, str(patient.date_of_birth), patient.sex.value) == (
            "Marisol", "Okonkwo-Hale", "1951-04-09", "female")
        assert (patient.phone, patient.email, patient.address_line, patient.city, patient.state,
                patient.postal_code) == ("312-555-0148", "marisol.hale@example.org", "2210 W Farwell Ave, Apt 3",
                                         "Chicago", "IL", "60645")
        assert [d.code for d in episode.diagnoses] == ["Z96.651", "Z91.81"]  # reasonReference order: primary first
        assert episode.condition is Condition.KNEE_REPLACEMENT
        assert (episode.referring_provider_name, episode.referring_provider_npi, str(episode.referral_date)) == (
            "Elena Brandt", "1987654328", "2026-11-20")
        assert "weight bearing as tolerated" in episode.summary and episode.started_on == TODAY
        assert [(m.user_id, m.is_lead) for m in episode.care_team] == [(records.user_ids["therapist"], True)]
        assert not imported.attached and "urn:oid:2.16.840.1.113883.3.4711.1" in imported.not_kept[0]
        [event] = _events(session, AuditAction.CREATE, "referral")
        assert event.patient_id == patient.id and "Z96.651, Z91.81" in event.detail
    after = row_counts(factory)
    assert (after["patients"] - before["patients"], after["episodes"] - before["episodes"],
            after["diagnoses"] - before["diagnoses"]) == (1, 1, 2)


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """A change putting ``value`` at ``kind[n].key.key...`` of the sample referral."""
    def change(bundle: dict[str, Any]) -> None:
        head, *keys = path.split(".")
        kind, _, nth = head.partition("[")
        target: Any = _resource(bundle, kind, int(nth.rstrip("]") or 0))
        for key in keys[:-1]:
            target = target[key] if not key.isdigit() else target[int(key)]
        target[keys[-1]] = value
    return change


def _coverage(bundle: dict[str, Any]) -> None:
    bundle["entry"].append({"resource": {"resourceType": "Coverage", "status": "active",
                                         "beneficiary": {"reference": "Patient/x"}, "payor": [{"display": "Acme"}]}})


MALFORMED: dict[str, tuple[bytes, list[str]]] = {
    "not JSON": (b"MSH|^~\\&|referral", ["The file is not JSON"]),
    "not a Bundle": (json.dumps({"resourceType": "Patient"}).encode(), ["a FHIR Patient, not a Bundle"]),
    "a category, not billable": (referral(_set("Condition[1].code.coding.0.code", "M54.5")),
                                 ["Condition 2: M54.5 (Low back pain) is a category, not a billable code; use one "
                                  "of its more specific codes: M54.50, M54.51, M54.59."]),
    "no ICD-10-CM coding": (referral(_set("Condition[0].code.coding.0.system", "http://snomed.info/sct")),
                            ["Condition 1 (History of falling) has no ICD-10-CM code"]),
    "a wrong NPI and no birth date": (
        referral(lambda b: (_set("Practitioner.identifier.0.value", "1987654321")(b),
                            _resource(b, "Patient").pop("birthDate"))),
        ["birthDate (none) is not a full date", "Elena Brandt's NPI 1987654321 is not valid"]),
    "an entry it cannot map": (referral(_coverage), ["Entry 6 is a Coverage, which a referral import does not read"]),
    "not valid FHIR": (referral(_set("ServiceRequest.authoredOn", "last Tuesday")),
                       ["Entry 5 (ServiceRequest) is not valid FHIR R4: authoredOn"]),
    "a referral from the future": (referral(_set("ServiceRequest.authoredOn", "2027-01-04")),
                                   ["The referral is dated Mon 04 Jan 2027, after today"]),
    "a revoked referral": (referral(_set("ServiceRequest.status", "revoked")),
                           ["status is revoked; only an active referral is imported"]),
    "two patients": (referral(lambda b: b["entry"].append(deepcopy(b["entry"][0]))),
                     ["The Bundle has 2 Patient entries"]),
}


@pytest.mark.parametrize("data, expected", MALFORMED.values(), ids=MALFORMED)
def test_a_malformed_referral_is_refused_with_its_reasons_and_creates_nothing(
        factory: sessionmaker[Session], records: World, data: bytes, expected: list[str]) -> None:
    before = row_counts(factory)
    with unit_of_work(factory) as session, pytest.raises(ReferralRefused) as refused:
        fhir_exchange.import_referral(session, _actor(session, records, "therapist"), data)
    assert len(refused.value.reasons) == len(expected)
    for reason, words in zip(refused.value.reasons, expected, strict=True):
        assert words in reason
    assert row_counts(factory) == before


def test_a_file_larger_than_a_referral_is_refused_unread(factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session, pytest.raises(ReferralRefused, match="a referral Bundle is a few"):
        fhir_exchange.import_referral(session, _actor(session, records, "therapist"),
                                      b" " * (fhir_exchange.MAX_REFERRAL_BYTES + 1))


def test_without_a_clear_condition_the_clinician_chooses_it(factory: sessionmaker[Session], records: World) -> None:
    low_back = referral(_set("Condition[1].code.coding.0.code", "M54.50"))  # the primary diagnosis
    with unit_of_work(factory) as session, pytest.raises(ReferralRefused, match="M54.50 does not name one of"):
        fhir_exchange.import_referral(session, _actor(session, records, "therapist"), low_back)
    with unit_of_work(factory) as session:
        imported = fhir_exchange.import_referral(session, _actor(session, records, "chiropractor"), low_back,
                                                 condition=Condition.CHRONIC_LOW_BACK_PAIN)
        assert imported.episode.condition is Condition.CHRONIC_LOW_BACK_PAIN
        assert [d.code for d in imported.episode.diagnoses] == ["M54.50", "Z91.81"]


def test_the_same_patient_is_refused_naming_the_chart_until_the_clinician_chooses_it(
        factory: sessionmaker[Session], records: World) -> None:
    with unit_of_work(factory) as session:
        first = fhir_exchange.import_referral(session, _actor(session, records, "therapist"), referral())
        patient_id, mrn = first.patient.id, first.patient.mrn
    before = row_counts(factory)
    shouted = referral(_set("Patient.name.0.family", "OKONKWO-HALE"))
    with unit_of_work(factory) as session, pytest.raises(ReferralRefused) as refused:
        fhir_exchange.import_referral(session, _actor(session, records, "therapist"), shouted)
    assert refused.value.reasons == [f"Marisol Okonkwo-Hale, born 09 Apr 1951 ({mrn}) is already registered with "
                                     "this name and date of birth; if the referral is for them, import it again "
                                     "adding the episode to that chart, or register the patient by hand if it is "
                                     "another person."]
    with unit_of_work(factory) as session, pytest.raises(ReferralRefused, match="The chart chosen is Paul Abernathy, born"):
        fhir_exchange.import_referral(session, _actor(session, records, "therapist"), shouted,
                                      existing_patient_id=records.p2)
    assert row_counts(factory) == before
    with unit_of_work(factory) as session:
        again = fhir_exchange.import_referral(session, _actor(session, records, "therapist"), shouted,
                                              existing_patient_id=patient_id)
        assert again.attached and again.patient.id == patient_id
        assert len(session.scalars(select(Episode).where(Episode.patient_id == patient_id)).all()) == 2
        assert session.scalar(select(Patient).where(Patient.id == patient_id)).last_name == "Okonkwo-Hale"


@pytest.mark.parametrize("persona", ["front_desk", "assistant", "admin", "patient"])
def test_only_a_pt_or_chiropractor_imports_a_referral(factory: sessionmaker[Session], records: World,
                                                      persona: str) -> None:
    before = row_counts(factory)
    with unit_of_work(factory) as session, pytest.raises(Forbidden, match="may not import a referral"):
        fhir_exchange.import_referral(session, _actor(session, records, persona), referral())
    assert row_counts(factory) == before


def test_a_refusal_while_storing_leaves_no_patient_behind(factory: sessionmaker[Session], records: World,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise InvalidInput("The episode could not be opened.")

    monkeypatch.setattr(episodes, "create", refuse)
    before = row_counts(factory)
    with unit_of_work(factory) as session:  # the caller's transaction goes on and commits: the savepoint undid it
        with pytest.raises(ReferralRefused, match="The episode could not be opened."):
            fhir_exchange.import_referral(session, _actor(session, records, "therapist"), referral())
    after = row_counts(factory)
    assert after["patients"] == before["patients"] and after["audit_events"] == before["audit_events"]


CONDITION_TITLES = {"M54.2": "Cervicalgia", "M54.3": "Sciatica", "M54.4": "Lumbago with sciatica",
                    "S13.4": "Sprain of ligaments of cervical spine", "Z96.64": "Presence of artificial hip joint",
                    "Z96.65": "Presence of artificial knee joint", "Z91.81": "History of falling",
                    "I69.3": "Sequelae of cerebral infarction"}


def test_each_mapped_category_is_titled_as_the_condition_it_maps_to() -> None:
    import simple_icd_10_cm

    assert {c: simple_icd_10_cm.get_description(c) for c in fhir_exchange.CONDITION_BY_CODE} == CONDITION_TITLES
    assert condition_for("Z96.651") is Condition.KNEE_REPLACEMENT and condition_for("M54.50") is None
