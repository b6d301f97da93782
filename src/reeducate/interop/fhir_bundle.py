"""An episode of care as one FHIR R4 Bundle (fhir.resources R4B models, as interop/fhir.py uses).

The Bundle is of type ``collection``: it gathers the episode's records for another system to read.
A ``document`` Bundle would need a Composition first, an attested clinical document with its own
narrative and author, which this export is not (the signed notes and reports are that, as PDFs).

It holds the Patient, a Condition per ICD-10-CM diagnosis, an Encounter per visit, an Observation per
scored administration (:func:`reeducate.interop.fhir.observation`), a Goal per goal, a CarePlan per
version of the plan of care, and a Procedure per billed CPT code of a visit. Every entry has a
``urn:uuid`` fullUrl made from the record's kind and id (the same episode exports to the same
identifiers), every reference points at one of them, and the Bundle is built through fhir.resources
(which refuses a structure R4 does not allow) and then checked for references that do not resolve.

The service hands plain data (the dataclasses below): this module reads no database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.resource import Resource

from reeducate.interop.fhir import measure_code, measure_quantity, observation
from reeducate.measures.definition import Instrument
from reeducate.measures.results import Score

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
UCUM = "http://unitsofmeasure.org"
MRN_SYSTEM = "urn:reeducate:fhir:NamingSystem:mrn"
"""Reeducate's medical record numbers (unique within a clinic)."""
GOAL_TERM_SYSTEM = "urn:reeducate:fhir:CodeSystem:goal-term"
INTERVENTION_SYSTEM = "urn:reeducate:fhir:CodeSystem:intervention"
"""Techniques and exercises of Reeducate's library, coded ``<kind>:<id>`` (``exercise:bridge``)."""
VISITS_ACTIVITY = "Visits"
"""The CarePlan activity whose timing carries the plan's frequency and duration."""

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:reeducate:fhir:episode-export")

ENCOUNTER_STATUS = {"checked_in": "arrived", "in_progress": "in-progress", "completed": "finished"}
"""Our visit status → Encounter.status (R4 value set encounter-status)."""
GOAL_STATUS = {
    "active": ("active", "in-progress"),
    "met": ("completed", "achieved"),
    "not_met": ("completed", "not-achieved"),
    "discontinued": ("cancelled", None),
}
"""Our goal status → (Goal.lifecycleStatus, Goal.achievementStatus code, if one applies)."""
GOAL_TERMS = {"short": "Short-term goal", "long": "Long-term goal"}


@dataclass(frozen=True, kw_only=True)
class Demographics:
    """Who a patient is, as FHIR's Patient carries it (exported, or read from a referral)."""

    first_name: str
    last_name: str
    birth_date: date
    sex: str
    """female, male, other or unknown: the same words as FHIR's administrative gender."""
    phone: str = ""
    email: str = ""
    address_line: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""


@dataclass(frozen=True, kw_only=True)
class PatientData(Demographics):
    """A registered patient: the clinic's id and MRN with the demographics."""

    id: int
    mrn: str


@dataclass(frozen=True)
class DiagnosisData:
    code: str
    """A billable ICD-10-CM code in its dotted form."""
    description: str


@dataclass(frozen=True)
class ChargeData:
    code: str
    """A CPT code billed for the visit."""
    minutes: int = 0
    """Timed minutes (0 for an untimed code)."""


@dataclass(frozen=True)
class VisitData:
    id: int
    status: str
    """checked_in, in_progress or completed."""
    started: datetime
    ended: datetime | None
    clinician: str
    """The treating clinician's name and credentials, as text (no Practitioner resource is exported)."""
    charges: tuple[ChargeData, ...] = ()


@dataclass(frozen=True)
class AdministrationData:
    id: int
    instrument: Instrument
    result: Score
    administered_at: datetime
    visit_id: int | None = None


@dataclass(frozen=True)
class GoalData:
    id: int
    status: str
    """active, met, not_met or discontinued."""
    term: str
    """short or long."""
    description: str = ""
    instrument: Instrument | None = None
    target: float | None = None
    """In the instrument's unit; reached at or above it when higher is better, at or below it otherwise."""
    due_on: date | None = None
    set_on: date | None = None
    status_on: date | None = None
    """When the status last changed (the day met, for a goal met)."""


@dataclass(frozen=True)
class InterventionData:
    kind: str
    """technique or exercise."""
    id: str
    name: str
    dosage: str = ""


@dataclass(frozen=True)
class PlanData:
    id: int
    number: int
    signed: bool
    starts_on: date
    ends_on: date
    visits_per_week: int
    weeks: int
    interventions: tuple[InterventionData, ...] = ()
    home_programme: str = ""
    signed_at: datetime | None = None
    signed_by: str = ""
    recertifies_id: int | None = None


@dataclass(frozen=True)
class EpisodeData:
    """What of an episode is exported; lists in the record's order (diagnoses primary first)."""

    id: int
    active: bool
    started_on: date
    discharged_on: date | None
    patient: PatientData
    diagnoses: tuple[DiagnosisData, ...]
    visits: tuple[VisitData, ...] = ()
    administrations: tuple[AdministrationData, ...] = ()
    goals: tuple[GoalData, ...] = ()
    plans: tuple[PlanData, ...] = ()


def full_url(kind: str, record_id: int | str) -> str:
    """The ``urn:uuid`` of one of our records in an export (the same record, the same uuid)."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{kind}/{record_id}')}"


def _ref(url: str) -> dict[str, str]:
    return {"reference": url}


def _uuid(url: str) -> str:
    return url.removeprefix("urn:uuid:")


def _patient(data: PatientData, url: str) -> Patient:
    body: dict[str, Any] = {
        "resourceType": "Patient", "id": _uuid(url),
        "identifier": [{"use": "usual", "system": MRN_SYSTEM, "value": data.mrn,
                        "type": {"coding": [{"system": IDENTIFIER_TYPE, "code": "MR"}],
                                 "text": "Medical record number"}}],
        "name": [{"use": "official", "family": data.last_name, "given": [data.first_name]}],
        "gender": data.sex, "birthDate": data.birth_date.isoformat(),
    }
    telecom = [{"system": system, "value": value} for system, value in (("phone", data.phone), ("email", data.email))
               if value]
    if telecom:
        body["telecom"] = telecom
    if data.address_line or data.city or data.state or data.postal_code:
        address: dict[str, Any] = {"use": "home"}
        for key, value in (("city", data.city), ("state", data.state), ("postalCode", data.postal_code)):
            if value:
                address[key] = value
        if data.address_line:
            address["line"] = [data.address_line]
        body["address"] = [address]
    return Patient.model_validate(body)


def _condition(diagnosis: DiagnosisData, url: str, patient: str, active: bool) -> Condition:
    body: dict[str, Any] = {
        "resourceType": "Condition", "id": _uuid(url),
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "encounter-diagnosis"}]}],
        "code": {"coding": [{"system": ICD10CM, "code": diagnosis.code, "display": diagnosis.description}],
                 "text": diagnosis.description},
        "subject": _ref(patient),
    }
    if active:  # after discharge the episode is over, not the condition: its clinical status is left unsaid
        body["clinicalStatus"] = {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]}
    return Condition.model_validate(body)


def _encounter(visit: VisitData, url: str, patient: str, conditions: list[str]) -> Encounter:
    period = {"start": visit.started.isoformat()} | ({"end": visit.ended.isoformat()} if visit.ended else {})
    body: dict[str, Any] = {
        "resourceType": "Encounter", "id": _uuid(url), "status": ENCOUNTER_STATUS[visit.status],
        "class": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "subject": _ref(patient), "period": period,
        "participant": [{"individual": {"display": visit.clinician}}],
    }
    if conditions:
        body["reasonReference"] = [_ref(c) for c in conditions]
    return Encounter.model_validate(body)


def _procedure(charge: ChargeData, visit: VisitData, url: str, patient: str, encounter: str,
               conditions: list[str]) -> Procedure:
    body: dict[str, Any] = {
        "resourceType": "Procedure", "id": _uuid(url),
        "status": "completed" if visit.status == "completed" else "in-progress",
        "code": {"coding": [{"system": CPT, "code": charge.code}]},
        "subject": _ref(patient), "encounter": _ref(encounter),
        "performedDateTime": visit.started.isoformat(),
    }
    if conditions:
        body["reasonReference"] = [_ref(c) for c in conditions]
    if charge.minutes:
        body["note"] = [{"text": f"Timed minutes billed: {charge.minutes}"}]
    return Procedure.model_validate(body)


def goal_description(goal: GoalData) -> str:
    """The goal in words: its own, or the measure and target (``Berg Balance Scale: at least 45 points``)."""
    if goal.description or goal.instrument is None or goal.target is None:
        return goal.description
    direction = "at least" if goal.instrument.higher_is_better else "at most"
    return f"{goal.instrument.name}: {direction} {goal.target:g} {goal.instrument.unit_label}"


def _goal(goal: GoalData, url: str, patient: str) -> Goal:
    lifecycle, achievement = GOAL_STATUS[goal.status]
    body: dict[str, Any] = {
        "resourceType": "Goal", "id": _uuid(url), "lifecycleStatus": lifecycle,
        "category": [{"coding": [{"system": GOAL_TERM_SYSTEM, "code": goal.term}], "text": GOAL_TERMS[goal.term]}],
        "description": {"text": goal_description(goal)}, "subject": _ref(patient),
    }
    if achievement:
        body["achievementStatus"] = {"coding": [{"system": GOAL_ACHIEVEMENT, "code": achievement}]}
    if goal.set_on:
        body["startDate"] = goal.set_on.isoformat()
    if goal.status_on:
        body["statusDate"] = goal.status_on.isoformat()
    target: dict[str, Any] = {}
    if goal.instrument is not None and goal.target is not None:
        target["measure"] = measure_code(goal.instrument)
        target["detailQuantity"] = measure_quantity(goal.instrument, goal.target) | {
            "comparator": ">=" if goal.instrument.higher_is_better else "<="}
    if goal.due_on:
        target["dueDate"] = goal.due_on.isoformat()
    if target:
        body["target"] = [target]
    return Goal.model_validate(body)


def careplan_status(plan: PlanData, episode: EpisodeData, today: date) -> str:
    """draft until signed; a signed plan is active while the episode is and its end has not passed."""
    if not plan.signed:
        return "draft"
    return "active" if episode.active and plan.ends_on >= today else "completed"


_ACTIVITY_STATUS = {"draft": "not-started", "active": "in-progress", "completed": "completed"}


def _careplan(plan: PlanData, url: str, patient: str, status: str, conditions: list[str], goals: list[str],
              replaces: str | None) -> CarePlan:
    activity_status = _ACTIVITY_STATUS[status]
    visits = {"detail": {
        "code": {"text": VISITS_ACTIVITY}, "status": activity_status,
        "scheduledTiming": {"repeat": {
            "frequency": plan.visits_per_week, "period": 1, "periodUnit": "wk",
            "boundsDuration": {"value": plan.weeks, "unit": "weeks", "system": UCUM, "code": "wk"}}},
        "description": f"{plan.visits_per_week} visits a week for {plan.weeks} weeks",
    }}
    activities = [visits] + [{"detail": {
        "code": {"coding": [{"system": INTERVENTION_SYSTEM, "code": f"{i.kind}:{i.id}", "display": i.name}],
                 "text": i.name},
        "status": activity_status, **({"description": i.dosage} if i.dosage else {}),
    }} for i in plan.interventions]
    body: dict[str, Any] = {
        "resourceType": "CarePlan", "id": _uuid(url), "status": status, "intent": "plan",
        "title": f"Plan of care {plan.number}", "subject": _ref(patient),
        "period": {"start": plan.starts_on.isoformat(), "end": plan.ends_on.isoformat()},
        "activity": activities,
    }
    if plan.signed_at:
        body["created"] = plan.signed_at.isoformat()
    if plan.signed_by:
        body["author"] = {"display": plan.signed_by}
    if conditions:
        body["addresses"] = [_ref(c) for c in conditions]
    if goals:
        body["goal"] = [_ref(g) for g in goals]
    if replaces:
        body["replaces"] = [_ref(replaces)]
    if plan.home_programme:
        body["note"] = [{"text": f"Home programme: {plan.home_programme}"}]
    return CarePlan.model_validate(body)


def episode_bundle(episode: EpisodeData, *, now: datetime, today: date) -> Bundle:
    """The whole episode as a validated collection Bundle made at ``now`` (its timestamp); ``today`` (the
    clinic's day) decides whether a signed plan is still active.

    Raises ValueError if a reference would not resolve inside the Bundle (a fault of ours, never sent).
    """
    entries: list[tuple[str, Resource]] = []
    patient = full_url("patient", episode.patient.id)
    entries.append((patient, _patient(episode.patient, patient)))
    conditions = [full_url("diagnosis", f"{episode.id}/{d.code}") for d in episode.diagnoses]
    entries += [(url, _condition(d, url, patient, episode.active)) for url, d in zip(conditions, episode.diagnoses,
                                                                                    strict=True)]
    for visit in episode.visits:
        encounter = full_url("visit", visit.id)
        entries.append((encounter, _encounter(visit, encounter, patient, conditions)))
        for position, charge in enumerate(visit.charges, start=1):
            url = full_url("charge", f"{visit.id}/{position}/{charge.code}")
            entries.append((url, _procedure(charge, visit, url, patient, encounter, conditions)))
    visit_ids = {v.id for v in episode.visits}
    for administration in episode.administrations:
        url = full_url("measure-administration", administration.id)
        entries.append((url, observation(
            administration.instrument, administration.result, resource_id=_uuid(url), patient_reference=patient,
            effective=administration.administered_at,
            encounter_reference=(full_url("visit", administration.visit_id)
                                 if administration.visit_id in visit_ids else None),
        )))
    goals = [full_url("goal", g.id) for g in episode.goals]
    entries += [(url, _goal(g, url, patient)) for url, g in zip(goals, episode.goals, strict=True)]
    plan_ids = {p.id for p in episode.plans}
    for plan in episode.plans:
        url = full_url("plan-of-care", plan.id)
        replaces = full_url("plan-of-care", plan.recertifies_id) if plan.recertifies_id in plan_ids else None
        entries.append((url, _careplan(plan, url, patient, careplan_status(plan, episode, today), conditions, goals,
                                       replaces)))
    body: dict[str, Any] = {
        "resourceType": "Bundle", "id": _uuid(full_url("episode", episode.id)), "type": "collection",
        "identifier": {"system": "urn:reeducate:fhir:NamingSystem:episode", "value": str(episode.id)},
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
        "timestamp": now.isoformat(),
    }
    bundle = Bundle.model_validate(body)
    unresolved = unresolved_references(bundle.model_dump(mode="json", exclude_none=True))
    if unresolved:
        raise ValueError(f"references that do not resolve inside the Bundle: {', '.join(unresolved)}")
    return bundle


def _references(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def unresolved_references(bundle: dict[str, Any]) -> list[str]:
    """Each ``reference`` in the Bundle's resources that names no entry's fullUrl (in order, once)."""
    urls = {entry.get("fullUrl") for entry in bundle.get("entry", [])}
    return list(dict.fromkeys(r for entry in bundle.get("entry", []) for r in _references(entry.get("resource"))
                              if r not in urls))
