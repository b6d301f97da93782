"""Steps from a lower-back (L5) accelerometer: initial contacts, step times and step length.

The trunk is decelerated upwards at every heel strike. We take the vertical acceleration along the
recording's mean gravity direction (the static tilt correction of Moe-Nilssen 1998, Clin Biomech
13(4-5):320-327: a sensor strapped on a lordotic back leans by tens of degrees), integrate it and
differentiate it again with a Gaussian derivative at McCamley et al.'s scale (2012, Gait Posture
36(2):316-318: the continuous wavelet transform of the integrated signal with the ``gaus1`` wavelet at
scale 9, i.e. a Gaussian of 9/√2 samples at 100 Hz). McCamley's initial contacts are the minima of
that transform; ``gaus1`` is minus the Gaussian's derivative, so they are the maxima of our
Gaussian-derivative signal (the smoothed upward acceleration of the heel strike), at least
``MIN_STEP_S`` apart and higher than ``MIN_DIP_M_S2``. Left and right cannot be told apart from one
trunk sensor without a model of the pelvis' roll, so steps carry no side.

Step length uses the inverted-pendulum model of Zijlstra & Hof (2003, Gait Posture 18(2):1-10):
2·sqrt(2·l·h − h²), with l the sensor's height and h the trunk's vertical excursion within the step
(double integration, high-passed), when the sensor's height is given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.signal import butter, find_peaks, sosfiltfilt

from reeducate.signals.errors import RecordingError

#: Shortest step (s): a cadence of 200 steps/min is already running.
MIN_STEP_S = 0.3
#: Longest step (s) within walking; a longer interval ends a bout.
MAX_STEP_S = 1.5
#: A peak of the smoothed vertical acceleration lower than this (m/s²) is not a heel strike (ours:
#: walking gives 1-2 m/s² at L5, standing sway well under 0.2). Kept after measuring on Mobilise-D's Test 11:
#: 0.3 or 0.2 finds 7 or 12 more of INDIP's 200 initial contacts for 15 or 25 more extra detections inside
#: its walking bouts (docs/gait.md).
MIN_DIP_M_S2 = 0.4
#: Standard deviation (s) of the Gaussian whose derivative smooths the integrated vertical acceleration:
#: McCamley's ``gaus1`` wavelet (a Gaussian exp(-t²), sigma 1/√2) at scale 9 on 100 Hz data.
GAUSS_SCALE_S = 0.09 / np.sqrt(2)
#: High-pass (Hz) before integrating the vertical acceleration to displacement (drift removal).
HIGH_PASS_HZ = 0.5


@dataclass(frozen=True)
class Steps:
    """Initial contacts (sample indices) and per-step length (m, NaN without the sensor's height)."""

    ic: np.ndarray
    step_length_m: np.ndarray
    yaw_rate_deg_s: np.ndarray | None


def vertical_axis(acc_m_s2: np.ndarray) -> tuple[int, float]:
    """The sensor axis that carries gravity upright and its sign."""
    mean = acc_m_s2.mean(axis=0)
    axis = int(np.argmax(np.abs(mean)))
    if abs(mean[axis]) < 0.7 * np.linalg.norm(mean):
        raise RecordingError("No sensor axis is close to vertical on average; a lower-back sensor is worn upright. "
                             "Check --sensor (foot or lower-back) and the axes.")
    return axis, float(np.sign(mean[axis]))


def vertical_velocity(acc_m_s2: np.ndarray, sampling_rate_hz: float) -> np.ndarray:
    """The integrated vertical acceleration (m/s) along the recording's mean gravity direction, high-passed
    (sitting down or leaning tilts the sensor away from its mean and shifts gravity)."""
    fs = sampling_rate_hz
    gravity = acc_m_s2.mean(axis=0)
    vertical = sosfiltfilt(butter(4, HIGH_PASS_HZ, btype="high", fs=fs, output="sos"),
                           acc_m_s2 @ (gravity / np.linalg.norm(gravity)))
    return np.cumsum(vertical) / fs


def heel_strike_signal(acc_m_s2: np.ndarray, sampling_rate_hz: float) -> np.ndarray:
    """The smoothed upward acceleration (m/s²) whose peaks are the initial contacts (McCamley's transform, sign
    turned; see the module docstring)."""
    fs = sampling_rate_hz
    return gaussian_filter1d(vertical_velocity(acc_m_s2, fs), GAUSS_SCALE_S * fs, order=1) * fs


def detect_steps(acc_m_s2: np.ndarray, gyr_deg_s: np.ndarray | None, sampling_rate_hz: float,
                 sensor_height_m: float | None = None) -> Steps:
    """Initial contacts and step lengths from a lower-back sensor."""
    fs = sampling_rate_hz
    axis, sign = vertical_axis(acc_m_s2)
    ic, _ = find_peaks(heel_strike_signal(acc_m_s2, fs), height=MIN_DIP_M_S2, distance=int(MIN_STEP_S * fs))
    if len(ic) < 3:
        raise RecordingError(f"Only {len(ic)} heel strikes were found; is this walking, with the sensor on the "
                             "lower back?")
    lengths = np.full(len(ic) - 1, np.nan)
    if sensor_height_m is not None:
        sos = butter(4, HIGH_PASS_HZ, btype="high", fs=fs, output="sos")
        height = sosfiltfilt(sos, np.cumsum(sosfiltfilt(sos, vertical_velocity(acc_m_s2, fs))) / fs)
        for k, (a, b) in enumerate(zip(ic[:-1], ic[1:], strict=True)):
            h = float(np.ptp(height[a:b + 1]))
            lengths[k] = 2 * np.sqrt(max(2 * sensor_height_m * h - h * h, 0.0))
    yaw = None
    if gyr_deg_s is not None:
        yaw = sign * gyr_deg_s[:, axis]
    return Steps(ic=ic, step_length_m=lengths, yaw_rate_deg_s=yaw)
