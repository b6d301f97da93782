"""Every signal a live exercise can watch from the camera, frame by frame, with each frame's view.

Live feedback cannot wait for a clip to end: each frame gives its own view (from the shoulder
width over torso length, as ``views`` infers it for a clip) and the joint angles that view can
measure; an angle the frame's view cannot see is NaN, so no cue rule ever fires on it. No smoothing
over time is applied here (the pose tracker smooths its own landmarks); the same function runs on one
frame live and on a whole series in a replay, so both give identical numbers.

Three signals that are not joint angles are added for the exercises that need them (all ours, each a
plain geometric definition):

- ``{side}_foot_lift``: how far that ankle is above the other, in % of the standing leg's length
  (hip to ankle); single-leg stance holds it above a few per cent. Any view.
- ``head_forward``: the ear-to-shoulder line's angle from vertical in a side view, degrees, positive
  with the ear ahead of the shoulder; a chin tuck brings it down. It is the complement of the
  craniovertebral-angle proxy that ``posture`` reports from a still moment.
- ``{side}_shoulder_hike``: the shoulder line's angle from horizontal in a front view, degrees,
  positive when that side's shoulder is higher (shrugging while the arm lifts).
"""

from __future__ import annotations

import numpy as np

from reeducate.signals.kinematics.angles import ANGLES, SIDES, Geometry, in_window_deg
from reeducate.signals.kinematics.views import FRONT_ABOVE, SIDE_BELOW, View, frame_width_ratios
from reeducate.signals.pose.landmarks import PoseSeries

#: Signals that are not joint angles, and the views they can be measured in.
EXTRA_VIEWS: dict[str, frozenset[View]] = {
    **{f"{s}_foot_lift": frozenset({View.SIDE, View.FRONT}) for s in SIDES},
    "head_forward": frozenset({View.SIDE}),
    **{f"{s}_shoulder_hike": frozenset({View.FRONT}) for s in SIDES},
}
#: Every camera signal and the views that can measure it.
CAMERA_SIGNAL_VIEWS: dict[str, frozenset[View]] = {**{a.name: a.views for a in ANGLES}, **EXTRA_VIEWS}


def frame_views(series: PoseSeries) -> list[View | None]:
    """Each frame's view: SIDE, FRONT, or None (oblique, or nobody seen)."""
    ratio = frame_width_ratios(series)
    views: list[View | None] = []
    for r in ratio:
        views.append(View.SIDE if r < SIDE_BELOW else View.FRONT if r > FRONT_ABOVE else None)
    return views


def _extras(g: Geometry) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for side in SIDES:
        other = "right" if side == "left" else "left"
        leg = np.linalg.norm(g.p(f"{other}_hip") - g.p(f"{other}_ankle"), axis=1)
        rise = g.p(f"{side}_ankle")[:, 1] - g.p(f"{other}_ankle")[:, 1]  # y is up in Geometry
        out[f"{side}_foot_lift"] = 100.0 * rise / np.where(leg > 0, leg, np.nan)
        line = g.p(f"{side}_shoulder") - g.p(f"{other}_shoulder")
        out[f"{side}_shoulder_hike"] = np.degrees(np.arctan2(line[:, 1], np.abs(line[:, 0])))
    ear = g.mid("left_ear", "right_ear")
    shoulder = g.mid("left_shoulder", "right_shoulder")
    forward, up = g.sagittal(ear - shoulder)
    out["head_forward"] = np.degrees(np.arctan2(forward, up))
    return out


def frame_signals(series: PoseSeries) -> tuple[dict[str, np.ndarray], list[View | None]]:
    """Every camera signal per frame (degrees, or % of leg length for foot lift), NaN where the frame's
    view cannot measure it, and the views."""
    views = frame_views(series)
    g = Geometry(series)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = {a.name: in_window_deg(a.compute(g), a.window_deg) for a in ANGLES}
        values.update(_extras(g))
    for name, measurable in CAMERA_SIGNAL_VIEWS.items():
        if len(measurable) < len(View):  # an angle of one plane: blind in the other view and when oblique
            values[name][[v not in measurable for v in views]] = np.nan
    return values, views

