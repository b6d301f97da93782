"""From pixels to metres: only when the user gives a scale (a known distance, or the patient's height).

From height, the scale uses the vertical distance between the shoulders and the ankles in the most
upright frames; that distance is (0.818 - 0.039) of stature by Drillis & Contini's segment-length
proportions (1966, as tabulated by Winter 2009, Biomechanics and Motor Control of Human Movement,
4th ed., figure 4.1: shoulder height 0.818 H, ankle height 0.039 H).
"""

from __future__ import annotations

import numpy as np

from reeducate.signals.errors import RecordingError
from reeducate.signals.pose.landmarks import PoseSeries

SHOULDER_HEIGHT_FRACTION = 0.818  # of stature (Drillis & Contini 1966; Winter 2009, fig. 4.1)
ANKLE_HEIGHT_FRACTION = 0.039     # of stature (same source)
#: The most upright frames: this percentile of the shoulder-ankle vertical distance over the clip.
UPRIGHT_PERCENTILE = 90


def metres_per_unit(series: PoseSeries, *, height_cm: float | None = None,
                    m_per_px: float | None = None) -> float | None:
    """The scale in metres per series unit, or None when nothing gives one (lengths then stay unitless)."""
    if series.unit == "m":
        return 1.0
    if m_per_px is not None:
        if not np.isfinite(m_per_px) or m_per_px <= 0:
            raise RecordingError(f"The scale must be a positive number of metres per pixel, got {m_per_px}.")
        return float(m_per_px)
    if height_cm is None:
        return None
    if not 50 <= height_cm <= 250:
        raise RecordingError(f"A height of {height_cm} cm is not a person's height; give it in centimetres.")
    shoulders = (series.point("left_shoulder")[:, 1] + series.point("right_shoulder")[:, 1]) / 2
    ankles = (series.point("left_ankle")[:, 1] + series.point("right_ankle")[:, 1]) / 2
    span_px = ankles - shoulders
    if not np.isfinite(span_px).any():
        raise RecordingError("The scale from height needs the shoulders and ankles in view in some frames.")
    upright_px = float(np.nanpercentile(span_px, UPRIGHT_PERCENTILE))
    return (SHOULDER_HEIGHT_FRACTION - ANKLE_HEIGHT_FRACTION) * height_cm / 100 / upright_px
