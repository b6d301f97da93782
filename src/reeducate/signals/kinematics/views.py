"""Which camera view a clip shows, and which measures each view can support.

One camera sees a plane. Side-on it sees flexion and extension (sagittal plane) and sees the knee's
frontal-plane angle edge-on; from the front or back it sees abduction, obliquity and knee valgus and
sees flexion end-on. A measure is only given for a view that shows its plane.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from scipy.ndimage import maximum_filter1d

from reeducate.signals.pose.landmarks import PoseSeries


class View(StrEnum):
    SIDE = "side"
    FRONT = "front"


#: The view is inferred from shoulder width over torso length (median over the clip): 0.6 to 0.8
#: facing the camera, 0.1 to 0.35 side-on (the far shoulder shows). Ours, not a clinical figure: between the two the view is
#: called oblique and the user is asked to say which it is.
SIDE_BELOW = 0.4
FRONT_ABOVE = 0.5
#: A turning body passes through oblique frames: the other view's mask is widened by this much (ours).
TURN_MARGIN_S = 0.2

#: Why a view cannot support a plane's measures, in the words the refusal gives.
NOT_IN_VIEW = {
    View.SIDE: "a side-on camera sees this frontal-plane angle edge-on; film from the front (or back)",
    View.FRONT: "a camera facing the patient sees this sagittal-plane angle end-on; film side-on",
}


def frame_width_ratios(series: PoseSeries) -> np.ndarray:
    """Shoulder width / torso length in each frame (NaN where either is unseen)."""
    ls, rs = series.point("left_shoulder"), series.point("right_shoulder")
    lh, rh = series.point("left_hip"), series.point("right_hip")
    width = np.hypot(*(ls - rs).T)
    torso = np.hypot(*((ls + rs) / 2 - (lh + rh) / 2).T)
    return width / np.where(torso > 0, torso, np.nan)


def shoulder_width_ratio(series: PoseSeries) -> float:
    """Median shoulder width / torso length over frames where both are seen (NaN if none)."""
    ratio = frame_width_ratios(series)
    return float(np.nanmedian(ratio)) if np.isfinite(ratio).any() else float("nan")


def frames_not_in(view: View, series: PoseSeries) -> np.ndarray:
    """Frames that clearly show the other view (a patient who turns mid-clip), as a boolean mask.

    The mask reaches ``TURN_MARGIN_S`` either side, over the frames where the body is still turning.
    Series projected from 3-D (TRC) state their plane and are never masked.
    """
    if series.metadata.get("plane") in ("sagittal", "frontal"):
        return np.zeros(series.n_frames, dtype=bool)
    ratio = frame_width_ratios(series)
    with np.errstate(invalid="ignore"):
        other = ratio > FRONT_ABOVE if view is View.SIDE else ratio < SIDE_BELOW
    margin = int(round(TURN_MARGIN_S * series.fps))
    return maximum_filter1d(other, size=2 * margin + 1) if margin else other


def infer_view(series: PoseSeries) -> View | None:
    """SIDE or FRONT when the body's proportions say so clearly; None for an oblique view."""
    if series.metadata.get("plane") == "sagittal":
        return View.SIDE
    if series.metadata.get("plane") == "frontal":
        return View.FRONT
    ratio = shoulder_width_ratio(series)
    if ratio < SIDE_BELOW:
        return View.SIDE
    if ratio > FRONT_ABOVE:
        return View.FRONT
    return None
