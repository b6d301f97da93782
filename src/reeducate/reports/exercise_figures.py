"""An exercise's key poses drawn as a stick figure (SVG), from the exercise's own model movement.

A library exercise watched by a camera moves one signal (``training/signals.py``) from its rest to its
target: this module draws a standard figure at the start and at the target, the watched joint set to
exactly the library's figure (the template's peak, which is the targets' peak; for a hold, the middle of
its band), seen from that monitor's view, with an arrow along the movement and a sentence for a screen
reader. Run back through :func:`reeducate.signals.kinematics.frame_signals.frame_signals`, the figure's
landmarks give the drawn value: the tests check it for every figure.

The rest of the body follows a plausible pattern (hips back as the knees bend, the trunk over the feet):
those are drawing choices, and no other signal the exercise watches is put past its fault limit. The
figure starts from the standard upright figure when the exercise's rest lies on that side of the
movement (a squat starts standing tall), else at the detection's rest level (sit to stand starts
seated, at the knee angle the library counts as sitting).

An exercise is drawn only when :data:`DRAWINGS` says how it is done (standing, on a chair, lying...);
one it does not name, one without a camera monitor, or one whose movement a figure cannot show honestly
(:data:`NOT_DRAWN` says why) gets no figure, never a made-up one.

Segment lengths are Winter's fractions of body height H (Winter DA. Biomechanics and Motor Control of
Human Movement. 4th ed. Wiley; 2009, fig. 4.1, after Drillis & Contini 1966) for a figure 170 cm tall;
the head, the hip joints' spacing and the feet's placement are drawing choices. Figure coordinates are
centimetres with y up; the SVG flips them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from html import escape
from typing import Literal

from reeducate.feedback.adapters.base import Device
from reeducate.signals.pose.landmarks import LANDMARKS
from reeducate.training.models import Exercise, Monitor
from reeducate.training.signals import resolve

Point = tuple[float, float]

HEIGHT_CM = 170.0
ANKLE_H = 0.039 * HEIGHT_CM
SHANK = 0.246 * HEIGHT_CM
THIGH = 0.245 * HEIGHT_CM
TRUNK = 0.288 * HEIGHT_CM  # hip joint (0.530 H) to shoulder (0.818 H)
UPPER_ARM = 0.186 * HEIGHT_CM
FOREARM = 0.146 * HEIGHT_CM
FOOT = 0.152 * HEIGHT_CM
HALF_SHOULDERS = 0.259 * HEIGHT_CM / 2
HALF_HIPS = 0.05 * HEIGHT_CM  # drawing choice: the hip joints' spacing
NECK = 0.10 * HEIGHT_CM  # drawing choice: shoulder line to the ear
HEAD_R = 0.065 * HEIGHT_CM
LEG = THIGH + SHANK  # hip to ankle, the length foot lift is a percentage of
SEAT = 7.0  # drawing choice: hip joint above the seat (cm)

INK, FAR, MOVING, ARROW, PROP, PAPER = "#1c2733", "#7b8794", "#1d4ed8", "#b93a0b", "#d5dce4", "#ffffff"
MIN_ARROW = 28.0  # cm: a straight arrow at least this long, so a small movement's shows
PANEL_W, FIGURE_H, CAPTION_H, MARGIN = 260.0, 280.0, 100.0, 14.0
CAPTION_PX, CAPTION_CHARS = 24.0, 20  # two panels fill a 390-px phone at 0.69: captions of 16.5 px


class Posture(StrEnum):
    """How an exercise is done, which decides the figure's pattern for the watched joint."""

    STANDING = "standing"
    SQUAT = "squat"  # both knees bend, hips back, trunk over the feet
    CHAIR = "chair"  # seated on a chair at the start, standing at the target
    LUNGE = "lunge"  # the trained leg steps forward, the back knee goes down
    STEP = "step"  # the trained foot on a step
    HINGE = "hinge"  # forward from the hips, knees soft
    TABLE = "table"  # seated on a treatment table, lower legs hanging
    SUPINE = "supine"  # lying on the back


@dataclass(frozen=True)
class Drawing:
    """How an exercise is drawn: its posture, the arm's direction in a front view (out to the side or
    across the body), and the words for each panel (``{angle}`` is the drawn target in degrees). The
    patient's figure says the action without a number (:func:`plain_action`): ``plain`` when set, else the
    action less its " to {angle}"."""

    posture: Posture
    start: str
    action: str
    arrow: str
    plain: str = ""
    arm: Literal["out", "across"] = "out"
    start_arm: Literal["out", "across"] | None = None  # the start's arm side when it differs from the target's
    # (the start is then at the detection's rest level: the hand by the other hip)


#: The exercises a figure can show, and how each is done (the words are the figure's, for the patient).
DRAWINGS: dict[str, Drawing] = {
    "single-leg-stance": Drawing(Posture.STANDING, "Stand tall", "Lift one foot off the floor and hold",
                                 "the foot lifting off the floor"),
    "single-leg-reach": Drawing(Posture.STANDING, "Stand on one leg", "Reach the arm up to {angle}",
                                "the arm rising up to the side"),
    "mini-squat": Drawing(Posture.SQUAT, "Stand tall", "Bend the knees to {angle}", "the hips going down"),
    "squat": Drawing(Posture.SQUAT, "Stand tall", "Bend the knees to {angle}", "the hips going down and back"),
    "sit-to-stand": Drawing(Posture.CHAIR, "Sit at the front of the chair", "Stand up tall",
                            "the hips rising from the chair"),
    "step-up": Drawing(Posture.STEP, "Stand in front of the step", "Put the foot on the step",
                       "the knee lifting the foot onto the step"),
    "lunge": Drawing(Posture.LUNGE, "Stand tall", "Step forward, front knee to {angle}",
                     "the hips going down", plain="Step forward and bend the front knee"),
    "overhead-reach": Drawing(Posture.STANDING, "Arm by your side", "Reach up to {angle}",
                              "the arm rising up to the side"),
    "hip-hinge": Drawing(Posture.HINGE, "Stand tall, knees soft", "Lean forward from the hips to {angle}",
                         "the chest moving forward and down"),
    "pnf-d1-flexion-arm": Drawing(Posture.STANDING, "Hand by your hip", "Bring the hand up and across to {angle}",
                                  "the arm rising across the face", arm="across"),
    "pnf-d2-flexion-arm": Drawing(Posture.STANDING, "Hand by the other hip", "Draw the arm up and out to {angle}",
                                  "the arm rising up and out", start_arm="across"),
    "pnf-d1-flexion-leg": Drawing(Posture.STANDING, "Stand tall", "Raise the straight leg to {angle}",
                                  "the leg swinging forward and up"),
    "pnf-d2-flexion-leg": Drawing(Posture.STANDING, "Stand tall", "Raise the straight leg to {angle}",
                                  "the leg swinging forward and up"),
    "rhythmic-stabilisation-shoulder": Drawing(Posture.STANDING, "Arm by your side",
                                               "Hold the arm forward at {angle}", "the arm rising forward"),
    "hold-relax-hamstring": Drawing(Posture.SUPINE, "Lie on your back", "Straight leg raised to {angle}",
                                    "the leg rising"),
    "knee-joint-position": Drawing(Posture.TABLE, "Sit on the table", "Find {angle} and hold",
                                   "the lower leg rising", plain="Find the angle again and hold"),
}

#: Exercises watched by a camera that get no figure, and why.
NOT_DRAWN: dict[str, str] = {
    "mirror-elbow-flexion": "the sound arm bends towards the camera, so a figure seen from the front would "
                            "not show the bend the camera counts",
    "chin-tuck": "the held position is the upright figure's own (the ear not ahead of the shoulder): a stick "
                 "figure cannot show a nod",
    "scapular-setting": "the camera only checks that the shoulder does not rise; the blade drawn back and "
                        "down is not in its picture",
    "knee-position-sense-seated": "its targets change from trial to trial and are shown live on the screen; a "
                                  "figure at one angle would teach the position the patient must find without "
                                  "looking",
}


@dataclass(frozen=True)
class Prop:
    """Furniture drawn as a grey rectangle: x, y of its lower left corner, width, height (cm)."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Arrow:
    """The movement's arrow: a line through ``points`` (cm, y up), its head at the last."""

    points: tuple[Point, ...]


@dataclass(frozen=True)
class KeyPose:
    """One panel: the figure's landmarks (cm, y up; all 33 of BlazePose's), the watched signal's value,
    its caption, the limbs the movement moves (drawn in colour), and the furniture."""

    caption: str
    value: float
    landmarks: dict[str, Point]
    moving: frozenset[str] = frozenset()
    props: tuple[Prop, ...] = ()
    arrow: Arrow | None = None


@dataclass(frozen=True)
class ExerciseFigure:
    """An exercise's key poses as drawn, with what they were drawn from."""

    exercise_id: str
    view: Literal["side", "front"]
    signal: str  # the watched signal, the trained side as the figure's left
    poses: tuple[KeyPose, ...]
    alt: str
    svg: str = field(repr=False)


# --- the figure's geometry -------------------------------------------------------------------------------

def _down(angle_deg: float) -> Point:
    """The unit vector at ``angle_deg`` from straight down, positive forward (+x)."""
    a = math.radians(angle_deg)
    return math.sin(a), -math.cos(a)


def _add(p: Point, length: float, unit: Point) -> Point:
    return p[0] + length * unit[0], p[1] + length * unit[1]


@dataclass(frozen=True)
class Leg:
    """A leg seen side-on: the thigh's angle from straight down (knee ahead of the hip positive), the knee's
    flexion, and the foot flat on the floor or at a right angle to the shank."""

    thigh_deg: float = 0.0
    knee_deg: float = 0.0
    foot: Literal["flat", "neutral"] = "flat"


@dataclass(frozen=True)
class Arm:
    """An arm seen side-on: the shoulder's flexion from the trunk's line and the elbow's flexion."""

    shoulder_deg: float = 0.0
    elbow_deg: float = 0.0


def _side(trunk_deg: float = 0.0, near_leg: Leg = Leg(), far_leg: Leg = Leg(), near_arm: Arm | None = None,
          far_arm: Arm | None = None) -> dict[str, Point]:
    """A figure facing +x, its left side nearest, mid-hip at the origin; arms hang unless given."""
    points: dict[str, Point] = {}
    hip: Point = (0.0, 0.0)
    shoulder = _add(hip, TRUNK, _down(180.0 - trunk_deg))
    hanging = Arm(shoulder_deg=trunk_deg + 12.0)  # a little forward of plumb, so the arm shows beside the trunk
    for side, leg, arm in (("left", near_leg, near_arm or hanging), ("right", far_leg, far_arm or hanging)):
        knee = _add(hip, THIGH, _down(leg.thigh_deg))
        shank_deg = leg.thigh_deg - leg.knee_deg
        ankle = _add(knee, SHANK, _down(shank_deg))
        sole = _down(90.0 if leg.foot == "flat" else shank_deg + 90.0)  # heel to toe
        base = _add(ankle, ANKLE_H, (0.0, -1.0) if leg.foot == "flat" else _down(shank_deg))  # under the ankle
        upper_deg = arm.shoulder_deg - trunk_deg
        elbow = _add(shoulder, UPPER_ARM, _down(upper_deg))
        wrist = _add(elbow, FOREARM, _down(upper_deg + arm.elbow_deg))
        points |= {f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": ankle,
                   f"{side}_heel": _add(base, -0.25 * FOOT, sole), f"{side}_foot_index": _add(base, 0.75 * FOOT, sole),
                   f"{side}_shoulder": shoulder, f"{side}_elbow": elbow, f"{side}_wrist": wrist}
    ear = _add(shoulder, NECK, _down(180.0 - trunk_deg))  # the head in line with the trunk
    forward = _down(90.0 - trunk_deg)  # where the face looks
    nose = _add(_add(ear, 0.05 * HEIGHT_CM, forward), -2.0, (-forward[1], forward[0]))
    for side in ("left", "right"):
        points[f"{side}_ear"] = ear
    points["nose"] = nose
    return _complete(points)


def _front(elevation: dict[str, tuple[float, Literal["out", "across"]]] | None = None,
           lift_pct: dict[str, float] | None = None) -> dict[str, Point]:
    """A figure facing the viewer (its left on the image's right), ankles on the floor; ``elevation``: an
    arm's angle from the trunk's line and its side; ``lift_pct``: a foot raised by % of the leg (knee
    bent behind, so the shank is foreshortened)."""
    points: dict[str, Point] = {}
    hip_y = ANKLE_H + LEG
    shoulder_y = hip_y + TRUNK
    for side, lateral in (("left", 1.0), ("right", -1.0)):
        hip = (lateral * HALF_HIPS, hip_y)
        knee = (hip[0], hip_y - THIGH)
        ankle = (hip[0], ANKLE_H + LEG * (lift_pct or {}).get(side, 0.0) / 100.0)
        shoulder = (lateral * HALF_SHOULDERS, shoulder_y)
        angle, towards = (elevation or {}).get(side, (0.0, "out"))
        direction = lateral if towards == "out" else -lateral
        unit = (direction * math.sin(math.radians(angle)), -math.cos(math.radians(angle)))
        elbow = _add(shoulder, UPPER_ARM, unit)
        points |= {f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": ankle,
                   f"{side}_heel": (ankle[0], ankle[1] - ANKLE_H),
                   f"{side}_foot_index": (ankle[0] + lateral * 4.0, ankle[1] - ANKLE_H - 1.0),
                   f"{side}_shoulder": shoulder, f"{side}_elbow": elbow, f"{side}_wrist": _add(elbow, FOREARM, unit),
                   f"{side}_ear": (lateral * 7.0, shoulder_y + NECK)}
    points["nose"] = (0.0, shoulder_y + NECK - 1.0)
    return _complete(points)


def _complete(points: dict[str, Point]) -> dict[str, Point]:
    """All 33 landmarks: the eyes and mouth between the ears and the nose, the hand's points at the wrist."""
    ear_l, ear_r, nose = points["left_ear"], points["right_ear"], points["nose"]
    for side, ear in (("left", ear_l), ("right", ear_r)):
        eye = ((2 * nose[0] + ear[0]) / 3, (2 * nose[1] + ear[1]) / 3 + 2.0)
        for part in ("eye_inner", "eye", "eye_outer"):
            points[f"{side}_{part}"] = eye
        points[f"mouth_{side}"] = ((2 * nose[0] + ear[0]) / 3, nose[1] - 3.0)
        for part in ("pinky", "index", "thumb"):
            points[f"{side}_{part}"] = points[f"{side}_wrist"]
    return {name: points[name] for name in LANDMARKS}


def _moved(points: dict[str, Point], dx: float, dy: float) -> dict[str, Point]:
    return {name: (x + dx, y + dy) for name, (x, y) in points.items()}


def _rotated(points: dict[str, Point], degrees: float) -> dict[str, Point]:
    """Turned counter-clockwise about the origin."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return {name: (c * x - s * y, s * x + c * y) for name, (x, y) in points.items()}


def _on_floor(points: dict[str, Point], ankle: str = "left_ankle") -> dict[str, Point]:
    """Moved so that ``ankle`` is at x = 0 and the lowest point of the feet is on the floor (y = 0)."""
    feet = [p for name, p in points.items() if name.endswith(("heel", "foot_index"))]
    return _moved(points, -points[ankle][0], -min(y for _, y in feet))


# --- the postures: the figure at a value of the watched signal -----------------------------------------

def _squat(knee_deg: float) -> dict[str, Point]:
    """Both knees bent: a third of it the shins tilting forward, two thirds the thighs; the trunk leans just
    enough to bring the shoulders back over the ankles."""
    shank, thigh = knee_deg / 3, 2 * knee_deg / 3
    hip_behind = THIGH * math.sin(math.radians(thigh)) - SHANK * math.sin(math.radians(shank))
    trunk = math.degrees(math.asin(max(0.0, min(1.0, hip_behind / TRUNK))))
    leg = Leg(thigh_deg=thigh, knee_deg=knee_deg)
    return _on_floor(_side(trunk, leg, leg))


def _seated(knee_deg: float) -> dict[str, Point]:
    """Sitting upright, thighs level, arms crossed over the chest."""
    leg = Leg(thigh_deg=90.0, knee_deg=knee_deg)
    crossed = Arm(shoulder_deg=20.0, elbow_deg=110.0)
    return _on_floor(_side(0.0, leg, leg, crossed, crossed))


def _lunge(knee_deg: float) -> dict[str, Point]:
    """The trained (near) leg forward, its shin upright; the back knee bends as much and goes down."""
    front = Leg(thigh_deg=knee_deg, knee_deg=knee_deg)
    back = Leg(thigh_deg=-knee_deg / 9, knee_deg=knee_deg, foot="neutral" if knee_deg > 30 else "flat")
    return _on_floor(_side(0.0, front, back))


def _step(hip_deg: float) -> dict[str, Point]:
    """The trained (near) thigh lifted, its shin upright; the other leg stands."""
    return _on_floor(_side(0.0, Leg(thigh_deg=hip_deg, knee_deg=hip_deg), Leg()), ankle="right_ankle")


def _straight_leg(hip_deg: float) -> dict[str, Point]:
    """Standing on the far leg, the near leg raised forward with the knee straight."""
    return _on_floor(_side(0.0, Leg(thigh_deg=hip_deg, foot="neutral"), Leg()), ankle="right_ankle")


def _hinge(trunk_deg: float) -> dict[str, Point]:
    """Forward from the hips, the knees soft (a quarter of the lean, so never past a hinge's knee limit)."""
    knee = trunk_deg / 4
    leg = Leg(thigh_deg=knee, knee_deg=knee)  # shins upright, the hips back
    return _on_floor(_side(trunk_deg, leg, leg))


def _arm_forward(shoulder_deg: float) -> dict[str, Point]:
    return _on_floor(_side(0.0, near_arm=Arm(shoulder_deg=shoulder_deg)))


def _table(knee_deg: float) -> dict[str, Point]:
    """Sitting on a table 75 cm high, the near lower leg at ``knee_deg``, the far one hanging."""
    points = _side(0.0, Leg(thigh_deg=90.0, knee_deg=knee_deg, foot="neutral"),
                   Leg(thigh_deg=90.0, knee_deg=90.0, foot="neutral"))
    return _moved(points, 0.0, 75.0 + SEAT)


def _supine(hip_deg: float) -> dict[str, Point]:
    """Lying on the back on a mat 10 cm high, head to the left; the near leg raised with the knee straight."""
    points = _rotated(_side(0.0, Leg(thigh_deg=hip_deg, foot="neutral"), Leg(foot="neutral"),
                            Arm(), Arm()), 90.0)
    return _moved(points, 0.0, 10.0 + SEAT)


# --- what each signal moves -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mover:
    """How a signal's value sets the figure in a posture, what it moves, and where its arrow goes: an arc
    about ``pivot`` through ``marker``, or (no pivot) a straight arrow following ``marker``."""

    pose: Callable[[float], dict[str, Point]]
    moving: frozenset[str]
    marker: str
    pivot: str | None = None


def _limb(*names: str) -> frozenset[str]:
    return frozenset(f"left_{name}" for name in names)


_LEG, _ARM, _FOOT = _limb("hip", "knee", "ankle", "heel", "foot_index"), _limb("shoulder", "elbow", "wrist"), \
    _limb("knee", "ankle", "heel", "foot_index")
_BOTH_LEGS = _LEG | {n.replace("left", "right") for n in _LEG}

#: (signal without its side, posture) -> how the figure moves. Side-view signals for side monitors, front
#: ones for front monitors; shoulder elevation and foot lift are drawn from the front.
MOVERS: dict[tuple[str, Posture], Mover] = {
    ("knee_flexion", Posture.SQUAT): Mover(_squat, _BOTH_LEGS, "left_hip"),
    ("knee_flexion", Posture.CHAIR): Mover(lambda v: _seated(v) if v >= 45 else _squat(v), _BOTH_LEGS, "left_hip"),
    ("knee_flexion", Posture.LUNGE): Mover(_lunge, _BOTH_LEGS, "left_hip"),
    ("knee_flexion", Posture.TABLE): Mover(_table, _limb("knee", "ankle", "heel", "foot_index"), "left_ankle",
                                           "left_knee"),
    ("hip_flexion", Posture.STEP): Mover(_step, _LEG, "left_knee", "left_hip"),
    ("hip_flexion", Posture.STANDING): Mover(_straight_leg, _LEG, "left_ankle", "left_hip"),
    ("hip_flexion", Posture.SUPINE): Mover(_supine, _LEG, "left_ankle", "left_hip"),
    ("trunk_lean", Posture.HINGE): Mover(_hinge, frozenset({"left_shoulder", "right_shoulder", "left_hip"}),
                                         "left_shoulder", "left_hip"),
    ("shoulder_flexion", Posture.STANDING): Mover(_arm_forward, _ARM, "left_wrist", "left_shoulder"),
}
#: The neutral value of a signal in a posture, where the figure stands (or sits, or lies) at rest.
NEUTRAL: dict[Posture, float] = {Posture.TABLE: 90.0}

FOOT_REACH_PCT = 100.0 * SHANK / LEG
"""The highest the figure lifts a foot (% of the leg): the knee bent behind until the heel is level with
it. A band or a fault's good side that runs higher is drawn in the part the figure can reach."""


def _base(signal: str) -> str:
    return signal.removeprefix("{side}_").removeprefix("{other}_")


def _foot_lift_needed(monitor: Monitor) -> float | None:
    """The lift a fault asks to keep (a foot that must stay off the floor), drawn in the middle of what
    is allowed and the figure can reach; None when no fault needs the foot lifted."""
    for fault in monitor.faults:
        if _base(fault.signal) == "foot_lift" and not fault.above and fault.limit > 0:
            return (fault.limit + FOOT_REACH_PCT) / 2
    return None


FRONT_SIGNALS = ("shoulder_elevation", "foot_lift")
"""Signals drawn from the front: an arm raised in the image's plane, a foot lifted."""


def _front_mover(monitor: Monitor, drawing: Drawing, panel: Literal["start", "target"]) -> Mover:
    """How a front-view signal moves the figure (the trained side is the figure's left)."""
    if _base(monitor.signal) == "foot_lift":
        return Mover(lambda v: _front(lift_pct={"left": v}), _FOOT, "left_ankle")
    lift = _foot_lift_needed(monitor)
    lifted = {} if lift is None else {"left": lift}  # the lifted foot is on the trained side, as the arm
    towards = drawing.start_arm if drawing.start_arm and panel == "start" else drawing.arm
    return Mover(lambda v: _front({"left": (v, towards)}, lifted), _ARM, "left_wrist", "left_shoulder")


def _mover(monitor: Monitor, drawing: Drawing, panel: Literal["start", "target"]) -> Mover:
    if monitor.view == "side":
        return MOVERS[(_base(monitor.signal), drawing.posture)]
    return _front_mover(monitor, drawing, panel)


# --- the figure ------------------------------------------------------------------------------------------

def _drawn_monitor(exercise: Exercise) -> Monitor | None:
    """The exercise's first camera monitor whose signal a figure can show (its main way to be watched)."""
    drawing = DRAWINGS[exercise.id]
    for monitor in exercise.monitors:
        if monitor.device is not Device.CAMERA:
            continue
        base = _base(monitor.signal)
        if (monitor.view == "side" and (base, drawing.posture) in MOVERS) or \
                (monitor.view == "front" and base in FRONT_SIGNALS):
            return monitor
    return None


def _values(monitor: Monitor, neutral: float, drawing: Drawing) -> tuple[float | None, float] | None:
    """(start, target) of the watched signal, or None when the library gives no target.

    A repetition goes from the figure's neutral to the targets' peak (the template's turning point),
    starting instead at the detection's rest level when the neutral lies beyond it or the drawing starts
    the arm on the other side. A hold has no start: it is drawn at the middle of its band (a foot lift's
    band cut to what the figure can reach)."""
    if monitor.hold is not None:
        low, high = monitor.hold.low, monitor.hold.high
        if _base(monitor.signal) == "foot_lift":
            high = min(high, FOOT_REACH_PCT)
        return None, (low + high) / 2
    detection, targets = monitor.repetition, monitor.targets
    if detection is None or targets is None or targets.peak is None:
        return None
    at_rest = drawing.start_arm is not None or detection.direction * (neutral - detection.rest_level) > 0
    return (detection.rest_level if at_rest else neutral), targets.peak


def _arrow(mover: Mover, start_value: float, target_value: float) -> Arrow:
    """The marker's path as the value goes from start to target: about the pivot, just outside the
    moving limb; without one, beside the figure (the hips going down, a foot going up)."""
    values = [start_value + (target_value - start_value) * k / 12 for k in range(13)]
    poses = [mover.pose(v) for v in values]
    if mover.pivot is None:
        xs = [x for pose in poses for x, _ in pose.values()]
        beside = min(xs) - 14.0 if mover.marker.endswith("hip") else max(xs) + 12.0
        y0, y1 = poses[0][mover.marker][1], poses[-1][mover.marker][1]
        grow = max(0.0, MIN_ARROW - abs(y1 - y0)) / 2 * (1 if y1 > y0 else -1)
        return Arrow(((beside, y0 - grow), (beside, y1 + grow)))
    path = []
    for pose in poses:
        (px, py), (mx, my) = pose[mover.pivot], pose[mover.marker]
        reach = math.hypot(mx - px, my - py)
        path.append((px + (mx - px) * (reach + 9.0) / reach, py + (my - py) * (reach + 9.0) / reach))
    return Arrow(tuple(path))


def _props(posture: Posture, start: dict[str, Point], target: dict[str, Point]) -> tuple[Prop, ...]:
    if posture is Posture.CHAIR:
        hip = start["left_hip"]
        seat = hip[1] - SEAT
        return Prop(hip[0] - 22, seat - 4, 46, 4), Prop(hip[0] - 22, seat, 4, 44), \
            Prop(hip[0] - 22, 0, 3, seat - 4), Prop(hip[0] + 21, 0, 3, seat - 4)
    if posture is Posture.STEP:
        top = min(target["left_heel"][1], target["left_foot_index"][1])
        return (Prop(target["left_heel"][0] - 6, 0, FOOT + 14, top),)
    if posture is Posture.TABLE:
        hip = target["left_hip"]
        return Prop(hip[0] - 30, hip[1] - SEAT - 5, 30 + THIGH - 4, 5), Prop(hip[0] - 28, 0, 4, hip[1] - SEAT - 5)
    if posture is Posture.SUPINE:
        xs = [x for x, _ in target.values()]
        return (Prop(min(xs) - 14, 0, max(xs) - min(xs) + 28, 10),)
    return ()


def _caption(text: str, value: float) -> str:
    return text.replace("{angle}", f"{value:g}°")


def plain_action(drawing: Drawing) -> str:
    """The action in words without its angle, as the patient reads it ("Bend the knees")."""
    return drawing.plain or re.sub(r" (?:to|at) \{angle\}", "", drawing.action)


BOTH_LEGS = frozenset({Posture.SQUAT, Posture.CHAIR, Posture.HINGE})
"""Postures in which both legs do the movement (a squat, standing up from a chair, a hinge from the hips),
whichever side is watched."""


def moves_both_legs(exercise_id: str) -> bool | None:
    """Whether both legs do the exercise's movement, by its drawing's posture (None: the exercise is not
    drawn, so this module does not know)."""
    drawing = DRAWINGS.get(exercise_id)
    return None if drawing is None else drawing.posture in BOTH_LEGS


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def exercise_figure(exercise: Exercise, *, degrees: bool = True) -> ExerciseFigure | None:
    """The exercise's key poses and their SVG, or None when no figure can show it honestly; without
    ``degrees`` (the patient's) the captions say the action in words only (:func:`plain_action`)."""
    drawing = DRAWINGS.get(exercise.id)
    monitor = _drawn_monitor(exercise) if drawing is not None else None
    if drawing is None or monitor is None or monitor.view is None:
        return None
    neutral = NEUTRAL.get(drawing.posture, 0.0)
    values = _values(monitor, neutral, drawing)
    hold = monitor.hold
    if values is None or (hold is not None and hold.low <= neutral <= hold.high):
        return None  # no target; or the hold is the figure at rest, with nothing to show
    start_value, target_value = values
    first = neutral if start_value is None else start_value
    mover = _mover(monitor, drawing, "target")
    start, target = _mover(monitor, drawing, "start").pose(first), mover.pose(target_value)
    props = _props(drawing.posture, start, target)
    action = _caption(drawing.action, target_value) if degrees else plain_action(drawing)
    seen = f"seen from the {monitor.view}"
    if hold is not None:
        poses: tuple[KeyPose, ...] = (KeyPose(f"{action} for {hold.target_s:g}\u00a0s", target_value, target,
                                              mover.moving, props, _arrow(mover, first, target_value)),)
        alt = (f"{exercise.name}: a stick figure {seen}. {drawing.start}, then {_lower_first(action)} for "
               f"{hold.target_s:g} seconds (the arrow shows {drawing.arrow}).")
    else:
        poses = (KeyPose(f"1. {drawing.start}", first, start, frozenset(), props),
                 KeyPose(f"2. {action}, then back", target_value, target, mover.moving, props,
                         _arrow(mover, first, target_value)))
        alt = (f"{exercise.name}: two stick figures {seen}. First: {_lower_first(drawing.start)}. "
               f"Then: {_lower_first(action)}, and back (the arrow shows {drawing.arrow}).")
    figure = ExerciseFigure(exercise.id, monitor.view, resolve(monitor.signal, "left"), poses,
                            alt.replace("°", " degrees"), "")
    return replace(figure, svg=_svg(figure))


# --- SVG -------------------------------------------------------------------------------------------------

_BONES = (("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle"), ("ankle", "heel"),
          ("heel", "foot_index"), ("ankle", "foot_index"))


def _svg(figure: ExerciseFigure) -> str:
    """The panels side by side, one scale for all, each figure on its floor line with its caption under."""
    points = [p for pose in figure.poses for p in pose.landmarks.values()]
    props = [c for pose in figure.poses for prop in pose.props
             for c in ((prop.x, prop.y), (prop.x + prop.width, prop.y + prop.height))]
    arrows = [c for pose in figure.poses if pose.arrow for c in pose.arrow.points]
    everything = points + props + arrows + [(0.0, 0.0)]
    left, right = min(x for x, _ in everything), max(x for x, _ in everything)
    bottom = min(y for _, y in everything)
    top = max(max(y for _, y in points) + HEAD_R * 1.3, max(y for _, y in everything))
    scale = min((PANEL_W - 2 * MARGIN) / (right - left), (FIGURE_H - 2 * MARGIN) / (top - bottom))
    width = PANEL_W * len(figure.poses)
    height = FIGURE_H + CAPTION_H
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
             f'width="{width:g}" height="{height:g}" role="img" aria-labelledby="figure-title figure-desc" '
             'font-family="DejaVu Sans, Verdana, sans-serif">',
             f'<title id="figure-title">{escape(figure.alt.split(":")[0])}</title>',
             f'<desc id="figure-desc">{escape(figure.alt)}</desc>',
             f'<rect width="{width:g}" height="{height:g}" fill="{PAPER}"/>',
             f'<defs><marker id="head" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="4" markerHeight="4" '
             f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{ARROW}"/></marker></defs>']
    for i, pose in enumerate(figure.poses):
        x0 = i * PANEL_W + (PANEL_W - (right - left) * scale) / 2

        def at(p: Point, x0: float = x0) -> tuple[float, float]:
            return round(x0 + (p[0] - left) * scale, 1), round(FIGURE_H - MARGIN - (p[1] - bottom) * scale, 1)

        parts.append(f'<g class="pose" data-value="{pose.value:g}">')
        for prop in pose.props:
            (px, py), (qx, qy) = at((prop.x, prop.y + prop.height)), at((prop.x + prop.width, prop.y))
            parts.append(f'<rect x="{px:g}" y="{py:g}" width="{qx - px:g}" height="{qy - py:g}" fill="{PROP}" '
                         'stroke="#64748b" stroke-width="1.5"/>')
        floor = at((0.0, 0.0))[1]
        parts.append(f'<line x1="{i * PANEL_W + 8:g}" y1="{floor:g}" x2="{(i + 1) * PANEL_W - 8:g}" y2="{floor:g}" '
                     'stroke="#64748b" stroke-width="3"/>')
        parts.append(_figure(pose, at, scale, figure.view))
        if pose.arrow is not None:
            parts.append(_arrow_svg(pose.arrow, at, scale))
        parts.append(_caption_svg(pose.caption, i * PANEL_W + PANEL_W / 2, FIGURE_H + 6))
        parts.append("</g>")
        if i:
            parts.append(f'<line x1="{i * PANEL_W:g}" y1="12" x2="{i * PANEL_W:g}" y2="{height - 12:g}" '
                         'stroke="#c3ccd6" stroke-width="2"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def _mid(a: Point, b: Point) -> Point:
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2


def _figure(pose: KeyPose, at: Callable[[Point], tuple[float, float]], scale: float, view: str) -> str:
    """Side-on: the far limbs (grey), the trunk and head, then the near limbs; from the front, the trunk
    and head, then both sides in ink. The moving limbs in colour."""
    p = pose.landmarks
    width = max(5.0, 5.2 * scale)
    lines: list[str] = []

    def segment(a: Point, b: Point, colour: str, w: float) -> None:
        (x1, y1), (x2, y2) = at(a), at(b)
        lines.append(f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" stroke="{colour}" '
                     f'stroke-width="{w:.1f}" stroke-linecap="round"/>')

    def dot(centre: Point, radius: float, colour: str) -> None:
        x, y = at(centre)
        lines.append(f'<circle cx="{x:g}" cy="{y:g}" r="{radius:.1f}" fill="{colour}"/>')

    def limbs(side: str) -> None:
        far = view == "side" and side == "right"
        for a, b in _BONES:
            ends = f"{side}_{a}", f"{side}_{b}"
            colour = MOVING if all(e in pose.moving for e in ends) else (FAR if far else INK)
            segment(p[ends[0]], p[ends[1]], colour, width * (0.8 if far else 1.0))
        dot(p[f"{side}_wrist"], width * 0.75, FAR if far else INK)

    if view == "side":
        limbs("right")
    hips, shoulders = _mid(p["left_hip"], p["right_hip"]), _mid(p["left_shoulder"], p["right_shoulder"])
    bent = "left_shoulder" in pose.moving and "right_shoulder" in pose.moving
    segment(hips, shoulders, MOVING if bent else INK, width * 1.3)
    if view == "front":
        segment(p["left_shoulder"], p["right_shoulder"], INK, width)
        segment(p["left_hip"], p["right_hip"], INK, width)
    ears, nose = _mid(p["left_ear"], p["right_ear"]), p["nose"]
    head = (ears[0] + (nose[0] - ears[0]) * 0.35, ears[1] + (nose[1] - ears[1]) * 0.35 + 2.0)
    segment(shoulders, head, INK, width)
    dot(head, HEAD_R * scale, INK)
    if view == "side":
        dot(nose, max(2.5, 1.6 * scale), INK)
        limbs("left")
    else:
        limbs("left")
        limbs("right")
    return "\n".join(lines)


def _arrow_svg(arrow: Arrow, at: Callable[[Point], tuple[float, float]], scale: float) -> str:
    """The arrow, thick, with its head at the movement's end."""
    path = "M" + " L".join(f"{x:g},{y:g}" for x, y in map(at, arrow.points))
    return (f'<path class="arrow" d="{path}" fill="none" stroke="{ARROW}" stroke-width="{max(4.0, 3.2 * scale):.1f}" '
            'stroke-linejoin="round" marker-end="url(#head)"/>')


def _caption_svg(text: str, centre_x: float, top: float) -> str:
    """The caption in large type, on as many lines as it needs."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > CAPTION_CHARS:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip() if line else word
    lines.append(line)
    spans = "".join(f'<tspan x="{centre_x:g}" dy="{CAPTION_PX * (1.2 if k else 1.0):g}">{escape(t)}</tspan>'
                    for k, t in enumerate(lines))
    return f'<text x="{centre_x:g}" y="{top:g}" text-anchor="middle" font-size="{CAPTION_PX:g}" fill="{INK}">{spans}</text>'

