"""Outcome measures: the catalogue, scoring, administrations in visits and the portal, progress, FHIR."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from reeducate.clinic.schemas import (
    AdministrationCreate,
    AdministrationOut,
    GoalSet,
    QuestionnaireRequestCreate,
)
from reeducate.clinic.services import measures
from reeducate.interop.fhir import observation
from reeducate.measures import catalogue
from reeducate.measures.change import MeasureProgress
from reeducate.measures.definition import Instrument
from reeducate.measures.results import Score, ScoreRequest
from reeducate.web.deps import ActorDep, PatientDep, SessionDep, StaffDep

router = APIRouter(tags=["measures"])


@router.get("/measures", response_model=list[Instrument])
def list_measures(actor: ActorDep) -> list[Instrument]:
    """Every shipped instrument's definition (items, scoring, bands, norms, MDC/MCID, sources)."""
    return list(catalogue.instruments().values())


@router.get("/measures/{measure_id}", response_model=Instrument)
def read_measure(measure_id: str, actor: ActorDep) -> Instrument:
    return measures.instrument(measure_id)


@router.post("/measures/{measure_id}/score", response_model=Score)
def score_measure(measure_id: str, data: ScoreRequest, actor: StaffDep) -> Score:
    """Score answers without storing them (the CLI's `measures score` JSON)."""
    return measures.score_only(measures.instrument(measure_id), data)


@router.post("/visits/{visit_id}/measures/{measure_id}", response_model=AdministrationOut, status_code=201)
def record_in_visit(visit_id: int, measure_id: str, data: AdministrationCreate, actor: StaffDep,
                    session: SessionDep) -> AdministrationOut:
    return AdministrationOut.model_validate(measures.record_in_visit(session, actor, visit_id, measure_id, data))


@router.get("/episodes/{episode_id}/measures", response_model=list[AdministrationOut])
def episode_administrations(episode_id: int, actor: ActorDep, session: SessionDep) -> list[AdministrationOut]:
    return [AdministrationOut.model_validate(a) for a in measures.for_episode(session, actor, episode_id)]


@router.get("/episodes/{episode_id}/progress", response_model=list[MeasureProgress])
def episode_progress(episode_id: int, actor: ActorDep, session: SessionDep) -> list[MeasureProgress]:
    return measures.progress(session, actor, episode_id)


@router.put("/episodes/{episode_id}/goals/{measure_id}", status_code=204)
def set_goal(episode_id: int, measure_id: str, data: GoalSet, actor: StaffDep, session: SessionDep) -> None:
    measures.set_goal(session, actor, episode_id, measure_id, data.target)


@router.post("/episodes/{episode_id}/questionnaire-requests", response_model=list[str], status_code=201)
def request_questionnaires(episode_id: int, data: QuestionnaireRequestCreate, actor: StaffDep,
                           session: SessionDep) -> list[str]:
    """Ask the patient to fill in these questionnaires from the portal; returns all requested."""
    requested = measures.request_questionnaires(session, actor, episode_id, data.measure_ids)
    return [r.measure_id for r in requested]


@router.post("/episodes/{episode_id}/questionnaires/{measure_id}", response_model=AdministrationOut,
             status_code=201)
def submit_questionnaire(episode_id: int, measure_id: str, data: AdministrationCreate, actor: PatientDep,
                         session: SessionDep) -> AdministrationOut:
    """The patient's own answers to a requested questionnaire."""
    return AdministrationOut.model_validate(
        measures.submit_from_portal(session, actor, episode_id, measure_id, data))


@router.get("/measure-administrations/{administration_id}/fhir")
def administration_as_fhir(administration_id: int, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """The administration as a FHIR R4 Observation (validated by fhir.resources before it is sent)."""
    administration = measures.get_administration(session, actor, administration_id)
    built = observation(
        measures.instrument(administration.measure_id), Score.model_validate(administration.result),
        resource_id=f"measure-administration-{administration.id}",
        patient_reference=f"Patient/{administration.patient_id}",
        effective=administration.administered_at,
        performer_reference=f"Practitioner/{administration.recorded_by_id}",
    )
    return built.model_dump(mode="json", exclude_none=True)
