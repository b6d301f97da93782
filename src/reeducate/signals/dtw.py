"""Distance between a movement and its reference by dynamic time warping (DTW).

Both curves are resampled to the same number of points, then aligned by DTW under a Sakoe-Chiba band
(Sakoe & Chiba 1978, IEEE Trans ASSP 26:43-49) so that a slower or faster phase is not counted as a
difference in shape, while the band stops the alignment from folding the whole movement onto one point.
The distance is the alignment's total absolute difference divided by the number of points: roughly the
typical gap between the two curves after alignment, in the signal's own units (deg for an angle).
"""

from __future__ import annotations

import numpy as np

#: Points both curves are resampled to before alignment.
N_POINTS = 50
#: Half-width of the Sakoe-Chiba band as a fraction of the curve length (10% is the customary choice).
BAND_FRACTION = 0.1


def resample(values: np.ndarray, n_points: int = N_POINTS) -> np.ndarray:
    """The curve at n_points evenly spaced positions from its first to its last sample (linear)."""
    values = np.asarray(values, dtype=float)
    return np.interp(np.linspace(0, values.size - 1, n_points), np.arange(values.size), values)


def dtw_distance(curve: np.ndarray, reference: np.ndarray, *, band_fraction: float = BAND_FRACTION) -> float:
    """Mean absolute difference per point between curve and reference after DTW alignment.

    Each row of the cost table is filled at once: the diagonal and vertical moves are element-wise,
    and the horizontal moves within the row are a running minimum of (cost so far - cumulative step
    cost), which is exact and keeps the work in numpy.
    """
    a = resample(curve)
    b = resample(reference)
    n = a.size
    band = max(1, int(round(band_fraction * n)))
    columns = np.arange(n)
    previous = np.full(n + 1, np.inf)
    previous[0] = 0.0
    for i in range(n):
        outside = np.abs(columns - i) > band
        step = np.abs(a[i] - b)
        step[outside] = np.inf
        reached = step + np.minimum(previous[:-1], previous[1:])
        reached[outside] = np.inf
        finite_step = np.where(outside, 0.0, step)
        cumulative = np.cumsum(finite_step)
        row = cumulative + np.minimum.accumulate(reached - cumulative)
        row[outside] = np.inf
        previous = np.concatenate(([np.inf], row))
    return float(previous[-1] / n)
