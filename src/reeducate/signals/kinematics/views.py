"""Which camera view a clip shows, and which measures each view can support.

One camera sees a plane. Side-on it sees flexion and extension (sagittal plane) and sees the knee's
frontal-plane angle edge-on; from the front or back it sees abduction, obliquity and knee valgus and
sees flexion end-on. A measure is only given for a view that shows its plane.

How far the body is turned from the camera is measured per frame (``body_yaw_deg``): 0 when the patient
faces the camera (or turns the back to it), 90 side-on. A sagittal angle is given in the frames whose yaw
is at least ``SAGITTAL_MIN_YAW_DEG``, a frontal-plane angle in those at most ``FRONTAL_MAX_YAW_DEG``; the
ranges and the error bands inside them come from ``benchmarks/movement_accuracy.py`` (the Pose2Sim demo's
four cameras against its 4-camera reconstruction) and are documented in docs/movement.md.
"""

from __future__ import annotations

import warnings
from enum import StrEnum

import numpy as np

from reeducate.signals.pose.landmarks import INDEX, PoseSeries


class View(StrEnum):
    SIDE = "side"
    FRONT = "front"


#: The view is inferred from shoulder width over torso length (median over the clip): 0.6 to 0.8
#: facing the camera, 0.1 to 0.35 side-on (the far shoulder shows). Ours, not a clinical figure: between the two the view is
#: called oblique and the user is asked to say which it is.
SIDE_BELOW = 0.4
FRONT_ABOVE = 0.5

#: Why a view cannot support a plane's measures, in the words the refusal gives.
NOT_IN_VIEW = {
    View.SIDE: "a side-on camera sees this frontal-plane angle edge-on; film from the front (or back)",
    View.FRONT: "a camera facing the patient sees this sagittal-plane angle end-on; film side-on",
}


#: Yaw (deg) from which a sagittal angle is given: the body turned at least this far from facing the camera, so
#: the sagittal plane is within 60 degrees of the image plane. Ours, checked in benchmarks/movement_accuracy.py:
#: on the Pose2Sim demo's oblique rear camera (cam04, 45 degrees on the 4-camera reconstruction) a 2-D knee
#: flexion follows the reconstruction (docs/movement.md has the table).
SAGITTAL_MIN_YAW_DEG = 30.0
#: Yaw (deg) up to which a frontal-plane angle is given. Ours: not checked against a reference (the
#: reference model's knee has no frontal-plane freedom); the old class boundary (shoulder width 0.5 of
#: torso length) lies near it.
FRONTAL_MAX_YAW_DEG = 30.0
#: MediaPipe's relative depth z is stated to be on "roughly the same scale as x"; on the Pose2Sim demo's four
#: cameras it reads about three times that (yaw from image depth 21-34 degrees above the 4-camera
#: reconstruction's). Depth is multiplied by this before the yaw is read from image landmarks (fitted there:
#: benchmarks/movement_accuracy.py prints the yaw error it leaves). World landmarks need no factor.
IMAGE_DEPTH_SCALE = 0.33
#: Shoulder width over torso length of a body facing the camera, for the yaw of a series without depth (ours:
#: the middle of the 0.6-0.8 facing band above; 0.67 on the Pose2Sim demo's 4-camera reconstruction).
FACING_WIDTH_RATIO = 0.7
#: The yaw is a running median over this long (s), so one frame's slip of the depth estimate (a single frame
#: reading side-on in the middle of jumping jacks, seen in the Sports2D demo) does not let an angle through.
YAW_MEDIAN_S = 0.2


def body_yaw_deg(series: PoseSeries) -> tuple[np.ndarray, str]:
    """How far the body is turned from facing the camera in each frame (deg, 0-90; NaN where unseen), and
    what it was read from.

    With 3-D landmarks (``series.xyz``): the angle out of the image plane of the hips' and shoulders' left-right
    line (the sum of their unit vectors), about the camera's vertical axis. Without: from shoulder width over
    torso length against ``FACING_WIDTH_RATIO`` (a camera cannot tell a turn from a narrow body that way).
    A series projected from 3-D (TRC) states its plane: 90 sagittal, 0 frontal.
    """
    plane = series.metadata.get("plane")
    if plane in ("sagittal", "frontal"):
        return np.full(series.n_frames, 90.0 if plane == "sagittal" else 0.0), f"the {plane} plane of the markers"
    if series.xyz is not None and series.metadata.get("xyz") in ("world", "image depth"):
        xyz = series.xyz.copy()
        source = "MediaPipe's world landmarks"
        if series.metadata["xyz"] == "image depth":
            xyz[..., 2] *= IMAGE_DEPTH_SCALE
            source = "the image landmarks and MediaPipe's relative depth"
        with np.errstate(invalid="ignore", divide="ignore"):
            line = (_unit(xyz[:, INDEX["right_hip"]] - xyz[:, INDEX["left_hip"]])
                    + _unit(xyz[:, INDEX["right_shoulder"]] - xyz[:, INDEX["left_shoulder"]]))
            yaw = np.degrees(np.arctan2(np.abs(line[:, 2]), np.abs(line[:, 0])))
        return _running_median(yaw, series.fps), source
    with np.errstate(invalid="ignore"):
        cosine = np.clip(frame_width_ratios(series) / FACING_WIDTH_RATIO, 0.0, 1.0)
    return _running_median(np.degrees(np.arccos(cosine)), series.fps), "the shoulder width over the torso length"


def _running_median(values: np.ndarray, fps: float) -> np.ndarray:
    """Median over ``YAW_MEDIAN_S`` centred on each frame, of the frames seen there (NaN where the frame is)."""
    half = int(round(YAW_MEDIAN_S * fps / 2))
    if half < 1 or not np.isfinite(values).any():
        return values
    padded = np.concatenate([np.full(half, np.nan), values, np.full(half, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    with warnings.catch_warnings():  # a window with no frame seen stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        out = np.nanmedian(windows, axis=1)
    return np.where(np.isfinite(values), out, np.nan)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


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


def infer_view(series: PoseSeries) -> View | None:
    """SIDE or FRONT when the body's proportions say so clearly; None for an oblique view (the clip-level class
    gait from video still uses; joint angles use the measured yaw)."""
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
