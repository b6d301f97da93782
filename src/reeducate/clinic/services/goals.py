"""An episode's goals: a score on an outcome measure by a date, or a functional goal in words; set,
edited and judged (met, not met, discontinued) by a PT or chiropractor (``permissions.PLAN``), read
by the episode's clinicians and by the patient, each goal with its progress from the record.

Progress is read, never judged here: the baseline is the episode's first score on the goal's measure,
the latest its most recent one; whether a goal is met is the therapist's call (the latest score against
the target is shown as evidence). Every read and write is audited; a discharged episode is read-only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import changes_between, record, snapshot
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import Episode, Goal, MeasureAdministration, Problem
from reeducate.clinic.services import episodes
from reeducate.clinic.vocabulary import AuditAction, EpisodeStatus, GoalStatus, GoalTerm, ProblemStatus
from reeducate.measures import catalogue
from reeducate.measures.definition import Instrument
from reeducate.measures.results import InvalidResponses
from reeducate.reports.dates import day_text

EDITABLE = ("term", "measure_id", "target", "description", "due_on", "problem_id")
"""A goal's fields a therapist sets and edits (what :func:`edit` audits before and after)."""
JUDGED = ("status", "met_on", "status_by_id", "status_at")
MAX_DESCRIPTION_CHARS = 1000


class GoalFields(BaseModel):
    """A goal as entered: a measure and its target, or words (both may be given: words then explain the score)."""

    term: GoalTerm = GoalTerm.LONG
    measure_id: str | None = None
    target: float | None = None
    description: str = Field("", max_length=MAX_DESCRIPTION_CHARS)
    due_on: date | None = None
    problem_id: int | None = None


@dataclass(frozen=True)
class GoalProgress:
    """A goal and where the record stands against it.

    For a measure-linked goal: ``baseline`` is the episode's first score on the measure, ``latest`` its
    most recent (both with their days; None before any score), ``scores`` how many there are. ``fraction``
    is how far the latest score has moved from the baseline toward the target (0 at the baseline, 1 on
    the target; below 0 moved away; None without two scores or when the baseline already is the target).
    """

    goal: Goal
    measure: Instrument | None
    baseline: float | None = None
    baseline_on: date | None = None
    latest: float | None = None
    latest_on: date | None = None
    scores: int = 0

    @property
    def fraction(self) -> float | None:
        target = self.goal.target
        if target is None or self.baseline is None or self.latest is None or self.scores < 2:
            return None
        if target == self.baseline:
            return None
        return (self.latest - self.baseline) / (target - self.baseline)

    @property
    def direction(self) -> str:
        """"better", "worse" or "unchanged" since the baseline, by the measure's own direction; "" if unknown."""
        if self.measure is None or self.baseline is None or self.latest is None or self.scores < 2:
            return ""
        change = self.latest - self.baseline
        if change == 0:
            return "unchanged"
        return "better" if (change > 0) == self.measure.higher_is_better else "worse"

    @property
    def target_reached(self) -> bool | None:
        """Whether the latest score is at or past the target in the measure's better direction (evidence
        for the therapist's judgement, not the judgement)."""
        if self.measure is None or self.latest is None or self.goal.target is None:
            return None
        if self.measure.higher_is_better:
            return self.latest >= self.goal.target
        return self.latest <= self.goal.target


def _instrument(measure_id: str) -> Instrument:
    try:
        return catalogue.get(measure_id)
    except InvalidResponses as error:
        raise InvalidInput(str(error), field="measure_id") from None


def describe(goal: Goal) -> str:
    """The goal in one line for the audit log and the plan ("berg 52 by Wed 06 Jan 2027")."""
    what = f"{goal.measure_id} {goal.target:g}" if goal.measure_id and goal.target is not None else "functional"
    return what + (f" by {day_text(goal.due_on)}" if goal.due_on else "")


def _writable_episode(session: Session, actor: Actor, episode_id: int, doing: str) -> Episode:
    """The episode for a goal change: a PLAN role, the episode's lock, then one still active."""
    require_role(actor, permissions.PLAN, doing)
    serialise(session, LockScope.EPISODE, episode_id)
    episode = episodes.clinical_episode(session, actor, episode_id)
    if episode.status is EpisodeStatus.DISCHARGED:
        raise Conflict(f"This episode was discharged on {day_text(episode.discharged_on)}; its goals are "
                       "read-only.")
    return episode


def episode_of(session: Session, actor: Actor, goal_id: int) -> int:
    """The id of a goal's episode, for a page to return to after a change (a PLAN role first; not audited:
    the change or the page that follows is)."""
    require_role(actor, permissions.PLAN, "change goals (a PT or chiropractor plans the care)")
    goal = fetch_for_patient(session, actor, Goal, goal_id, "goal", patient_of=lambda g: g.episode.patient,
                             clinical=True)
    return goal.episode_id


def _goal_for_change(session: Session, actor: Actor, goal_id: int, doing: str) -> Goal:
    require_role(actor, permissions.PLAN, doing)
    goal = fetch_for_patient(session, actor, Goal, goal_id, "goal", patient_of=lambda g: g.episode.patient,
                             clinical=True)
    _writable_episode(session, actor, goal.episode_id, doing)
    session.refresh(goal)  # read again under the episode's lock
    return goal


def _checked(session: Session, episode: Episode, data: GoalFields) -> GoalFields:
    """The fields as stored: a known measure with a finite target in its range, or words; a due date
    from the episode's start; a problem of this episode that the therapist accepted."""
    description = data.description.strip()
    measure_id, target = data.measure_id or None, data.target
    if measure_id is None and target is not None:
        raise InvalidInput("A target needs its outcome measure; choose the measure, or write the goal in words.",
                           field="measure_id")
    if measure_id is not None:
        measure = _instrument(measure_id)
        measure_id = measure.id
        if target is None or not math.isfinite(target):
            raise InvalidInput(f"Give the {measure.abbreviation} score to reach, a number of {measure.unit_label}.",
                               field="target")
        top = measure.max if measure.max is not None else math.inf
        if not measure.min <= target <= top:
            raise InvalidInput(f"A {measure.abbreviation} goal must be within {measure.min:g} to {top:g} "
                               f"{measure.unit_label}.", field="target")
    elif not description:
        raise InvalidInput("Write the functional goal in words, or choose a measure and its target.",
                           field="description")
    if data.due_on is not None and data.due_on < episode.started_on:
        raise InvalidInput(f"The goal's date is before the episode started ({day_text(episode.started_on)}); "
                           "check the date.", field="due_on")
    if data.problem_id is not None:
        problem = session.get(Problem, data.problem_id)
        if problem is None or problem.episode_id != episode.id:
            raise NotFound(f"No problem {data.problem_id} on this episode's problem list.", field="problem_id")
        if problem.status is not ProblemStatus.ACCEPTED:
            raise InvalidInput("A goal addresses a problem the therapist accepted; accept the problem first.",
                               field="problem_id")
    return data.model_copy(update={"measure_id": measure_id, "target": target, "description": description})


def add(session: Session, actor: Actor, episode_id: int, data: GoalFields) -> Goal:
    """Set a new goal on the episode (PT or chiropractor)."""
    episode = _writable_episode(session, actor, episode_id, "set goals (a PT or chiropractor plans the care)")
    assert actor.user_id is not None, "a clinician is a user"
    checked = _checked(session, episode, data)
    goal = Goal(episode_id=episode.id, set_by_id=actor.user_id, **checked.model_dump())
    session.add(goal)
    session.flush()
    record(session, actor, AuditAction.CREATE, "goal", goal.id, patient_id=episode.patient_id,
           detail=f"{goal.term.value}-term goal: {describe(goal)}")
    return goal


def edit(session: Session, actor: Actor, goal_id: int, data: GoalFields) -> Goal:
    """Change a goal still in progress; audited with each field before and after."""
    goal = _goal_for_change(session, actor, goal_id, "change goals (a PT or chiropractor plans the care)")
    if goal.status is not GoalStatus.ACTIVE:
        raise Conflict(f"This goal is {goal.status.label.lower()}; put it back in progress before changing it.")
    checked = _checked(session, goal.episode, data)
    before = snapshot(goal, EDITABLE)
    for name, value in checked.model_dump().items():
        setattr(goal, name, value)
    goal.set_by_id, goal.set_at = actor.user_id or goal.set_by_id, utcnow()
    session.flush()
    after = snapshot(goal, EDITABLE)
    record(session, actor, AuditAction.UPDATE, "goal", goal.id, patient_id=goal.episode.patient_id,
           detail="changed " + (", ".join(sorted(changes_between(before, after))) or "nothing"),
           changes=changes_between(before, after))
    return goal


def judge(session: Session, actor: Actor, goal_id: int, status: GoalStatus, *, met_on: date | None = None,
          today: date | None = None, now: datetime | None = None) -> Goal:
    """Mark a goal met (on ``met_on``, today by default), not met or discontinued, or put it back in
    progress; who and when are kept. Whether a goal is met is the therapist's judgement."""
    goal = _goal_for_change(session, actor, goal_id, "judge goals (a PT or chiropractor plans the care)")
    if status is goal.status:
        raise Conflict(f"This goal is already {status.label.lower()}.")
    today = today or episodes.clinic_today(session, actor)
    if status is GoalStatus.MET:
        met_on = met_on or today
        if met_on > today:
            raise InvalidInput("The day the goal was met is in the future; mark it met on the day it is.",
                               field="met_on")
        if met_on < goal.episode.started_on:
            raise InvalidInput(f"The day the goal was met is before the episode started "
                               f"({day_text(goal.episode.started_on)}); check the date.", field="met_on")
    else:
        met_on = None
    before = snapshot(goal, JUDGED)
    back = status is GoalStatus.ACTIVE
    goal.status, goal.met_on = status, met_on
    goal.status_by_id, goal.status_at = (None, None) if back else (actor.user_id, now or utcnow())
    session.flush()
    after = snapshot(goal, JUDGED)
    record(session, actor, AuditAction.UPDATE, "goal", goal.id, patient_id=goal.episode.patient_id,
           detail=f"{status.label.lower()}: {describe(goal)}", changes=changes_between(before, after))
    return goal


def set_measure_target(session: Session, actor: Actor, episode_id: int, measure_id: str, target: float) -> Goal:
    """The episode's active long-term goal on ``measure_id``: set, or its target replaced (the progress
    page's and the API's one-number goal)."""
    episode = _writable_episode(session, actor, episode_id, "set goals (a PT or chiropractor plans the care)")
    measure = _instrument(measure_id)
    goal = session.scalar(select(Goal).where(Goal.episode_id == episode.id, Goal.measure_id == measure.id,
                                             Goal.term == GoalTerm.LONG, Goal.status == GoalStatus.ACTIVE)
                          .order_by(Goal.id.desc()).limit(1))
    if goal is None:
        return add(session, actor, episode.id, GoalFields(measure_id=measure.id, target=target))
    fields = GoalFields.model_validate({**snapshot(goal, EDITABLE), "target": target})
    return edit(session, actor, goal.id, fields)


def _of(session: Session, episode: Episode) -> list[Goal]:
    """The episode's goals: short-term first, then long-term, each in the order set."""
    return list(session.scalars(select(Goal).where(Goal.episode_id == episode.id)
                                .order_by(Goal.term == GoalTerm.LONG, Goal.id)))


def progress_of(session: Session, episode: Episode, goals: list[Goal]) -> list[GoalProgress]:
    """Each goal with its baseline and latest score (the caller fetched and audited ``episode``)."""
    scores: dict[str, list[tuple[datetime, float]]] = {}
    wanted = {g.measure_id for g in goals if g.measure_id}
    if wanted:
        for measure_id, moment, score in session.execute(
                select(MeasureAdministration.measure_id, MeasureAdministration.administered_at,
                       MeasureAdministration.score)
                .where(MeasureAdministration.episode_id == episode.id,
                       MeasureAdministration.measure_id.in_(wanted), MeasureAdministration.computable,
                       MeasureAdministration.score.is_not(None))
                .order_by(MeasureAdministration.administered_at, MeasureAdministration.id)):
            if score is not None:
                scores.setdefault(measure_id, []).append((moment, score))
    found = []
    for goal in goals:
        if goal.measure_id is None:
            found.append(GoalProgress(goal, None))
            continue
        measure = catalogue.instruments().get(goal.measure_id)
        series = scores.get(goal.measure_id, [])
        if not series:
            found.append(GoalProgress(goal, measure))
            continue
        (first_at, first), (last_at, last) = series[0], series[-1]
        found.append(GoalProgress(goal, measure, first, first_at.date(), last, last_at.date(), len(series)))
    return found


def for_episode(session: Session, actor: Actor, episode_id: int) -> list[GoalProgress]:
    """The episode's goals with their progress (its clinicians and the patient; one audited read)."""
    episode = episodes.clinical_episode(session, actor, episode_id)
    goals = _of(session, episode)
    record(session, actor, AuditAction.READ, "goal", patient_id=episode.patient_id, detail=f"episode {episode.id}")
    return progress_of(session, episode, goals)


def active_goals(session: Session, episode: Episode) -> list[Goal]:
    """The goals still in progress (what a plan of care aims at); ``episode`` was fetched for the actor."""
    return [g for g in _of(session, episode) if g.status is GoalStatus.ACTIVE]


def measure_targets(session: Session, episode_id: int) -> dict[str, float]:
    """The target each measure's progress is read against: its active long-term goal, else its latest
    short-term one (the caller has read the episode for its actor)."""
    targets: dict[str, float] = {}
    for goal in session.scalars(select(Goal).where(Goal.episode_id == episode_id, Goal.measure_id.is_not(None),
                                                   Goal.status == GoalStatus.ACTIVE)
                                .order_by(Goal.term == GoalTerm.LONG, Goal.id)):
        assert goal.measure_id is not None and goal.target is not None
        targets[goal.measure_id] = goal.target  # rows come short-term first: the one kept is the wanted
    return targets
