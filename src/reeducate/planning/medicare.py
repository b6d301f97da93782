"""Medicare's timing rules for an outpatient therapy plan of care, as dates.

Source: Medicare Benefit Policy Manual (CMS Pub. 100-02), chapter 15.

- Section 220.1.3 B: the initial certification is timely when the physician's or NPP's signature
  (or a documented verbal order) is dated within the 30 days following the first day of treatment,
  the evaluation included. A verbal order must be followed by the signed plan within 14 days.
- Section 220.1.2 / 220.1.3 C: a plan (the certification interval) runs at most 90 calendar days from
  its first day; a recertification is due when the plan runs out, and at least every 90 days.
- Section 220.3 D: a progress report is written by the clinician at least once every 10 treatment
  days; the first reporting period begins on the first day of the episode, whether that day's service
  was an evaluation, a re-evaluation or a treatment. An assistant's report is not a progress report.

How the boundaries are counted here (the manual gives the rules in words; these are our reading,
stated so a test can hold us to it):

- "Within 30 days following day D" is any date from D to D + 30: a signature dated D + 30 is timely,
  D + 31 is late. The same for the 14 days after a verbal order (V to V + 14).
- "90 calendar days from the first day" counts the first day as day 1: a plan starting on S may run
  to S + 89 at the latest, and its recertification is due by its last day.
- A treatment day is a calendar day with a treatment visit of the episode (two visits on one day are
  one treatment day). The report is due by the 10th treatment day of a period: written on or before
  that day, the period closes on the report's date and the next period begins with the next treatment
  day. A report written between treatment days closes the period of the days before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

CERTIFICATION_DAYS = 30
"""Days after the first treatment day within which the initial certification is dated (220.1.3 B)."""
VERBAL_ORDER_SIGNATURE_DAYS = 14
"""Days after a verbal order within which the signed plan follows (220.1.3 B)."""
PLAN_MAX_DAYS = 90
"""Calendar days a plan (a certification interval) may run, its first day counted as day 1 (220.1.3 C)."""
PROGRESS_REPORT_TREATMENT_DAYS = 10
"""Treatment days by which a progress report is written, counted from the period's first (220.3 D)."""
SOURCE = "Medicare Benefit Policy Manual (CMS Pub. 100-02), chapter 15"


class Timing(StrEnum):
    """Where a dated requirement stands on a given day."""

    DONE = "done"  # met in time
    LATE = "late"  # met, but after its due date
    DUE = "due"  # not met yet, due date today or ahead
    OVERDUE = "overdue"  # not met, due date passed


def certification_due(first_treatment: date) -> date:
    """The last date on which the initial certification is timely (220.1.3 B: 30 days)."""
    return first_treatment + timedelta(days=CERTIFICATION_DAYS)


def verbal_order_signature_due(verbal_order_on: date) -> date:
    """The last date for the signed plan after a verbal order (220.1.3 B: 14 days)."""
    return verbal_order_on + timedelta(days=VERBAL_ORDER_SIGNATURE_DAYS)


def latest_plan_end(starts_on: date) -> date:
    """The last day a plan starting on ``starts_on`` may run (90 calendar days, the first is day 1)."""
    return starts_on + timedelta(days=PLAN_MAX_DAYS - 1)


def recertification_due(starts_on: date, ends_on: date) -> date:
    """When the next certification is due: the plan's last day, or its 90th day if that comes first."""
    return min(ends_on, latest_plan_end(starts_on))


def timing(due: date, met_on: date | None, today: date) -> Timing:
    """Whether a requirement due on ``due`` was met in time, late, or is still due / overdue."""
    if met_on is not None:
        return Timing.DONE if met_on <= due else Timing.LATE
    return Timing.DUE if today <= due else Timing.OVERDUE


@dataclass(frozen=True)
class Certification:
    """The initial certification of a plan: what is due by when, and where it stands today.

    ``due`` is the 30-day date; after a verbal order the signature is also due by ``signature_due``.
    ``state`` judges the certification itself (a signature, or a verbal order in time); ``signature``
    judges the signature that must follow a verbal order (None without one).
    """

    due: date
    state: Timing
    signature_due: date | None
    signature: Timing | None


def certification(first_treatment: date, certified_on: date | None, verbal_order_on: date | None,
                  today: date) -> Certification:
    """The 30-day and 14-day rules applied to a plan's dates (220.1.3 B)."""
    due = certification_due(first_treatment)
    certified_by = min((d for d in (certified_on, verbal_order_on) if d is not None), default=None)
    if verbal_order_on is None:
        return Certification(due, timing(due, certified_by, today), None, None)
    signature_due = verbal_order_signature_due(verbal_order_on)
    return Certification(due, timing(due, certified_by, today), signature_due,
                         timing(signature_due, certified_on, today))


@dataclass(frozen=True)
class ReportingPeriod:
    """One progress-reporting period: its treatment days and the report that closed it, if any."""

    treatment_days: tuple[date, ...]
    report_on: date | None

    @property
    def starts_on(self) -> date:
        return self.treatment_days[0]

    @property
    def due_on(self) -> date | None:
        """The 10th treatment day, once the period has one (the day the report is due by)."""
        tenth = PROGRESS_REPORT_TREATMENT_DAYS - 1
        return self.treatment_days[tenth] if len(self.treatment_days) > tenth else None

    @property
    def missed(self) -> bool:
        """The 10th treatment day passed without a report on or before it."""
        due = self.due_on
        if due is None:
            return False
        return self.report_on is None or self.report_on > due


@dataclass(frozen=True)
class ProgressReportClock:
    """Where an episode stands against the 10-treatment-day rule.

    ``periods`` are all periods so far, the open one last (it has no report). ``days_in_period`` counts
    the open period's treatment days; ``treatment_days_left`` how many more may pass before the report
    is overdue (0: due on the day of the latest treatment, if not written; negative: overdue).
    """

    periods: tuple[ReportingPeriod, ...]

    @property
    def current(self) -> ReportingPeriod | None:
        last = self.periods[-1] if self.periods else None
        return last if last is not None and last.report_on is None else None

    @property
    def days_in_period(self) -> int:
        return len(self.current.treatment_days) if self.current else 0

    @property
    def treatment_days_left(self) -> int:
        return PROGRESS_REPORT_TREATMENT_DAYS - self.days_in_period

    @property
    def due_now(self) -> bool:
        """A report is needed at the next treatment day or sooner (the 10th day is here or passed)."""
        return self.treatment_days_left <= 1

    @property
    def overdue(self) -> bool:
        """The open period has more than 10 treatment days: a report was due and not written."""
        return self.treatment_days_left < 0


def progress_report_clock(treatment_days: Iterable[date], reports: Iterable[date]) -> ProgressReportClock:
    """The reporting periods of an episode from its treatment dates and its clinician's report dates.

    Dates may repeat and come in any order. A report dated before the first treatment day closes
    nothing (there was nothing to report on).
    """
    days = sorted(set(treatment_days))
    pending = sorted(set(reports))
    periods: list[ReportingPeriod] = []
    current: list[date] = []
    for day in days:
        while pending and current and pending[0] < day:
            periods.append(ReportingPeriod(tuple(current), pending.pop(0)))
            current = []
        while pending and not current and pending[0] < day:
            pending.pop(0)  # a report with no treatment day before it in its period
        current.append(day)
        if pending and pending[0] == day:
            periods.append(ReportingPeriod(tuple(current), pending.pop(0)))
            current = []
    if current and pending:
        periods.append(ReportingPeriod(tuple(current), pending[0]))
        current = []
    if current:
        periods.append(ReportingPeriod(tuple(current), None))
    return ProgressReportClock(tuple(periods))
