"""Remote therapeutic monitoring: days with data per 30-day period, minutes per calendar month, 98975 once,
and the claim lines through the billing core; every boundary of each rule."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from reeducate.billing.lines import BillingRefused, Context, Discipline
from reeducate.billing.rtm import (
    Billable,
    RtmRefused,
    Setup,
    TimeEntry,
    assess,
    claim_lines,
    management_month,
    management_months,
    refuse_second_setup,
    setup_result,
    supply_code,
    supply_periods,
)
from reeducate.billing.units import UnitRule

START = date(2026, 11, 2)
NOV = date(2026, 11, 1)


def days(count: int, start: date = START) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]


def codes(billables) -> list[tuple[str, int]]:
    return [(b.code, b.units) for b in billables]


@pytest.mark.parametrize(("count", "expected"), [
    (0, None), (1, None), (2, "98985"), (15, "98985"), (16, "98977"), (30, "98977")])
def test_the_supply_code_follows_the_days_with_data_at_each_boundary(count: int, expected: str | None) -> None:
    [period] = supply_periods(START, days(count), START + timedelta(days=29))
    assert (period.billable.code if period.billable else None) == expected
    assert len(period.days_with_data) == count


def test_what_is_missing_names_the_days_still_needed_and_only_those_still_reachable() -> None:
    assert supply_code(0, 30)[2] == "2 days more of data for 98985 (16 for 98977)"
    assert supply_code(1, 10)[2] == "1 day more of data for 98985"  # 98977 out of reach: 15 needed, 10 left
    assert supply_code(13, 5)[2] == "3 days more of data for 98977"
    assert supply_code(13, 2)[2] == ""  # 98985 is what this period will bill
    assert supply_code(1, 0) == (None, "1 day with data: no supply code under 2 days.", "")
    assert supply_code(16, 14)[1:] == ("16 days with data: 98977 (16-30 days).", "")
    with pytest.raises(ValueError, match="do not fit a 30-day period"):
        supply_code(20, 11)


def test_a_code_out_of_reach_is_said_so_with_the_days_left_and_needed() -> None:
    assert supply_code(8, 7) == (Billable("98985"), "8 days with data: 98985 (2-15 days). 98977 can no longer be "
                                 "reached this period: 7 days left, 8 more needed.", "")
    reason, missing = supply_code(8, 8, exercise_days_left=3)[1:]
    assert reason.endswith("98977 can no longer be reached this period on the programme's days: 8 days left, 3 of "
                           "them exercise days, 8 more needed.") and missing == ""
    assert supply_code(8, 8, exercise_days_left=8)[2] == "8 days more of data for 98977"  # every day left counts
    assert supply_code(0, 1)[1].endswith("98985 can no longer be reached this period: 1 day left, 2 more needed.")
    assert supply_code(1, 5)[1:] == ("1 day with data: no supply code under 2 days. 98977 can no longer be reached "
                                     "this period: 5 days left, 15 more needed.", "1 day more of data for 98985")


def test_today_still_counts_as_a_day_left_until_it_has_data() -> None:
    today = START + timedelta(days=21)  # day 22: 8 days of the period are left, today among them
    [period] = supply_periods(START, days(8), today)
    assert period.missing == "8 days more of data for 98977"
    [period] = supply_periods(START, days(8), today, exercise_days={today + timedelta(days=i) for i in (0, 2, 4)})
    assert period.missing == "" and "3 of them exercise days, 8 more needed" in period.reason
    [period] = supply_periods(START, [*days(8), today], today)  # today has data: 8 days after it are left
    assert period.missing == "7 days more of data for 98977"


def test_day_30_closes_a_period_and_day_31_starts_the_next() -> None:
    day_30, day_31 = START + timedelta(days=29), START + timedelta(days=30)
    first, second = supply_periods(START, [START, day_30, day_31], day_31)
    assert (first.starts_on, first.ends_on, first.days_with_data) == (START, day_30, (START, day_30))
    assert first.billable == Billable("98985")
    assert (second.number, second.starts_on, second.days_with_data) == (2, day_31, (day_31,))
    assert second.billable is None and second.missing == "1 day more of data for 98985 (15 for 98977)"
    assert len(first.days) == 30 and first.has_data_on(day_30) and not first.has_data_on(day_31)


def test_one_supply_code_per_period_never_both() -> None:
    periods = supply_periods(START, days(60), START + timedelta(days=59))
    assert [codes([p.billable]) for p in periods] == [[("98977", 1)], [("98977", 1)]]


def test_days_outside_the_periods_are_not_counted() -> None:
    [period] = supply_periods(START, [START - timedelta(days=1), START, START + timedelta(days=5)], START)
    assert period.days_with_data == (START,)
    assert supply_periods(START, [START], START - timedelta(days=1)) == ()


@pytest.mark.parametrize(("minutes", "expected"), [
    (9, []), (10, [("98979", 1)]), (19, [("98979", 1)]), (20, [("98980", 1)]), (39, [("98980", 1)]),
    (40, [("98980", 1), ("98981", 1)]), (59, [("98980", 1), ("98981", 1)]), (60, [("98980", 1), ("98981", 2)])])
def test_management_minutes_at_each_boundary(minutes: int, expected: list[tuple[str, int]]) -> None:
    month = management_month(NOV, [TimeEntry(date(2026, 11, 3), minutes, interactive=True)])
    assert codes(month.billables) == expected
    assert month.minutes == minutes


def test_98979_and_98980_are_never_billed_in_the_same_month() -> None:
    for minutes in range(1, 130):
        billed = {b.code for b in management_month(NOV, [TimeEntry(NOV, minutes, interactive=True)]).billables}
        assert not {"98979", "98980"} <= billed
        assert "98981" not in billed or "98980" in billed


def test_what_is_missing_for_the_next_management_code() -> None:
    def missing(minutes: int) -> str:
        return management_month(NOV, [TimeEntry(NOV, minutes, interactive=True)]).missing
    assert missing(9) == "1 minute more for 98979"
    assert missing(12) == "8 minutes more for 98980 (in place of 98979)"
    assert missing(20) == "20 minutes more for 98981"
    assert missing(39) == "1 minute more for 98981"
    assert missing(45) == "15 minutes more for another unit of 98981"


def test_no_management_code_without_a_real_time_communication_that_month() -> None:
    month = management_month(NOV, [TimeEntry(date(2026, 11, 3), 30), TimeEntry(date(2026, 11, 9), 15)])
    assert month.billables == () and month.minutes == 45
    assert month.missing.startswith("no real-time communication logged this month")
    october_call = TimeEntry(date(2026, 10, 30), 5, interactive=True)
    october, november = management_months([october_call, TimeEntry(date(2026, 11, 3), 30)])
    assert november.billables == () and october.interactive_on == (date(2026, 10, 30),)
    called = management_month(NOV, [TimeEntry(date(2026, 11, 3), 25), TimeEntry(date(2026, 11, 20), 5, True)])
    assert codes(called.billables) == [("98980", 1)] and called.interactive_on == (date(2026, 11, 20),)


def test_minutes_add_up_across_the_calendar_month_not_across_months() -> None:
    october, november = management_months([TimeEntry(date(2026, 10, 31), 15, True),
                                           TimeEntry(date(2026, 11, 1), 15, True)])
    assert codes(october.billables) == [("98979", 1)] and codes(november.billables) == [("98979", 1)]
    assert (october.month, october.ends_on, november.ends_on) == (
        date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 30))
    with pytest.raises(ValueError, match="outside November 2026"):
        management_month(NOV, [TimeEntry(date(2026, 10, 31), 15, True)])
    assert management_months([TimeEntry(date(2026, 12, 31), 20, True)])[0].ends_on == date(2026, 12, 31)


def test_each_line_carries_the_assistants_part_of_its_own_minutes() -> None:
    """25 minutes by the therapist, then 20 by the assistant: 98980 has the therapist's first 20, 98981
    the 5 left of the therapist's and the assistant's 20."""
    month = management_month(NOV, [TimeEntry(date(2026, 11, 3), 25, True),
                                   TimeEntry(date(2026, 11, 10), 20, by_assistant=True)])
    assert [(b.code, b.minutes, b.assistant_minutes) for b in month.billables] == [
        ("98980", 20, 0), ("98981", 25, 20)]


def test_98975_once_per_episode() -> None:
    refuse_second_setup(None)
    with pytest.raises(RtmRefused, match=r"already recorded for this episode on Mon 02 Nov 2026; 98975 is "
                                         r"reported once per episode of care"):
        refuse_second_setup(START)
    assert setup_result(None).billable is None and "98975" in setup_result(None).missing
    assert setup_result(Setup(START)).billable == Billable("98975", minutes=1)


def test_periods_start_on_the_first_day_of_monitoring() -> None:
    entries = [TimeEntry(date(2026, 11, 20), 20, True)]
    setup_first = assess(Setup(START), [START + timedelta(days=3)], entries, date(2026, 11, 25))
    assert setup_first.periods[0].starts_on == START
    data_first = assess(Setup(START), [START - timedelta(days=2)], entries, date(2026, 11, 25))
    assert data_first.periods[0].starts_on == START - timedelta(days=2)
    assert assess(None, [], entries, date(2026, 11, 25)).periods == ()
    assessed = assess(Setup(START), days(20), entries, date(2026, 12, 5))
    assert assessed.period_on(date(2026, 12, 5)).number == 2 and assessed.month_of(NOV).billables[0].code == "98980"
    assert assessed.period_on(START - timedelta(days=1)) is None and assessed.month_of(date(2026, 12, 1)) is None


def context(discipline: Discipline = Discipline.PHYSICAL_THERAPY) -> Context:
    fees = {"98975": Decimal("22"), "98977": Decimal("45"), "98980": Decimal("55"), "98981": Decimal("44")}
    return Context(date(2026, 11, 30), discipline, True, UnitRule.CMS, fees=fees)


def test_claim_lines_come_from_the_billing_core_with_gp_and_units() -> None:
    billed = claim_lines([Billable("98980", 1, 20), Billable("98981", 2, 40)], context())
    assert [(line.code, line.units, line.modifiers, line.charge) for line in billed.lines] == [
        ("98980", 1, ("GP",), Decimal("55")), ("98981", 2, ("GP",), Decimal("88"))]


def test_an_assistants_part_over_10_percent_carries_cq_but_never_on_the_device_codes() -> None:
    billed = claim_lines([Billable("98980", 1, 20, 3), Billable("98981", 1, 20, 2)], context())
    assert [line.modifiers for line in billed.lines] == [("CQ", "GP"), ("GP",)]
    device = claim_lines([Billable("98977", 1, 1, 1)], context())
    assert device.lines[0].modifiers == ("GP",)
    setup = claim_lines([setup_result(Setup(START, by_assistant=True)).billable], context())
    assert setup.lines[0].modifiers == ("CQ", "GP")


def test_a_chiropractor_billing_medicare_for_rtm_is_refused_naming_the_rule() -> None:
    with pytest.raises(BillingRefused, match="not covered by Medicare"):
        claim_lines([Billable("98977")], context(Discipline.CHIROPRACTIC))
