"""Clinical readings of posturography trials, pinned by hand and on real recordings."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from reeducate.signals.balance import analyze_cop
from reeducate.signals.io import read_cop
from reeducate.signals.posturography.clinical import (
    COG_HEIGHT_FRACTION,
    Surface,
    Vision,
    equilibrium_score,
    romberg_quotient,
    sensory_interaction,
    weight_bearing,
)
from reeducate.signals.recording import FootLoads


def test_the_romberg_quotient_is_eyes_closed_over_eyes_open_in_percent() -> None:
    assert romberg_quotient(eyes_open=0.8, eyes_closed=1.2) == pytest.approx(150.0)


def test_the_equilibrium_score_turns_ap_sway_into_an_angle_at_the_centre_of_gravity() -> None:
    height = 170.0
    lever = COG_HEIGHT_FRACTION.value * height
    # AP sway reaching 6.25 deg forward and back spans 12.5 deg: the limit, a score of 0
    reach = lever * math.tan(math.radians(6.25))
    assert equilibrium_score(np.array([-reach, 0.0, reach]), height) == pytest.approx(0.0, abs=1e-9)
    # a quarter of that span scores 75
    quarter = lever * math.tan(math.radians(12.5 / 8))
    assert equilibrium_score(np.array([-quarter, quarter]), height) == pytest.approx(75.0, rel=1e-9)
    assert equilibrium_score(np.zeros(10), height) == 100.0
    with pytest.raises(ValueError, match="height"):
        equilibrium_score(np.zeros(10), 0)


def test_weight_bearing_is_each_foots_share_of_the_total() -> None:
    shares = weight_bearing(FootLoads(left_n=np.full(10, 300.0), right_n=np.full(10, 500.0)))
    assert (shares.left_pct, shares.right_pct, shares.asymmetry_pct) == (37.5, 62.5, 25.0)


def test_the_sensory_comparison_of_a_real_older_subject(example: Callable[[str], Path]) -> None:
    trials = {(Vision.OPEN, Surface.FIRM): "BDS00160.txt", (Vision.CLOSED, Surface.FIRM): "BDS00157.txt",
              (Vision.OPEN, Surface.FOAM): "BDS00166.txt", (Vision.CLOSED, Surface.FOAM): "BDS00163.txt"}
    results = {k: analyze_cop(read_cop(example(v)), height_cm=174.5) for k, v in trials.items()}
    velocity = {k: [r.sway.mean_velocity_cm_s] for k, r in results.items()}
    scores = {k: [r.equilibrium_score] for k, r in results.items()}
    comparison = sensory_interaction("mean sway velocity (cm/s)", velocity, scores)
    firm_open, firm_closed = velocity[(Vision.OPEN, Surface.FIRM)][0], velocity[(Vision.CLOSED, Surface.FIRM)][0]
    assert comparison.romberg_firm_pct == pytest.approx(100 * firm_closed / firm_open)
    assert comparison.romberg_firm_pct > 100  # closing the eyes makes subject 14 sway faster
    base = scores[(Vision.OPEN, Surface.FIRM)][0]
    assert comparison.vestibular_ratio == pytest.approx(scores[(Vision.CLOSED, Surface.FOAM)][0] / base)
    assert comparison.vestibular_ratio < comparison.visual_ratio < 1


def test_a_missing_condition_leaves_its_quotients_empty() -> None:
    comparison = sensory_interaction("v", {(Vision.OPEN, Surface.FIRM): [1.0], (Vision.OPEN, Surface.FOAM): [2.0]}, {})
    assert comparison.romberg_firm_pct is None and comparison.somatosensory_ratio is None
    assert comparison.sway == {"eyes open, firm": 1.0, "eyes open, foam": 2.0}
