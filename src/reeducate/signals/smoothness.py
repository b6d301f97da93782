"""Movement smoothness by the spectral arc length (SPARC).

Balasubramanian, Melendez-Calderon, Roby-Brami & Burdet (2015), "On the analysis of movement
smoothness", J NeuroEng Rehabil 12:112. The speed profile's Fourier magnitude, normalised to its
value at 0 Hz, is cut at the highest frequency (at most 10 Hz) where it still exceeds 5% of that
value; SPARC is minus the arc length of that curve over normalised frequency. A single smooth bell
scores about -1.4 (a minimum-jerk profile, -1.41 here); every hesitation or corrective sub-movement lengthens the arc and lowers the score.
Values are dimensionless and independent of the movement's amplitude and duration.
"""

from __future__ import annotations

import numpy as np

#: Highest frequency a voluntary movement's speed profile is looked at (Balasubramanian 2015), Hz.
MAX_FREQUENCY_HZ = 10.0
#: Relative magnitude below which the spectrum is treated as noise (Balasubramanian 2015).
AMPLITUDE_THRESHOLD = 0.05
#: Zero padding: the FFT length is the next power of two above the signal, times 2**PADDING_LEVEL.
PADDING_LEVEL = 4


def sparc(speed: np.ndarray, sampling_rate_hz: float) -> float | None:
    """SPARC of one movement's speed profile (any unit per second); None for fewer than 3 samples."""
    speed = np.asarray(speed, dtype=float)
    if speed.size < 3 or not np.all(np.isfinite(speed)) or not np.any(speed):
        return None
    n_fft = int(2 ** (np.ceil(np.log2(speed.size)) + PADDING_LEVEL))
    frequency_hz = np.fft.rfftfreq(n_fft, d=1.0 / sampling_rate_hz)
    magnitude = np.abs(np.fft.rfft(speed, n_fft))
    magnitude = magnitude / magnitude[0] if magnitude[0] > 0 else magnitude / magnitude.max()
    within = frequency_hz <= MAX_FREQUENCY_HZ
    frequency_hz, magnitude = frequency_hz[within], magnitude[within]
    above = np.flatnonzero(magnitude >= AMPLITUDE_THRESHOLD)
    last = int(above[-1]) + 1 if above.size else 2
    frequency_hz, magnitude = frequency_hz[:last], magnitude[:last]
    if frequency_hz.size < 2:
        return None
    normalised_frequency = frequency_hz / frequency_hz[-1]
    return -float(np.sum(np.hypot(np.diff(normalised_frequency), np.diff(magnitude))))
