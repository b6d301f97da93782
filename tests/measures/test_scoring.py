"""Scoring each instrument as its published instructions say, including missing items and bounds."""

from __future__ import annotations

from typing import Any

import pytest

from reeducate.measures.catalogue import get
from reeducate.measures.results import InvalidResponses, Patient
from reeducate.measures.scoring import score

WOMAN_75 = Patient(age_years=75, sex="female", height_cm=160, weight_kg=65)


def applies(result, label_start: str) -> bool:
    matches = [i.applies for i in result.interpretations if i.label.startswith(label_start)]
    assert matches, f"no interpretation starting {label_start!r} in {result.interpretations}"
    return matches[0]


# --- item sums -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("answers", "total", "fall_risk"), [
    ([4] * 14, 56, False),
    ([4] * 11 + [1, 0, 0], 45, False),  # the cut-off is below 45
    ([4] * 11 + [0, 0, 0], 44, True),
    ([0] * 14, 0, True),
])
def test_berg_sums_its_items_and_flags_fall_risk_below_45(answers, total, fall_risk) -> None:
    result = score(get("berg"), answers)
    assert (result.score, result.max) == (total, 56)
    assert applies(result, "Increased risk of falls") is fall_risk


def test_berg_with_a_missing_item_is_not_computable_and_says_why() -> None:
    result = score(get("berg"), [4] * 13 + [None])
    assert not result.computable and result.score is None
    assert "14" in result.reason and "no rule for a missing item" in result.reason


@pytest.mark.parametrize(("answers", "message"), [
    ([4] * 13 + [5], "item 14 (Standing on one leg): 5 is not allowed; allowed values are 0, 1, 2, 3, 4"),
    ([4] * 13, "has 14 items; got 13 answers"),
    ([4] * 13 + [float("nan")], "not a number"),
    ([4] * 13 + ["3"], "expected a number"),
    ({"seconds": 3}, "must be a list"),
    ([4] * 12 + [{"left": 2, "right": 2}, 4], "takes one answer"),
])
def test_berg_refuses_answers_it_does_not_allow(answers: Any, message: str) -> None:
    with pytest.raises(InvalidResponses, match=message.replace("(", r"\(").replace(")", r"\)")):
        score(get("berg"), answers)


@pytest.mark.parametrize(("measure", "answers", "total", "label", "applies_"), [
    ("fga", [3] * 10, 30, "Increased risk of falls", False),
    ("fga", [3] * 7 + [2, 2, 2], 27, "Increased risk of falls", False),
    ("fga", [3] * 4 + [1] * 6, 18, "Increased risk of falls", True),
    ("fga", [3] * 2 + [2] * 8, 22, "Increased risk of falls", True),  # 22 or less
    ("fga", [3] * 3 + [2] * 7, 23, "Increased risk of falls", False),
    ("dgi", [3] * 3 + [2] * 5, 19, "Increased risk of falls", True),  # 19 or less
    ("dgi", [3] * 4 + [2] * 4, 20, "Increased risk of falls", False),
    ("tsk-17", [2] * 17, 38, "High kinesiophobia", True),  # reversed items 4,8,12,16: 2 -> 3
    ("tsk-17", [1] * 17, 17 + 4 * 3, "High kinesiophobia", False),
    ("nprs", [7], 7, None, None),
    ("lefs", [4] * 20, 80, None, None),
])
def test_summed_instruments(measure, answers, total, label, applies_) -> None:
    result = score(get(measure), answers)
    assert result.score == total
    if label:
        assert applies(result, label) is applies_


def test_tsk_reverse_scores_items_4_8_12_16() -> None:
    answers = [1] * 17
    for item in (4, 8, 12, 16):
        answers[item - 1] = 4  # strongly agree with a reversed item scores 1
    assert score(get("tsk-17"), answers).score == 17
    assert score(get("tsk-17"), [4] * 17).score == 13 * 4 + 4 * 1


def test_tsk_boundary_of_high_kinesiophobia_is_above_37() -> None:
    answers = [2] * 17
    answers[0] = 1  # 38 - 1 = 37
    result = score(get("tsk-17"), answers)
    assert result.score == 37 and not applies(result, "High kinesiophobia")


def test_mini_bestest_two_sided_items_take_the_lower_side() -> None:
    answers: list[Any] = [2] * 14
    answers[2] = {"left": 2, "right": 1}
    answers[5] = {"left": 0, "right": 2}
    assert score(get("mini-bestest"), answers).score == 28 - 1 - 2


def test_mini_bestest_refuses_a_side_it_does_not_have() -> None:
    answers: list[Any] = [2] * 14
    answers[2] = {"left": 2, "front": 1}
    with pytest.raises(InvalidResponses, match="answered as {left, right}"):
        score(get("mini-bestest"), answers)


# --- percentages and means -----------------------------------------------------------------------


@pytest.mark.parametrize(("answers", "percent", "band"), [
    ([2] * 10, 40, "Moderate disability"),
    ([2] * 9 + [3], 42, "Severe disability"),
    ([1] * 10, 20, "Minimal disability"),
    ([2] * 9 + [None], 40, "Moderate disability"),  # one missing section: 18 / 45
    ([3, 3, 3, 3, 3, 3, 3, None, 4, 4], 64.4, "Crippling back pain"),  # 29/45
])
def test_odi_is_a_percentage_of_the_sections_answered(answers, percent, band) -> None:
    result = score(get("odi"), answers)
    assert result.score == pytest.approx(percent, abs=0.05)
    assert [i.label for i in result.interpretations if i.applies] == [band]


def test_odi_with_two_sections_missing_is_not_computable() -> None:
    result = score(get("odi"), [2] * 8 + [None, None])
    assert not result.computable and "9, 10" in result.reason


@pytest.mark.parametrize(("total", "band"), [(4, "No disability"), (5, "Mild disability"), (14, "Mild disability"),
                                             (15, "Moderate disability"), (34, "Severe disability"),
                                             (35, "Complete disability")])
def test_ndi_bands(total: int, band: str) -> None:
    answers = [5] * (total // 5) + ([total % 5] if total % 5 else [])
    answers += [0] * (10 - len(answers))
    result = score(get("ndi"), answers)
    assert result.score == total and result.percent == total * 2
    assert [i.label for i in result.interpretations if i.applies] == [band]


def test_abc_is_the_mean_and_split_items_take_the_lower_rating() -> None:
    answers: list[Any] = [80] * 16
    answers[1] = {"up": 90, "down": 40}
    result = score(get("abc"), answers)
    assert result.score == pytest.approx((80 * 15 + 40) / 16, abs=0.05)
    assert applies(result, "Increased risk of falls") is False
    assert applies(result, "High level") is False and applies(result, "Moderate level") is True


@pytest.mark.parametrize(("rating", "below_67"), [(66, True), (67, False)])
def test_abc_fall_risk_boundary(rating: int, below_67: bool) -> None:
    assert applies(score(get("abc"), [rating] * 16), "Increased risk of falls") is below_67


def test_abc_refuses_a_split_answer_on_an_item_that_is_not_split() -> None:
    answers: list[Any] = [80] * 16
    answers[0] = {"up": 90, "down": 40}
    with pytest.raises(InvalidResponses, match="item 1"):
        score(get("abc"), answers)


def test_quickdash_formula_and_one_missing_item() -> None:
    assert score(get("quickdash"), [1] * 11).score == 0
    assert score(get("quickdash"), [5] * 11).score == 100
    assert score(get("quickdash"), [3] * 10 + [None]).score == 50
    result = score(get("quickdash"), [3] * 9 + [None, None])
    assert not result.computable and "10 of the 11" in result.reason


def test_quickdash_modules_are_scored_only_when_complete() -> None:
    result = score(get("quickdash"), {"items": [2] * 11, "work": [2, 3, 2, 3], "sports": [2, None, 2, 2]})
    assert result.score == 25
    assert result.subscores == {"work": 37.5, "sports": None}


def test_psfs_takes_three_to_five_activities() -> None:
    assert score(get("psfs"), [4, 5, 6]).score == 5
    assert score(get("psfs"), [4, 5, 6, 7, 8]).score == 6
    with pytest.raises(InvalidResponses, match="3 to 5"):
        score(get("psfs"), [4, 5])
    with pytest.raises(InvalidResponses, match="11 is not allowed"):
        score(get("psfs"), [4, 5, 11])


def test_fabq_scores_both_subscales_and_keeps_one_when_the_other_is_incomplete() -> None:
    answers: list[Any] = [0] * 16
    for item in (2, 3, 4, 5):
        answers[item - 1] = 6
    for item in (6, 7, 9, 10, 11, 12, 15):
        answers[item - 1] = 5
    result = score(get("fabq"), answers)
    assert result.subscores == {"physical_activity": 24, "work": 35}
    assert applies(result, "Elevated work") is True
    answers[14] = None
    partial = score(get("fabq"), answers)
    assert partial.computable and partial.subscores == {"physical_activity": 24, "work": None}
    assert [i.label for i in partial.interpretations] == []


# --- timed and counted tests ---------------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "steadi", "shumway"), [(11.9, False, False), (12.0, True, False),
                                                            (13.4, True, False), (13.5, True, True)])
def test_tug_cut_offs(seconds: float, steadi: bool, shumway: bool) -> None:
    result = score(get("tug"), {"seconds": seconds})
    assert result.score == seconds and result.unit == "seconds"
    assert applies(result, "At risk of falling") is steadi
    assert applies(result, "Increased risk of falls") is shumway


def test_tug_compares_with_the_age_norm_when_the_age_is_known() -> None:
    result = score(get("tug"), {"seconds": 10.5}, Patient(age_years=74))
    assert applies(result, "Worse than the age-group reference") is True
    assert not any("reference" in i.label for i in score(get("tug"), {"seconds": 10.5}).interpretations)


@pytest.mark.parametrize("responses", [{"seconds": -1}, {"seconds": 0}, {"secs": 9}, {"seconds": "9"},
                                       {"seconds": float("inf")}, [9.0]])
def test_timed_tests_refuse_impossible_times(responses: Any) -> None:
    with pytest.raises(InvalidResponses):
        score(get("tug"), responses)


@pytest.mark.parametrize(("seconds", "risk"), [(14.9, False), (15.0, True)])
def test_tug_cognitive_cut_off(seconds: float, risk: bool) -> None:
    assert applies(score(get("tug-cognitive"), {"seconds": seconds}), "Increased risk") is risk


def test_ftsts_cut_offs() -> None:
    result = score(get("ftsts"), {"seconds": 15.0})
    assert applies(result, "Increased risk of multiple") is True
    assert applies(result, "Increased risk of recurrent") is False
    assert applies(score(get("ftsts"), {"seconds": 11.9}), "Increased risk of multiple") is False


@pytest.mark.parametrize(("sex", "age", "stands", "below"), [
    ("female", 72, 10, False), ("female", 72, 9, True), ("male", 62, 13, True), ("male", 62, 14, False),
    ("female", 91, 4, False), ("female", 91, 3, True),
])
def test_chair_stand_uses_the_steadi_age_and_sex_table(sex, age, stands, below) -> None:
    result = score(get("chair-stand-30s"), {"stands": stands}, Patient(age_years=age, sex=sex))
    assert applies(result, "Below average") is below


def test_chair_stand_with_arms_used_scores_zero() -> None:
    result = score(get("chair-stand-30s"), {"stands": 12, "used_arms": True}, WOMAN_75)
    assert result.score == 0 and result.details["stands_counted"] == 12


def test_chair_stand_needs_age_and_sex() -> None:
    with pytest.raises(InvalidResponses, match="age_years, sex"):
        score(get("chair-stand-30s"), {"stands": 12})
    with pytest.raises(InvalidResponses, match="whole number"):
        score(get("chair-stand-30s"), {"stands": 11.5}, WOMAN_75)


@pytest.mark.parametrize(("stages", "held", "risk"), [
    ([10, 10, 10, 10], 4, False), ([10, 10, 10, 3.2], 3, False), ([10, 10, 9.9, None], 2, True),
    ([4, None, None, None], 0, True),
])
def test_steadi_4_stage_counts_stances_held_10_seconds(stages, held, risk) -> None:
    result = score(get("steadi-4-stage"), {"stage_seconds": stages})
    assert result.score == held
    assert applies(result, "Increased risk of falling") is risk


def test_single_leg_stance_age_norm_and_the_5_second_rule() -> None:
    result = score(get("single-leg-stance"), {"seconds": 4.0}, Patient(age_years=82))
    assert applies(result, "Increased risk of injurious falls") is True
    assert applies(result, "Worse than the age-group reference") is True
    closed = score(get("single-leg-stance"), {"seconds": 4.0, "eyes_closed": True}, Patient(age_years=82))
    assert closed.interpretations == []  # no eyes-closed cut-off or norm is shipped
    with pytest.raises(InvalidResponses, match="age_years"):
        score(get("single-leg-stance"), {"seconds": 4.0})


def test_mctsib_averages_three_trials_of_a_failed_condition() -> None:
    result = score(get("mctsib"), {"conditions": [[30], [30], [20, 25, 30], [5, 6, 7]]})
    assert result.subscores == {"firm_eyes_open": 30, "firm_eyes_closed": 30, "foam_eyes_open": 25,
                                "foam_eyes_closed": 6}
    assert result.score == 91
    assert applies(result, "Loses balance on foam with eyes closed") is True


def test_mctsib_failed_condition_without_three_trials_is_not_computable() -> None:
    result = score(get("mctsib"), {"conditions": [[30], [30], [30], [5, 6]]})
    assert not result.computable and "Foam surface eyes closed" in result.reason
    with pytest.raises(InvalidResponses, match="0 to 30 s"):
        score(get("mctsib"), {"conditions": [[30], [30], [30], [31]]})


@pytest.mark.parametrize(("seconds", "speed", "label"), [(25.1, 0.24, "Household"), (15.0, 0.4, "Limited"),
                                                          (12.5, 0.48, "Limited"), (7.5, 0.8, "Limited"),
                                                          (7.4, 0.81, "Community ambulator")])
def test_gait_speed_and_community_ambulation_classes(seconds, speed, label) -> None:
    result = score(get("gait-speed-10m"), {"distance_m": 6, "seconds": seconds})
    assert result.score == pytest.approx(speed, abs=0.005)
    assert [i.label for i in result.interpretations if i.applies][0].startswith(label)


def test_six_minute_walk_uses_enright_and_sherrill() -> None:
    result = score(get("six-minute-walk"), {"distance_m": 400}, WOMAN_75)
    # women: 2.11 x 160 - 2.29 x 65 - 5.78 x 75 + 667 = 422.25 m; lower limit 139 m less
    assert result.details["predicted_m"] == 422 and result.details["lower_limit_m"] == 283
    man = score(get("six-minute-walk"), {"distance_m": 300},
                Patient(age_years=70, sex="male", height_cm=175, weight_kg=80))
    # men: 7.57 x 175 - 5.02 x 70 - 1.76 x 80 - 309 = 523.55 m; lower limit 153 m less
    assert man.details["predicted_m"] == 524 and man.details["below_lower_limit"] is True  # 300 < 524 - 153
    with pytest.raises(InvalidResponses, match="height_cm, weight_kg"):
        score(get("six-minute-walk"), {"distance_m": 400}, Patient(age_years=75, sex="female"))
