"""Movement from one camera: joint angles per frame, range of motion, still posture, what the view refuses.

``analyze_pose(series, view=...)`` is the everyday entry point: the keypoints are cleaned (short gaps
bridged, 6 Hz zero-phase low-pass), how far the body is turned from the camera (yaw) is measured frame by
frame, each plane's angles are given in the frames whose yaw lies in that plane's accepted range (a view
the user gives keeps only that view's angles), and every measure or run of frames left out is listed
with the reason. ``to_dict()`` is the stable JSON shape documented in docs/movement.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reeducate.signals.kinematics.angles import ANGLES, FRONTAL, SAGITTAL, joint_angles
from reeducate.signals.kinematics.filtering import CUTOFF_HZ, MAX_GAP_S, clean, finite_runs
from reeducate.signals.kinematics.posture import not_still_reason, posture
from reeducate.signals.kinematics.scale import metres_per_unit
from reeducate.signals.kinematics.views import (
    FRONTAL_MAX_YAW_DEG,
    NOT_IN_VIEW,
    SAGITTAL_MIN_YAW_DEG,
    View,
    body_yaw_deg,
)
from reeducate.signals.pose.landmarks import PoseSeries

#: A range of motion needs the angle in at least this fraction of the clip's frames.
MIN_ROM_COVERAGE = 0.2
#: The clip's view as "view" names it, from the yaw (deg) of most of its frames: side-on from here, facing up to
#: FRONT_UP_TO_YAW_DEG, oblique between (ours: a label, and which still posture is read; each angle is given
#: or left out frame by frame on its own range).
SIDE_FROM_YAW_DEG = 60.0
FRONT_UP_TO_YAW_DEG = 30.0
#: Expected error of a sagittal angle inside its accepted yaw range: the RMSE against the Pose2Sim demo's
#: 4-camera reconstruction (OpenSim inverse kinematics), over the given frames of its four cameras, both sides
#: (benchmarks/movement_accuracy.py; one subject balancing, markerless, not marker ground truth). On the
#: oblique camera that shows the right knee's plane best (cam04) that knee's RMSE is 8 deg. Angles not
#: listed are not validated.
ERROR_BAND_DEG = {
    **{f"{s}_knee_flexion": 19.0 for s in ("left", "right")},
    **{f"{s}_hip_flexion": 28.0 for s in ("left", "right")},
    **{f"{s}_ankle_dorsiflexion": 42.0 for s in ("left", "right")},
}
#: The trunk's lean is not given in frames where the pelvis travels across the picture faster than this, over
#: WALKING_WINDOW_S around the frame (torso lengths per second; ours: exercise in place, arm swings and bounces
#: included, travels less; walking at 1.2 m/s with a 0.5 m torso is about 2.4). In the Sports2D demo MediaPipe puts the walking woman's hip landmarks at the front of her pelvis and her
#: shoulder landmarks at the back of her shoulders (we looked at frames 176-188), so the line between them leans
#: 6-13 degrees backward while she walks upright; the man standing side-on on the box reads -2 to +5.
WALKING_TORSO_PER_S = 1.0
WALKING_WINDOW_S = 1.0
WALKING_REASON = ("the patient is walking here: a walker's trunk lean from the hip and shoulder landmarks is not "
                  "validated (on the Sports2D demo MediaPipe places a walker's hips at the front of the pelvis and "
                  "shoulders at the back, reading an upright walk as 10 degrees backward); film the lean standing")
POSTURE_MEASURES = {
    View.SIDE: ("craniovertebral_angle_deg",),
    View.FRONT: ("shoulder_obliquity_deg", "pelvic_obliquity_deg", "trunk_lateral_shift_percent_hip_width"),
}


@dataclass(frozen=True)
class RangeOfMotion:
    """An angle's extremes over the clip (deg) and the frames they occur in."""

    min_deg: float
    max_deg: float
    frame_of_min: int
    frame_of_max: int

    @property
    def range_deg(self) -> float:
        return self.max_deg - self.min_deg


@dataclass(frozen=True)
class FrameRefusal:
    """A run of frames (first to last, inclusive) in which an angle seen by the camera is left out, and why."""

    measure: str
    first: int
    last: int
    reason: str


@dataclass(frozen=True)
class MovementResult:
    """What one clip shows: per-frame angles (deg), their ranges, a still posture, and the refusals."""

    series: PoseSeries
    view: View | None
    angles_deg: dict[str, np.ndarray]
    rom: dict[str, RangeOfMotion]
    posture: dict[str, float | int | None]
    refused: tuple[tuple[str, str], ...]
    m_per_unit: float | None
    warnings: tuple[str, ...] = ()
    method: str = ""
    yaw_deg: np.ndarray | None = None
    yaw_source: str = ""
    refused_frames: tuple[FrameRefusal, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The documented JSON shape: null where the person is not seen, names {side}_{joint}_{motion}."""
        s = self.series
        return {
            "source": s.source,
            "fps": s.fps,
            "n_frames": s.n_frames,
            "detected_fraction": round(s.detected_fraction, 4),
            "view": self.view.value if self.view else "oblique",
            "image_size_px": list(s.image_size_px) if s.image_size_px else None,
            "scale_m_per_px": self.m_per_unit,
            "time_s": [round(float(t), 4) for t in s.time_s],
            "angles_deg": {k: _nullable(v) for k, v in self.angles_deg.items()},
            "rom_deg": {k: {"min": round(r.min_deg, 2), "max": round(r.max_deg, 2), "range": round(r.range_deg, 2),
                            "frame_of_min": r.frame_of_min, "frame_of_max": r.frame_of_max}
                        for k, r in self.rom.items()},
            "posture": self.posture,
            "refused": [{"measure": m, "reason": r} for m, r in self.refused],
            "warnings": list(self.warnings),
            "method": self.method,
            "yaw_deg": _nullable(self.yaw_deg) if self.yaw_deg is not None else None,
            "yaw_source": self.yaw_source,
            "accepted_yaw_deg": {"sagittal": {"min": SAGITTAL_MIN_YAW_DEG, "max": 90.0},
                                 "frontal": {"min": 0.0, "max": FRONTAL_MAX_YAW_DEG}},
            "error_band_deg": {k: v for k, v in ERROR_BAND_DEG.items() if k in self.angles_deg},
            "refused_frames": [{"measure": r.measure, "from_frame": r.first, "to_frame": r.last, "reason": r.reason}
                               for r in self.refused_frames],
        }


def _nullable(values: np.ndarray) -> list[float | None]:
    return [round(float(v), 2) if np.isfinite(v) else None for v in values]


def range_of_motion(angle_deg: np.ndarray) -> RangeOfMotion | None:
    """Extremes of one angle, or None when it is seen in too few frames to speak of a range."""
    finite = np.isfinite(angle_deg)
    if finite.mean() < MIN_ROM_COVERAGE:
        return None
    lo, hi = int(np.nanargmin(angle_deg)), int(np.nanargmax(angle_deg))
    return RangeOfMotion(float(angle_deg[lo]), float(angle_deg[hi]), lo, hi)


def _plane_of(name: str) -> str | None:
    views = next(a.views for a in ANGLES if a.name == name)
    return "sagittal" if views == SAGITTAL else "frontal" if views == FRONTAL else None


def _out_of_range(plane: str, yaw_deg: np.ndarray) -> np.ndarray:
    """Frames whose yaw lies outside the plane's accepted range (an unknown yaw is outside too)."""
    with np.errstate(invalid="ignore"):
        inside = yaw_deg >= SAGITTAL_MIN_YAW_DEG if plane == "sagittal" else yaw_deg <= FRONTAL_MAX_YAW_DEG
    return ~inside


def _range_reason(plane: str, yaw_deg: float) -> str:
    if not np.isfinite(yaw_deg):
        return "how far the patient is turned from the camera could not be measured (hips or shoulders unseen)"
    if plane == "sagittal":
        return (f"the patient is turned only {yaw_deg:.0f} degrees from facing the camera (a sagittal angle needs "
                f"at least {SAGITTAL_MIN_YAW_DEG:g}): the camera sees this plane too nearly end-on; film more side-on")
    return (f"the patient is turned {yaw_deg:.0f} degrees from facing the camera (a frontal-plane angle needs at most "
            f"{FRONTAL_MAX_YAW_DEG:g}): the camera sees this plane too nearly edge-on; film from the front (or back)")


def _gate_by_yaw(angles: dict[str, np.ndarray], yaw_deg: np.ndarray
                 ) -> tuple[dict[str, np.ndarray], list[FrameRefusal], dict[str, str]]:
    """Each plane's angles set to NaN in the frames outside its yaw range; the runs of seen frames so left out;
    and, for an angle left out in every frame it was seen in, the clip's reason."""
    gated: dict[str, np.ndarray] = {}
    runs: list[FrameRefusal] = []
    whole: dict[str, str] = {}
    for name, values in angles.items():
        plane = _plane_of(name)
        if plane is None:
            gated[name] = values
            continue
        out = _out_of_range(plane, yaw_deg)
        seen_out = out & np.isfinite(values)
        gated[name] = np.where(out, np.nan, values)
        if seen_out.any() and not np.isfinite(gated[name]).any():
            whole[name] = _range_reason(plane, float(np.nanmedian(yaw_deg[seen_out])) if
                                        np.isfinite(yaw_deg[seen_out]).any() else float("nan"))
            continue
        for start, stop in finite_runs(seen_out):
            part = yaw_deg[start:stop]
            typical = float(np.nanmedian(part)) if np.isfinite(part).any() else float("nan")
            runs.append(FrameRefusal(name, int(start), int(stop - 1), _range_reason(plane, typical)))
    return gated, runs, whole


def _without_walking(lean_deg: np.ndarray, series: PoseSeries) -> tuple[np.ndarray, list[FrameRefusal]]:
    """The trunk lean set to NaN in the frames where the pelvis travels faster than WALKING_TORSO_PER_S (over
    WALKING_WINDOW_S centred on the frame, or what of it the clip holds), and the runs of seen frames so left out."""
    hips = (series.point("left_hip") + series.point("right_hip")) / 2
    shoulders = (series.point("left_shoulder") + series.point("right_shoulder")) / 2
    torso = float(np.nanmedian(np.linalg.norm(shoulders - hips, axis=1))) if np.isfinite(hips).any() else np.nan
    if not np.isfinite(torso) or torso <= 0 or series.n_frames < 2:
        return lean_deg, []
    half = max(1, int(round(WALKING_WINDOW_S * series.fps / 2)))
    x = hips[:, 0]
    speed = np.full(series.n_frames, np.nan)
    for start, stop in finite_runs(np.isfinite(x)):  # the window kept inside each run where the pelvis is seen
        if stop - start < 2:
            continue
        frames = np.arange(start, stop)
        before, after = np.clip(frames - half, start, None), np.clip(frames + half, None, stop - 1)
        speed[start:stop] = np.abs(x[after] - x[before]) / ((after - before) / series.fps) / torso
    with np.errstate(invalid="ignore"):
        walking = speed > WALKING_TORSO_PER_S
    seen = walking & np.isfinite(lean_deg)
    runs = [FrameRefusal("trunk_lean", int(a), int(b - 1), WALKING_REASON) for a, b in finite_runs(seen)]
    return np.where(walking, np.nan, lean_deg), runs


def clip_view(yaw_deg: np.ndarray) -> View | None:
    """The clip's view: SIDE or FRONT when more of its frames show that view than either other (oblique, or
    the other view), else None (oblique, or the body never measured)."""
    seen = yaw_deg[np.isfinite(yaw_deg)]
    side, front = int((seen >= SIDE_FROM_YAW_DEG).sum()), int((seen <= FRONT_UP_TO_YAW_DEG).sum())
    oblique = len(seen) - side - front
    if side > max(front, oblique):
        return View.SIDE
    return View.FRONT if front > max(side, oblique) else None


def analyze_pose(
    series: PoseSeries,
    *,
    view: View | str | None = None,
    height_cm: float | None = None,
    m_per_px: float | None = None,
    posture_frame: int | None = None,
    cutoff_hz: float = CUTOFF_HZ,
) -> MovementResult:
    """Angles, range of motion, posture and refusals for one person's keypoints.

    Without ``view``, every plane's angles are given in the frames whose yaw is in its range. With it (the
    user's word for the camera's view), only that view's plane and the angles valid in any view are given,
    the other plane's are refused as before, and the yaw still leaves out the frames where the patient turns.
    """
    cleaned = clean(series, cutoff_hz=cutoff_hz)
    yaw, yaw_source = body_yaw_deg(cleaned)
    given = View(view) if view is not None else None
    chosen = given if given is not None else clip_view(yaw)
    every = {**joint_angles(cleaned, View.SIDE), **joint_angles(cleaned, View.FRONT)}
    if given is not None:
        wanted = joint_angles(cleaned, given)
        refused = [(a.name, NOT_IN_VIEW[given]) for a in ANGLES if a.name not in wanted]
    else:
        wanted = {a.name: every[a.name] for a in ANGLES}
        refused = []
    angles, frame_refusals, whole = _gate_by_yaw(wanted, yaw)
    if "trunk_lean" in angles:
        angles["trunk_lean"], walking = _without_walking(angles["trunk_lean"], cleaned)
        frame_refusals += walking
        if walking and not np.isfinite(angles["trunk_lean"]).any():
            whole["trunk_lean"] = WALKING_REASON
    for name, reason in whole.items():
        del angles[name]
        refused.append((name, reason))
    for name in [n for n in angles if not np.isfinite(angles[n]).any() and n in every and _plane_of(n)]:
        del angles[name]
        refused.append((name, "the landmarks of this angle were not seen well enough in any frame"))
    if chosen is None:
        reason = (f"the camera sees the patient obliquely (turned {float(np.nanmedian(yaw)):.0f} degrees from facing "
                  "it, median over the clip); a still posture needs a side-on or square-on view: give the view or "
                  "film square-on" if np.isfinite(yaw).any() else "the patient's turn could not be measured")
        refused += [(m, reason) for measures in POSTURE_MEASURES.values() for m in measures]
        scale, still = None, {}
    else:
        other = View.FRONT if chosen is View.SIDE else View.SIDE
        refused += [(m, NOT_IN_VIEW[chosen]) for m in POSTURE_MEASURES[other]]
        scale = metres_per_unit(cleaned, height_cm=height_cm, m_per_px=m_per_px)
        moving = not_still_reason(cleaned) if posture_frame is None else None
        still = posture(cleaned, chosen, m_per_unit=scale, frame=posture_frame) if moving is None else {}
        if moving is not None:
            refused += [(m, moving) for m in POSTURE_MEASURES[chosen]]
    warnings = series.warnings
    if chosen is not None:
        family = "sagittal" if chosen is View.SIDE else "frontal"
        turned = int(sum(r.last - r.first + 1 for r in frame_refusals
                         if _plane_of(r.measure) == family and r.measure == _first_of(family, frame_refusals)))
        if turned:
            warnings += (f"The person turned to the other view in {turned} frames; the {chosen.value}-view "
                         "angles are left out there.",)
    rom = {name: r for name, values in angles.items() if (r := range_of_motion(values)) is not None}
    method = (f"Keypoints from {series.origin}; gaps up to {MAX_GAP_S:g} s bridged linearly and trajectories "
              f"low-passed at {cutoff_hz:g} Hz (4th-order zero-phase Butterworth; Winter 2009); 2-D joint angles "
              f"in the image plane, each plane's angles given in the frames where the body's turn from the camera "
              f"(from {yaw_source}) is within its accepted range (sagittal from {SAGITTAL_MIN_YAW_DEG:g} degrees, "
              f"frontal up to {FRONTAL_MAX_YAW_DEG:g}).")
    return MovementResult(series=cleaned, view=chosen, angles_deg=angles, rom=rom, posture=still,
                          refused=tuple(refused), m_per_unit=scale, warnings=warnings, method=method,
                          yaw_deg=yaw, yaw_source=yaw_source, refused_frames=tuple(frame_refusals))


def _first_of(family: str, refusals: list[FrameRefusal]) -> str | None:
    """The first measure of a plane with frames left out (their frames are the plane's, whichever angle)."""
    return next((r.measure for r in refusals if _plane_of(r.measure) == family), None)
