"""``analyze_multiview``: two or more calibrated cameras to 3-D joint angles, in the single-camera JSON.

The clips are synchronised (or taken as synchronous), triangulated, cleaned like single-camera
keypoints, and measured in the body's own planes (angles3d.py); the result is a ``MovementResult``
whose ``to_dict`` has the documented shape of docs/movement.md with ``view`` "3d" and what the cameras
added: their names, the frame offsets found and the reprojection error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reeducate.signals.errors import RecordingError
from reeducate.signals.kinematics.filtering import CUTOFF_HZ, MAX_GAP_S
from reeducate.signals.movement import POSTURE_MEASURES, MovementResult, range_of_motion
from reeducate.signals.multiview.angles3d import joint_angles_3d, world_up
from reeducate.signals.multiview.calibration import Camera
from reeducate.signals.multiview.synchronise import MAX_LAG_S, Offset, align, synchronise
from reeducate.signals.multiview.triangulate import (
    MAX_REPROJECTION_PX,
    Points3D,
    clean_points,
    triangulate,
    unswap_sides,
)
from reeducate.signals.pose.landmarks import PoseSeries

POSTURE_NOT_YET = ("still posture is measured from one camera's clip for now (reeducate video analyze); "
                   "the several-camera engine gives angles only")


@dataclass(frozen=True)
class MultiviewResult(MovementResult):
    """A ``MovementResult`` from several cameras, with the 3-D points and how the cameras agreed."""

    points: Points3D | None = None
    offsets: tuple[Offset, ...] = ()

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data["view"] = "3d"
        points = self.points
        data["cameras"] = list(points.cameras) if points else []
        data["frame_offsets"] = {o.camera: o.frames for o in self.offsets}
        data["reprojection_error_px"] = ({"median": round(points.median_reprojection_px, 2),
                                          "mean": round(points.mean_reprojection_px, 2)} if points else None)
        return data


def _series_of(points: Points3D, source: str) -> PoseSeries:
    """The 3-D result as the series a MovementResult carries: frame times, and the points' detection (x, y)."""
    visibility = np.isfinite(points.positions_m[..., 0]).astype(float)
    return PoseSeries(time_s=points.time_s, xy=points.positions_m[..., :2], visibility=visibility, fps=points.fps,
                      source=source, unit="m", metadata={"backend": "triangulation"})


def analyze_multiview(
    series: Sequence[PoseSeries],
    cameras: Sequence[Camera],
    *,
    offsets: Sequence[int] | None = None,
    find_offsets: bool = True,
    max_lag_s: float = MAX_LAG_S,
    max_reprojection_px: float = MAX_REPROJECTION_PX,
    cutoff_hz: float = CUTOFF_HZ,
) -> MultiviewResult:
    """3-D joint angles from one clip per calibrated camera (``series[i]`` filmed by ``cameras[i]``).

    ``offsets`` (frames; camera i's frame 0 is the first camera's frame ``offsets[i]``) when known; else
    they are found from the movement when ``find_offsets``, or the clips are taken as synchronous.
    """
    if len(series) != len(cameras):
        raise RecordingError(f"{len(series)} clips for {len(cameras)} cameras; give one clip per camera.")
    if len(series) < 2:
        raise RecordingError("Three-dimensional angles need clips from at least two calibrated cameras.")
    names = [c.name for c in cameras]
    warnings: list[str] = [
        f"{s.source} is {s.image_size_px[0]}x{s.image_size_px[1]} px, camera {c.name} was calibrated at "
        f"{c.size_px[0]}x{c.size_px[1]} px; its pixels are taken as the calibration's (codec padding)."
        for s, c in zip(series, cameras, strict=True) if s.image_size_px and tuple(s.image_size_px) != c.size_px]
    if offsets is not None:
        found = tuple(Offset(n, int(o), float("nan")) for n, o in zip(names, offsets, strict=True))
        aligned = align(series, [o.frames for o in found])
    elif find_offsets:
        aligned, found = synchronise(series, names, max_lag_s=max_lag_s)
        warnings += [f"Camera {o.camera}'s offset ({o.frames} frames) is unsure: its movement matches camera "
                     f"{names[0]}'s poorly (correlation {o.correlation:.2f}); give the offsets if they are known."
                     for o in found if not o.sure]
    else:
        found = tuple(Offset(n, 0, float("nan")) for n in names)
        aligned = align(series, [0] * len(series))
    aligned, swapped = unswap_sides(aligned, cameras)
    warnings += [f"Camera {name} saw the body's sides swapped in {n} frames; they were swapped back."
                 for name, n in zip(names, swapped, strict=True) if n]
    raw = triangulate(aligned, cameras, max_reprojection_px=max_reprojection_px)
    if not np.isfinite(raw.positions_m).any():
        raise RecordingError("No landmark was seen well by two cameras at once: check that every clip films the "
                             "patient, that each clip goes with its camera, and the calibration's units.")
    points = clean_points(raw, cutoff_hz=cutoff_hz)
    up = world_up(points.positions_m)
    angles = joint_angles_3d(points.positions_m, up)
    rom = {name: r for name, values in angles.items() if (r := range_of_motion(values)) is not None}
    refused = tuple((m, POSTURE_NOT_YET) for measures in POSTURE_MEASURES.values() for m in measures)
    backends = sorted({s.metadata.get("backend", "") for s in series} - {""})
    keypoints = f"keypoints ({', '.join(backends)})" if backends else "keypoints"
    method = (f"{keypoints.capitalize()} from {len(cameras)} calibrated cameras ({', '.join(names)}) triangulated "
              f"by visibility-weighted DLT, sides swapped by one camera put back (mean reprojection error {raw.mean_reprojection_px:.1f} px); gaps up to "
              f"{MAX_GAP_S:g} s bridged linearly and trajectories low-passed at {cutoff_hz:g} Hz (4th-order "
              "zero-phase Butterworth; Winter 2009); 3-D joint angles in the body's planes (trunk frame from the "
              "hips and shoulders).")
    source = " + ".join(s.source for s in series)
    for s in aligned:
        warnings += list(s.warnings)
    return MultiviewResult(series=_series_of(points, source), view=None, angles_deg=angles, rom=rom, posture={},
                           refused=refused, m_per_unit=1.0, warnings=tuple(warnings), method=method,
                           points=points, offsets=found)
