"""Each descriptor's definition, pinned on signals whose answer can be worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from reeducate.signals.balance import analyze_cop, quijoux_values, sway_summary
from reeducate.signals.errors import RecordingError
from reeducate.signals.posturography import diffusion
from reeducate.signals.posturography.docs import balance_markdown, descriptor_keys
from reeducate.signals.posturography.dynamic import _run_ends, velocity_peaks
from reeducate.signals.posturography.positional import planar_diameter, principal_sway_direction_deg
from reeducate.signals.posturography.trial import PreparedTrial
from reeducate.signals.recording import cop_recording

RATE = 25.0


def trial(ml: np.ndarray, ap: np.ndarray, rate: float = RATE) -> PreparedTrial:
    return PreparedTrial(xy_cm=np.column_stack([ml, ap]), rate_hz=rate, mean_cm=(0.0, 0.0))


def circle(radius_cm: float = 1.0, turns_hz: float = 0.5, seconds: float = 60.0) -> PreparedTrial:
    t = np.arange(int(seconds * RATE)) / RATE
    angle = 2 * np.pi * turns_hz * t
    return trial(radius_cm * np.cos(angle), radius_cm * np.sin(angle))


def test_a_circle_has_its_radius_as_every_distance_and_its_diameter_as_range() -> None:
    values = quijoux_values(circle(radius_cm=1.0))
    for key in ("mean_distance_Radius", "maximal_distance_Radius", "rms_Radius", "planar_deviation_ML_AND_AP"):
        assert values[key] == pytest.approx(1.0, rel=1e-9), key
    assert values["rms_ML"] == pytest.approx(1 / math.sqrt(2), rel=1e-9)
    assert values["range_ML"] == pytest.approx(2.0, rel=1e-9)
    assert values["range_ML_AND_AP"] == pytest.approx(2.0, rel=1e-9)
    assert abs(values["coefficient_sway_direction_ML_AND_AP"]) < 1e-9


def test_a_circle_travelled_at_half_a_turn_a_second() -> None:
    t = circle(radius_cm=1.0, turns_hz=0.5)
    values = quijoux_values(t)
    summary = sway_summary(t, values)
    step = 2 * np.pi * 0.5 / RATE  # angle turned between samples
    assert summary.mean_velocity_cm_s == pytest.approx(2 * np.sin(step / 2) * RATE, rel=1e-9)  # chord x rate
    assert summary.mean_velocity_cm_s == pytest.approx(2 * np.pi * 1.0 * 0.5, rel=1e-3)  # ~ 2 pi R f
    # each step sweeps a triangle of area sin(step)/2; the reference divides twice that area sum by 2 x duration
    assert values["sway_area_per_second_ML_AND_AP"] == pytest.approx(np.sin(step) / 2 * RATE, rel=1e-9)
    assert values["mean_frequency_ML_AND_AP"] == pytest.approx(0.5, rel=1e-3)  # turns per second


def test_the_ellipse_area_is_the_small_sample_95_percent_prediction_ellipse() -> None:
    t = circle(radius_cm=2.0)
    n = len(t)
    expected = 2 * np.pi * stats.f.ppf(0.95, 2, n - 2) * (2.0**2 / 2) * (n + 1) * (n - 1) / (n * (n - 2))
    assert quijoux_values(t)["confidence_ellipse_area_ML_AND_AP"] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("angle_deg", [0.0, 30.0, 60.0, 90.0])
def test_a_straight_line_gives_its_angle_from_ap_and_full_correlation(angle_deg: float) -> None:
    s = np.sin(2 * np.pi * 0.3 * np.arange(1500) / RATE)
    ml, ap = s * math.sin(math.radians(angle_deg)), s * math.cos(math.radians(angle_deg))
    t = trial(ml, ap)
    assert principal_sway_direction_deg(t) == pytest.approx(angle_deg, abs=1e-9)
    assert planar_diameter(t.xy_cm) == pytest.approx(np.ptp(s), rel=1e-12)  # collinear: no hull
    if 0 < angle_deg < 90:  # on an axis the other axis's RMS is 0 and the coefficient undefined
        coefficient = quijoux_values(t)["coefficient_sway_direction_ML_AND_AP"]
        assert abs(coefficient) == pytest.approx(1.0, rel=1e-9)


def test_white_noise_has_its_variance_as_power_and_a_flat_diffusion_plot() -> None:
    sigma = 0.5
    rng = np.random.default_rng(seed=7)
    t = trial(rng.normal(0, sigma, 6000), rng.normal(0, sigma, 6000))
    values = quijoux_values(t)
    summary = sway_summary(t, values)
    assert values["rms_AP"] == pytest.approx(sigma, rel=0.03)
    band_share = (5.0 - 0.15) / (RATE / 2)  # white noise spreads its variance evenly up to Nyquist
    assert summary.total_power_ap_cm2 == pytest.approx(sigma**2 * band_share, rel=0.05)
    assert summary.total_power_ml_cm2 == pytest.approx(sigma**2 * band_share, rel=0.05)
    # the reference's bin sum is the integral divided by the bin width rate/n
    assert values["total_power_Power_Spectrum_Density_AP"] == pytest.approx(
        summary.total_power_ap_cm2 * len(t) / RATE, rel=1e-12)
    assert abs(values["short_time_scaling_Diffusion_AP"]) < 0.05  # MSD = 2 sigma^2 at every lag
    assert abs(values["long_time_scaling_Diffusion_AP"]) < 0.05


def test_a_random_walk_diffuses_with_a_scaling_exponent_of_one_half() -> None:
    rng = np.random.default_rng(seed=11)
    t = trial(np.cumsum(rng.normal(0, 0.01, 6000)), np.cumsum(rng.normal(0, 0.01, 6000)))
    assert quijoux_values(t)["short_time_scaling_Diffusion_ML"] == pytest.approx(0.5, abs=0.05)


def test_a_pure_sine_puts_mode_centroid_and_median_at_its_frequency() -> None:
    seconds, frequency, amplitude = 60, 1.0, 0.8
    time = np.arange(int(seconds * RATE)) / RATE
    t = trial(0.01 * np.sin(2 * np.pi * 3.3 * time), amplitude * np.sin(2 * np.pi * frequency * time))
    values = quijoux_values(t)
    bin_width = RATE / len(t)
    for key in ("frequency_mode", "power_frequency_50", "centroid_frequency"):
        assert values[f"{key}_Power_Spectrum_Density_AP"] == pytest.approx(frequency, abs=2 * bin_width), key
    assert values["frequency_dispersion_Power_Spectrum_Density_AP"] < 0.1
    assert sway_summary(t, values).total_power_ap_cm2 == pytest.approx(amplitude**2 / 2, rel=0.02)
    assert values["energy_content_05_2_Power_Spectrum_Density_AP"] > 0.99 * values[
        "total_power_Power_Spectrum_Density_AP"]


def test_velocity_of_a_sine_crosses_zero_twice_a_cycle_and_peaks_at_two_pi_f_a() -> None:
    time = np.arange(1500) / RATE
    velocity = 2 * np.pi * 0.5 * 0.8 * np.cos(2 * np.pi * 0.5 * time + 0.1)
    peaks = velocity_peaks(velocity, "SPD_AP")
    assert peaks["zero_crossing_SPD_AP"] == 60  # 30 cycles
    assert peaks["peak_velocity_all_SPD_AP"] == pytest.approx(2 * np.pi * 0.5 * 0.8, rel=1e-2)


def test_sway_density_counts_the_samples_that_stay_within_the_radius() -> None:
    # three plateaus 2 cm apart, 10, 20 and 5 samples long: every sample's run is its plateau
    steps = np.repeat([0.0, 2.0, 4.0], [10, 20, 5])
    forward, backward = _run_ends(steps, np.zeros_like(steps), 0.3, 1), _run_ends(steps, np.zeros_like(steps), 0.3, -1)
    assert list(forward[:10]) == [9] * 10 and list(backward[:10]) == [0] * 10
    assert list(forward[10:30]) == [29] * 20 and list(backward[10:30]) == [10] * 20
    assert list(forward[30:]) == [34] * 4 and list(backward[30:]) == [30] * 4


@pytest.mark.parametrize(("step_cm", "n"), [(0.05, 400), (0.005, 600), (0.2, 50), (0.05, 2)])
def test_sway_density_runs_match_a_sample_by_sample_search(step_cm: float, n: int) -> None:
    rng = np.random.default_rng(seed=3)
    x, y = np.cumsum(rng.normal(0, step_cm, n)), np.cumsum(rng.normal(0, step_cm, n))

    def brute(t: int, step: int) -> int:
        s = t + step
        while 0 <= s < len(x) and math.hypot(x[s] - x[t], y[s] - y[t]) <= 0.3:
            s += step
        return s - step

    assert list(_run_ends(x, y, 0.3, 1)) == [brute(t, 1) for t in range(len(x) - 1)]
    assert list(_run_ends(x, y, 0.3, -1)) == [brute(t, -1) for t in range(len(x) - 1)]


def test_native_preset_keeps_the_recording_rate_and_quijoux2021_resamples_to_25_hz() -> None:
    time = np.arange(3000) / 100.0
    recording = cop_recording(ap_m=0.005 * np.sin(2 * np.pi * 0.4 * time), ml_m=0.002 * np.cos(time),
                              sampling_rate_hz=100.0, source="sine")
    native, reference = analyze_cop(recording, "native"), analyze_cop(recording, "quijoux2021")
    assert (native.sampling_rate_hz, native.n_samples) == (100.0, 3000)
    # the reference drops the first 0.1 s and the last sample, then steps 0.04 s from 0.1 s to 29.98 s
    assert (reference.sampling_rate_hz, reference.n_samples) == (25.0, 748)
    assert native.sway.rms_ap_cm == pytest.approx(0.5 / math.sqrt(2), rel=0.01)
    assert reference.sway.rms_ap_cm == pytest.approx(0.5 / math.sqrt(2), rel=0.01)


def test_the_balance_page_is_generated_from_the_engine() -> None:
    page = Path(__file__).parents[2] / "docs" / "balance.md"
    assert page.read_text() == balance_markdown(), "run: reeducate balance docs > docs/balance.md"
    assert len(descriptor_keys()) == 75


def test_diffusion_fits_done_in_blocks_equal_the_fits_done_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed=9)
    t = trial(np.cumsum(rng.normal(0, 0.01, 1500)), np.cumsum(rng.normal(0, 0.01, 1500)))
    at_once = diffusion.diffusion(t)
    monkeypatch.setattr(diffusion, "MAX_FIT_CELLS", 1000)  # one candidate split per block
    assert diffusion.diffusion(t) == at_once


def test_a_recording_too_slow_for_the_low_pass_is_refused() -> None:
    time = np.arange(600) / 20.0
    recording = cop_recording(ap_m=0.005 * np.sin(time), ml_m=0.002 * np.cos(time), sampling_rate_hz=20.0,
                              source="slow")
    for preset in ("quijoux2021", "native"):
        with pytest.raises(RecordingError, match="sampled at 20 Hz"):
            analyze_cop(recording, preset)


def test_a_recording_whose_cop_never_moves_one_way_is_refused_rather_than_divided_by() -> None:
    # found by the fuzz run (C3D param8, seed 756): a flat AP channel made the range ratio divide by zero
    time = np.arange(3000) / 100.0
    recording = cop_recording(ap_m=np.full(3000, 0.01), ml_m=0.002 * np.cos(time), sampling_rate_hz=100.0,
                              source="flat")
    for preset in ("quijoux2021", "native"):
        with pytest.raises(RecordingError, match="never moves antero-posteriorly"):
            analyze_cop(recording, preset)
