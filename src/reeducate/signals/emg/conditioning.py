"""Conditioning of raw surface EMG, every filter designed from the recording's own rate.

- Band-pass 20-450 Hz (4th-order Butterworth, zero phase): the 20 Hz corner removes movement artefact and
  baseline wander (De Luca et al. 2010, J Biomech 43:1573-1579, recommend 20 Hz); the upper corner is 450 Hz
  or 90 % of the Nyquist frequency when the rate is lower (a 250 Hz file keeps 20-112.5 Hz).
- Notch at the mains frequency and its harmonics, only where the spectrum shows a line there (a notch where
  there is no interference would only remove EMG).
- Full-wave rectification, then a low-pass: the linear envelope (6 Hz for amplitude, as Winter's gait EMG
  processing; 50 Hz for onset detection, Hodges & Bui 1996).
- Moving RMS over a window in seconds.

``StreamingEnvelope`` does the same band-pass, rectification and envelope one block at a time with the
filters' state carried between blocks (causal: live biofeedback cannot look ahead).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import signal

HIGH_PASS_HZ = 20.0
LOW_PASS_HZ = 450.0
#: The upper corner never passes this share of the Nyquist frequency (our setting).
NYQUIST_SHARE = 0.9
FILTER_ORDER = 4
#: Linear envelope cut-offs (Hz): amplitude (Winter 2009, Biomechanics and Motor Control of Human Movement,
#: 4th ed., section 10.2) and onset detection (Hodges & Bui 1996, Electroencephalogr Clin Neurophysiol
#: 101:511-519).
AMPLITUDE_ENVELOPE_HZ = 6.0
ONSET_ENVELOPE_HZ = 50.0
MAINS_HZ = (50.0, 60.0)
#: A mains line is present when its power is this many times the median power 3-10 Hz around it (our setting).
MAINS_PROMINENCE = 10.0
NOTCH_QUALITY = 30.0


def band(rate_hz: float) -> tuple[float, float]:
    """The band-pass corners (Hz) for this rate."""
    return HIGH_PASS_HZ, min(LOW_PASS_HZ, NYQUIST_SHARE * rate_hz / 2)


@lru_cache(maxsize=32)
def band_pass_sos(rate_hz: float) -> np.ndarray:
    """The band-pass as second-order sections, for this rate."""
    return np.asarray(signal.butter(FILTER_ORDER, band(rate_hz), btype="bandpass", fs=rate_hz, output="sos"))


@lru_cache(maxsize=32)
def low_pass_sos(cutoff_hz: float, rate_hz: float) -> np.ndarray:
    """A 4th-order Butterworth low-pass for the envelope (cut-off capped below Nyquist)."""
    cutoff = min(cutoff_hz, NYQUIST_SHARE * rate_hz / 2)
    return np.asarray(signal.butter(FILTER_ORDER, cutoff, btype="lowpass", fs=rate_hz, output="sos"))


def mains_lines(samples: np.ndarray, rate_hz: float) -> tuple[float, ...]:
    """The mains frequency and harmonics below Nyquist that stand out of the spectrum, else ()."""
    nperseg = int(min(samples.size, 4 * rate_hz))
    frequencies, power = signal.welch(samples, fs=rate_hz, nperseg=nperseg)
    resolution = frequencies[1] - frequencies[0]

    def prominent(f: float) -> bool:
        line = power[np.abs(frequencies - f) <= max(resolution, 0.5)].max(initial=0.0)
        around = power[(np.abs(frequencies - f) >= 3) & (np.abs(frequencies - f) <= 10)]
        return around.size > 0 and line > MAINS_PROMINENCE * float(np.median(around))

    for mains in MAINS_HZ:
        if mains < rate_hz / 2 and prominent(mains):
            harmonics = np.arange(mains, rate_hz / 2, mains)
            return tuple(float(f) for f in harmonics if prominent(f))
    return ()


def condition(samples: np.ndarray, rate_hz: float, *, notch: bool = True) -> tuple[np.ndarray, tuple[float, ...]]:
    """Band-passed (and notched where mains shows) EMG, zero phase, with the notched frequencies (Hz)."""
    out = signal.sosfiltfilt(band_pass_sos(rate_hz), samples - np.mean(samples))
    lines = mains_lines(out, rate_hz) if notch else ()
    for frequency in lines:
        b, a = signal.iirnotch(frequency, NOTCH_QUALITY, fs=rate_hz)
        out = signal.filtfilt(b, a, out)
    return out, lines


def envelope(conditioned: np.ndarray, rate_hz: float, cutoff_hz: float = AMPLITUDE_ENVELOPE_HZ) -> np.ndarray:
    """The linear envelope: full-wave rectified, zero-phase low-passed, never below zero."""
    return np.maximum(signal.sosfiltfilt(low_pass_sos(cutoff_hz, rate_hz), np.abs(conditioned)), 0.0)


def moving_mean(values: np.ndarray, width: int, *, trailing: bool = False) -> np.ndarray:
    """Mean over a window of ``width`` samples, centred or ending at each sample (``trailing``; shorter at the
    ends), same length, O(n)."""
    width = max(1, min(width, values.size))
    sums = np.concatenate(([0.0], np.cumsum(values, dtype=float)))
    starts = np.clip(np.arange(values.size) - (width - 1 if trailing else width // 2), 0, values.size)
    ends = np.clip(starts + width, 0, values.size)
    return (sums[ends] - sums[starts]) / np.maximum(ends - starts, 1)


def moving_rms(conditioned: np.ndarray, rate_hz: float, window_s: float) -> np.ndarray:
    """RMS over a centred window of ``window_s`` seconds, same length as the input."""
    return np.sqrt(np.maximum(moving_mean(conditioned**2, round(window_s * rate_hz)), 0.0))


@dataclass
class StreamingEnvelope:
    """Band-pass, rectify and low-pass one block at a time (causal), as live feedback needs. With
    ``channels``, each block is (channels, samples) and every channel is filtered in the same call; with
    ``also_hz``, ``push_both`` also gives the envelope at that cut-off from the same band-passed samples."""

    rate_hz: float
    cutoff_hz: float = AMPLITUDE_ENVELOPE_HZ
    channels: int | None = None
    also_hz: float | None = None
    _band: np.ndarray = field(init=False, repr=False)
    _lows: list[np.ndarray] = field(init=False, repr=False)
    _band_state: np.ndarray = field(init=False, repr=False)
    _low_states: list[np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._band = band_pass_sos(self.rate_hz)
        self._lows = [low_pass_sos(cutoff, self.rate_hz) for cutoff in (self.cutoff_hz, self.also_hz)
                      if cutoff is not None]
        lanes = () if self.channels is None else (self.channels,)
        self._band_state = np.zeros((self._band.shape[0], *lanes, 2))
        self._low_states = [np.zeros((low.shape[0], *lanes, 2)) for low in self._lows]

    def _envelopes(self, block: np.ndarray) -> list[np.ndarray]:
        band_passed, self._band_state = signal.sosfilt(self._band, block, axis=-1, zi=self._band_state)
        rectified = np.abs(band_passed)
        out = []
        for k, low in enumerate(self._lows):
            smoothed, self._low_states[k] = signal.sosfilt(low, rectified, axis=-1, zi=self._low_states[k])
            out.append(np.maximum(smoothed, 0.0))
        return out

    def push(self, block: np.ndarray) -> np.ndarray:
        """The envelope of this block's samples (same shape), continuing from the previous block."""
        return self._envelopes(block)[0]

    def push_both(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The envelopes at ``cutoff_hz`` and at ``also_hz`` of this block, the band-pass done once."""
        if self.also_hz is None:
            raise ValueError("push_both needs also_hz: the second envelope's cut-off (Hz).")
        first, second = self._envelopes(block)
        return first, second
