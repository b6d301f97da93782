"""The model repetition an exercise's repetitions are compared with (and the simulated patient moves by)."""

from __future__ import annotations

import numpy as np


def minimum_jerk(rest: float, peak: float, duration_s: float, sampling_rate_hz: float) -> np.ndarray:
    """Rest to peak in half the time and back, each half on the minimum-jerk profile
    10t^3 - 15t^4 + 6t^5 (Flash & Hogan 1985)."""
    half = max(2, int(round(duration_s / 2 * sampling_rate_hz)))
    t = np.linspace(0.0, 1.0, half)
    rise = rest + (peak - rest) * (10 * t**3 - 15 * t**4 + 6 * t**5)
    return np.concatenate([rise, rise[-2::-1]])
