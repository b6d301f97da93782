"""3-D joint angles under the single-camera engine's names, measured in the body's own planes.

The same ``ANGLES`` (kinematics/angles.py: names, definitions, 360-degree windows) are computed from
3-D landmarks, so a clinic reads ``left_knee_flexion`` the same whether one camera or four made it.
A camera sees only its image plane, and refuses the angles whose plane it sees edge-on; with points in
3-D every angle is measured in the body's plane, so none is refused for the view:

* the trunk frame, per frame: ``lateral`` from the right hip to the left hip; ``up`` from mid-hip to
  mid-shoulder, made perpendicular to ``lateral``; ``forward`` = lateral x up. Sagittal angles (hip and
  shoulder flexion) are the limb's angle from the trunk's downward line in the forward-up plane, frontal
  ones (shoulder abduction, knee valgus) in the lateral-up plane, as the single-camera definitions
  measure them against the trunk's line in the image;
  A segment pointing across the plane (within about 17 degrees of its normal) has no angle there: NaN;
* angles between two segments (knee flexion, ankle dorsiflexion, elbow flexion, shoulder elevation) are
  the 3-D angle between the segments, which no plane foreshortens; the knee's is signed negative when
  the shank turns forward of the thigh mostly in the sagittal plane (hyperextension);
* trunk lean and trunk lateral lean are against the vertical, the world axis that the body's feet-to-head
  line follows (the calibration's up axis: z for Qualisys and Pose2Sim's usual floor-level checkerboard).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from reeducate.signals.kinematics.angles import ANGLES, SIDES, in_window_deg
from reeducate.signals.pose.landmarks import INDEX

#: A segment whose projection on an angle's plane is shorter than this share of its length points across the
#: plane, where the planar angle is undefined (an arm held out sideways has no flexion angle): NaN (ours).
MIN_IN_PLANE = 0.3


def _unit(v: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1)


def _between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unsigned angle (rad) between vectors, 0..pi, robust near 0 and pi."""
    return np.arctan2(np.linalg.norm(np.cross(a, b), axis=-1), _dot(a, b))


class Body:
    """3-D landmarks (frames, 33, 3) with the trunk frame and the world's up direction."""

    def __init__(self, positions_m: np.ndarray, up: np.ndarray) -> None:
        self.x = positions_m
        self.world_up = _unit(np.asarray(up, dtype=float))
        self.lateral = _unit(self.p("left_hip") - self.p("right_hip"))            # towards the patient's left
        trunk = self.mid("left_shoulder", "right_shoulder") - self.mid("left_hip", "right_hip")
        self.up = _unit(trunk - _dot(trunk, self.lateral)[:, None] * self.lateral)
        self.forward = np.cross(self.lateral, self.up)

    def p(self, name: str) -> np.ndarray:
        return self.x[:, INDEX[name]]

    def mid(self, a: str, b: str) -> np.ndarray:
        return (self.p(a) + self.p(b)) / 2

    def side(self, side: str) -> np.ndarray:
        """Unit vector away from the midline towards ``side``."""
        return self.lateral if side == "left" else -self.lateral

    def from_trunk_line(self, vector: np.ndarray, toward: np.ndarray) -> np.ndarray:
        """Angle (rad) of ``vector`` from the trunk's downward line, positive towards ``toward``, in their plane;
        NaN where the segment points across the plane (its projection shorter than ``MIN_IN_PLANE``)."""
        along, down = _dot(vector, toward), -_dot(vector, self.up)
        in_plane = np.hypot(along, down) >= MIN_IN_PLANE * np.linalg.norm(vector, axis=-1)
        return np.where(in_plane, np.arctan2(along, down), np.nan)

    def from_vertical(self, toward_body_axis: np.ndarray) -> np.ndarray:
        """Trunk (mid-hip to mid-shoulder) from the world's vertical, positive towards the given body axis
        made horizontal."""
        trunk = self.mid("left_shoulder", "right_shoulder") - self.mid("left_hip", "right_hip")
        horizontal = _unit(toward_body_axis - _dot(toward_body_axis, self.world_up)[:, None] * self.world_up)
        return np.arctan2(_dot(trunk, horizontal), _dot(trunk, self.world_up))


def _segment(b: Body, side: str, start: str, end: str) -> np.ndarray:
    return b.p(f"{side}_{end}") - b.p(f"{side}_{start}")


def _hip_flexion(side: str) -> Callable[[Body], np.ndarray]:
    return lambda b: b.from_trunk_line(_segment(b, side, "hip", "knee"), b.forward)


def _shoulder_flexion(side: str) -> Callable[[Body], np.ndarray]:
    return lambda b: b.from_trunk_line(_segment(b, side, "shoulder", "elbow"), b.forward)


def _shoulder_abduction(side: str) -> Callable[[Body], np.ndarray]:
    return lambda b: b.from_trunk_line(_segment(b, side, "shoulder", "elbow"), b.side(side))


def _shoulder_elevation(side: str) -> Callable[[Body], np.ndarray]:
    return lambda b: _between(-b.up, _segment(b, side, "shoulder", "elbow"))


def _elbow_flexion(side: str) -> Callable[[Body], np.ndarray]:
    return lambda b: _between(_segment(b, side, "shoulder", "elbow"), _segment(b, side, "elbow", "wrist"))


def _knee_flexion(side: str) -> Callable[[Body], np.ndarray]:
    def compute(b: Body) -> np.ndarray:
        thigh, shank = _segment(b, side, "hip", "knee"), _segment(b, side, "knee", "ankle")
        # Flexion turns the shank backwards about the patient's lateral axis, so (thigh x shank) points left;
        # hyperextension only when the knee bends mostly in the sagittal plane the other way.
        cross = np.cross(thigh, shank)
        backwards = _dot(cross, b.lateral) < -MIN_IN_PLANE * np.linalg.norm(cross, axis=-1)
        sign = np.where(backwards, -1.0, 1.0)
        return sign * _between(thigh, shank)
    return compute


def _ankle_dorsiflexion(side: str) -> Callable[[Body], np.ndarray]:
    def compute(b: Body) -> np.ndarray:
        return _between(_segment(b, side, "knee", "ankle"), _segment(b, side, "heel", "foot_index")) - np.pi / 2
    return compute


def _knee_valgus(side: str) -> Callable[[Body], np.ndarray]:
    def compute(b: Body) -> np.ndarray:
        away = b.side(side)
        return (b.from_trunk_line(_segment(b, side, "knee", "ankle"), away)
                - b.from_trunk_line(_segment(b, side, "hip", "knee"), away))
    return compute


COMPUTE_3D: dict[str, Callable[[Body], np.ndarray]] = {
    **{f"{s}_hip_flexion": _hip_flexion(s) for s in SIDES},
    **{f"{s}_knee_flexion": _knee_flexion(s) for s in SIDES},
    **{f"{s}_ankle_dorsiflexion": _ankle_dorsiflexion(s) for s in SIDES},
    "trunk_lean": lambda b: b.from_vertical(b.forward),
    **{f"{s}_shoulder_flexion": _shoulder_flexion(s) for s in SIDES},
    **{f"{s}_shoulder_abduction": _shoulder_abduction(s) for s in SIDES},
    **{f"{s}_shoulder_elevation": _shoulder_elevation(s) for s in SIDES},
    **{f"{s}_elbow_flexion": _elbow_flexion(s) for s in SIDES},
    **{f"{s}_knee_valgus": _knee_valgus(s) for s in SIDES},
    "trunk_lateral_lean": lambda b: b.from_vertical(-b.lateral),
}


def world_up(positions_m: np.ndarray) -> np.ndarray:
    """The world axis (+-x, +-y or +-z) closest to the body's mean feet-to-head direction."""
    feet = (positions_m[:, INDEX["left_ankle"]] + positions_m[:, INDEX["right_ankle"]]) / 2
    head = (positions_m[:, INDEX["left_shoulder"]] + positions_m[:, INDEX["right_shoulder"]]) / 2
    direction = np.nanmean(head - feet, axis=0)
    if not np.all(np.isfinite(direction)):
        return np.array([0.0, 0.0, 1.0])
    axis = int(np.argmax(np.abs(direction)))
    up = np.zeros(3)
    up[axis] = np.sign(direction[axis])
    return up


def joint_angles_3d(positions_m: np.ndarray, up: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every angle of ``ANGLES`` in degrees per frame, in its own window; NaN where a landmark is missing."""
    body = Body(positions_m, world_up(positions_m) if up is None else up)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {a.name: in_window_deg(COMPUTE_3D[a.name](body), a.window_deg) for a in ANGLES}
