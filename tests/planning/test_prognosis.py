"""The goal prognosis: refuses without enough data, says its basis, and its 80 % intervals hold about
80 % of outcomes on a cohort simulated from a published course (Menezes Costa et al. 2012)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from reeducate.planning import calibration, courses
from reeducate.planning.prognosis import (
    MIN_ADMINISTRATIONS,
    MIN_CLINIC_EPISODES,
    NOT_YET,
    Basis,
    GoalSpec,
    Outlook,
    PastEpisode,
    prognose,
)

DAY0 = date(2026, 9, 1)
PAIN = GoalSpec("Pain", higher_is_better=False, minimum=0, maximum=10, target=2, due_on=date(2026, 12, 31))
SPEED = GoalSpec("Walking speed", higher_is_better=True, minimum=0, maximum=None, target=1.2,
                 due_on=date(2026, 11, 1))


def scores(*pairs: tuple[int, float]) -> list[tuple[date, float]]:
    return [(DAY0 + timedelta(days=d), v) for d, v in pairs]


def test_it_refuses_without_enough_data_and_says_why() -> None:
    found = prognose(PAIN, scores((0, 8), (7, 6)), as_of=DAY0 + timedelta(days=7))
    assert found.basis is Basis.NONE and found.expected_on is None and found.low_on is None
    assert found.plain == NOT_YET
    assert "2 scores over 7 days" in found.reason and f"at least {MIN_ADMINISTRATIONS}" in found.reason
    assert "no published course we could verify" in found.reason


def test_two_points_never_make_a_trend_however_far_apart() -> None:
    found = prognose(PAIN, scores((0, 8), (60, 5)), as_of=DAY0 + timedelta(days=60))
    assert found.basis is Basis.NONE


def test_a_goal_already_met_says_so() -> None:
    found = prognose(PAIN, scores((0, 6), (14, 2)), as_of=DAY0 + timedelta(days=14))
    assert found.already_met and found.outlook is Outlook.MET and found.expected_on is None


def test_a_clear_recovery_gives_a_dated_interval_around_its_curve() -> None:
    # True course 8 -> plateau 1 with tau 30 days: it reaches 2 at day 30*ln(7) = 58.
    true = [(d, 1 + 7 * math.exp(-d / 30)) for d in (0, 7, 14, 21, 28, 35)]
    noisy = [(d, v + e) for (d, v), e in zip(true, (0.2, -0.3, 0.1, 0.2, -0.2, 0.1), strict=True)]
    found = prognose(PAIN, scores(*noisy), as_of=DAY0 + timedelta(days=35))
    assert found.basis is Basis.OWN_TREND and found.expected_on is not None and found.low_on is not None
    assert found.low_on <= DAY0 + timedelta(days=58) <= (found.high_on or date.max)
    assert "6 scores over 35 days" in found.reason and "80%" in found.interval
    assert found.plain == "judging from your own progress so far"
    assert found.considered == ()


def test_the_same_seed_gives_the_same_prognosis() -> None:
    data = scores((0, 0.6), (7, 0.7), (14, 0.8), (21, 0.85), (28, 0.9))
    first = prognose(SPEED, data, as_of=DAY0 + timedelta(days=28), random_state=3)
    assert first == prognose(SPEED, data, as_of=DAY0 + timedelta(days=28), random_state=3)
    assert first.basis is Basis.OWN_TREND


def _past(baseline: float, reach_day: int | None, last_day: int = 84) -> PastEpisode:
    days = range(0, last_day + 1, 7)
    return PastEpisode(tuple((DAY0 + timedelta(days=d), baseline - (3 if reach_day is not None and d >= reach_day
                                                                       else 0)) for d in days))


def test_the_clinic_basis_counts_comparable_episodes_and_refuses_below_its_minimum() -> None:
    mine = scores((0, 5))
    few = [_past(5, 28)] * (MIN_CLINIC_EPISODES - 1)
    assert prognose(PAIN, mine, as_of=DAY0, past=few).basis is Basis.NONE
    unlike = few + [_past(9, 28)] * 5  # baselines 4 points away: not comparable
    assert prognose(PAIN, mine, as_of=DAY0, past=unlike).basis is Basis.NONE
    enough = [_past(5, d) for d in (14, 21, 28, 28, 35, 42, 49, 56, 63, 70)]
    found = prognose(PAIN, mine, as_of=DAY0, past=enough, condition="chronic low back pain")
    assert found.basis is Basis.CLINIC_EPISODES
    assert found.low_on == DAY0 + timedelta(days=14) and found.expected_on == DAY0 + timedelta(days=35)
    assert found.high_on == DAY0 + timedelta(days=63)
    assert "10 past episodes of this clinic with chronic low back pain" in found.reason
    assert "own trend: 1 score " in found.considered[0]


def test_the_published_course_is_the_average_and_says_so() -> None:
    course = courses.for_episode("chronic_low_back_pain", "nprs")
    assert course is not None
    goal = GoalSpec("Pain", False, 0, 10, target=4, due_on=date(2027, 6, 1))
    found = prognose(goal, scores((0, 6)), as_of=DAY0, course=course)
    assert found.basis is Basis.PUBLISHED_COURSE and "Menezes Costa" in found.citation
    # 6 x 33/51 = 3.88 at week 6: the average course reaches 4 a little before week 6.
    assert found.expected_on is not None and DAY0 + timedelta(days=35) <= found.expected_on <= DAY0 + timedelta(days=42)
    assert "not an interval for one person" in found.reason and found.interval.startswith("95% CI")


def test_no_verified_course_for_the_ndi_or_neck_pain() -> None:
    assert courses.for_episode("neck_pain", "ndi") is None and courses.for_episode("whiplash", "ndi") is None


def test_published_figures_are_as_the_abstract_gives_them() -> None:
    acute = courses.get("lbp-acute-pain-costa-2012")
    assert [(p.week, p.mean, p.ci_low, p.ci_high) for p in acute.published] == [
        (0, 52, 48, 57), (6, 23, 21, 25), (26, 12, 9, 15), (52, 6, 3, 10)]
    assert acute.points[1].mean == pytest.approx(2.3)


def test_the_simulated_cohort_follows_the_published_mean_course() -> None:
    course = courses.get("lbp-persistent-pain-costa-2012")
    cohort = calibration.simulate(course, 20000, calibration.CohortSettings(), np.random.default_rng(0))
    weeks = [p.week for p in course.points]
    for point, simulated in zip(course.points, cohort.mean_course(weeks), strict=True):
        assert simulated == pytest.approx(point.mean, abs=calibration.MEAN_COURSE_TOLERANCE)


def test_80_percent_intervals_hold_about_80_percent_of_simulated_outcomes() -> None:
    # Tolerance 0.72-0.88: about two standard errors of a proportion near 0.8 over ~150-250 prognoses.
    course = courses.get("lbp-persistent-pain-costa-2012")
    own = calibration.own_trend_coverage(course, 300, random_state=0)
    clinic = calibration.clinic_coverage(course, 300, 300, random_state=0)
    assert own.patients > 100 and clinic.patients > 100
    assert 0.72 <= own.rate <= 0.88, own
    assert 0.72 <= clinic.rate <= 0.88, clinic


def test_a_measure_without_a_maximum_and_no_past_episodes_refuses_plainly() -> None:
    found = prognose(SPEED, scores((0, 0.6)), as_of=DAY0)
    assert found.basis is Basis.NONE and "clinic episodes: 0 past episodes" in found.reason
