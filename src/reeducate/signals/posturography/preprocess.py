"""Preprocessing of a COP trial before its descriptors: centring, resampling, low-pass filtering.

The ``quijoux2021`` pipeline is that of Quijoux et al. 2021 (Physiol Rep 9:e15067) and its open code:
centre on the mean, drop the first 0.1 s and the first and last samples, remove one- and two-sample
spikes, resample to 25 Hz by sliding-window weighted averaging (SWARII, Audiffren et al. 2016, window
0.08 s), then a 4th-order Butterworth low-pass at 10 Hz run forwards and backwards (zero phase).
Each step below reproduces that code's arithmetic so that the descriptors agree with it to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, filtfilt


@dataclass(frozen=True)
class ArtefactPurge:
    """The reference's spike removal: a sample that jumps more than ``jump_cm`` from the last kept
    sample while the next (or the one after) comes back within ``return_cm`` of it is dropped;
    samples before ``skip_start_s`` and the very first and last samples are always dropped.
    Distances are city-block (|dML| + |dAP|) in cm."""

    jump_cm: float = 2.0
    return_cm: float = 0.5
    skip_start_s: float = 0.1

    def apply(self, time_s: np.ndarray, xy_cm: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """Kept times, kept samples and the number of spikes removed."""
        n = len(time_s)
        candidates = np.arange(1, n - 1)
        candidates = candidates[time_s[candidates] >= self.skip_start_s]
        if len(candidates) == 0:
            return time_s[:0], xy_cm[:0], 0
        steps = np.abs(np.diff(xy_cm[candidates], axis=0)).sum(axis=1)
        if not np.any(steps > self.jump_cm):  # nothing can be a spike: every sample is kept
            return time_s[candidates], xy_cm[candidates], 0
        return self._sequential(time_s, xy_cm, candidates)

    def _sequential(self, time_s: np.ndarray, xy_cm: np.ndarray, candidates: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, int]:
        """The exact rule, sample by sample (only reached when some step exceeds ``jump_cm``)."""
        n = len(time_s)
        kept: list[int] = []
        removed = 0
        for t in candidates:
            if kept:
                last = xy_cm[kept[-1]]
                jumped = np.sum(np.abs(xy_cm[t] - last)) > self.jump_cm
                if jumped and np.sum(np.abs(xy_cm[t + 1] - last)) < self.return_cm:
                    removed += 1
                    continue
                if jumped and 1 < t < n - 2 and np.sum(np.abs(xy_cm[t + 2] - last)) < self.return_cm:
                    removed += 1
                    continue
            kept.append(int(t))
        index = np.array(kept, dtype=int)
        return time_s[index], xy_cm[index], removed


@dataclass(frozen=True)
class SwariiResampler:
    """Sliding Windows Weighted Averaged Interpolation (Audiffren et al. 2016), as Quijoux 2021 uses it.

    Output times start at the first sample and advance by 1/rate until the last; each output value
    is the average of the samples within half a window of it, each weighted by the span of time it
    stands for (half-way to its neighbours, clipped to the window). A window with no sample is
    filled afterwards by linear interpolation on a fresh regular grid, as the reference does.
    """

    target_rate_hz: float = 25.0
    window_s: float = 0.08 - 1e-6  # the reference's 0.08 s, shrunk by 1e-6 s to exclude the edges

    def resample(self, time_s: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, int]:
        """Resampled samples (n x 2) and the number of empty windows that were interpolated."""
        half = self.window_s * 0.5
        step = 1.0 / self.target_rate_hz
        start = max(0.0, float(time_s[0]))
        count = int((time_s[-1] - start) / step) + 3
        # Output times accumulate by repeated addition, exactly as the reference's loop does.
        centres = np.cumsum(np.concatenate([[start], np.full(count, step)]))
        centres = centres[centres < time_s[-1]]
        lo = np.searchsorted(time_s, centres - half - 1e-9, side="left")
        hi = np.searchsorted(time_s, centres + half + 1e-9, side="right")
        width = int((hi - lo).max()) if len(lo) else 0
        index = lo[:, None] + np.arange(max(width, 1))[None, :]
        inside = index < hi[:, None]
        index = np.minimum(index, len(time_s) - 1)
        inside &= np.abs(time_s[index] - centres[:, None]) < half
        members = inside.sum(axis=1)
        present = members > 0
        values = self._weighted(time_s, xy, centres, half, index, inside, members)
        out_time, out_xy = centres[present], values[present]
        missing = int((~present).sum())
        if missing:
            grid = np.arange(out_time[0], out_time[-1], step)
            out_xy = np.column_stack([np.interp(grid, out_time, out_xy[:, k]) for k in range(xy.shape[1])])
        return out_xy, missing

    @staticmethod
    def _weighted(time_s: np.ndarray, xy: np.ndarray, centres: np.ndarray, half: float,
                  index: np.ndarray, inside: np.ndarray, members: np.ndarray) -> np.ndarray:
        n = len(time_s)
        position = np.cumsum(inside, axis=1) - 1  # rank of a member within its window
        first = inside & (position == 0)
        last = inside & (position == members[:, None] - 1)
        previous_mid = 0.5 * (time_s[index] + time_s[np.maximum(index - 1, 0)])
        next_mid = 0.5 * (time_s[np.minimum(index + 1, n - 1)] + time_s[index])
        left = np.where(first | (index == 0), np.maximum(time_s[0], centres[:, None] - half), previous_mid)
        right = np.where(last, np.minimum(time_s[-1], centres[:, None] + half), next_mid)
        weight = np.where(inside, right - left, 0.0)
        total = weight.sum(axis=1)
        single = members == 1
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.einsum("ij,ijk->ik", weight, xy[index]) / total[:, None]
        only = index[np.arange(len(index)), np.argmax(inside, axis=1)]
        values[single] = xy[only[single]]
        return values


@dataclass(frozen=True)
class ZeroPhaseLowPass:
    """Butterworth low-pass run forwards and backwards (zero phase): ``order`` and ``cutoff_hz``."""

    cutoff_hz: float = 10.0
    order: int = 4

    def apply(self, xy: np.ndarray, rate_hz: float) -> np.ndarray:
        b, a = butter(self.order, self.cutoff_hz / (0.5 * rate_hz), btype="lowpass")
        return filtfilt(b, a, xy, axis=0)
