"""The discharge summary's draft and the goal outcomes it records.

Drafted from the record: the whole episode's attendance, every measure's final score against its
baseline (the change judged by the measure's MDC and MCID), each goal with its figures, the discharge
(date, reason, note) and the home programme going forward: the latest signed plan of care's home
programme text (editable) and its exercises with their dosage. The therapist writes the assessment and
recommendations, and judges each goal still active met or not met (a goal already met or discontinued
keeps its status).

Signing is allowed after the discharge (the summary is written once the episode ends) and only then:
a discharged episode is read-only for everything else, but its summary is the record of that ending,
and the goal outcomes are part of it, so signing sets each judged goal's status (who, when, and the
day a met goal is met on: the discharge date, the day it was judged at).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import changes_between, record, snapshot
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.models import Episode, EpisodeReport, Goal, Location, MeasureAdministration, PlanOfCare
from reeducate.clinic.services import documentation_due, report_figures
from reeducate.clinic.vocabulary import AuditAction, EpisodeStatus, GoalStatus, NoteStatus

SECTIONS = ("assessment", "home_programme", "recommendations")
"""What the therapist writes: the course of care and where it ended, the home programme (drafted from
the plan of care), and recommendations."""
OUTCOMES = {GoalStatus.MET.value: "Met", GoalStatus.NOT_MET.value: "Not met"}
"""How an active goal is judged at discharge."""
GOAL_FIELDS = ("status", "met_on", "status_by_id", "status_at")


def dosage_text(dosage: object) -> str:
    """An intervention's dosage as written in the plan (text, or its named parts: "sets 3, reps 10")."""
    if isinstance(dosage, dict):
        return ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in dosage.items() if value not in ("", None))
    return str(dosage or "")


def _plan(session: Session, episode: Episode) -> PlanOfCare | None:
    return session.scalar(select(PlanOfCare).where(PlanOfCare.episode_id == episode.id,
                                                   PlanOfCare.status == NoteStatus.SIGNED)
                          .order_by(PlanOfCare.number.desc()).limit(1))


def discharge_of(episode: Episode) -> dict[str, Any] | None:
    """The episode's discharge as the summary states it, or None while it is active."""
    if episode.status is not EpisodeStatus.DISCHARGED or episode.discharged_on is None:
        return None
    return {"on": episode.discharged_on.isoformat(),
            "reason": episode.discharge_reason.label if episode.discharge_reason else "Not recorded",
            "note": episode.discharge_note}


def span(session: Session, episode: Episode, today: date) -> tuple[date, date]:
    """The days the summary covers: from the start of care (or an earlier first treatment day) to the
    discharge, or today while the episode is active."""
    end = episode.discharged_on or today
    first_treatment = documentation_due.of_episode(session, episode, today=end).first_treatment
    return min(episode.started_on, first_treatment or episode.started_on), end


def content(session: Session, episode: Episode, administrations: list[MeasureAdministration], location: Location,
            start: date, end: date) -> dict[str, Any]:
    """The summary's drafted content, for the days from ``start`` to ``end`` (:func:`span`'s)."""
    plan = _plan(session, episode)
    exercises = [{"name": str(i.get("name", "")), "dosage": dosage_text(i.get("dosage"))}
                 for i in (plan.interventions if plan else []) if i.get("kind") == "exercise"]
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat(),
                   **report_figures.attendance(session, episode, location, start, end)},
        "goals": [g | {"outcome": ""} for g in report_figures.goals_of(session, episode, administrations, location,
                                                                        None, end)],
        "measures": report_figures.measure_figures(administrations, location, end),
        "discharge": discharge_of(episode),
        "plan_of_care": {"number": plan.number, "starts_on": plan.starts_on.isoformat(),
                         "ends_on": plan.ends_on.isoformat()} if plan else None,
        "exercises": exercises,
        "sections": {"assessment": "", "home_programme": plan.home_programme if plan else "",
                     "recommendations": ""},
    }


def before_signing(session: Session, report: EpisodeReport) -> dict[str, Any]:
    """The content as signed: the discharge as recorded (Conflict while the episode is active), each
    goal's status as it now stands (one judged elsewhere since the draft keeps that judgement), and
    every goal still active judged (InvalidInput naming those that are not)."""
    discharge = discharge_of(report.episode)
    if discharge is None:
        raise Conflict("Discharge the episode first (its date and reason go into the summary), then sign the "
                       "discharge summary.")
    goals = []
    for drafted in report.content["goals"]:
        goal = session.get(Goal, drafted["goal_id"])
        status = goal.status.value if goal is not None else drafted["status"]
        met_on = goal.met_on.isoformat() if goal is not None and goal.met_on else drafted["met_on"]
        active = status == GoalStatus.ACTIVE.value
        goals.append({**drafted, "status": status, "met_on": met_on,
                      "outcome": drafted.get("outcome", "") if active else ""})
    unjudged = [g for g in goals if g["status"] == GoalStatus.ACTIVE.value and g["outcome"] not in OUTCOMES]
    if unjudged:
        names = "; ".join(g.get("measure") or g["description"][:60] for g in unjudged)
        raise InvalidInput(f"Mark each active goal met or not met before signing: {names}.")
    return {**report.content, "goals": goals, "discharge": discharge}


def record_outcomes(session: Session, actor: Actor, report: EpisodeReport) -> None:
    """Set each goal the signed summary judged (met or not met), audited before and after."""
    discharged_on = date.fromisoformat(report.content["discharge"]["on"])
    assert report.signed_at is not None and actor.user_id is not None
    for judged in report.content["goals"]:
        outcome = judged.get("outcome")
        goal = session.get(Goal, judged["goal_id"])
        if outcome not in OUTCOMES or goal is None or goal.status is not GoalStatus.ACTIVE:
            continue
        before = snapshot(goal, GOAL_FIELDS)
        goal.status = GoalStatus(outcome)
        goal.met_on = discharged_on if goal.status is GoalStatus.MET else None
        goal.status_by_id, goal.status_at = actor.user_id, report.signed_at
        record(session, actor, AuditAction.UPDATE, "goal", goal.id, patient_id=report.episode.patient_id,
               detail=f"{OUTCOMES[outcome].lower()} at discharge (summary {report.id})",
               changes=changes_between(before, snapshot(goal, GOAL_FIELDS)))
    session.flush()
