"""2-D joint angles from keypoints, one convention for all of them.

Every angle is in degrees, 0 in upright standing with the arms by the side, and lies in a fixed
360-degree window whose edge sits where the joint cannot go (``window_deg``): a shoulder flexion is
always in -90..270, so an arm overhead never jumps from 180 to -180 and nothing is ever past 360. Side-on, "forward" is the direction the patient faces (from the feet and
the nose) and flexion is positive; hyperextension comes out negative. From the front, angles are
signed against the patient's own left and right (from the hips), so a front or a back view gives
the same sign. A frame where one of an angle's landmarks is unseen (visibility below
``MIN_VISIBILITY``) gives NaN for that angle.

Definitions follow the segment-angle convention of Winter (2009, Biomechanics and Motor Control of
Human Movement, 4th ed., chapter 3); the knee's frontal-plane projection angle is the 2-D valgus
measure of Willson & Davis (2008, J Orthop Sports Phys Ther 38(6):353-361) and Munro, Herrington &
Carolan (2012, J Sport Rehabil 21(1):7-11).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from reeducate.signals.kinematics.views import View
from reeducate.signals.pose.landmarks import INDEX, PoseSeries

#: Landmarks seen with less confidence than this are not used (MediaPipe's own presence default).
MIN_VISIBILITY = 0.5

SIDES = ("left", "right")


@dataclass(frozen=True)
class AngleDefinition:
    """One angle: its output name, the views it is valid in, and its definition in words."""

    name: str
    views: frozenset[View]
    definition: str
    compute: Callable[[Geometry], np.ndarray]
    window_deg: float = -180.0  # lower edge of the angle's 360-degree range


class Geometry:
    """Landmark positions in a y-up frame plus the directions angles are signed against."""

    def __init__(self, series: PoseSeries) -> None:
        xy = series.xy.copy()
        xy[..., 1] *= -1  # y up
        seen = series.visibility >= MIN_VISIBILITY
        xy[~seen] = np.nan
        self.xy = xy
        self.facing = _facing(xy)

    def p(self, name: str) -> np.ndarray:
        return self.xy[:, INDEX[name]]

    def mid(self, a: str, b: str) -> np.ndarray:
        return (self.p(a) + self.p(b)) / 2

    def sagittal(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(forward, up) components of image vectors in a side view."""
        return vector[:, 0] * self.facing, vector[:, 1]

    def lateral(self, side: str) -> np.ndarray:
        """Unit vector from the pelvis centre towards ``side``, per frame (image plane)."""
        other = "right" if side == "left" else "left"
        v = self.p(f"{side}_hip") - self.p(f"{other}_hip")
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def trunk_down(self) -> np.ndarray:
        """Unit vector from mid-shoulder to mid-hip, per frame."""
        v = self.mid("left_hip", "right_hip") - self.mid("left_shoulder", "right_shoulder")
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def _facing(xy: np.ndarray) -> float:
    """+1 when the patient faces image-right, -1 when image-left (toes ahead of heels, nose ahead of ears)."""
    votes = []
    for side in SIDES:
        votes.append(xy[:, INDEX[f"{side}_foot_index"], 0] - xy[:, INDEX[f"{side}_heel"], 0])
    ears = (xy[:, INDEX["left_ear"], 0] + xy[:, INDEX["right_ear"], 0]) / 2
    votes.append(xy[:, INDEX["nose"], 0] - ears)
    total = np.nansum(np.sign(np.concatenate(votes)))
    return 1.0 if total >= 0 else -1.0


def _from_down(forward: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Angle (rad) of a sagittal vector from straight down, positive forward."""
    return np.arctan2(forward, -up)


def _segment(g: Geometry, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    return _from_down(*g.sagittal(end - start))


def _signed_from(down: np.ndarray, toward: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Angle (rad) of ``vector`` from ``down``, positive towards ``toward`` (all per frame)."""
    return np.arctan2(np.sum(vector * toward, axis=1), np.sum(vector * down, axis=1))


def _between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unsigned angle (rad) between two vectors, per frame, 0..pi."""
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return np.abs(np.arctan2(cross, np.sum(a * b, axis=1)))


def in_window_deg(radians: np.ndarray, low_deg: float) -> np.ndarray:
    """Degrees placed in [low_deg, low_deg + 360)."""
    return np.mod(np.degrees(radians) - low_deg, 360.0) + low_deg


def _from_trunk(side: str, joint: str, distal: str) -> Callable[[Geometry], np.ndarray]:
    """A limb segment (joint to distal landmark) against the trunk's line, forward positive (hip, shoulder)."""
    def compute(g: Geometry) -> np.ndarray:
        trunk = _segment(g, g.mid("left_shoulder", "right_shoulder"), g.mid("left_hip", "right_hip"))
        return _segment(g, g.p(f"{side}_{joint}"), g.p(f"{side}_{distal}")) - trunk
    return compute


def _knee_flexion(side: str) -> Callable[[Geometry], np.ndarray]:
    def compute(g: Geometry) -> np.ndarray:
        thigh = _segment(g, g.p(f"{side}_hip"), g.p(f"{side}_knee"))
        return thigh - _segment(g, g.p(f"{side}_knee"), g.p(f"{side}_ankle"))
    return compute


def _ankle_dorsiflexion(side: str) -> Callable[[Geometry], np.ndarray]:
    def compute(g: Geometry) -> np.ndarray:
        foot = _segment(g, g.p(f"{side}_heel"), g.p(f"{side}_foot_index"))
        return foot - _segment(g, g.p(f"{side}_knee"), g.p(f"{side}_ankle")) - np.pi / 2
    return compute


def _shoulder_abduction(side: str) -> Callable[[Geometry], np.ndarray]:
    def compute(g: Geometry) -> np.ndarray:
        arm = g.p(f"{side}_elbow") - g.p(f"{side}_shoulder")
        return _signed_from(g.trunk_down(), g.lateral(side), arm)
    return compute


def _shoulder_elevation(side: str) -> Callable[[Geometry], np.ndarray]:
    def compute(g: Geometry) -> np.ndarray:
        return _between(g.trunk_down(), g.p(f"{side}_elbow") - g.p(f"{side}_shoulder"))
    return compute


def _elbow_flexion(side: str) -> Callable[[Geometry], np.ndarray]:
    def compute(g: Geometry) -> np.ndarray:
        upper = g.p(f"{side}_elbow") - g.p(f"{side}_shoulder")
        return _between(upper, g.p(f"{side}_wrist") - g.p(f"{side}_elbow"))
    return compute


def _knee_valgus(side: str) -> Callable[[Geometry], np.ndarray]:
    def compute(g: Geometry) -> np.ndarray:
        down, lateral = g.trunk_down(), g.lateral(side)
        thigh = _signed_from(down, lateral, g.p(f"{side}_knee") - g.p(f"{side}_hip"))
        shank = _signed_from(down, lateral, g.p(f"{side}_ankle") - g.p(f"{side}_knee"))
        return shank - thigh
    return compute


def _trunk_lean(g: Geometry) -> np.ndarray:
    forward, up = g.sagittal(g.mid("left_shoulder", "right_shoulder") - g.mid("left_hip", "right_hip"))
    return np.arctan2(forward, up)


def _trunk_lateral_lean(g: Geometry) -> np.ndarray:
    up = -g.trunk_down()
    return np.arctan2(np.sum(up * g.lateral("right"), axis=1), up[:, 1])


SAGITTAL = frozenset({View.SIDE})
FRONTAL = frozenset({View.FRONT})
ANY_VIEW = frozenset({View.SIDE, View.FRONT})

ANGLES: tuple[AngleDefinition, ...] = (
    *(AngleDefinition(f"{s}_hip_flexion", SAGITTAL,
                      "thigh (hip to knee) from the trunk's line (mid-shoulder to mid-hip), forward positive",
                      _from_trunk(s, "hip", "knee"), -90.0) for s in SIDES),
    *(AngleDefinition(f"{s}_knee_flexion", SAGITTAL,
                      "shank (knee to ankle) behind the thigh's line, 0 straight, hyperextension negative",
                      _knee_flexion(s), -90.0) for s in SIDES),
    *(AngleDefinition(f"{s}_ankle_dorsiflexion", SAGITTAL,
                      "foot (heel to toe) against the shank, minus 90; dorsiflexion positive",
                      _ankle_dorsiflexion(s)) for s in SIDES),
    AngleDefinition("trunk_lean", SAGITTAL,
                    "trunk (mid-hip to mid-shoulder) from vertical, forward positive", _trunk_lean),
    *(AngleDefinition(f"{s}_shoulder_flexion", SAGITTAL,
                      "upper arm (shoulder to elbow) from the trunk's line, forward positive",
                      _from_trunk(s, "shoulder", "elbow"), -90.0) for s in SIDES),
    *(AngleDefinition(f"{s}_shoulder_abduction", FRONTAL,
                      "upper arm from the trunk's line, away from the body positive", _shoulder_abduction(s), -90.0)
      for s in SIDES),
    *(AngleDefinition(f"{s}_shoulder_elevation", ANY_VIEW,
                      "upper arm from the trunk's line in the image, unsigned (0-180) in any plane",
                      _shoulder_elevation(s), 0.0) for s in SIDES),
    *(AngleDefinition(f"{s}_elbow_flexion", ANY_VIEW,
                      "forearm against the upper arm's line in the image, 0 straight (unsigned)",
                      _elbow_flexion(s), 0.0) for s in SIDES),
    *(AngleDefinition(f"{s}_knee_valgus", FRONTAL,
                      "frontal-plane projection angle: shank against the thigh's line, knee towards the "
                      "midline (valgus) positive, away (varus) negative", _knee_valgus(s)) for s in SIDES),
    AngleDefinition("trunk_lateral_lean", FRONTAL,
                    "trunk (mid-hip to mid-shoulder) from vertical, towards the patient's right positive",
                    _trunk_lateral_lean),
)
BY_NAME = {a.name: a for a in ANGLES}


def joint_angles(series: PoseSeries, view: View | None) -> dict[str, np.ndarray]:
    """Every angle the view supports (for an unknown view: those valid in any view), in degrees per frame."""
    g = Geometry(series)
    wanted = [a for a in ANGLES if (view in a.views if view is not None else a.views == ANY_VIEW)]
    with np.errstate(invalid="ignore", divide="ignore"):
        return {a.name: in_window_deg(a.compute(g), a.window_deg) for a in wanted}
