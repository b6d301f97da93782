"""The figures a progress report or discharge summary is drafted with, read from the episode's record.

Each goal with its figures: for a goal on a measure, the baseline (the episode's first score), the
score at the start of the reporting period, the latest score, the target and due date, and the change
judged by the measure's own MDC and MCID where it defines them (:func:`reeducate.measures.change.change`,
each threshold with its source); a functional goal is listed for the therapist to judge in words.
Attendance counts the period's treated visits, cancellations and no-shows. Every figure says where it
comes from: ``measured`` (a test a clinician gave), ``patient-reported`` (a questionnaire), entered
(a goal's target, by the clinician who set it), or the schedule and visits.

The result is plain JSON (what :class:`EpisodeReport` stores as drafted); nothing here writes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reeducate.clinic.models import Appointment, Episode, Goal, Location, MeasureAdministration, Visit
from reeducate.clinic.services import measures, scheduling
from reeducate.clinic.services.documentation_due import TREATED
from reeducate.clinic.vocabulary import AppointmentStatus, GoalStatus
from reeducate.measures.change import change
from reeducate.measures.definition import Instrument

MEASURED = "measured"
"""Source of a score from a test the clinician gave in a visit."""
PATIENT_REPORTED = "patient-reported"
"""Source of a score from a questionnaire the patient answered (in a visit or the portal)."""
CANCELLED = (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED)


def source_of(measure: Instrument) -> str:
    return PATIENT_REPORTED if measure.patient_reported else MEASURED


def _score(day: date, value: float) -> dict[str, Any]:
    return {"on": day.isoformat(), "score": value}


def _judged(measure: Instrument, start: float, end: float) -> dict[str, Any]:
    """The change from ``start`` to ``end`` as the measure judges it (MDC and MCID with their sources)."""
    judged = change(measure, start, end)
    return {
        "value": judged.change, "direction": judged.direction, "summary": judged.summary,
        "exceeds_mdc": judged.exceeds_mdc, "meets_mcid": judged.meets_mcid,
        "thresholds": [{"kind": t.kind, "value": t.value, "population": t.population, "source": t.source,
                        "met": t.met} for t in [*judged.mdc, *judged.mcid]],
    }


def _reached(measure: Instrument, score: float, target: float) -> bool:
    return score >= target if measure.higher_is_better else score <= target


def goal_figures(goal: Goal, scores: list[tuple[date, float]], period_start: date | None,
                 period_end: date) -> dict[str, Any]:
    """One goal as drafted. ``scores`` are the episode's scores on the goal's measure (local day,
    score), oldest first; only those up to ``period_end`` count, and a change needs two of them. ``period_start`` None: no period
    column (the discharge summary reads the whole episode)."""
    drafted: dict[str, Any] = {
        "goal_id": goal.id, "term": goal.term.value, "description": goal.description,
        "due_on": goal.due_on.isoformat() if goal.due_on else None, "status": goal.status.value,
        "met_on": goal.met_on.isoformat() if goal.met_on else None, "comment": "",
    }
    if goal.measure_id is None or goal.target is None:
        return drafted | {"kind": "functional"}
    measure = measures.instrument(goal.measure_id)
    counted = [(day, value) for day, value in scores if day <= period_end]
    drafted |= {"kind": "measure", "measure_id": measure.id, "measure": measure.abbreviation,
                "measure_name": measure.name, "unit": measure.unit_label, "source": source_of(measure),
                "higher_is_better": measure.higher_is_better, "target": goal.target,
                "target_entered_by": goal.set_by.display_name,
                "baseline": None, "period_start": None, "latest": None, "change": None, "period_change": None,
                "target_reached": None}
    if not counted:
        return drafted
    baseline, latest = counted[0], counted[-1]
    drafted |= {"baseline": _score(*baseline), "latest": _score(*latest),
                "change": _judged(measure, baseline[1], latest[1]) if len(counted) > 1 else None,
                "target_reached": _reached(measure, latest[1], goal.target)}
    if period_start is not None:
        before = [s for s in counted if s[0] <= period_start]
        start = before[-1] if before else counted[0]  # the last score before the period, else its first
        drafted |= {"period_start": _score(*start),
                    "period_change": _judged(measure, start[1], latest[1]) if start != latest else None}
    return drafted


def goals_of(session: Session, episode: Episode, administrations: list[MeasureAdministration],
             location: Location, period_start: date | None, period_end: date) -> list[dict[str, Any]]:
    """Every goal of the episode (long-term first, then in the order set) with its figures.

    ``administrations`` were read (and audited) by the caller through :func:`measures.for_episode`."""
    scores: dict[str, list[tuple[date, float]]] = {}
    for a in administrations:
        if a.computable and a.score is not None:
            scores.setdefault(a.measure_id, []).append((scheduling.local_day(a.administered_at, location), a.score))
    goals = session.scalars(select(Goal).where(Goal.episode_id == episode.id).order_by(Goal.id)).all()
    ordered = sorted(goals, key=lambda g: (g.term.value != "long", g.id))
    return [goal_figures(g, sorted(scores.get(g.measure_id or "", [])), period_start, period_end)
            for g in ordered]


def attendance(session: Session, episode: Episode, location: Location, start: date,
               end: date) -> dict[str, int]:
    """The episode's visits treated, appointments cancelled (early or late) and missed, from ``start``
    to ``end`` (the clinic's days, both included)."""
    since, until = scheduling.day_bounds(start, location)[0], scheduling.day_bounds(end, location)[1]
    attended = session.scalar(select(func.count()).select_from(Visit).where(
        Visit.episode_id == episode.id, Visit.status.in_(TREATED),
        Visit.checked_in_at >= since, Visit.checked_in_at < until)) or 0

    def appointments(statuses: tuple[AppointmentStatus, ...]) -> int:
        return session.scalar(select(func.count()).select_from(Appointment).where(
            Appointment.episode_id == episode.id, Appointment.status.in_(statuses),
            Appointment.starts_at >= since, Appointment.starts_at < until)) or 0

    return {"attended": attended, "cancelled": appointments(CANCELLED),
            "no_show": appointments((AppointmentStatus.NO_SHOW,))}


def active_goal_ids(goals: list[dict[str, Any]]) -> list[int]:
    return [g["goal_id"] for g in goals if g["status"] == GoalStatus.ACTIVE.value]


def measure_figures(administrations: list[MeasureAdministration], location: Location,
                    end: date) -> list[dict[str, Any]]:
    """Every measure scored in the episode up to ``end``: its first score (the baseline), its latest,
    and the change between them as the measure judges it; by the measure's name."""
    scores: dict[str, list[tuple[date, float]]] = {}
    for a in administrations:
        day = scheduling.local_day(a.administered_at, location)
        if a.computable and a.score is not None and day <= end:
            scores.setdefault(a.measure_id, []).append((day, a.score))
    found = []
    for measure_id, rows in scores.items():
        measure = measures.instrument(measure_id)
        rows.sort()
        found.append({"measure_id": measure.id, "measure": measure.abbreviation, "measure_name": measure.name,
                      "unit": measure.unit_label, "source": source_of(measure), "count": len(rows),
                      "baseline": _score(*rows[0]), "latest": _score(*rows[-1]),
                      "change": _judged(measure, rows[0][1], rows[-1][1]) if len(rows) > 1 else None})
    return sorted(found, key=lambda m: m["measure_name"])
