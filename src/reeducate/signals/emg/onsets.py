"""Onset and offset of muscle activity in one conditioned EMG channel: paired bursts, with the method and
its parameters, the rest segment the thresholds came from, and why a burst might be doubtful.

Methods (``detect_bursts(method=...)``):
- ``auto`` (the default): the rest level is found, not assumed. The log of the moving RMS (0.25 s) falls
  into a rest class and an active class, split by Otsu's threshold (Otsu 1979, IEEE Trans Syst Man Cybern
  9:62-66), which needs no rest segment and is not pulled by a few large spikes; active stretches are kept
  with hysteresis (off halfway, in log units, between the rest level and the threshold). The rest is the
  samples the split calls rest, away from any active stretch; each onset and offset is then placed on the
  50 Hz envelope against that rest (mean + 3 SD over a 25 ms window, as Hodges & Bui 1996), so the RMS
  window's smearing does not move them.
- ``hodges_bui``: Hodges & Bui 1996 (Electroencephalogr Clin Neurophysiol 101:511-519): the 50 Hz linear
  envelope's mean over a 25 ms window above the rest's mean + h SD (h = 3).
- ``bonato``: Bonato, D'Alessio & Knaflitz 1998 (IEEE Trans Biomed Eng 45:287-299): the sum of two successive
  squared samples over the rest variance is chi-square with 2 degrees of freedom under noise; a sample is
  "on" when at least r0 of m successive values exceed zeta (zeta set from a false-alarm probability).
- ``tkeo``: the Teager-Kaiser energy operator before the threshold (Li, Zhou & Aruin 2007, Med Eng Phys
  29:1069; Solnik et al. 2010, Eur J Appl Physiol 110:489-498): x[n]^2 - x[n-1] x[n+1], rectified, 50 Hz
  envelope, rest mean + h SD.

Every method ends the same way: stretches closer than the merge gap are one burst, bursts shorter than the
minimum are dropped. Those two, the windows and h are our settings unless a source is named with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reeducate.signals.emg.conditioning import ONSET_ENVELOPE_HZ, envelope, moving_mean, moving_rms
from reeducate.signals.errors import RecordingError

Method = Literal["auto", "hodges_bui", "bonato", "tkeo"]
METHODS: tuple[Method, ...] = ("auto", "hodges_bui", "bonato", "tkeo")

#: Shortest burst kept (s) and the gap below which two stretches are one burst (s): our settings.
MIN_BURST_S = 0.03
MERGE_GAP_S = 0.1
#: The moving-RMS window that separates rest from activity (s): our setting; the emgGO tibialis count is
#: the same for any window from 0.15 to 0.5 s.
RMS_WINDOW_S = 0.25
#: Hodges & Bui 1996: the envelope's mean over this window (s) against rest mean + h SD.
HODGES_WINDOW_S = 0.025
HODGES_H = 3.0
#: The active class must be at least this many times the rest RMS for any burst to stand out (our setting).
MIN_CONTRAST = 2.0
#: Below this contrast, onsets are reported with a warning (our setting).
CLEAR_CONTRAST = 3.0
#: A rest segment to calibrate from must last at least this (s): our setting.
MIN_REST_S = 0.5
#: Bonato et al. 1998 test: r0 of m successive values over zeta; zeta for this false-alarm probability per value.
BONATO_M = 5
BONATO_R0 = 1
BONATO_FALSE_ALARM = 0.001
#: TKEO threshold: rest mean + h SD of the TKEO envelope (our setting).
TKEO_H = 8.0


@dataclass(frozen=True)
class Burst:
    """One activation: onset and offset in seconds from the recording's start."""

    onset_s: float
    offset_s: float

    @property
    def duration_s(self) -> float:
        return self.offset_s - self.onset_s


@dataclass(frozen=True)
class Detection:
    """The bursts of one channel and how they were found."""

    method: Method
    parameters: Mapping[str, float]
    bursts: tuple[Burst, ...]
    rest_s: tuple[float, float] | None
    contrast: float | None
    warnings: tuple[str, ...] = ()
    threshold: float | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "method": self.method, "parameters": dict(self.parameters),
            "rest_s": list(self.rest_s) if self.rest_s else None,
            "contrast": None if self.contrast is None else round(self.contrast, 2),
            "bursts": [{"onset_s": round(b.onset_s, 4), "offset_s": round(b.offset_s, 4)} for b in self.bursts],
            "warnings": list(self.warnings),
        }


def detect_bursts(conditioned: np.ndarray, rate_hz: float, *, method: Method = "auto",
                  rest_s: tuple[float, float] | None = None, min_burst_s: float = MIN_BURST_S,
                  merge_gap_s: float = MERGE_GAP_S) -> Detection:
    """The bursts of a band-passed channel (``conditioning.condition``). ``rest_s`` (start, end in s) names a
    rest segment to calibrate from; without it, one is found. Paired: every onset has its offset."""
    if method not in METHODS:
        raise RecordingError(f"unknown onset method {method!r}; choose one of {', '.join(METHODS)}.")
    active, rest, contrast = _activity_split(conditioned, rate_hz)
    notes: list[str] = []
    common = {"min_burst_s": min_burst_s, "merge_gap_s": merge_gap_s}
    if contrast < MIN_CONTRAST and rest_s is None:
        notes.append(f"no contraction stands out of the rest level (the most active part is {contrast:.1f} times "
                     f"the rest's RMS, below {MIN_CONTRAST:g}): no burst is reported.")
        return Detection(method, {"rms_window_s": RMS_WINDOW_S, **common}, (), None, contrast, tuple(notes))
    if rest_s is not None:
        rest = _given_rest(rest_s, conditioned.size, rate_hz)
    if rest.sum() < MIN_REST_S * rate_hz:
        raise RecordingError(f"no rest of at least {MIN_REST_S:g} s to calibrate from; record a moment of rest "
                             "before the contraction, or name one (--rest START,END in s).")
    if contrast < CLEAR_CONTRAST:
        notes.append(f"the bursts are weak against the rest ({contrast:.1f} times its RMS): check onsets by eye.")
    if method == "auto":
        on, parameters, threshold = _auto(conditioned, rate_hz, active, rest)
    elif method == "hodges_bui":
        on, parameters, threshold = _hodges_bui(conditioned, rate_hz, rest)
    elif method == "bonato":
        on, parameters, threshold = _bonato(conditioned, rate_hz, rest)
    else:
        on, parameters, threshold = _tkeo(conditioned, rate_hz, rest)
    bursts = tidy(on, rate_hz, min_burst_s=min_burst_s, merge_gap_s=merge_gap_s, merge_first=False)
    return Detection(method, {**parameters, **common}, bursts, _span(rest, rate_hz), contrast, tuple(notes), threshold)


def tidy(on: np.ndarray, rate_hz: float, *, min_burst_s: float, merge_gap_s: float,
         merge_first: bool = True) -> tuple[Burst, ...]:
    """Runs of ``on`` as bursts: gaps shorter than the merge gap closed, bursts shorter than the minimum dropped
    (``merge_first=False`` drops the short runs before closing the gaps, so blips never join a burst)."""
    starts, ends = runs(on)
    if not merge_first:
        long_enough = ends - starts >= min_burst_s * rate_hz
        starts, ends = starts[long_enough], ends[long_enough]
    merged: list[list[int]] = []
    for start, end in zip(starts, ends, strict=True):
        if merged and start - merged[-1][1] < merge_gap_s * rate_hz:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return tuple(Burst(start / rate_hz, end / rate_hz) for start, end in merged
                 if end - start >= min_burst_s * rate_hz)


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and end (exclusive) indices of each run of True."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """The threshold that best separates two classes of ``values`` (Otsu 1979: the largest between-class variance)."""
    counts, edges = np.histogram(values, bins)
    centres = (edges[:-1] + edges[1:]) / 2
    below = np.cumsum(counts)
    above = below[-1] - below
    sums = np.cumsum(counts * centres)
    mean_below = sums / np.maximum(below, 1)
    mean_above = (sums[-1] - sums) / np.maximum(above, 1)
    return float(centres[np.argmax(below * above * (mean_below - mean_above) ** 2)])


def _activity_split(conditioned: np.ndarray, rate_hz: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Active samples (hysteresis on the log moving RMS), rest samples away from them, and the contrast: the
    active class's median RMS over the rest's."""
    level = np.log10(np.maximum(moving_rms(conditioned, rate_hz, RMS_WINDOW_S), 1e-12))
    threshold = otsu_threshold(level)
    rest_level = float(np.median(level[level < threshold])) if np.any(level < threshold) else threshold
    above = level >= threshold
    active = _hysteresis(level, threshold, rest_level + (threshold - rest_level) / 2)
    contrast = 10 ** (float(np.median(level[above])) - rest_level) if above.any() else 1.0
    margin = round(RMS_WINDOW_S * rate_hz)
    near = moving_mean(active.astype(float), 2 * margin + 1) > 0
    return active, ~near & ~active, contrast


def _hysteresis(level: np.ndarray, on: float, off: float) -> np.ndarray:
    """Stretches that rise above ``on``, each widened to where the level stays above ``off``."""
    above_off = level > off
    starts, ends = runs(above_off)
    keep = np.zeros(level.size, dtype=bool)
    peaks = np.maximum.reduceat(level, starts) if starts.size else np.array([])
    for start, end, peak in zip(starts, ends, peaks, strict=True):
        if peak >= on:
            keep[start:end] = True
    return keep


def _given_rest(rest_s: tuple[float, float], n: int, rate_hz: float) -> np.ndarray:
    start, end = round(rest_s[0] * rate_hz), round(rest_s[1] * rate_hz)
    if not 0 <= start < end <= n:
        raise RecordingError(f"the rest segment {rest_s[0]:g}-{rest_s[1]:g} s is not inside the recording "
                             f"(0-{n / rate_hz:.2f} s).")
    rest = np.zeros(n, dtype=bool)
    rest[start:end] = True
    return rest


def _span(rest: np.ndarray, rate_hz: float) -> tuple[float, float] | None:
    """The longest run of rest (s), for the person to look at."""
    starts, ends = runs(rest)
    if not starts.size:
        return None
    longest = int(np.argmax(ends - starts))
    return round(starts[longest] / rate_hz, 3), round(ends[longest] / rate_hz, 3)


def _hodges_envelope(conditioned: np.ndarray, rate_hz: float) -> np.ndarray:
    """The 50 Hz linear envelope (zero phase, which spreads a rise earlier) averaged over the 25 ms window that
    ends at each sample (which moves it later): the two nearly cancel, so a crossing marks the onset."""
    smooth = envelope(conditioned, rate_hz, ONSET_ENVELOPE_HZ)
    return moving_mean(smooth, round(HODGES_WINDOW_S * rate_hz), trailing=True)


def _rest_threshold(values: np.ndarray, rest: np.ndarray, h: float) -> float:
    return float(np.mean(values[rest]) + h * np.std(values[rest]))


def _auto(conditioned: np.ndarray, rate_hz: float, active: np.ndarray,
          rest: np.ndarray) -> tuple[np.ndarray, dict[str, float], float]:
    """Active stretches from the split, each one's onset and offset placed on the 50 Hz envelope against the
    rest: the stretch becomes the whole activity around its peak, made of runs above the rest threshold at
    least the minimum burst long with gaps shorter than the merge gap between them (so lighter activity
    leading into a burst counts, and a noise blip before it does not)."""
    smooth = _hodges_envelope(conditioned, rate_hz)
    threshold = _rest_threshold(smooth, rest, HODGES_H)
    activity = np.zeros(conditioned.size, dtype=bool)
    for burst in tidy(smooth > threshold, rate_hz, min_burst_s=MIN_BURST_S, merge_gap_s=MERGE_GAP_S,
                      merge_first=False):
        activity[round(burst.onset_s * rate_hz):round(burst.offset_s * rate_hz)] = True
    on = np.zeros(conditioned.size, dtype=bool)
    starts, ends = runs(activity)
    for start, end in zip(*runs(active), strict=True):
        peak = start + int(np.argmax(smooth[start:end]))
        holding = np.flatnonzero((starts <= peak) & (ends > peak))
        if holding.size:
            on[starts[holding[0]]:ends[holding[0]]] = True
    parameters = {"rms_window_s": RMS_WINDOW_S, "envelope_hz": ONSET_ENVELOPE_HZ, "window_s": HODGES_WINDOW_S,
                  "h_sd": HODGES_H}
    return on, parameters, threshold


def _hodges_bui(conditioned: np.ndarray, rate_hz: float,
                rest: np.ndarray) -> tuple[np.ndarray, dict[str, float], float]:
    smooth = _hodges_envelope(conditioned, rate_hz)
    threshold = _rest_threshold(smooth, rest, HODGES_H)
    return smooth > threshold, {"envelope_hz": ONSET_ENVELOPE_HZ, "window_s": HODGES_WINDOW_S, "h_sd": HODGES_H}, \
        threshold


def _bonato(conditioned: np.ndarray, rate_hz: float, rest: np.ndarray) -> tuple[np.ndarray, dict[str, float], float]:
    variance = float(np.var(conditioned[rest]))
    test = (conditioned[:-1] ** 2 + conditioned[1:] ** 2) / max(variance, 1e-30)
    zeta = -2.0 * np.log(BONATO_FALSE_ALARM)  # chi-square, 2 degrees of freedom: P(test > zeta) = exp(-zeta / 2)
    exceed = np.concatenate((test > zeta, [False])).astype(float)
    counts = np.convolve(exceed, np.ones(BONATO_M), mode="same")
    parameters = {"m": BONATO_M, "r0": BONATO_R0, "false_alarm": BONATO_FALSE_ALARM, "zeta": round(zeta, 3)}
    return counts >= BONATO_R0, parameters, zeta


def _tkeo(conditioned: np.ndarray, rate_hz: float, rest: np.ndarray) -> tuple[np.ndarray, dict[str, float], float]:
    energy = np.zeros_like(conditioned)
    energy[1:-1] = conditioned[1:-1] ** 2 - conditioned[:-2] * conditioned[2:]
    smooth = envelope(energy, rate_hz, ONSET_ENVELOPE_HZ)
    threshold = _rest_threshold(smooth, rest, TKEO_H)
    return smooth > threshold, {"envelope_hz": ONSET_ENVELOPE_HZ, "h_sd": TKEO_H}, threshold
