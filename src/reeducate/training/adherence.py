"""Adherence to a home programme: what was prescribed each day, what was done, and what to flag.

From the programme's versions (each with its dates and its exercises' weekdays and doses) and the
home sessions done (guided by the patient's camera, or ticked as done by the patient), this works
out, day by day:

- **prescribed**: the exercises the version in force that day lists for its weekday;
- **done**: each exercise's share of its dose done that day, ``min(1, done / prescribed)``, where the
  dose is counted in repetitions (sets x repetitions) or, for a hold, in holds (sets x 1), against the
  dose the session itself recorded as prescribed; several sessions of one exercise on one day add up,
  capped at the full dose;
- **the day's share**: the mean of its exercises' shares (each exercise weighs the same).

A day is **settled** once it is over, or, today, once something was done: an unfinished today never
counts against the patient, and what they did today counts at once. The streak, the share of the
last week and the flags read settled days only.

Every threshold below is our setting (Reeducate's choice for a working list, not a published rule),
except the severe pain band (7 out of 10 and above), which is Serlin et al. 1995's; where the pain flag
starts (the moderate band) is our choice on their bands. Pure: no database, no web, no clock
(``as_of``, the patient's local today, is given). Days are calendar days.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from statistics import fmean
from typing import Literal, Protocol, TypeVar

from reeducate.feedback.safety import SEVERE_PAIN

WINDOW_DAYS = 7
"""The adherence window: the share of the dose done over the last 7 days (our setting: one week of
the programme's weekly pattern)."""
NOT_STARTED_AFTER_DAYS = 3
"""Flag "not started" when no session at all is recorded this many days after the programme's first
day (our setting: time to read the programme and try it, not a week lost)."""
FALLING_BEHIND_BELOW = 0.5
"""Flag "falling behind" when the share done over the last :data:`WINDOW_DAYS` is below this (our
setting: less than half the dose)."""
FALLING_BEHIND_MIN_DAYS = 3
"""...and only when the window holds at least this many settled programme days (our setting: one
missed day of two is not yet a pattern)."""
PAIN_FLAG_LEVEL = 5
"""Flag a session whose reported pain (0-10) is this or more (our setting: from the moderate band up,
on Serlin et al. 1995's cut-points 1-4 mild, 5-6 moderate, 7-10 severe, Pain 61(2):277-284). A severe
report (:data:`~reeducate.feedback.safety.SEVERE_PAIN` and above) stays flagged until a clinician has
reviewed it; a moderate one is shown while it is within the last :data:`WINDOW_DAYS` days."""
QUALITY_SESSIONS = 3
"""Quality is compared between an exercise's first this-many guided scores and its last this-many
(our setting: three sessions smooth one bad day); fewer than twice as many scores, no comparison."""
QUALITY_DROP_POINTS = 10.0
"""Flag "quality dropping" when an exercise's last guided scores' mean is more than this many points
(of the 0-100 score) below its first ones' (our setting)."""

SessionKind = Literal["guided", "ticked"]


@dataclass(frozen=True)
class Dose:
    """A dose: ``sets`` of ``reps`` repetitions, or of one hold of ``hold_s`` seconds (reps win if both)."""

    sets: int
    reps: int | None = None
    hold_s: float | None = None

    def __post_init__(self) -> None:
        if self.sets < 1 or (self.reps is None and self.hold_s is None):
            raise ValueError(f"A dose needs at least one set and repetitions or a hold, not {self!r}.")

    @property
    def counts_holds(self) -> bool:
        return self.reps is None

    @property
    def units(self) -> int:
        """Repetitions in the whole dose, or holds (one per set)."""
        return self.sets * (self.reps if self.reps is not None else 1)


@dataclass(frozen=True)
class ScheduledExercise:
    """One exercise of a version: ``exercise`` names it across versions (library id and side),
    ``label`` is how people read it, ``weekdays`` are ISO numbers (1 Monday ... 7 Sunday)."""

    exercise: str
    label: str
    weekdays: frozenset[int]
    dose: Dose


@dataclass(frozen=True)
class Version:
    """One version of the programme: in force from ``starts_on`` until a later version starts, or
    until ``ends_on`` (included) if that comes first."""

    number: int
    starts_on: date
    ends_on: date | None
    exercises: tuple[ScheduledExercise, ...]


@dataclass(frozen=True)
class SessionDone:
    """One home session as recorded: the dose it was prescribed, what was done, the score and pain.

    ``repetitions`` counts the repetitions done, ``holds_completed`` the holds; ``mean_score`` (0-100) is
    the engine's, guided sessions only; ``pain_score`` 0-10 if reported; ``pain_reviewed`` once a
    clinician has looked at it.
    """

    session_id: int
    performed_on: date
    exercise: str
    kind: SessionKind
    prescribed: Dose
    repetitions: int = 0
    holds_completed: int | None = None
    mean_score: float | None = None
    pain_score: int | None = None
    pain_reviewed: bool = False

    @property
    def share(self) -> float:
        """Share of the prescribed dose done, 0 to 1."""
        done = (self.holds_completed or 0) if self.prescribed.counts_holds else self.repetitions
        return min(1.0, max(0, done) / self.prescribed.units)


class DayStatus(StrEnum):
    DONE = "done"  # every exercise of the day's programme done in full
    PARTLY = "partly"  # some of it done
    MISSED = "missed"  # a programme day, settled, nothing done
    DUE = "due"  # a programme day not settled yet (today before anything is done, or a later day)
    REST = "rest"  # the programme prescribes nothing that day
    NO_PROGRAMME = "no_programme"  # before the programme starts or after it ends


@dataclass(frozen=True)
class DayAdherence:
    """One day: what was prescribed, each exercise's share done, and what that makes of the day."""

    day: date
    prescribed: tuple[ScheduledExercise, ...]
    shares: dict[str, float]
    sessions: int
    status: DayStatus

    @property
    def share(self) -> float | None:
        """The day's share of its dose done (mean over its exercises), None on a day without programme."""
        return fmean(self.shares.values()) if self.prescribed else None


class FlagKind(StrEnum):
    PAIN_REPORTED = "pain_reported"
    NOT_STARTED = "not_started"
    FALLING_BEHIND = "falling_behind"
    QUALITY_DROPPING = "quality_dropping"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Flag:
    """Something the therapist should look at, in words, with the day it is about (``on``: the last
    painful session, the programme's first day); pain lists its sessions (severe ones to mark reviewed)."""

    kind: FlagKind
    severe: bool
    words: str
    on: date | None = None
    sessions: tuple[SessionDone, ...] = ()

    @property
    def rank(self) -> tuple[int, int]:
        """Sort key: severe pain first, then pain, then the rest in :class:`FlagKind` order."""
        return (0 if self.severe else 1, list(FlagKind).index(self.kind))


@dataclass(frozen=True)
class Adherence:
    """A programme's adherence as of a day: the days so far, the streak, last week's share, flags."""

    as_of: date
    days: tuple[DayAdherence, ...]
    streak: int
    share_last_week: float | None
    last_session_on: date | None
    flags: tuple[Flag, ...]


class Dated(Protocol):
    """Anything dated like a version (a :class:`Version`, or the clinic's stored one)."""

    @property
    def number(self) -> int: ...
    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date | None: ...


V = TypeVar("V", bound=Dated)


def version_on(versions: Sequence[V], day: date) -> V | None:
    """The version in force on ``day``: the highest-numbered one started by then, unless it has ended
    (a newer version that has ended does not bring an older one back)."""
    started = [v for v in versions if v.starts_on <= day]
    if not started:
        return None
    current = max(started, key=lambda v: v.number)
    return current if current.ends_on is None or day <= current.ends_on else None


def _settled(day: date, as_of: date, sessions: int) -> bool:
    return day < as_of or (day == as_of and sessions > 0)


def day_adherence(versions: Sequence[Version], sessions: Iterable[SessionDone], day: date,
                  as_of: date) -> DayAdherence:
    """What ``day`` prescribed and what of it was done, judged as of ``as_of``."""
    version = version_on(versions, day)
    today = [s for s in sessions if s.performed_on == day]
    prescribed = tuple(e for e in version.exercises if day.isoweekday() in e.weekdays) if version else ()
    done: dict[str, float] = defaultdict(float)
    for session in today:
        done[session.exercise] += session.share
    shares = {e.exercise: min(1.0, done.get(e.exercise, 0.0)) for e in prescribed}
    if version is None:
        status = DayStatus.NO_PROGRAMME
    elif not prescribed:
        status = DayStatus.REST
    elif all(share >= 1.0 for share in shares.values()):
        status = DayStatus.DONE
    elif any(share > 0 for share in shares.values()):
        status = DayStatus.PARTLY
    else:
        status = DayStatus.MISSED if _settled(day, as_of, len(today)) else DayStatus.DUE
    return DayAdherence(day, prescribed, shares, len(today), status)


def days_between(versions: Sequence[Version], sessions: Sequence[SessionDone], first: date, last: date,
                 as_of: date) -> list[DayAdherence]:
    """:func:`day_adherence` for every day from ``first`` to ``last``, both included."""
    by_day: dict[date, list[SessionDone]] = defaultdict(list)
    for session in sessions:
        by_day[session.performed_on].append(session)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day_adherence(versions, by_day.get(day, []), day, as_of) for day in days]


def streak(days: Sequence[DayAdherence], as_of: date) -> int:
    """The current streak: programme days in a row, counting back from the latest settled one, on which
    the patient did their exercises fully or partly.

    Partly counts, because the habit is what a streak encourages (the share says how much of the dose);
    a missed programme day ends it. A rest day neither ends nor lengthens it (a rest day is part of the
    programme, not a lapse), nor does today before anything is done (the day is not over). ``days`` are
    consecutive and end at ``as_of`` or later.
    """
    count = 0
    for day in sorted((d for d in days if d.day <= as_of), key=lambda d: d.day, reverse=True):
        if day.status in (DayStatus.DONE, DayStatus.PARTLY):
            count += 1
        elif day.status in (DayStatus.MISSED, DayStatus.NO_PROGRAMME):
            break
    return count


def share_done(days: Iterable[DayAdherence], as_of: date) -> float | None:
    """The share of the dose done over settled programme days, each exercise on each day counting
    the same (None when there is none)."""
    shares = [share for d in days if d.prescribed and _settled(d.day, as_of, d.sessions)
              for share in d.shares.values()]
    return fmean(shares) if shares else None


def _settled_programme_days(days: Iterable[DayAdherence], as_of: date) -> int:
    return sum(1 for d in days if d.prescribed and _settled(d.day, as_of, d.sessions))


def _pain_flags(sessions: Sequence[SessionDone], as_of: date) -> list[Flag]:
    def painful(session: SessionDone, severe: bool) -> bool:
        score = session.pain_score
        if score is None or score < PAIN_FLAG_LEVEL or session.performed_on > as_of:
            return False
        if severe:
            return score >= SEVERE_PAIN and not session.pain_reviewed
        return score < SEVERE_PAIN and (as_of - session.performed_on).days < WINDOW_DAYS

    flags = []
    for severe in (True, False):
        these = tuple(sorted((s for s in sessions if painful(s, severe)), key=lambda s: s.performed_on))
        if these:
            worst = max(s.pain_score or 0 for s in these)
            words = (f"{'severe' if severe else 'moderate'}, {worst} out of 10"
                     f"{f' (in {len(these)} sessions)' if len(these) > 1 else ''}")
            flags.append(Flag(FlagKind.PAIN_REPORTED, severe, words, these[-1].performed_on, these))
    return flags


def quality_drops(sessions: Sequence[SessionDone]) -> dict[str, tuple[float, float]]:
    """Exercises whose guided scores are falling: ``{exercise: (first mean, last mean)}`` where the last
    :data:`QUALITY_SESSIONS` scores' mean is more than :data:`QUALITY_DROP_POINTS` below the first ones'."""
    scores: dict[str, list[float]] = defaultdict(list)
    for session in sorted(sessions, key=lambda s: (s.performed_on, s.session_id)):
        if session.kind == "guided" and session.mean_score is not None:
            scores[session.exercise].append(session.mean_score)
    drops = {}
    for exercise, series in scores.items():
        if len(series) >= 2 * QUALITY_SESSIONS:
            first, last = fmean(series[:QUALITY_SESSIONS]), fmean(series[-QUALITY_SESSIONS:])
            if first - last > QUALITY_DROP_POINTS:
                drops[exercise] = (first, last)
    return drops


def flags(versions: Sequence[Version], sessions: Sequence[SessionDone], days: Sequence[DayAdherence],
          as_of: date) -> tuple[Flag, ...]:
    """The flags for the therapist, severe pain first. ``days`` cover at least the last
    :data:`WINDOW_DAYS` up to ``as_of``."""
    found = _pain_flags(sessions, as_of)
    first_day = min((v.starts_on for v in versions), default=None)
    done_any = any(s.performed_on <= as_of for s in sessions)
    if first_day is not None and not done_any and (as_of - first_day).days >= NOT_STARTED_AFTER_DAYS:
        found.append(Flag(FlagKind.NOT_STARTED, False, "No session yet since the programme started", first_day))
    window = [d for d in days if as_of - timedelta(days=WINDOW_DAYS) < d.day <= as_of]
    share = share_done(window, as_of)
    if (done_any and share is not None and share < FALLING_BEHIND_BELOW
            and _settled_programme_days(window, as_of) >= FALLING_BEHIND_MIN_DAYS):
        found.append(Flag(FlagKind.FALLING_BEHIND, False,
                          f"{round(share * 100)} % of the dose done over the last {WINDOW_DAYS} days"))
    labels = {e.exercise: e.label for v in versions for e in v.exercises}
    for exercise, (first, last) in quality_drops(sessions).items():
        found.append(Flag(FlagKind.QUALITY_DROPPING, False,
                          f"{labels.get(exercise, exercise)}: guided score down from {first:.0f} to {last:.0f}"))
    return tuple(sorted(found, key=lambda f: f.rank))


def summarise(versions: Sequence[Version], sessions: Sequence[SessionDone], as_of: date) -> Adherence:
    """A programme's adherence as of ``as_of``: every day from its first to ``as_of``, the streak, the
    last :data:`WINDOW_DAYS` days' share, the last session and the flags."""
    first = min((v.starts_on for v in versions), default=as_of)
    days = days_between(versions, sessions, min(first, as_of), as_of, as_of)
    window = [d for d in days if as_of - timedelta(days=WINDOW_DAYS) < d.day]
    return Adherence(
        as_of=as_of, days=tuple(days), streak=streak(days, as_of), share_last_week=share_done(window, as_of),
        last_session_on=max((s.performed_on for s in sessions if s.performed_on <= as_of), default=None),
        flags=flags(versions, sessions, days, as_of),
    )


@dataclass(frozen=True)
class MonthCalendar:
    """A month as weeks from Monday to Sunday; a cell outside the month is None."""

    year: int
    month: int
    weeks: tuple[tuple[DayAdherence | None, ...], ...]

    @property
    def counts(self) -> dict[DayStatus, int]:
        """How many days of the month have each status."""
        found: dict[DayStatus, int] = defaultdict(int)
        for week in self.weeks:
            for cell in week:
                if cell is not None:
                    found[cell.status] += 1
        return dict(found)


def month_calendar(versions: Sequence[Version], sessions: Sequence[SessionDone], year: int, month: int,
                   as_of: date) -> MonthCalendar:
    """The month's days with their status as of ``as_of`` (days after it are due or rest)."""
    by_day = {d.day: d for d in days_between(
        versions, sessions, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), as_of)}
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return MonthCalendar(year, month, tuple(tuple(by_day.get(day) for day in week) for week in weeks))


def first_of_month(day: date) -> date:
    """The first day of ``day``'s month: how a month is named here."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after ``month`` (a first of month)."""
    return (month + timedelta(days=31)).replace(day=1)


def calendar_months(first_day: date, as_of: date) -> list[date]:
    """The months a patient's calendar can show, oldest first, as their first days: from the month of the
    programme's ``first_day`` to the month of ``as_of`` (just the first month when the programme starts
    later)."""
    month, last = first_of_month(first_day), max(first_of_month(as_of), first_of_month(first_day))
    months = []
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


@dataclass(frozen=True)
class WeekShare:
    """A week (Monday to Sunday) and the share of its dose done over its settled programme days;
    ``ongoing`` while the week is not over (its share is so far)."""

    monday: date
    share: float | None
    programme_days: int
    ongoing: bool = False


def weekly_shares(days: Sequence[DayAdherence], as_of: date, weeks: int) -> list[WeekShare]:
    """The last ``weeks`` weeks, oldest first, the current one included (settled days only, and marked
    ongoing: part of it is still to come)."""
    this_monday = as_of - timedelta(days=as_of.weekday())
    by_week: dict[date, list[DayAdherence]] = defaultdict(list)
    for day in days:
        by_week[day.day - timedelta(days=day.day.weekday())].append(day)
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    return [WeekShare(m, share_done(by_week[m], as_of), _settled_programme_days(by_week[m], as_of),
                      ongoing=m == this_monday) for m in mondays]
