"""Change between two administrations against the MDC and MCID, and an episode's trajectory."""

from __future__ import annotations

from datetime import date

import pytest

from reeducate.measures.catalogue import get
from reeducate.measures.change import change, trajectory
from reeducate.measures.results import InvalidResponses


@pytest.mark.parametrize(("baseline", "followup", "mdc", "exceeds"), [
    (46, 50, 4, True), (46, 49, 4, False),  # 45-56: 4 points
    (40, 45, 5, True), (40, 44, 5, False),  # 35-44: 5 points
    (30, 37, 7, True), (30, 36, 7, False),  # 25-34: 7 points
    (20, 25, 5, True), (24, 28, 5, False),  # 0-24: 5 points
])
def test_berg_mdc_depends_on_the_starting_score(baseline, followup, mdc, exceeds) -> None:
    result = change(get("berg"), baseline, followup)
    assert result.mdc[0].value == mdc and result.mdc[0].confidence_pct == 95
    assert result.exceeds_mdc is exceeds


def test_lower_is_better_for_tug_and_odi() -> None:
    tug = change(get("tug"), 15.0, 12.5)
    assert tug.change == -2.5 and tug.direction == "improved" and tug.exceeds_mdc is True
    worse = change(get("odi"), 30, 42)
    assert worse.direction == "worsened" and worse.meets_mcid is False
    better = change(get("odi"), 42, 30)
    assert better.direction == "improved" and better.meets_mcid is True and "MCID met" in better.summary


def test_mcid_boundary_and_every_population_is_reported() -> None:
    result = change(get("six-minute-walk"), 300, 320)
    assert result.meets_mcid is True
    assert [(c.value, c.met) for c in result.mcid] == [(20, True), (30, False)]
    assert "Holland" in result.mcid[1].source


def test_no_published_mdc_is_said_plainly() -> None:
    result = change(get("abc"), 50, 70)
    assert result.exceeds_mdc is None and "no published MDC" in result.summary


def test_change_refuses_a_score_outside_the_range() -> None:
    with pytest.raises(InvalidResponses, match="outside its range"):
        change(get("berg"), 40, 57)


def test_trajectory_is_judged_against_the_first_score() -> None:
    path = trajectory(get("berg"), [(date(2026, 12, 1), 44), (date(2026, 11, 1), 38), (date(2026, 11, 15), 41)])
    assert path.baseline == 38 and path.mdc_band == (33, 43)
    assert [p.change_from_baseline for p in path.points] == [0, 3, 6]
    assert [p.exceeds_mdc for p in path.points] == [False, False, True]
