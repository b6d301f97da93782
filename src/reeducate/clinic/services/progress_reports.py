"""The progress report's draft: the reporting period from the episode's 10-treatment-day clock
(:func:`reeducate.clinic.services.documentation_due.of_episode`, rule in
:mod:`reeducate.planning.medicare`, ch. 15 section 220.3 D), the period's attendance, and each goal
with its figures (:mod:`reeducate.clinic.services.report_figures`).

The period runs from the open period's first treatment day to the day the report is written (the
visit's day, or today). The sections the therapist writes start empty: the assessment (progress
toward each goal, their judgement) and the plan (continue, modify or discharge, and changes to goals).
Drafting, editing and signing are :mod:`reeducate.clinic.services.reports`'.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from reeducate.clinic.errors import Conflict
from reeducate.clinic.models import Episode, Location, MeasureAdministration
from reeducate.clinic.services import documentation_due, report_figures
from reeducate.reports.dates import day_text

SECTIONS = ("assessment", "plan")
"""What the therapist writes: the assessment of progress toward each goal, and the plan."""
DECISIONS = {"continue": "Continue the plan of care", "modify": "Modify the plan of care (changes below)",
             "discharge": "Discharge"}
"""The plan's decision, one of these (the report says which)."""


def period(session: Session, episode: Episode, on: date) -> tuple[date, list[date]]:
    """The open reporting period's first treatment day and its treatment days up to ``on``.

    Conflict when no treatment day has passed since the last signed report (nothing to report on)."""
    clock = documentation_due.of_episode(session, episode, today=on).progress
    current = clock.current
    days = [d for d in current.treatment_days if d <= on] if current else []
    if current is None or not days:
        last = clock.periods[-1].report_on if clock.periods else None
        since = f" since the progress report of {day_text(last)}" if last else ""
        raise Conflict(f"No treatment day{since} to report on: a progress report covers the treatment days of its "
                       "period.")
    return current.starts_on, days


def content(session: Session, episode: Episode, administrations: list[MeasureAdministration], location: Location,
            start: date, on: date) -> dict[str, Any]:
    """The drafted content of a progress report for the period from ``start`` written on ``on``
    (:func:`period`'s)."""
    days = period(session, episode, on)[1]
    goals = report_figures.goals_of(session, episode, administrations, location, start, on)
    return {
        "period": {"start": start.isoformat(), "end": on.isoformat(), "treatment_days": len(days),
                   **report_figures.attendance(session, episode, location, start, on)},
        "goals": goals,
        "measures": report_figures.measure_figures(administrations, location, on),
        "sections": dict.fromkeys(SECTIONS, ""),
        "decision": "",
    }
