"""Outcome measures in the clinic: record in a visit, fill in from the portal, follow over an episode.

Scoring and judging change are the pure `measures` engine's; this module decides who may do what,
fills in the patient facts the record holds (age on the day, sex), stores answers with the result,
and audits every read and write.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.models import (
    Episode,
    Goal,
    MeasureAdministration,
    Patient,
    QuestionnaireRequest,
)
from reeducate.clinic.schemas import AdministrationCreate
from reeducate.clinic.services import episodes as episode_service
from reeducate.clinic.services import goals, visits
from reeducate.clinic.vocabulary import (
    CLINICIANS,
    AdministrationSource,
    AuditAction,
    EpisodeStatus,
    Role,
    Sex,
)
from reeducate.measures import catalogue
from reeducate.measures.change import MeasureProgress, trajectory
from reeducate.measures.definition import Instrument
from reeducate.measures.results import InvalidResponses, Score, ScoreRequest
from reeducate.measures.results import Patient as PatientFacts
from reeducate.measures.scoring import score


def instrument(measure_id: str) -> Instrument:
    """The instrument, or InvalidInput naming the ones there are."""
    try:
        return catalogue.get(measure_id)
    except InvalidResponses as error:
        raise InvalidInput(str(error)) from None


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def patient_facts(patient: Patient, on: date, data: AdministrationCreate) -> PatientFacts:
    """Age on the day and sex from the record; height and weight as entered with the test."""
    sex: Literal["female", "male"] | None = (
        "female" if patient.sex is Sex.FEMALE else "male" if patient.sex is Sex.MALE else None)
    return PatientFacts(age_years=_age_on(patient.date_of_birth, on), sex=sex,
                        height_cm=data.height_cm, weight_kg=data.weight_kg)


def _administer(
    session: Session, actor: Actor, patient: Patient, measure: Instrument, data: AdministrationCreate, *,
    episode_id: int | None, visit_id: int | None, source: AdministrationSource, now: datetime,
) -> MeasureAdministration:
    facts = patient_facts(patient, now.date(), data)
    try:
        result = score(measure, data.responses, facts)
    except InvalidResponses as error:
        raise InvalidInput(str(error)) from None
    administration = MeasureAdministration(
        patient_id=patient.id, episode_id=episode_id, visit_id=visit_id, measure_id=measure.id,
        source=source, responses=data.responses, patient_facts=facts.model_dump(exclude_none=True),
        score=result.score, computable=result.computable, result=result.model_dump(mode="json"),
        administered_at=now, recorded_by_id=actor.user_id,
    )
    session.add(administration)
    session.flush()
    shown = f"{result.score:g} {result.unit}" if result.score is not None else "no total"
    record(session, actor, AuditAction.CREATE, "measure_administration", administration.id,
           patient_id=patient.id, detail=f"{measure.id}: {shown}")
    return administration


def score_only(measure: Instrument, request: ScoreRequest) -> Score:
    """Score answers without storing anything (the calculator; no patient data involved)."""
    try:
        return score(measure, request.responses, request.patient)
    except InvalidResponses as error:
        raise InvalidInput(str(error)) from None


def record_in_visit(
    session: Session, actor: Actor, visit_id: int, measure_id: str, data: AdministrationCreate, *,
    now: datetime | None = None,
) -> MeasureAdministration:
    """A clinician records an administration during an open visit."""
    require_role(actor, CLINICIANS, "record outcome measures")
    visit = visits.clinical_visit(session, actor, visit_id)
    measure = instrument(measure_id)
    visits.record_into(session, actor, visit, f"the {measure.abbreviation}")
    return _administer(session, actor, visit.patient, measure, data, episode_id=visit.episode_id,
                       visit_id=visit.id, source=AdministrationSource.CLINICIAN, now=now or utcnow())


def submit_from_portal(
    session: Session, actor: Actor, episode_id: int, measure_id: str, data: AdministrationCreate, *,
    now: datetime | None = None,
) -> MeasureAdministration:
    """The patient fills in a questionnaire their care team asked for."""
    require_role(actor, {Role.PATIENT}, "fill in questionnaires from the portal")
    episode = episode_service.clinical_episode(session, actor, episode_id)
    requested = session.scalar(select(QuestionnaireRequest).where(
        QuestionnaireRequest.episode_id == episode.id, QuestionnaireRequest.measure_id == measure_id))
    if requested is None:
        known = catalogue.instruments().get(measure_id)
        raise NotFound(f"Your care team has not asked you to fill in {known.name if known else 'this questionnaire'}.")
    if episode.status is not EpisodeStatus.ACTIVE:
        raise Conflict("This episode of care is closed; questionnaires can no longer be filled in.")
    return _administer(session, actor, episode.patient, instrument(measure_id), data, episode_id=episode.id,
                       visit_id=None, source=AdministrationSource.PATIENT_PORTAL, now=now or utcnow())


def request_questionnaires(
    session: Session, actor: Actor, episode_id: int, measure_ids: list[str]
) -> list[QuestionnaireRequest]:
    """Ask the patient to fill in patient-reported questionnaires from the portal."""
    require_role(actor, CLINICIANS, "ask patients for questionnaires")
    episode = episode_service.get(session, actor, episode_id)
    for measure_id in measure_ids:
        measure = instrument(measure_id)
        if not measure.patient_reported:
            raise InvalidInput(f"{measure.abbreviation} is a clinician-administered test, not a questionnaire.")
    existing = {r.measure_id for r in questionnaire_requests(session, episode.id)}
    for measure_id in dict.fromkeys(measure_ids):
        if measure_id not in existing:
            session.add(QuestionnaireRequest(episode_id=episode.id, measure_id=measure_id,
                                             requested_by_id=actor.user_id))
    session.flush()
    record(session, actor, AuditAction.UPDATE, "episode", episode.id, patient_id=episode.patient_id,
           detail=f"questionnaires requested: {', '.join(measure_ids)}")
    return questionnaire_requests(session, episode.id)


def questionnaire_requests(session: Session, episode_id: int) -> list[QuestionnaireRequest]:
    return list(session.scalars(select(QuestionnaireRequest).where(QuestionnaireRequest.episode_id == episode_id)
                                .order_by(QuestionnaireRequest.id)))


class PortalQuestionnaire(BaseModel):
    """A questionnaire the patient was asked for, and when they last filled it in."""

    episode_id: int
    measure_id: str
    last: datetime | None


def portal_questionnaires(session: Session, actor: Actor) -> list[PortalQuestionnaire]:
    """The patient's requested questionnaires in their active episodes (the portal's to-do list)."""
    require_role(actor, {Role.PATIENT}, "see the portal's questionnaires")
    rows = session.execute(
        select(QuestionnaireRequest.episode_id, QuestionnaireRequest.measure_id)
        .join(Episode, Episode.id == QuestionnaireRequest.episode_id)
        .where(Episode.patient_id == actor.patient_id, Episode.status == EpisodeStatus.ACTIVE)
        .order_by(QuestionnaireRequest.id)
    ).all()
    found = []
    for episode_id, measure_id in rows:
        last = session.scalar(select(MeasureAdministration.administered_at).where(
            MeasureAdministration.episode_id == episode_id, MeasureAdministration.measure_id == measure_id,
            MeasureAdministration.source == AdministrationSource.PATIENT_PORTAL,
        ).order_by(MeasureAdministration.administered_at.desc()).limit(1))
        found.append(PortalQuestionnaire(episode_id=episode_id, measure_id=measure_id, last=last))
    return found


def set_goal(session: Session, actor: Actor, episode_id: int, measure_id: str, target: float) -> Goal:
    """The score the episode aims for on a measure by discharge: its active long-term goal on that
    measure, set or its target replaced (:func:`reeducate.clinic.services.goals.set_measure_target`)."""
    return goals.set_measure_target(session, actor, episode_id, measure_id, target)


def for_episode(session: Session, actor: Actor, episode_id: int) -> list[MeasureAdministration]:
    """Every administration of an episode, oldest first (clinicians and the patient)."""
    episode = episode_service.clinical_episode(session, actor, episode_id)
    found = list(session.scalars(select(MeasureAdministration)
                                 .where(MeasureAdministration.episode_id == episode.id)
                                 .order_by(MeasureAdministration.administered_at, MeasureAdministration.id)))
    record(session, actor, AuditAction.READ, "measure_administration", patient_id=episode.patient_id,
           detail=f"episode {episode.id}")
    return found


def progress(session: Session, actor: Actor, episode_id: int) -> list[MeasureProgress]:
    """Each measure of an episode: its trajectory from the baseline, MDC band and goal."""
    return summarise(session, episode_id, for_episode(session, actor, episode_id))


def summarise(session: Session, episode_id: int, administrations: list[MeasureAdministration],
              only: str | None = None) -> list[MeasureProgress]:
    """Progress from administrations the caller has already read (and audited) via `for_episode`;
    `only` limits it to one measure (the plot of one measure needs no other)."""
    targets = goals.measure_targets(session, episode_id)
    by_measure: dict[str, list[MeasureAdministration]] = defaultdict(list)
    for administration in administrations:
        if administration.computable:
            by_measure[administration.measure_id].append(administration)
    for measure_id in targets:
        by_measure.setdefault(measure_id, [])
    found = []
    for measure_id, rows in by_measure.items():
        if only is not None and measure_id != only:
            continue
        measure = instrument(measure_id)
        totals = [(a.administered_at.date(), a.score) for a in rows if a.score is not None]
        subscores: dict[str, list[tuple[date, float]]] = defaultdict(list)
        if not totals:
            for a in rows:
                for key, value in a.result.get("subscores", {}).items():
                    if value is not None:
                        subscores[key].append((a.administered_at.date(), value))
        found.append(MeasureProgress(
            measure_id=measure.id, name=measure.name, unit=measure.unit_label,
            higher_is_better=measure.higher_is_better, goal=targets.get(measure_id),
            trajectory=trajectory(measure, totals) if totals else None,
            subscore_trajectories={k: trajectory(measure, v) for k, v in subscores.items()},
        ))
    return sorted(found, key=lambda p: p.name)


def get_administration(session: Session, actor: Actor, administration_id: int) -> MeasureAdministration:
    administration = fetch_for_patient(session, actor, MeasureAdministration, administration_id,
                                       "measure administration", patient_of=lambda a: a.patient, clinical=True)
    record(session, actor, AuditAction.READ, "measure_administration", administration.id,
           patient_id=administration.patient_id)
    return administration
