"""Dynamic descriptors: how far and how fast the COP travels (Quijoux et al. 2021, section 3.2).

Every function takes a ``PreparedTrial`` and returns ``{quijoux_name: value}``.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, filtfilt

from reeducate.signals.posturography.positional import ellipse_area
from reeducate.signals.posturography.trial import AP, ML, PreparedTrial

#: Sway density: radius of the circle the COP must stay in (cm, Quijoux 2021: 3 mm), and the
#: low-pass applied to the resulting time series (Hz, 4th-order Butterworth, zero phase).
SWAY_DENSITY_RADIUS_CM = 0.3
SWAY_DENSITY_LOWPASS_HZ = 2.5


def path_lengths(trial: PreparedTrial) -> dict[str, float]:
    """Total distance travelled (cm) along ML, AP and in the plane."""
    step = np.diff(trial.xy_cm, axis=0)
    return {
        "ML": float(np.sum(np.abs(step[:, ML]))),
        "AP": float(np.sum(np.abs(step[:, AP]))),
        "ML_AND_AP": float(np.sum(np.sqrt(step[:, ML] ** 2 + step[:, AP] ** 2))),
    }


def velocity_peaks(velocity: np.ndarray, label: str) -> dict[str, float]:
    """Zero crossings of one velocity component and the mean of the peak speeds between them.

    A crossing is a non-zero sample whose sign differs from the previous non-zero sample. The peak
    of a stretch is its sample of largest |v| (the first, if tied); the stretch before the first
    crossing and the one after the last are incomplete and not counted as peaks.
    """
    nonzero = np.flatnonzero(velocity != 0)
    signs = np.sign(velocity[nonzero])
    crossings = nonzero[1:][signs[1:] != signs[:-1]]
    positive: list[int] = []
    negative: list[int] = []
    if len(crossings) >= 2:
        starts, ends = crossings[:-1], crossings[1:]
        magnitude = np.abs(velocity)
        segment = np.repeat(np.arange(len(starts)), ends - starts)
        positions = np.arange(starts[0], ends[-1])  # the stretches are contiguous
        peak_of = np.maximum.reduceat(magnitude[positions], starts - starts[0])
        at_peak = magnitude[positions] == peak_of[segment]
        first_peak = np.unique(segment[at_peak], return_index=True)[1]
        peaks = positions[at_peak][first_peak]
        going_negative = velocity[ends] < 0
        positive = list(peaks[going_negative])
        negative = list(peaks[~going_negative])
    with np.errstate(invalid="ignore"):
        return {
            f"zero_crossing_{label}": int(len(crossings)),
            f"peak_velocity_pos_{label}": float(np.mean(velocity[positive])) if positive else float("nan"),
            f"peak_velocity_neg_{label}": float(np.mean(np.abs(velocity[negative]))) if negative else float("nan"),
            f"peak_velocity_all_{label}": float(np.mean(np.abs(velocity[positive + negative])))
            if positive or negative else float("nan"),
        }


def _run_ends(x: np.ndarray, y: np.ndarray, radius_cm: float, direction: int) -> np.ndarray:
    """For each sample but the last, the furthest index reached (going ``direction``) before the COP
    first leaves the circle of ``radius_cm`` around it; the trial's end (or start) if it never does.

    Every unresolved sample is probed at once, and each probe that is still inside jumps ahead by the
    triangle inequality: at distance d from the centre, the COP cannot leave before it has travelled
    r - d more along its path, so the samples until then need no look. The result is the same as
    looking at every sample (a test compares the two), at a fraction of the work on slow sway.
    """
    n = len(x)
    if direction < 0:  # going backward is going forward on the reversed path
        ahead = _run_ends(x[::-1], y[::-1], radius_cm, 1)
        result = np.empty(n - 1, dtype=int)
        result[1:] = n - 1 - ahead[::-1][:-1]
        result[0] = 0
        return result
    step = np.sqrt(np.diff(x) ** 2 + np.diff(y) ** 2)
    travelled = np.concatenate([[0.0], np.cumsum(step)])  # path length from sample 0, cm
    # the cumulative sum's rounding (at most ~n eps of the total) is kept off every jump
    tolerance = 4 * n * np.finfo(float).eps * travelled[-1]
    result = np.full(n - 1, n - 1)
    active = np.arange(n - 1)
    probe = active + 1
    while len(active):
        dx, dy = x[probe] - x[active], y[probe] - y[active]
        distance = np.sqrt(dx * dx + dy * dy)
        leaves = distance > radius_cm
        result[active[leaves]] = probe[leaves] - 1
        active, probe, distance = active[~leaves], probe[~leaves], distance[~leaves]
        # the first sample far enough along the path to possibly be outside
        reach = travelled[probe] + (radius_cm - distance) - tolerance
        probe = np.maximum(probe + 1, np.searchsorted(travelled, reach, side="left"))
        inside = probe < n
        active, probe = active[inside], probe[inside]  # the others stay inside to the end: n - 1
    return result


def sway_density(xy: np.ndarray, rate_hz: float, radius_cm: float) -> np.ndarray:
    """For each sample but the last: the time (s) the COP stays within ``radius_cm`` of it, counting
    the contiguous samples before and after it, then low-passed (Jacono et al. 2004; Quijoux 2021)."""
    x, y = np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])
    forward, backward = _run_ends(x, y, radius_cm, 1), _run_ends(x, y, radius_cm, -1)
    density = (forward - backward) / rate_hz
    b, a = butter(N=4, Wn=SWAY_DENSITY_LOWPASS_HZ / (0.5 * rate_hz), btype="lowpass")
    return filtfilt(b, a, density, axis=0)


def sway_density_peaks(trial: PreparedTrial, radius_cm: float) -> dict[str, float]:
    """Mean height of the sway-density peaks (s) and mean distance between successive peaks (cm)."""
    density = sway_density(trial.xy_cm, trial.rate_hz, radius_cm)
    peaks = np.flatnonzero((density[1:-1] > density[:-2]) & (density[1:-1] > density[2:])) + 1
    step = np.diff(trial.xy_cm[peaks], axis=0)
    with np.errstate(invalid="ignore"):
        return {
            "mean_peak_Sway_Density": float(np.mean(density[peaks])) if len(peaks) else float("nan"),
            "mean_distance_peak_Sway_Density": float(np.mean(np.sqrt(step[:, 0] ** 2 + step[:, 1] ** 2)))
            if len(step) else float("nan"),
        }


def dynamic(trial: PreparedTrial, *, radius_cm: float = SWAY_DENSITY_RADIUS_CM) -> dict[str, float]:
    n, rate = len(trial), trial.rate_hz
    lengths = path_lengths(trial)
    out: dict[str, float] = {}
    for label, length in lengths.items():
        out[f"sway_length_{label}"] = length
        out[f"mean_velocity_{label}"] = length * (rate / n)
    xy = trial.xy_cm
    triangles = np.abs(xy[1:, ML] * xy[:-1, AP] - xy[1:, AP] * xy[:-1, ML])
    out["sway_area_per_second_ML_AND_AP"] = float(np.sum(triangles) / (2 * (n - 1) / rate))
    velocity = trial.velocity_cm_s
    for label, axis in (("ML", ML), ("AP", AP)):
        rms = np.sqrt(np.mean(xy[:, axis] ** 2))
        out[f"phase_plane_parameter_{label}"] = float(np.sqrt(rms**2 + np.var(velocity[:, axis])))
    area = ellipse_area(trial)
    out["LFS_ML_AND_AP"] = lengths["ML_AND_AP"] / area
    diameter = np.sqrt(area * 4 / np.pi)
    out["fractal_dimension_ML_AND_AP"] = float(
        np.log(n) / (np.log(n) + np.log(diameter) - np.log(lengths["ML_AND_AP"]))
    )
    for label, axis in (("SPD_ML", ML), ("SPD_AP", AP)):
        out.update(velocity_peaks(velocity[:, axis], label))
    out.update(sway_density_peaks(trial, radius_cm))
    step_speed = rate * np.diff(xy, axis=0)
    planar_speed = np.sqrt(step_speed[:, ML] ** 2 + step_speed[:, AP] ** 2)
    out["mean_frequency_ML_AND_AP"] = float(np.mean(planar_speed) / (2 * np.pi * np.mean(trial.radius_cm)))
    for label, axis in (("ML", ML), ("AP", AP)):
        distance = np.mean(np.abs(xy[:, axis]))
        out[f"mean_frequency_{label}"] = float(np.mean(np.abs(step_speed[:, axis])) / (4 * np.sqrt(2) * distance))
    return out
