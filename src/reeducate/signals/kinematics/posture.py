"""Posture from a still moment of the clip: forward head, shoulder and pelvic obliquity, trunk shift.

Standing posture is read from the stillest half-second (least landmark movement among frames where
the whole body is seen), averaged over its frames, or from a frame the therapist picks.

The craniovertebral angle is classically measured between the horizontal through C7 and the line
from C7 to the tragus (Yip, Chiu & Poon 2008, Man Ther 13(2):148-154). A camera does not see C7: here
the shoulder landmark stands in for it and the ear for the tragus, so the value runs higher than a
photogrammetric CVA and is meant for following one patient over time, not for comparison with
published cut-offs.
"""

from __future__ import annotations

import warnings

import numpy as np

from reeducate.signals.kinematics.angles import MIN_VISIBILITY
from reeducate.signals.kinematics.views import View
from reeducate.signals.pose.landmarks import INDEX, PoseSeries

#: Length (s) of the still window posture is read from.
STILL_WINDOW_S = 0.5
#: Landmarks moving faster than this (torso lengths per second, RMS) are not standing still. Ours: a still
#: body with 4 px keypoint jitter on a 290 px torso reads 0.20; the stillest half-second of the shared
#: clips, where the person swings the arms, balances or turns throughout, reads 0.87 to 1.04.
MAX_STILL_SPEED_TORSO_S = 0.25

_BODY = [INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_ankle",
                            "right_ankle", "left_ear", "right_ear")]


def stillest_frames(series: PoseSeries) -> tuple[np.ndarray, float]:
    """The stillest window of ``STILL_WINDOW_S`` in which the whole body is seen: its frame indices, and
    how fast the body's landmarks move in it (root-mean-square speed, torso lengths per second)."""
    n = series.n_frames
    width = max(1, int(round(STILL_WINDOW_S * series.fps)))
    if n <= width:
        return np.arange(n), float("nan")
    body = series.xy[:, _BODY].reshape(n, -1)
    # Window i covers frames i .. i + width - 1: its motion is the mean of the width - 1 steps inside it.
    step = np.linalg.norm(np.diff(body, axis=0), axis=1)
    finite_steps = np.concatenate([[0.0], np.cumsum(np.nan_to_num(step))])
    motion = ((finite_steps[width - 1:] - finite_steps[:n - width + 1]) / (width - 1) if width > 1
              else np.zeros(n - width + 1))
    unseen = np.concatenate([[0], np.cumsum(~np.all(np.isfinite(body), axis=1))])
    seen = unseen[width:] - unseen[:n - width + 1] == 0
    motion[~seen] = np.inf
    start = int(np.argmin(motion)) if np.isfinite(motion).any() else int(np.argmax(seen))
    frames = np.arange(start, start + width)
    shoulders = (series.xy[frames, INDEX["left_shoulder"]] + series.xy[frames, INDEX["right_shoulder"]]) / 2
    hips = (series.xy[frames, INDEX["left_hip"]] + series.xy[frames, INDEX["right_hip"]]) / 2
    torso = float(np.nanmedian(np.linalg.norm(shoulders - hips, axis=1))) if np.isfinite(hips).any() else np.nan
    speed = float(motion[start]) / np.sqrt(len(_BODY)) * series.fps / torso if torso > 0 else float("nan")
    return frames, speed


def not_still_reason(series: PoseSeries) -> str | None:
    """Why the clip has no still moment to read posture from, or None when it has one."""
    _, speed = stillest_frames(series)
    if np.isfinite(speed) and speed <= MAX_STILL_SPEED_TORSO_S:
        return None
    return (f"the patient does not stand still for {STILL_WINDOW_S:g} s in this clip; film a few seconds of quiet "
            "standing, or pick the frame to read posture from")


def posture(series: PoseSeries, view: View, *, m_per_unit: float | None = None,
            frame: int | None = None) -> dict[str, float | int | None]:
    """The still-posture measures the view supports, in degrees (and cm when a scale is given)."""
    frames = np.array([frame]) if frame is not None else stillest_frames(series)[0]
    xy = series.xy[frames].copy()
    xy[series.visibility[frames] < MIN_VISIBILITY] = np.nan
    with warnings.catch_warnings():  # a landmark unseen in every frame is NaN, said once by the measures
        warnings.simplefilter("ignore", RuntimeWarning)
        p = {name: np.nanmean(xy[:, i], axis=0) for name, i in INDEX.items()}
    out: dict[str, float | int | None] = {"frame": int(frames[0]), "time_s": float(series.time_s[frames[0]])}
    if view is View.SIDE:
        side = max(("left", "right"), key=lambda s: float(np.nanmean(series.visibility[frames, INDEX[f"{s}_ear"]])))
        facing = np.sign(p["nose"][0] - (p["left_ear"][0] + p["right_ear"][0]) / 2) or 1.0
        ear, shoulder = p[f"{side}_ear"], p[f"{side}_shoulder"]
        out["craniovertebral_angle_deg"] = _deg(np.arctan2(shoulder[1] - ear[1], facing * (ear[0] - shoulder[0])))
    else:
        out["shoulder_obliquity_deg"] = _obliquity(p["left_shoulder"], p["right_shoulder"])
        out["pelvic_obliquity_deg"] = _obliquity(p["left_hip"], p["right_hip"])
        hips = p["right_hip"] - p["left_hip"]
        width = float(np.hypot(*hips))
        right = hips / width if width > 0 else np.array([np.nan, np.nan])
        shift = float(np.dot((p["left_shoulder"] + p["right_shoulder"]) / 2 - (p["left_hip"] + p["right_hip"]) / 2,
                             right))
        out["trunk_lateral_shift_percent_hip_width"] = _finite(100 * shift / width if width > 0 else np.nan)
        out["trunk_lateral_shift_cm"] = _finite(shift * m_per_unit * 100) if m_per_unit else None
    return out


def _obliquity(left: np.ndarray, right: np.ndarray) -> float | None:
    """Tilt (deg) of the left-right line from horizontal, the patient's right side higher positive."""
    return _deg(np.arctan2(left[1] - right[1], abs(right[0] - left[0])))


def _deg(radians: float) -> float | None:
    return _finite(float(np.degrees(radians)))


def _finite(value: float) -> float | None:
    return round(float(value), 2) if np.isfinite(value) else None
