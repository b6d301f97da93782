"""Claim lines: modifiers due (GP/GO/GN, CQ, KX, AT, 59/XS) and refusals that name the rule broken."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reeducate.billing.lines import (
    BillingRefused,
    ClaimLine,
    Context,
    Discipline,
    Service,
    bill_visit,
    check_claim_lines,
)
from reeducate.billing.units import UnitRule

FEES = {"97112": Decimal("60"), "97110": Decimal("50"), "97140": Decimal("45"), "98940": Decimal("55"),
        "97161": Decimal("120")}
DAY = date(2026, 11, 20)


def medicare_pt(**changes) -> Context:
    return Context(DAY, Discipline.PHYSICAL_THERAPY, True, UnitRule.CMS, fees=FEES, **changes)


def chiro(medicare: bool = False, **changes) -> Context:
    return Context(DAY, Discipline.CHIROPRACTIC, medicare, UnitRule.CMS if medicare else UnitRule.AMA,
                   fees=FEES, **changes)


def refusal(services, context) -> BillingRefused:
    with pytest.raises(BillingRefused) as caught:
        bill_visit(services, context)
    return caught.value


def test_every_therapy_line_carries_gp_and_charges_follow_units() -> None:
    billed = bill_visit([Service("97112", 24), Service("97110", 23)], medicare_pt())
    assert [(line.code, line.units, line.modifiers, line.charge) for line in billed.lines] == [
        ("97112", 2, ("GP",), Decimal("120")), ("97110", 1, ("GP",), Decimal("50"))]
    assert billed.total_charge == Decimal("170")


def test_a_code_whose_minutes_earn_no_unit_is_kept_with_the_reason() -> None:
    """97116 for 8 minutes beside 97112 for 24 and 97110 for 15: the visit's 47 minutes make 3 units, and
    the third goes to 97112 (9 minutes left over against 97116's 8); 97116 bills none, and says why."""
    billed = bill_visit([Service("97112", 24), Service("97110", 15), Service("97116", 8)], medicare_pt())
    assert [(line.code, line.units) for line in billed.lines] == [("97112", 2), ("97110", 1)]
    assert [(u.code, u.minutes) for u in billed.unbilled] == [("97116", 8)]
    assert "47 timed minutes make 3 units by the Medicare 8-minute rule" in billed.unbilled[0].reason
    alone = bill_visit([Service("97110", 20), Service("97116", 7)],
                       Context(DAY, Discipline.PHYSICAL_THERAPY, False, UnitRule.AMA, fees=FEES))
    assert [(u.code, u.minutes) for u in alone.unbilled] == [("97116", 7)]
    assert "7 min is under the 8 minutes that make a unit of a code (CPT midpoint rule)" == alone.unbilled[0].reason
    assert bill_visit([Service("97112", 24)], medicare_pt()).unbilled == ()


def test_occupational_and_speech_plans_take_go_and_gn() -> None:
    for discipline, modifier in [(Discipline.OCCUPATIONAL_THERAPY, "GO"), (Discipline.SPEECH_LANGUAGE_PATHOLOGY, "GN")]:
        billed = bill_visit([Service("97110", 15)], Context(DAY, discipline, False, UnitRule.AMA, fees=FEES))
        assert billed.lines[0].modifiers == (modifier,)


def test_a_code_without_units_makes_no_line() -> None:
    billed = bill_visit([Service("97110", 33), Service("97112", 3)], medicare_pt())
    assert [line.code for line in billed.lines] == ["97110"]


def test_cq_marks_a_service_an_assistant_furnished_more_than_ten_percent_of() -> None:
    billed = bill_visit([Service("97112", 30, assistant_minutes=4), Service("97110", 30, assistant_minutes=3)],
                        medicare_pt())
    assert billed.lines[0].modifiers == ("CQ", "GP")  # 4/30 = 13 % > 10 %
    assert billed.lines[1].modifiers == ("GP",)  # 3/30 = 10 %, not more


def test_cq_is_medicares_modifier_and_other_payers_do_not_get_it() -> None:
    billed = bill_visit([Service("97112", 30, assistant_minutes=30)], Context(DAY, Discipline.PHYSICAL_THERAPY,
                        False, UnitRule.AMA, fees=FEES))
    assert billed.lines[0].modifiers == ("GP",)


def test_an_assistant_cannot_furnish_an_evaluation() -> None:
    problems = refusal([Service("97161", 30, assistant_minutes=30)], medicare_pt()).problems
    assert problems[0].code == "97161" and "ch. 15, s. 230.1" in problems[0].rule


def test_kx_goes_on_the_lines_past_the_years_threshold() -> None:
    # 2026 threshold: $2,480. $2,400 before the visit: 97112 (+120) crosses it, 97110 (+50) is past it.
    billed = bill_visit([Service("97112", 24), Service("97110", 23)], medicare_pt(therapy_amount_before=Decimal("2400")))
    assert [line.modifiers for line in billed.lines] == [("GP", "KX"), ("GP", "KX")]
    below = bill_visit([Service("97112", 24)], medicare_pt(therapy_amount_before=Decimal("2300")))
    assert below.lines[0].modifiers == ("GP",)


def test_kx_needs_the_threshold_of_the_year_of_service() -> None:
    with pytest.raises(ValueError, match="No KX threshold is known for 2030"):
        bill_visit([Service("97112", 24)], Context(date(2030, 1, 2), Discipline.PHYSICAL_THERAPY, True, UnitRule.CMS))


def test_active_chiropractic_treatment_under_medicare_takes_at() -> None:
    billed = bill_visit([Service("98941", region="cervical, thoracic, lumbar")], chiro(medicare=True))
    assert billed.lines[0].modifiers == ("AT",)
    maintenance = bill_visit([Service("98940", region="lumbar")], chiro(medicare=True, active_treatment=False))
    assert maintenance.lines[0].modifiers == ()


def test_manual_therapy_in_another_region_than_the_manipulation_takes_xs_or_59() -> None:
    services = [Service("98940", region="lumbar, pelvic"), Service("97140", 10, region="right shoulder")]
    assert [line.modifiers for line in bill_visit(services, chiro()).lines] == [(), ("59",)]


def test_manual_therapy_in_the_region_manipulated_is_refused_with_the_ncci_edit() -> None:
    problem = refusal([Service("98940", region="lumbar"), Service("97140", 15, region="Lumbar")], chiro()).problems[0]
    assert problem.code == "97140"
    assert "NCCI PTP edit 98940/97140" in problem.rule and "NCCI Policy Manual" in problem.rule
    assert "same region as 98940 (lumbar)" in problem.message


def test_manual_therapy_with_a_manipulation_needs_both_regions_documented() -> None:
    problem = refusal([Service("98940", region="lumbar"), Service("97140", 15)], chiro()).problems[0]
    assert "needs the region of each documented" in problem.message


def test_the_manipulation_code_must_match_the_regions_treated() -> None:
    problem = refusal([Service("98940", region="cervical, thoracic, lumbar")], chiro()).problems[0]
    assert problem.code == "98940" and "needs 1-2 spinal regions" in problem.message


def test_medicare_refuses_a_chiropractors_therapy_and_an_invalid_code() -> None:
    problems = refusal([Service("98940", region="lumbar"), Service("97112", 20), Service("98943", region="knee")],
                       chiro(medicare=True)).problems
    assert {p.code for p in problems} == {"97112", "98943"}
    assert all("s. 240.1.3" in p.rule or "status" in p.rule for p in problems)
    assert "G0283" in refusal([Service("97014")], medicare_pt()).problems[0].message


def test_a_therapist_does_not_bill_chiropractic_manipulation() -> None:
    assert refusal([Service("98940", region="lumbar")], medicare_pt()).problems[0].code == "98940"


def test_a_bundled_code_is_billed_with_a_note_that_medicare_will_not_pay_it() -> None:
    billed = bill_visit([Service("97010"), Service("97110", 15)], medicare_pt())
    assert billed.notes == ("97010: Medicare never pays 97010 separately: it is bundled into the visit's other services",)


def test_all_problems_are_reported_together() -> None:
    problems = refusal([Service("97999", 10), Service("97112", 5, assistant_minutes=9)], medicare_pt()).problems
    assert [p.code for p in problems] == ["97999", "97112"]


@pytest.mark.parametrize(
    ("lines", "missing"),
    [
        ([ClaimLine("97112", 2, (), Decimal(120), 24)], "modifier GP is missing"),
        ([ClaimLine("97112", 2, ("GP",), Decimal(120), 24, assistant_minutes=12)], "modifier CQ is missing"),
        ([ClaimLine("97112", 2, ("GP",), Decimal(3000), 24)], "modifier KX is missing"),
    ],
)
def test_a_hand_made_line_without_a_required_modifier_is_refused_with_its_rule(lines, missing) -> None:
    with pytest.raises(BillingRefused, match=missing):
        check_claim_lines(lines, medicare_pt())


def test_a_hand_made_distinct_modifier_does_not_pass_the_same_region() -> None:
    lines = [ClaimLine("98940", 1, (), Decimal(55), region="lumbar"),
             ClaimLine("97140", 1, ("59",), Decimal(45), 15, region="lumbar")]
    with pytest.raises(BillingRefused, match="same region"):
        check_claim_lines(lines, chiro())
    lines[1] = ClaimLine("97140", 1, (), Decimal(45), 15, region="left knee")
    with pytest.raises(BillingRefused, match="modifier 59 is missing"):
        check_claim_lines(lines, chiro())
