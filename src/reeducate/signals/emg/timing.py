"""Muscle timing and amplitude from detected bursts: latency against a trigger or a reference muscle, the
firing order across channels with the pairs too close to order, the co-contraction index of an agonist and
antagonist, amplitude against a maximal voluntary contraction, median and mean frequency per burst with the
fatigue slope, and a left/right comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import signal, stats

from reeducate.signals.emg.onsets import Burst

#: Two onsets closer than this (s) are not put in order: one averaging window of the onset detector (Hodges &
#: Bui's 25 ms), within which an onset cannot be placed more finely (our setting).
ORDER_RESOLUTION_S = 0.025
#: Across repeated cycles, an order is called consistent when it holds in at least this share of them (our setting).
ORDER_CONSISTENCY = 0.75
#: The window (s) over which the MVC's amplitude is taken: the highest mean RMS over 0.5 s (our setting, in
#: line with the common practice reviewed by Burden 2010, J Electromyogr Kinesiol 20:1023-1035).
MVC_WINDOW_S = 0.5
#: Bursts shorter than this (s) carry too few samples for a spectrum (our setting).
MIN_SPECTRUM_S = 0.1
#: A fatigue trend needs at least this many bursts over at least this long (s): our settings.
MIN_FATIGUE_BURSTS = 5
MIN_FATIGUE_SPAN_S = 20.0
#: Welch segments of about this length (s, rounded up to a power of two samples): our setting.
SPECTRUM_SEGMENT_S = 0.25


@dataclass(frozen=True)
class Onset:
    """The first onset of a channel in one cycle (s from the recording's start), or None if it did not fire."""

    channel: str
    onset_s: float | None


def onsets_after(bursts: Sequence[Burst], moments: Sequence[float], window_s: float) -> list[float | None]:
    """For each moment, the first onset in [moment, moment + window_s), else None."""
    starts = np.array([b.onset_s for b in bursts])
    found: list[float | None] = []
    for moment in moments:
        inside = starts[(starts >= moment) & (starts < moment + window_s)]
        found.append(float(inside[0]) if inside.size else None)
    return found


def firing_order(cycles: Sequence[Mapping[str, float | None]]) -> dict[str, object]:
    """The order of channels by onset over one or more cycles (each a channel -> onset mapping).

    A channel's place is its median onset relative to the cycle's earliest; a pair is ordered only when its
    median difference is at least ``ORDER_RESOLUTION_S`` and the same order holds in ``ORDER_CONSISTENCY`` of
    the cycles where both fired; otherwise it is listed as too close to order.
    """
    channels = sorted({name for cycle in cycles for name in cycle})
    relative: dict[str, list[float]] = {name: [] for name in channels}
    for cycle in cycles:
        fired = {k: v for k, v in cycle.items() if v is not None}
        if not fired:
            continue
        first = min(fired.values())
        for name, onset in fired.items():
            relative[name].append(onset - first)
    placed = sorted((float(np.median(v)), name) for name, v in relative.items() if v)
    unordered = []
    for i, (_, a) in enumerate(placed):
        for _, b in placed[i + 1:]:
            differences = [cycle[b] - cycle[a] for cycle in cycles  # type: ignore[operator]
                           if cycle.get(a) is not None and cycle.get(b) is not None]
            median = float(np.median(differences))
            consistent = np.mean([d > 0 for d in differences]) if median > 0 else np.mean([d < 0 for d in differences])
            if abs(median) < ORDER_RESOLUTION_S or consistent < ORDER_CONSISTENCY:
                unordered.append({"first": a, "second": b, "median_difference_s": round(median, 4),
                                  "consistency": round(float(consistent), 2), "cycles": len(differences)})
    return {
        "order": [{"channel": name, "onset_s": round(at, 4), "cycles": len(relative[name])} for at, name in placed],
        "silent": [name for name in channels if not relative[name]],
        "too_close_to_order": unordered,
        "resolution_s": ORDER_RESOLUTION_S,
        "cycles": len(cycles),
    }


def co_contraction_index(agonist: np.ndarray, antagonist: np.ndarray) -> float:
    """Falconer & Winter 1985 (Electromyogr Clin Neurophysiol 25:135-149): 2 x the common area of the two
    normalised envelopes over the sum of their areas, in %. 0: never together; 100: identical."""
    total = float(np.sum(agonist) + np.sum(antagonist))
    return 0.0 if total <= 0 else 200.0 * float(np.sum(np.minimum(agonist, antagonist))) / total


def mvc_amplitude(conditioned: np.ndarray, rate_hz: float) -> float:
    """The MVC's amplitude: the highest RMS over any ``MVC_WINDOW_S`` window (units of the recording)."""
    width = max(1, min(round(MVC_WINDOW_S * rate_hz), conditioned.size))
    squared = np.convolve(conditioned**2, np.ones(width) / width, mode="valid")
    return float(np.sqrt(squared.max()))


def burst_spectrum(conditioned: np.ndarray, rate_hz: float) -> tuple[float, float] | None:
    """Median and mean frequency (Hz) of one burst's samples (Welch), or None when it is too short."""
    if conditioned.size < MIN_SPECTRUM_S * rate_hz:
        return None
    nperseg = min(conditioned.size, int(2 ** np.ceil(np.log2(SPECTRUM_SEGMENT_S * rate_hz))))
    frequencies, power = signal.welch(conditioned, fs=rate_hz, nperseg=nperseg)
    total = float(power.sum())
    if total <= 0:
        return None
    cumulative = np.cumsum(power)
    median = float(frequencies[np.searchsorted(cumulative, total / 2)])
    mean = float(np.sum(frequencies * power) / total)
    return median, mean


def fatigue_trend(times_s: Sequence[float], median_hz: Sequence[float]) -> dict[str, float | int | bool] | None:
    """The median frequency's slope over the bursts (Hz per minute and % of the first bursts' level per minute),
    its correlation and p value; a fall is a negative slope with p < 0.05. None with fewer than
    ``MIN_FATIGUE_BURSTS`` bursts or over less than ``MIN_FATIGUE_SPAN_S``.

    Spectral compression under sustained or repeated contraction is the classic sign of muscle fatigue (De Luca
    1984, CRC Crit Rev Biomed Eng 11:251-279)."""
    if len(times_s) < MIN_FATIGUE_BURSTS or times_s[-1] - times_s[0] < MIN_FATIGUE_SPAN_S:
        return None
    fit = stats.linregress(np.asarray(times_s) / 60.0, np.asarray(median_hz))
    start = float(np.mean(median_hz[: max(1, len(median_hz) // 5)]))
    slope = float(fit.slope)
    return {"bursts": len(times_s), "slope_hz_per_min": round(slope, 2),
            "slope_percent_per_min": round(100 * slope / start, 2) if start else 0.0,
            "r": round(float(fit.rvalue), 3), "p": float(f"{fit.pvalue:.3g}"),
            "falls": bool(slope < 0 and fit.pvalue < 0.05)}


def symmetry_percent(left: float, right: float) -> float | None:
    """(right - left) over the larger, in %: 0 is symmetric, positive when the right is larger (our convention)."""
    larger = max(abs(left), abs(right))
    return None if larger == 0 else 100.0 * (right - left) / larger
