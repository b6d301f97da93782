"""Timed units: every worked example of Pub. 100-04 ch. 5 s. 20.2, and the CPT midpoint rule beside it."""

from __future__ import annotations

import re

import pytest

from reeducate.billing.units import UnitRule, timed_units, units_for_total

# The Medicare chart (Pub. 100-04 ch. 5 s. 20.2): units by total timed minutes, "and on past two hours".
CHART = [(7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3), (52, 3), (53, 4), (67, 4), (68, 5), (82, 5),
         (83, 6), (97, 6), (98, 7), (112, 7), (113, 8), (127, 8), (128, 9), (142, 9), (143, 10)]


@pytest.mark.parametrize(("minutes", "units"), CHART)
def test_the_total_follows_the_manuals_chart_and_goes_on_past_two_hours(minutes: int, units: int) -> None:
    assert units_for_total(minutes) == units


def test_example_1_gives_the_third_unit_to_the_service_that_took_longest() -> None:
    # 24 min 97112 + 23 min 97110 = 47 min -> 3 units: 2 x 97112, 1 x 97110.
    result = timed_units({"97112": 24, "97110": 23}, "cms")
    assert result.units == {"97112": 2, "97110": 1}
    assert (result.total_timed_minutes, result.total_units, result.choice) == (47, 3, ())


def test_example_2_equal_minutes_leave_the_third_unit_to_either_code_never_three_to_one() -> None:
    # 20 + 20 = 40 min -> 3 units; either code takes 2, never 3 for one.
    result = timed_units({"97112": 20, "97110": 20}, "cms")
    assert result.total_units == 3
    assert sorted(result.units.values()) == [1, 2]
    assert set(result.choice) == {"97112", "97110"}


def test_example_3_seven_minutes_of_manual_therapy_beat_three_left_over_minutes_of_exercise() -> None:
    # 33 min 97110 + 7 min 97140 = 40 min -> 3 units: 2 x 97110, 1 x 97140.
    result = timed_units({"97110": 33, "97140": 7}, "cms")
    assert result.units == {"97110": 2, "97140": 1}


def test_example_4_the_units_left_go_to_the_codes_with_most_minutes_remaining() -> None:
    # 18 97110 + 13 97140 + 10 97116 + 8 97035 = 49 min -> 3 units: one each of 97110, 97140, 97116.
    result = timed_units({"97110": 18, "97140": 13, "97116": 10, "97035": 8}, "cms")
    assert result.units == {"97110": 1, "97140": 1, "97116": 1, "97035": 0}
    assert result.total_units == 3


def test_example_5_three_services_of_seven_minutes_bill_one_unit_of_the_therapists_choice() -> None:
    # 7 + 7 + 7 = 21 min -> 1 unit, any one of the three.
    result = timed_units({"97112": 7, "97110": 7, "97140": 7}, "cms")
    assert result.total_units == 1
    assert set(result.choice) == {"97112", "97110", "97140"}
    assert result.units[result.choice[0]] == 1


def test_a_remaining_tie_goes_to_the_code_with_more_minutes_in_all() -> None:
    # Left-over minutes tie (8 and 8): the third extra unit goes to 97110 (23 min in all), not 97035 (8).
    result = timed_units({"97112": 27, "97110": 23, "97140": 20, "97116": 10, "97035": 8}, "cms")
    assert result.units == {"97112": 2, "97110": 2, "97140": 1, "97116": 1, "97035": 0}
    assert result.total_units == 6 and result.choice == ()


def test_untimed_codes_bill_one_unit_and_their_minutes_never_count() -> None:
    result = timed_units({"97161": 40, "97112": 7}, "cms", untimed=["G0283"])
    assert result.units == {"97161": 1, "97112": 0, "G0283": 1}
    assert result.total_timed_minutes == 7


def test_a_code_with_no_minutes_still_appears_with_zero_units() -> None:
    assert timed_units({"97112": 10, "97110": 0}, "cms").units == {"97112": 1, "97110": 0}


# The CPT midpoint rule applies to each code on its own; the same visits give other totals.
@pytest.mark.parametrize(
    ("minutes", "cms_units", "ama_units"),
    [
        ({"97112": 24, "97110": 23}, {"97112": 2, "97110": 1}, {"97112": 2, "97110": 2}),
        ({"97110": 33, "97140": 7}, {"97110": 2, "97140": 1}, {"97110": 2, "97140": 0}),
        ({"97112": 7, "97110": 7, "97140": 7}, None, {"97112": 0, "97110": 0, "97140": 0}),
        ({"97112": 20, "97110": 20}, None, {"97112": 1, "97110": 1}),
        ({"97110": 18, "97140": 13, "97116": 10, "97035": 8},
         {"97110": 1, "97140": 1, "97116": 1, "97035": 0}, {"97110": 1, "97140": 1, "97116": 1, "97035": 1}),
    ],
)
def test_the_ama_rule_counts_each_code_by_its_own_midpoint(minutes, cms_units, ama_units) -> None:
    assert timed_units(minutes, UnitRule.AMA).units == ama_units
    if cms_units is not None:
        assert timed_units(minutes, UnitRule.CMS).units == cms_units


@pytest.mark.parametrize(("spent", "units"), [(7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3)])
def test_one_code_alone_gets_the_same_units_under_both_rules(spent: int, units: int) -> None:
    assert timed_units({"97112": spent}, "ama").units["97112"] == units
    assert timed_units({"97112": spent}, "cms").units["97112"] == units


@pytest.mark.parametrize(
    ("minutes", "untimed", "message"),
    [
        ({"97999": 10}, [], "'97999' is not a code"),
        ({"97112": -1}, [], "97112: minutes must be a whole number of 0 or more"),
        ({"97112": 2.5}, [], "97112: minutes must be a whole number"),
        ({}, ["97112"], "97112 (Neuromuscular reeducation) is timed"),
    ],
)
def test_bad_input_is_refused_naming_the_code(minutes, untimed, message) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        timed_units(minutes, "cms", untimed=untimed)


def test_an_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="'medicaid' is not a valid UnitRule"):
        timed_units({"97112": 10}, "medicaid")
