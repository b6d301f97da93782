"""Medicare's timing rules at their boundaries: day 30, day 14, the 10th treatment day, day 90."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reeducate.planning import medicare
from reeducate.planning.medicare import Timing

FIRST = date(2026, 1, 5)  # the evaluation, the episode's first treatment day


def days(n: int) -> timedelta:
    return timedelta(days=n)


@pytest.mark.parametrize(("signed_after", "expected"), [(0, Timing.DONE), (29, Timing.DONE), (30, Timing.DONE),
                                                        (31, Timing.LATE)])
def test_the_initial_certification_is_timely_through_day_30(signed_after: int, expected: Timing) -> None:
    judged = medicare.certification(FIRST, FIRST + days(signed_after), None, today=FIRST + days(60))
    assert judged.due == date(2026, 2, 4)
    assert judged.state is expected
    assert judged.signature is None


@pytest.mark.parametrize(("today_after", "expected"), [(30, Timing.DUE), (31, Timing.OVERDUE)])
def test_an_unsigned_certification_is_due_through_day_30_then_overdue(today_after: int, expected: Timing) -> None:
    assert medicare.certification(FIRST, None, None, today=FIRST + days(today_after)).state is expected


@pytest.mark.parametrize(("signed_after_order", "expected"), [(14, Timing.DONE), (15, Timing.LATE)])
def test_a_verbal_order_is_followed_by_the_signature_within_14_days(signed_after_order: int,
                                                                    expected: Timing) -> None:
    order = FIRST + days(3)
    judged = medicare.certification(FIRST, order + days(signed_after_order), order, today=FIRST + days(40))
    assert judged.state is Timing.DONE  # the verbal order itself certified the plan in time
    assert judged.signature_due == order + days(14)
    assert judged.signature is expected


@pytest.mark.parametrize(("today_after_order", "expected"), [(14, Timing.DUE), (15, Timing.OVERDUE)])
def test_a_signature_awaited_after_a_verbal_order(today_after_order: int, expected: Timing) -> None:
    order = FIRST + days(20)
    assert medicare.certification(FIRST, None, order, today=order + days(today_after_order)).signature is expected


def test_a_verbal_order_after_day_30_is_a_late_certification() -> None:
    judged = medicare.certification(FIRST, None, FIRST + days(31), today=FIRST + days(31))
    assert judged.state is Timing.LATE


def test_a_plan_runs_at_most_90_calendar_days_counting_its_first() -> None:
    assert medicare.latest_plan_end(FIRST) == FIRST + days(89)
    assert (medicare.latest_plan_end(FIRST) - FIRST).days + 1 == 90


@pytest.mark.parametrize(("ends_after", "due_after"), [(41, 41), (89, 89), (120, 89)])
def test_recertification_is_due_when_the_plan_runs_out_or_by_day_90(ends_after: int, due_after: int) -> None:
    assert medicare.recertification_due(FIRST, FIRST + days(ends_after)) == FIRST + days(due_after)


def treatment_days(count: int, start: date = FIRST) -> list[date]:
    """Two treatment days a week (Monday and Thursday) from ``start``, a Monday."""
    return [start + days(7 * (i // 2) + 3 * (i % 2)) for i in range(count)]


def test_the_evaluation_day_is_the_first_treatment_day_of_the_first_period() -> None:
    clock = medicare.progress_report_clock(treatment_days(1), [])
    assert clock.days_in_period == 1
    assert clock.current is not None and clock.current.starts_on == FIRST


@pytest.mark.parametrize(("count", "left", "due_now", "overdue"), [(8, 2, False, False), (9, 1, True, False),
                                                                   (10, 0, True, False), (11, -1, True, True)])
def test_the_report_is_due_by_the_10th_treatment_day(count: int, left: int, due_now: bool, overdue: bool) -> None:
    clock = medicare.progress_report_clock(treatment_days(count), [])
    assert clock.treatment_days_left == left
    assert clock.due_now is due_now
    assert clock.overdue is overdue


def test_a_report_on_the_10th_treatment_day_is_in_time_and_starts_a_new_period() -> None:
    treated = treatment_days(12)
    clock = medicare.progress_report_clock(treated, [treated[9]])
    first = clock.periods[0]
    assert first.due_on == treated[9] and first.report_on == treated[9] and not first.missed
    assert clock.days_in_period == 2  # the 11th and 12th days begin the second period
    assert clock.current is not None and clock.current.starts_on == treated[10]


def test_a_report_after_the_10th_treatment_day_missed_its_period() -> None:
    treated = treatment_days(12)
    clock = medicare.progress_report_clock(treated, [treated[10]])
    assert clock.periods[0].missed
    assert clock.days_in_period == 1


def test_a_report_between_treatment_days_closes_the_days_before_it() -> None:
    treated = treatment_days(6)
    clock = medicare.progress_report_clock(treated, [treated[3] + days(1)])
    assert len(clock.periods[0].treatment_days) == 4
    assert clock.days_in_period == 2


def test_two_visits_on_one_day_are_one_treatment_day() -> None:
    treated = treatment_days(3)
    assert medicare.progress_report_clock([*treated, treated[1]], []).days_in_period == 3


def test_a_report_before_any_treatment_closes_nothing() -> None:
    clock = medicare.progress_report_clock(treatment_days(3), [FIRST - days(1)])
    assert len(clock.periods) == 1 and clock.days_in_period == 3
