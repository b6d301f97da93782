"""Spectral descriptors from the Welch power spectral density (Quijoux et al. 2021, section 3.3).

The spectrum: Welch, Hann windows of 10 s overlapping by half, linear detrend, zero-padded to the
trial's length; descriptors use the 0.15-5 Hz band. Quirk kept from the reference code: its
"power" and "energy" values sum the density bins without multiplying by the bin width, so they are
in cm^2/Hz summed over bins and grow with the trial's length; the balance result's sway summary gives
the physically meant power (cm^2, times the bin width); ratios and frequencies are unaffected.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import welch

from reeducate.signals.posturography.trial import AP, ML, PreparedTrial

BAND_HZ = (0.15, 5.0)
SEGMENT_S = 10.0
LOW_HZ, HIGH_HZ = 0.5, 2.0  # the band edges of the energy contents and the frequency quotient


def spectrum(trial: PreparedTrial) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (Hz) and PSD (cm^2/Hz, n_freq x 2 for ML, AP)."""
    segment = int(SEGMENT_S * trial.rate_hz)
    return welch(  # type: ignore[call-overload]  # scipy-stubs 1.17 misspells detrend "linear" as "literal"
        trial.xy_cm, fs=trial.rate_hz, detrend="linear", nperseg=segment, noverlap=int(0.5 * segment), axis=0,
        nfft=len(trial))


def _one_axis(freqs: np.ndarray, power: np.ndarray, label: str) -> dict[str, float]:
    band = (freqs >= BAND_HZ[0]) & (freqs <= BAND_HZ[1])
    f, p = freqs[band], power[band]
    cumulative = np.cumsum(p)
    m0, m1, m2 = np.sum(p), np.sum(f * p), np.sum(f**2 * p)
    suffix = f"Power_Spectrum_Density_{label}"
    low, high = np.sum(p[f <= LOW_HZ]), np.sum(p[f > HIGH_HZ])
    return {
        f"total_power_{suffix}": float(m0),
        f"power_frequency_50_{suffix}": float(f[cumulative >= cumulative[-1] * 0.5][0]),
        f"power_frequency_95_{suffix}": float(f[cumulative >= cumulative[-1] * 0.95][0]),
        f"frequency_mode_{suffix}": float(f[np.argmax(p)]),
        f"centroid_frequency_{suffix}": float(np.sqrt(m2 / m0)),
        f"frequency_dispersion_{suffix}": float(np.sqrt(1 - m1**2 / (m0 * m2))),
        f"energy_content_below_05_{suffix}": float(low),
        f"energy_content_05_2_{suffix}": float(np.sum(p[(f > LOW_HZ) & (f <= HIGH_HZ)])),
        f"energy_content_above_2_{suffix}": float(high),
        f"frequency_quotient_{suffix}": float(high / np.sum(p[f <= HIGH_HZ])),
    }


def spectral(trial: PreparedTrial) -> dict[str, float]:
    freqs, psd = spectrum(trial)
    return {**_one_axis(freqs, psd[:, ML], "ML"), **_one_axis(freqs, psd[:, AP], "AP")}
