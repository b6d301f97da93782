"""Adherence to a home programme, at each of its boundaries: the dose's share, the version in force,
a day's status, the streak, the week's share, the flags, the month and the weeks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reeducate.feedback.safety import SEVERE_PAIN
from reeducate.training import adherence as a
from reeducate.training.adherence import DayStatus, Dose, FlagKind, ScheduledExercise, SessionDone, Version

MONDAY = date(2026, 11, 2)
EVERY_DAY = frozenset(range(1, 8))
WEEKDAYS = frozenset(range(1, 6))  # Monday to Friday: Saturday and Sunday are rest days
SQUAT = ScheduledExercise("mini-squat:", "Mini squat", EVERY_DAY, Dose(sets=2, reps=10))
STAND = ScheduledExercise("single-leg-stance:left", "Single-leg stance (left)", EVERY_DAY, Dose(sets=3, hold_s=20))


def version(*exercises: ScheduledExercise, starts_on: date = MONDAY, ends_on: date | None = None,
            number: int = 1) -> Version:
    return Version(number, starts_on, ends_on, exercises or (SQUAT,))


def squats(day: date, repetitions: int = 20, *, session_id: int = 1, **extra: object) -> SessionDone:
    return SessionDone(session_id, day, SQUAT.exercise, "ticked", SQUAT.dose, repetitions=repetitions,
                       **extra)  # type: ignore[arg-type]


def day(n: int) -> date:
    return MONDAY + timedelta(days=n)


# --- the dose and the version in force -----------------------------------------------------------


def test_a_session_s_share_is_its_repetitions_against_sets_times_reps_capped_at_the_whole_dose() -> None:
    assert squats(MONDAY, 0).share == 0
    assert squats(MONDAY, 5).share == 0.25
    assert squats(MONDAY, 20).share == 1
    assert squats(MONDAY, 35).share == 1


def test_a_hold_s_share_counts_holds_one_per_set() -> None:
    held = SessionDone(1, MONDAY, STAND.exercise, "guided", STAND.dose, repetitions=0, holds_completed=2)
    assert held.share == pytest.approx(2 / 3)
    assert SessionDone(2, MONDAY, STAND.exercise, "guided", STAND.dose).share == 0


def test_a_dose_without_repetitions_or_a_hold_is_refused() -> None:
    with pytest.raises(ValueError, match="repetitions or a hold"):
        Dose(sets=1)
    with pytest.raises(ValueError, match="at least one set"):
        Dose(sets=0, reps=5)


def test_the_version_in_force_is_the_newest_started_until_its_last_day_included() -> None:
    first = version(ends_on=day(20))
    second = version(STAND, starts_on=day(7), ends_on=day(13), number=2)
    assert a.version_on([first, second], day(-1)) is None
    assert a.version_on([first, second], day(6)) is first
    assert a.version_on([first, second], day(7)) is second
    assert a.version_on([first, second], day(13)) is second
    assert a.version_on([first, second], day(14)) is None  # the newest has ended: the older does not come back
    assert a.version_on([first], day(20)) is first and a.version_on([first], day(21)) is None


# --- a day -------------------------------------------------------------------------------------------


def test_a_day_is_done_partly_missed_due_rest_or_outside_the_programme() -> None:
    weekdays = version(ScheduledExercise(SQUAT.exercise, SQUAT.label, WEEKDAYS, SQUAT.dose), ends_on=day(30))
    sessions = [squats(day(0)), squats(day(1), 10)]
    today = day(3)

    def status(n: int, done: list[SessionDone] = sessions) -> DayStatus:
        return a.day_adherence([weekdays], done, day(n), today).status

    assert status(-1) is DayStatus.NO_PROGRAMME and status(31) is DayStatus.NO_PROGRAMME
    assert status(0) is DayStatus.DONE
    assert status(1) is DayStatus.PARTLY
    assert status(2) is DayStatus.MISSED
    assert status(3) is DayStatus.DUE  # today, nothing done yet: not missed
    assert status(3, [squats(day(3), 0)]) is DayStatus.MISSED  # today, a session with nothing in it settles it
    assert status(4) is DayStatus.DUE
    assert status(5) is DayStatus.REST  # a Saturday


def test_two_sessions_of_one_exercise_on_a_day_add_up_to_at_most_the_whole_dose() -> None:
    sessions = [squats(MONDAY, 12, session_id=1), squats(MONDAY, 12, session_id=2)]
    assert a.day_adherence([version()], sessions, MONDAY, day(1)).shares == {SQUAT.exercise: 1.0}


def test_a_day_s_share_is_the_mean_of_its_exercises_each_weighing_the_same() -> None:
    both = version(SQUAT, STAND)
    sessions = [squats(MONDAY, 20)]
    found = a.day_adherence([both], sessions, MONDAY, day(1))
    assert found.share == 0.5 and found.status is DayStatus.PARTLY


# --- the streak --------------------------------------------------------------------------------------


def _streak(sessions: list[SessionDone], today: date, programme: Version | None = None) -> int:
    return a.summarise([programme or version()], sessions, today).streak


def test_the_streak_counts_programme_days_done_fully_or_partly_back_from_the_last_settled_one() -> None:
    sessions = [squats(day(n), 20 if n % 2 else 3) for n in range(4)]
    assert _streak(sessions, day(3)) == 4  # today's session counts at once
    assert _streak(sessions, day(4)) == 4  # today, nothing yet: the streak stands


def test_a_missed_programme_day_ends_the_streak() -> None:
    sessions = [squats(day(0)), squats(day(2)), squats(day(3))]
    assert _streak(sessions, day(3)) == 2
    assert _streak(sessions, day(5)) == 0  # yesterday (day 4) was missed


def test_a_rest_day_neither_ends_nor_lengthens_the_streak() -> None:
    weekdays = version(ScheduledExercise(SQUAT.exercise, SQUAT.label, WEEKDAYS, SQUAT.dose))
    sessions = [squats(day(n)) for n in (3, 4, 7)]  # Thu, Fri, (rest Sat, Sun), Mon
    assert _streak(sessions, day(7), weekdays) == 3
    assert _streak(sessions + [squats(day(5), session_id=9)], day(7), weekdays) == 3  # extra on a rest day


def test_the_streak_stops_where_the_programme_began() -> None:
    assert _streak([squats(day(0)), squats(day(1))], day(1)) == 2
    assert _streak([], day(0)) == 0


# --- flags -------------------------------------------------------------------------------------------


def _flags(sessions: list[SessionDone], today: date, programme: Version | None = None) -> dict[FlagKind, a.Flag]:
    return {f.kind: f for f in a.summarise([programme or version()], sessions, today).flags}


def test_not_started_is_flagged_from_the_third_day_after_the_start_without_any_session() -> None:
    assert a.NOT_STARTED_AFTER_DAYS == 3
    assert FlagKind.NOT_STARTED not in _flags([], day(2))
    flagged = _flags([], day(3))
    assert flagged[FlagKind.NOT_STARTED].on == MONDAY
    assert FlagKind.FALLING_BEHIND not in flagged  # "not started" already says it
    assert FlagKind.NOT_STARTED not in _flags([squats(day(0), 0)], day(9))  # tried once: started


def test_falling_behind_is_below_half_the_dose_over_the_last_seven_days() -> None:
    assert (a.WINDOW_DAYS, a.FALLING_BEHIND_BELOW) == (7, 0.5)
    today = day(13)  # the window is days 7 to 13; day 13 has nothing yet, so days 7 to 12 count
    half = [squats(day(n)) for n in (7, 8, 9)]
    assert FlagKind.FALLING_BEHIND not in _flags(half, today)  # 3 of 6: exactly half
    below = [squats(day(n)) for n in (7, 8)] + [squats(day(9), 19)]
    assert _flags(below, today)[FlagKind.FALLING_BEHIND].words == "49 % of the dose done over the last 7 days"
    before_window = [squats(day(6)), *below]  # day 6 is eight days back: outside the window
    assert FlagKind.FALLING_BEHIND in _flags(before_window, today)


def test_falling_behind_waits_for_three_settled_programme_days_in_the_window() -> None:
    assert a.FALLING_BEHIND_MIN_DAYS == 3
    started = [squats(day(0), 1)]
    assert FlagKind.FALLING_BEHIND not in _flags(started, day(2))  # days 0 and 1 settled
    assert FlagKind.FALLING_BEHIND in _flags(started, day(3))  # days 0, 1 and 2


def _pain(flags: tuple[a.Flag, ...]) -> list[tuple[bool, list[int]]]:
    return [(f.severe, [s.session_id for s in f.sessions]) for f in flags if f.kind is FlagKind.PAIN_REPORTED]


def test_pain_is_flagged_from_five_severe_from_seven_severe_first() -> None:
    assert (a.PAIN_FLAG_LEVEL, SEVERE_PAIN) == (5, 7)
    assert FlagKind.PAIN_REPORTED not in _flags([squats(day(0), pain_score=4)], day(1))
    sessions = [squats(day(0), pain_score=5, session_id=1), squats(day(1), pain_score=6, session_id=2),
                squats(day(2), pain_score=7, session_id=3)]
    flags = a.summarise([version()], sessions, day(4)).flags
    assert _pain(flags) == [(True, [3]), (False, [1, 2])] and flags[0].kind is FlagKind.PAIN_REPORTED
    assert flags[0].words == "severe, 7 out of 10" and flags[0].on == day(2)
    assert flags[1].words == "moderate, 6 out of 10 (in 2 sessions)"


def test_severe_pain_stays_flagged_until_reviewed_moderate_pain_for_the_last_seven_days() -> None:
    sessions = [squats(day(0), pain_score=6, session_id=1), squats(day(0), pain_score=8, session_id=2),
                squats(day(0), pain_score=9, session_id=3, pain_reviewed=True)]
    assert _pain(a.summarise([version()], sessions, day(6)).flags) == [(True, [2]), (False, [1])]
    assert _pain(a.summarise([version()], sessions, day(7)).flags) == [(True, [2])]
    assert _pain(a.summarise([version()], sessions, day(60)).flags) == [(True, [2])]


def _guided(scores: list[float], exercise: ScheduledExercise = SQUAT) -> list[SessionDone]:
    return [SessionDone(n, day(n), exercise.exercise, "guided", exercise.dose, repetitions=20, mean_score=score)
            for n, score in enumerate(scores)]


def test_quality_dropping_compares_the_last_three_guided_scores_with_the_first_three() -> None:
    assert (a.QUALITY_SESSIONS, a.QUALITY_DROP_POINTS) == (3, 10.0)
    assert FlagKind.QUALITY_DROPPING not in _flags(_guided([80, 80, 80, 60, 60]), day(5))  # five: too few
    assert FlagKind.QUALITY_DROPPING not in _flags(_guided([80, 80, 80, 70, 70, 70]), day(6))  # exactly 10
    dropping = _flags(_guided([80, 80, 80, 70, 70, 69]), day(6))[FlagKind.QUALITY_DROPPING]
    assert dropping.words == "Mini squat: guided score down from 80 to 70"


def test_quality_is_judged_per_exercise_and_on_guided_scores_only() -> None:
    mixed = _guided([80, 80, 80]) + [SessionDone(10 + n, day(3 + n), STAND.exercise, "guided", STAND.dose,
                                                 holds_completed=3, mean_score=40) for n in range(3)]
    assert a.quality_drops(mixed) == {}
    ticked = [SessionDone(n, day(n), SQUAT.exercise, "ticked", SQUAT.dose, repetitions=20, mean_score=s)
              for n, s in enumerate([90, 90, 90, 10, 10, 10])]
    assert a.quality_drops(ticked) == {}


def test_the_summary_gives_the_last_session_and_last_week_s_share() -> None:
    found = a.summarise([version()], [squats(day(5), 10), squats(day(6))], day(7))
    assert found.last_session_on == day(6)
    assert found.share_last_week == (0 * 4 + 0.5 + 1) / 6  # the window is days 1 to 7; day 7 is not settled


# --- the month and the weeks -------------------------------------------------------------------------


def test_the_month_is_weeks_from_monday_with_days_outside_it_left_empty() -> None:
    month = a.month_calendar([version(starts_on=date(2026, 11, 23))], [squats(date(2026, 11, 23))], 2026, 11,
                             date(2026, 11, 25))
    assert len(month.weeks) == 6 and month.weeks[0][:6] == (None,) * 6  # 1 November 2026 is a Sunday
    assert month.weeks[0][6] is not None and month.weeks[0][6].status is DayStatus.NO_PROGRAMME
    assert month.counts == {DayStatus.NO_PROGRAMME: 22, DayStatus.DONE: 1, DayStatus.MISSED: 1, DayStatus.DUE: 6}


def test_weekly_shares_are_the_last_weeks_oldest_first_with_the_current_one() -> None:
    found = a.summarise([version()], [squats(day(n)) for n in range(7)] + [squats(day(7), 10)], day(8))
    weeks = a.weekly_shares(found.days, day(8), 3)
    assert [w.monday for w in weeks] == [MONDAY - timedelta(weeks=1), MONDAY, day(7)]
    assert [w.share for w in weeks] == [None, 1.0, 0.5] and [w.programme_days for w in weeks] == [0, 7, 1]
    assert [w.ongoing for w in weeks] == [False, False, True]  # this week's share is so far


def test_the_calendar_offers_each_month_from_the_programme_s_first_to_the_current_one() -> None:
    assert a.calendar_months(date(2026, 10, 29), date(2026, 12, 3)) == [
        date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert a.calendar_months(date(2026, 12, 31), date(2027, 1, 1)) == [date(2026, 12, 1), date(2027, 1, 1)]
    assert a.calendar_months(date(2026, 12, 3), date(2026, 12, 3)) == [date(2026, 12, 1)]
    assert a.calendar_months(date(2027, 2, 8), date(2026, 12, 3)) == [date(2027, 2, 1)]  # written to start later
