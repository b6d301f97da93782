"""Movement from one camera: joint angles per frame, range of motion, still posture, what the view refuses.

``analyze_pose(series, view=...)`` is the everyday entry point: the keypoints are cleaned (short gaps
bridged, 6 Hz zero-phase low-pass), the view is taken from the user or inferred from the body's
proportions, every angle the view supports is computed frame by frame, and every measure it does not
support is listed in ``refused`` with the reason. ``to_dict()`` is the stable JSON shape documented in
docs/movement.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reeducate.signals.kinematics.angles import ANGLES, joint_angles
from reeducate.signals.kinematics.filtering import CUTOFF_HZ, MAX_GAP_S, clean
from reeducate.signals.kinematics.posture import not_still_reason, posture
from reeducate.signals.kinematics.scale import metres_per_unit
from reeducate.signals.kinematics.views import (
    NOT_IN_VIEW,
    View,
    frames_not_in,
    infer_view,
    shoulder_width_ratio,
)
from reeducate.signals.pose.landmarks import PoseSeries

#: A range of motion needs the angle in at least this fraction of the clip's frames.
MIN_ROM_COVERAGE = 0.2
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


def _without_turned_frames(angles: dict[str, np.ndarray], series: PoseSeries,
                           view: View) -> tuple[dict[str, np.ndarray], int]:
    """Angles that only ``view`` shows, set to NaN in frames showing the other view; and how many."""
    turned = frames_not_in(view, series)
    if not turned.any():
        return angles, 0
    only_here = {a.name for a in ANGLES if a.views == frozenset({view})}
    masked = {name: np.where(turned, np.nan, values) if name in only_here else values
              for name, values in angles.items()}
    return masked, int(turned.sum())


def analyze_pose(
    series: PoseSeries,
    *,
    view: View | str | None = None,
    height_cm: float | None = None,
    m_per_px: float | None = None,
    posture_frame: int | None = None,
    cutoff_hz: float = CUTOFF_HZ,
) -> MovementResult:
    """Angles, range of motion, posture and refusals for one person's keypoints."""
    cleaned = clean(series, cutoff_hz=cutoff_hz)
    chosen = View(view) if view is not None else infer_view(cleaned)
    angles = joint_angles(cleaned, chosen)
    if chosen is None:
        reason = (f"the camera sees the patient obliquely (shoulder width {shoulder_width_ratio(cleaned):.2f} "
                  "of torso length); give the view (side or front) or film square-on")
        refused = [(a.name, reason) for a in ANGLES if a.name not in angles]
        refused += [(m, reason) for measures in POSTURE_MEASURES.values() for m in measures]
        scale, still = None, {}
    else:
        other = View.FRONT if chosen is View.SIDE else View.SIDE
        refused = [(a.name, NOT_IN_VIEW[chosen]) for a in ANGLES if a.name not in angles]
        refused += [(m, NOT_IN_VIEW[chosen]) for m in POSTURE_MEASURES[other]]
        scale = metres_per_unit(cleaned, height_cm=height_cm, m_per_px=m_per_px)
        moving = not_still_reason(cleaned) if posture_frame is None else None
        still = posture(cleaned, chosen, m_per_unit=scale, frame=posture_frame) if moving is None else {}
        if moving is not None:
            refused += [(m, moving) for m in POSTURE_MEASURES[chosen]]
    warnings = series.warnings
    if chosen is not None:
        angles, turned = _without_turned_frames(angles, cleaned, chosen)
        if turned:
            warnings += (f"The person turned to the other view in {turned} frames; the {chosen.value}-view "
                         "angles are left out there.",)
    rom = {name: r for name, values in angles.items() if (r := range_of_motion(values)) is not None}
    method = (f"Keypoints from {series.origin}; gaps up to {MAX_GAP_S:g} s bridged linearly and trajectories "
              f"low-passed at {cutoff_hz:g} Hz (4th-order zero-phase Butterworth; Winter 2009); 2-D joint angles "
              f"in the {chosen.value if chosen else 'image'} plane.")
    return MovementResult(series=cleaned, view=chosen, angles_deg=angles, rom=rom, posture=still,
                          refused=tuple(refused), m_per_unit=scale, warnings=warnings, method=method)
