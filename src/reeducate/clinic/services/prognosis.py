"""The prognosis of an episode's measure-linked goals, from the clinic's own records.

For each active goal on a measure: the episode's computable scores on that measure, the same clinic's
discharged episodes of the same condition with that measure (never another clinic's), and the
published course for the condition, handed to the pure `planning.prognosis`. Clinicians of the
patient's clinic and the patient themself may read it; the read is audited on the patient, naming
how many past episodes were compared (their scores enter only as counts and quantiles, never shown).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import record
from reeducate.clinic.models import Episode, Goal, MeasureAdministration, Patient
from reeducate.clinic.services import episodes as episode_service
from reeducate.clinic.services.measures import instrument
from reeducate.clinic.vocabulary import AuditAction, EpisodeStatus, GoalStatus
from reeducate.measures.definition import Instrument
from reeducate.planning import courses
from reeducate.planning.prognosis import GoalSpec, PastEpisode, Prognosis, Score, prognose


@dataclass(frozen=True)
class GoalPrognosis:
    """One goal, its measure, and its prognosis."""

    goal: Goal
    measure: Instrument
    prognosis: Prognosis


def _scores(rows: list[MeasureAdministration]) -> list[Score]:
    return [(a.administered_at.date(), a.score) for a in rows if a.computable and a.score is not None]


def _past_episodes(session: Session, episode: Episode, measure_id: str) -> list[PastEpisode]:
    """The clinic's discharged episodes of the same condition with computable scores on the measure."""
    rows = session.scalars(
        select(MeasureAdministration)
        .join(Episode, Episode.id == MeasureAdministration.episode_id)
        .join(Patient, Patient.id == Episode.patient_id)
        .where(Patient.clinic_id == episode.patient.clinic_id, Episode.condition == episode.condition,
               Episode.status == EpisodeStatus.DISCHARGED, Episode.id != episode.id,
               MeasureAdministration.measure_id == measure_id, MeasureAdministration.computable.is_(True),
               MeasureAdministration.score.is_not(None))
        .order_by(MeasureAdministration.episode_id, MeasureAdministration.administered_at, MeasureAdministration.id)
    )
    by_episode: dict[int, list[MeasureAdministration]] = defaultdict(list)
    for administration in rows:
        assert administration.episode_id is not None
        by_episode[administration.episode_id].append(administration)
    return [PastEpisode(tuple(_scores(found))) for found in by_episode.values()]


def for_episode(session: Session, actor: Actor, episode_id: int, *, today: date | None = None,
                random_state: int = 0) -> list[GoalPrognosis]:
    """Each active measure-linked goal of the episode with its prognosis (clinicians and the patient)."""
    episode = episode_service.clinical_episode(session, actor, episode_id)
    today = today or episode_service.clinic_today(session, actor)
    goals = list(session.scalars(select(Goal).where(
        Goal.episode_id == episode.id, Goal.status == GoalStatus.ACTIVE, Goal.measure_id.is_not(None),
    ).order_by(Goal.due_on.is_(None), Goal.due_on, Goal.id)))
    found, compared = [], 0
    for goal in goals:
        assert goal.measure_id is not None and goal.target is not None
        measure = instrument(goal.measure_id)
        own = list(session.scalars(select(MeasureAdministration).where(
            MeasureAdministration.episode_id == episode.id, MeasureAdministration.measure_id == measure.id,
        ).order_by(MeasureAdministration.administered_at, MeasureAdministration.id)))
        past = _past_episodes(session, episode, measure.id)
        compared += len(past)
        spec = GoalSpec(measure.name, measure.higher_is_better, measure.min, measure.max, goal.target, goal.due_on,
                        resolution=10.0 ** -measure.decimals)
        prognosis = prognose(spec, _scores(own), as_of=today, past=past,
                             course=courses.for_episode(episode.condition.value, measure.id),
                             condition=episode.condition.label.lower(), random_state=random_state)
        found.append(GoalPrognosis(goal, measure, prognosis))
    record(session, actor, AuditAction.READ, "goal", patient_id=episode.patient_id,
           detail=f"prognosis, episode {episode.id}: {len(found)} goal(s), "
                  f"{compared} past episode(s) of the clinic compared")
    return found
