"""Remote therapeutic monitoring (RTM) of the musculoskeletal system, billed by its rules: pure, no database.

Three clocks, each with its code(s):

- **Set-up and patient education** (98975): once per episode of care.
- **Device supply** by the days with data in a 30-day period: 98977 for 16-30 days, 98985 (new in
  2026) for 2-15 days, nothing for 0 or 1 day; one supply code per 30-day period, never both.
- **Treatment management** by the clinicians' minutes in a calendar month, which needs at least one
  real-time interactive communication with the patient or caregiver in that month: 98979 (new in
  2026) for 10-19 minutes, 98980 for the first 20 minutes and 98981 for each further full 20
  minutes; 98979 never with 98980 in the same month, and no management code in a month without an
  interactive communication. Management does not need 16 days of data (CY 2024 PFS final rule, FR Doc
  2023-24184).

The 30-day periods run back to back from the first day of monitoring (the set-up, or the first day
with data if that came first): days 1-30 are the first period, day 31 starts the second. CPT and CMS
say "in a 30-day period" and "once per 30-day period" without fixing where a period starts; starting
at the first day of monitoring is our choice, so that no day with data falls outside a period and no
two periods overlap (one supply code each).

`assess` is the façade: the episode's set-up, days with data and logged minutes in, each period and
month out with its code and units, the reason in words and what is missing; `claim_lines` turns the
codes of one period or month into claim lines through the billing core (`billing/lines.py`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reeducate.billing.lines import BilledVisit, Context, Service, bill_visit
from reeducate.reports.dates import day_text

CY2026_RULE = "CMS CY 2026 Physician Fee Schedule final rule (90 FR 49266, 5 Nov 2025)"
CR14250 = "CMS CR 14250 (MLN MM14250), the 2026 update to the therapy code list"
SETUP_RULE = "98975 is reported once per episode of care (CPT's instruction for the code)"
"""Found in the RTM billing guides that quote CPT (e.g. APTA's), not in CMS's own text."""
SUPPLY_RULE = (f"Device supply for the musculoskeletal system: 98977 for 16-30 days and 98985 for 2-15 days "
               f"of data in a 30-day period, one of them per period ({CY2026_RULE}; {CR14250})")
MANAGEMENT_RULE = (f"Treatment management per calendar month with at least one real-time interactive "
                   f"communication: 98979 for 10-19 minutes, 98980 for the first 20 minutes, 98981 for each "
                   f"additional 20 minutes; 98979 is not reported with 98980 ({CY2026_RULE}; {CR14250})")
ASSISTANT_RULE = ("An assistant's part of an RTM service is subject to the 10% de minimis standard (CQ/CO), "
                  "except the device supply codes (CMS 2024 annual update to the therapy code list, RTM, as "
                  "NGS Medicare published it)")

PERIOD_DAYS = 30
"""A device-supply period, in days (CPT: "in a 30-day period")."""
SHORT_SUPPLY_MIN_DAYS = 2
"""98985: 2-15 days of data in the period."""
FULL_SUPPLY_MIN_DAYS = 16
"""98977: 16-30 days of data in the period."""
SHORT_MANAGEMENT_MIN_MINUTES = 10
"""98979: 10-19 minutes in the calendar month."""
FIRST_MANAGEMENT_MINUTES = 20
"""98980: the first 20 minutes of the calendar month."""
ADDITIONAL_MANAGEMENT_MINUTES = 20
"""98981: each additional 20 minutes. Counted in full blocks: 40 minutes make the first unit, 60 the
second. The descriptor says "each additional 20 minutes"; we found no CMS text applying the CPT
mid-point rule to it, so the remainder under 20 minutes bills nothing (the reading that never bills
time not spent)."""

SETUP = "98975"
FULL_SUPPLY = "98977"
SHORT_SUPPLY = "98985"
SHORT_MANAGEMENT = "98979"
FIRST_MANAGEMENT = "98980"
ADDITIONAL_MANAGEMENT = "98981"
DEVICE_CODES = frozenset({FULL_SUPPLY, SHORT_SUPPLY})
"""Device supply: no clinician furnishes it, so never an assistant's modifier (ASSISTANT_RULE)."""


class RtmRefused(ValueError):
    """A record that would break an RTM rule; the message names the rule."""


@dataclass(frozen=True)
class Setup:
    """The set-up and education (98975): the day, and whether an assistant furnished it."""

    day: date
    by_assistant: bool = False


@dataclass(frozen=True)
class TimeEntry:
    """Minutes a clinician spent on the patient's monitoring on one day; ``interactive`` for a real-time
    (audio or video) communication with the patient or caregiver; ``by_assistant`` for a PT assistant."""

    day: date
    minutes: int
    interactive: bool = False
    by_assistant: bool = False


@dataclass(frozen=True)
class Billable:
    """One code to bill, its units, and (for management) the minutes it carries and the assistant's part."""

    code: str
    units: int = 1
    minutes: int = 0
    assistant_minutes: int = 0


@dataclass(frozen=True)
class SetupResult:
    day: date | None
    billable: Billable | None
    reason: str
    missing: str
    rule: str = SETUP_RULE


@dataclass(frozen=True)
class SupplyPeriod:
    """One 30-day period: its days (``ends_on`` inclusive), the days with data in it, its code or none."""

    number: int
    starts_on: date
    ends_on: date
    days_with_data: tuple[date, ...]
    billable: Billable | None
    reason: str
    missing: str
    rule: str = SUPPLY_RULE

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.starts_on + timedelta(days=i) for i in range(PERIOD_DAYS))

    def has_data_on(self, day: date) -> bool:
        return day in self.days_with_data


@dataclass(frozen=True)
class ManagementMonth:
    """One calendar month (``month`` is its first day): minutes, real-time communications, codes."""

    month: date
    minutes: int
    interactive_on: tuple[date, ...]
    billables: tuple[Billable, ...]
    reason: str
    missing: str
    rule: str = MANAGEMENT_RULE

    @property
    def ends_on(self) -> date:
        following = date(self.month.year + self.month.month // 12, self.month.month % 12 + 1, 1)
        return following - timedelta(days=1)


@dataclass(frozen=True)
class RtmAssessment:
    setup: SetupResult
    periods: tuple[SupplyPeriod, ...]
    months: tuple[ManagementMonth, ...]

    def period_on(self, day: date) -> SupplyPeriod | None:
        return next((p for p in self.periods if p.starts_on <= day <= p.ends_on), None)

    def month_of(self, day: date) -> ManagementMonth | None:
        return next((m for m in self.months if m.month == day.replace(day=1)), None)


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def _minutes(count: int) -> str:
    return f"{count} minute{'' if count == 1 else 's'}"


def refuse_second_setup(recorded_on: date | None) -> None:
    """Raise RtmRefused when the episode already has its set-up and education (98975 once per episode)."""
    if recorded_on is not None:
        raise RtmRefused(f"Set-up and education were already recorded for this episode on {day_text(recorded_on)}; "
                         f"{SETUP_RULE}.")


def setup_result(setup: Setup | None) -> SetupResult:
    """98975 for the episode's set-up and education, or what is missing."""
    if setup is None:
        return SetupResult(None, None, "No set-up and education recorded for this episode.",
                           "record the set-up and the patient's education (98975)")
    return SetupResult(setup.day, Billable(SETUP, minutes=1, assistant_minutes=int(setup.by_assistant)),
                       f"Set up and taught on {day_text(setup.day)}: 98975, once for the episode.", "")


def _out_of_reach(code: str, needed: int, days_left: int, exercise_days_left: int | None) -> str:
    """" CODE can no longer be reached ..." for a period still running when ``needed`` more days of data
    cannot come in its ``days_left`` (or on the programme's ``exercise_days_left``); "" otherwise."""
    if days_left == 0:
        return ""
    if needed > days_left:
        return f" {code} can no longer be reached this period: {_days(days_left)} left, {needed} more needed."
    if exercise_days_left is not None and needed > exercise_days_left:
        return (f" {code} can no longer be reached this period on the programme's days: {_days(days_left)} left, "
                f"{exercise_days_left} of them exercise days, {needed} more needed.")
    return ""


def supply_code(days_with_data: int, days_left: int = 0,
                exercise_days_left: int | None = None) -> tuple[Billable | None, str, str]:
    """The supply code for ``days_with_data`` in a period with ``days_left`` days that may still bring data
    (``exercise_days_left`` of them with exercises in the programme; None: any day may):
    (billable or None, the reason, what is missing; "" when nothing more can change the code).

    A code that needs more days than may still come is out of reach: the reason says so, with the count."""
    if days_with_data < 0 or days_left < 0 or days_with_data + days_left > PERIOD_DAYS:
        raise ValueError(f"{days_with_data} days with data and {days_left} days left do not fit a "
                         f"{PERIOD_DAYS}-day period")
    reachable = days_left if exercise_days_left is None else min(days_left, exercise_days_left)
    counted = f"{_days(days_with_data)} with data"
    if days_with_data >= FULL_SUPPLY_MIN_DAYS:
        return Billable(FULL_SUPPLY), f"{counted}: 98977 (16-30 days).", ""
    to_full = FULL_SUPPLY_MIN_DAYS - days_with_data
    full_in_reach = to_full <= reachable
    if days_with_data >= SHORT_SUPPLY_MIN_DAYS:
        missing = f"{_days(to_full)} more of data for 98977" if full_in_reach else ""
        return (Billable(SHORT_SUPPLY),
                f"{counted}: 98985 (2-15 days)." + _out_of_reach(FULL_SUPPLY, to_full, days_left, exercise_days_left),
                missing)
    to_short = SHORT_SUPPLY_MIN_DAYS - days_with_data
    reason = f"{counted}: no supply code under {SHORT_SUPPLY_MIN_DAYS} days."
    if to_short > reachable:
        return None, reason + _out_of_reach(SHORT_SUPPLY, to_short, days_left, exercise_days_left), ""
    missing = f"{_days(to_short)} more of data for 98985"
    if full_in_reach:
        return None, reason, missing + f" ({to_full} for 98977)"
    return None, reason + _out_of_reach(FULL_SUPPLY, to_full, days_left, exercise_days_left), missing


def supply_periods(first_day: date, days_with_data: Iterable[date], through: date,
                   exercise_days: Collection[date] | None = None) -> tuple[SupplyPeriod, ...]:
    """The 30-day periods from ``first_day`` up to the one holding ``through``, each with its code.

    A period still running on ``through`` counts the days that may still bring data in what is missing:
    the days after ``through``, and ``through`` itself while it has none yet; with ``exercise_days`` (the
    days the programme plans exercises on), only those of them. Days with data before ``first_day`` or
    after ``through`` are not counted.
    """
    if through < first_day:
        return ()
    data = sorted({d for d in days_with_data if first_day <= d <= through})
    periods = []
    start, number = first_day, 1
    while start <= through:
        end = start + timedelta(days=PERIOD_DAYS - 1)
        inside = tuple(d for d in data if start <= d <= end)
        still_open = [d for d in (start + timedelta(days=i) for i in range(PERIOD_DAYS))
                      if d > through or (d == through and d not in inside)]
        planned = None if exercise_days is None else sum(d in exercise_days for d in still_open)
        billable, reason, missing = supply_code(len(inside), len(still_open), planned)
        periods.append(SupplyPeriod(number, start, end, inside, billable, reason, missing))
        start, number = end + timedelta(days=1), number + 1
    return tuple(periods)


def _apportion(entries: Sequence[TimeEntry], blocks: Sequence[int]) -> list[tuple[int, int]]:
    """The month's minutes in the order they were spent, cut into ``blocks`` of minutes: each block's
    (minutes, assistant's minutes), so each line carries the assistant's part of its own minutes."""
    out: list[tuple[int, int]] = []
    queue = [(e.minutes, e.by_assistant) for e in sorted(entries, key=lambda e: e.day)]
    for size in blocks:
        taken = assistant = 0
        while taken < size and queue:
            minutes, by_assistant = queue[0]
            step = min(minutes, size - taken)
            taken += step
            assistant += step if by_assistant else 0
            queue[0] = (minutes - step, by_assistant)
            if queue[0][0] == 0:
                queue.pop(0)
        out.append((taken, assistant))
    return out


def management_month(month: date, entries: Sequence[TimeEntry]) -> ManagementMonth:
    """The treatment-management code(s) of the calendar month of ``month`` from its time entries.

    Entries outside that month are refused (ValueError): the month is the unit.
    """
    first = month.replace(day=1)
    if any(e.day.replace(day=1) != first for e in entries):
        raise ValueError(f"time entries outside {first:%B %Y} given for that month")
    if any(e.minutes < 1 for e in entries):
        raise ValueError("a time entry has at least 1 minute")
    total = sum(e.minutes for e in entries)
    interactive = tuple(sorted({e.day for e in entries if e.interactive}))
    spent = f"{_minutes(total)} this month"
    if not interactive:
        return ManagementMonth(first, total, (), (), f"{spent}: no management code without a real-time "
                               "communication in the month.",
                               "no real-time communication logged this month: log a call (audio or video) "
                               "with the patient or caregiver")
    if total < SHORT_MANAGEMENT_MIN_MINUTES:
        return ManagementMonth(first, total, interactive, (), f"{spent}: no management code under "
                               f"{SHORT_MANAGEMENT_MIN_MINUTES} minutes.",
                               f"{_minutes(SHORT_MANAGEMENT_MIN_MINUTES - total)} more for 98979")
    if total < FIRST_MANAGEMENT_MINUTES:
        [(minutes, assistant)] = _apportion(entries, [total])
        return ManagementMonth(first, total, interactive, (Billable(SHORT_MANAGEMENT, 1, minutes, assistant),),
                               f"{spent}: 98979 (10-19 minutes).",
                               f"{_minutes(FIRST_MANAGEMENT_MINUTES - total)} more for 98980 (in place of 98979)")
    additional = (total - FIRST_MANAGEMENT_MINUTES) // ADDITIONAL_MANAGEMENT_MINUTES
    blocks = [FIRST_MANAGEMENT_MINUTES] + ([total - FIRST_MANAGEMENT_MINUTES] if additional else [])
    parts = _apportion(entries, blocks)
    billables = [Billable(FIRST_MANAGEMENT, 1, *parts[0])]
    reason = f"{spent}: 98980 (first 20 minutes)"
    if additional:
        billables.append(Billable(ADDITIONAL_MANAGEMENT, additional, *parts[1]))
        reason += f" and 98981 × {additional} (each further full 20 minutes)"
    to_next = ADDITIONAL_MANAGEMENT_MINUTES - (total - FIRST_MANAGEMENT_MINUTES) % ADDITIONAL_MANAGEMENT_MINUTES
    return ManagementMonth(first, total, interactive, tuple(billables), reason + ".",
                           f"{_minutes(to_next)} more for {'another unit of ' if additional else ''}98981")


def management_months(entries: Iterable[TimeEntry]) -> tuple[ManagementMonth, ...]:
    """Each calendar month with logged time, in order."""
    by_month: dict[date, list[TimeEntry]] = {}
    for entry in entries:
        by_month.setdefault(entry.day.replace(day=1), []).append(entry)
    return tuple(management_month(month, by_month[month]) for month in sorted(by_month))


def assess(setup: Setup | None, days_with_data: Iterable[date], entries: Iterable[TimeEntry],
           through: date, exercise_days: Collection[date] | None = None) -> RtmAssessment:
    """The episode's RTM up to ``through``: 98975, each 30-day period's supply code, each month's management.

    The periods start on the first day of monitoring: the set-up's day, or the first day with data
    when that came first; without either there is no period yet. ``exercise_days``: the days the
    programme plans exercises on, for what a running period can still reach (``supply_periods``).
    """
    days = sorted(set(days_with_data))
    starts = ([setup.day] if setup else []) + days[:1]
    periods = supply_periods(min(starts), days, through, exercise_days) if starts else ()
    return RtmAssessment(setup_result(setup), periods,
                         management_months(e for e in entries if e.day <= through))


def claim_lines(billables: Sequence[Billable], context: Context) -> BilledVisit:
    """The claim lines of one period's or one month's codes, through the billing core: the discipline's
    modifier (GP), CQ/CO where an assistant furnished more than 10% (never on the device codes), KX past the
    year's threshold, each refusal naming its rule (BillingRefused)."""
    return bill_visit([Service(b.code, b.minutes, 0 if b.code in DEVICE_CODES else b.assistant_minutes,
                               units=b.units if b.units > 1 else 0) for b in billables], context)
