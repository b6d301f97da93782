"""Gap filling and low-pass filtering of keypoint trajectories, with their cut-offs stated.

Winter (2009, Biomechanics and Motor Control of Human Movement, 4th ed., section 3.4) finds 6 Hz
the cut-off that keeps walking kinematics and removes digitising noise; Sports2D and Pose2Sim use the
same 6 Hz 4th-order zero-phase Butterworth for markerless keypoints. Short gaps (a missed frame) are
bridged linearly before filtering; longer ones stay gaps: an angle is never invented across them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.signal import butter, sosfiltfilt

from reeducate.signals.pose.landmarks import PoseSeries

#: Default low-pass cut-off (Hz) for markerless keypoints (Winter 2009, section 3.4).
CUTOFF_HZ = 6.0
#: Butterworth order of the low-pass (applied forwards and backwards: zero phase).
ORDER = 4
#: Longest gap (s) bridged by linear interpolation; a longer gap stays missing.
MAX_GAP_S = 0.2


def finite_runs(valid: np.ndarray) -> list[tuple[int, int]]:
    """Start and stop (exclusive) of each run of True values."""
    edges = np.diff(np.concatenate([[0], valid.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def fill_gaps(values: np.ndarray, fps: float, max_gap_s: float = MAX_GAP_S) -> np.ndarray:
    """Bridge interior NaN gaps of at most ``max_gap_s`` linearly, along axis 0 (each column alone)."""
    out = np.array(values, dtype=float)
    flat = out.reshape(len(out), -1)
    frames = np.arange(len(out))
    max_gap = int(round(max_gap_s * fps))
    for c in range(flat.shape[1]):
        column = flat[:, c]
        valid = np.isfinite(column)
        for start, stop in finite_runs(~valid):
            if start > 0 and stop < len(column) and stop - start <= max_gap:
                column[start:stop] = np.interp(frames[start:stop], frames[valid], column[valid])
    return out


def low_pass(values: np.ndarray, fps: float, cutoff_hz: float = CUTOFF_HZ) -> np.ndarray:
    """Zero-phase Butterworth low-pass along axis 0, run by run of finite frames.

    A run too short for the filter's edge padding is left as it is; so is everything when the
    cut-off is not below the Nyquist frequency (a very low frame rate).
    """
    out = np.array(values, dtype=float)
    if cutoff_hz >= 0.5 * fps:
        return out
    sos = butter(ORDER, cutoff_hz, btype="low", fs=fps, output="sos")
    pad = 3 * (2 * len(sos) + 1)
    flat = out.reshape(len(out), -1)
    for c in range(flat.shape[1]):
        for start, stop in finite_runs(np.isfinite(flat[:, c])):
            if stop - start > pad:
                flat[start:stop, c] = sosfiltfilt(sos, flat[start:stop, c])
    return out


def clean(series: PoseSeries, *, cutoff_hz: float = CUTOFF_HZ, max_gap_s: float = MAX_GAP_S) -> PoseSeries:
    """The series with short gaps bridged and every landmark low-passed."""
    xy = low_pass(fill_gaps(series.xy, series.fps, max_gap_s), series.fps, cutoff_hz)
    visibility = fill_gaps(series.visibility, series.fps, max_gap_s)
    xyz = (low_pass(fill_gaps(series.xyz, series.fps, max_gap_s), series.fps, cutoff_hz)
           if series.xyz is not None else None)
    return replace(series, xy=xy, visibility=visibility, xyz=xyz)
