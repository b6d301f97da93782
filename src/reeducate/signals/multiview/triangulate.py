"""3-D landmarks from two or more calibrated, synchronised cameras.

For every frame and landmark, each camera's pixel is undistorted into normalised image coordinates
and the point is found by the direct linear transform (Hartley & Zisserman 2004, Multiple View
Geometry, 2nd ed., section 12.2), each camera's two equations weighted by its landmark's visibility,
as Pose2Sim weights its DLT by the keypoint's likelihood (Pagnon et al. 2021, Sensors 21(19):6530). A view
seen with visibility below ``MIN_VISIBILITY`` is left out; a point left with fewer than two views is
not triangulated. When the point reprojects worse than ``MAX_REPROJECTION_PX`` (mean over its views), the
view that disagrees most is dropped and the point solved again, while two views remain (Pose2Sim's
default threshold is 15 px, ``reproj_error_threshold_triangulation``); a point still above it is not kept.
The trajectories are then cleaned as the single-camera engine cleans keypoints (kinematics/filtering.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reeducate.signals.errors import RecordingError
from reeducate.signals.kinematics.angles import MIN_VISIBILITY
from reeducate.signals.kinematics.filtering import CUTOFF_HZ, fill_gaps, low_pass
from reeducate.signals.multiview.calibration import Camera
from reeducate.signals.pose.landmarks import LANDMARKS, PoseSeries

#: A triangulated point reprojecting worse than this (px, mean over its views) loses its worst view (Pose2Sim's default).
MAX_REPROJECTION_PX = 15.0
#: Fewest cameras a landmark must be seen by to be placed in 3-D.
MIN_VIEWS = 2


@dataclass(frozen=True)
class Points3D:
    """Landmarks in the calibration's world frame (metres), frame by frame.

    ``positions_m`` (frames, 33, 3) is NaN where fewer than two cameras saw the landmark well;
    ``reprojection_px`` (frames, 33) the mean distance between each used view's pixel and the point's
    projection there; ``views`` (frames, 33, cameras) which cameras were used.
    """

    time_s: np.ndarray
    fps: float
    positions_m: np.ndarray
    reprojection_px: np.ndarray
    views: np.ndarray
    cameras: tuple[str, ...]

    @property
    def n_frames(self) -> int:
        return len(self.time_s)

    def point(self, name: str) -> np.ndarray:
        return self.positions_m[:, LANDMARKS.index(name)]

    @property
    def median_reprojection_px(self) -> float:
        finite = self.reprojection_px[np.isfinite(self.reprojection_px)]
        return float(np.median(finite)) if finite.size else float("nan")

    @property
    def mean_reprojection_px(self) -> float:
        finite = self.reprojection_px[np.isfinite(self.reprojection_px)]
        return float(np.mean(finite)) if finite.size else float("nan")


def weighted_dlt(normalised: np.ndarray, weights: np.ndarray, extrinsics: np.ndarray) -> np.ndarray:
    """Points (..., 3) from normalised image points (..., cameras, 2), weights (..., cameras) and each camera's
    [R | t] (cameras, 3, 4). A zero weight leaves a camera out; fewer than two weighted cameras give NaN."""
    x, y = normalised[..., 0:1], normalised[..., 1:2]
    w = np.where(np.isfinite(x[..., 0]), weights, 0.0)[..., None]
    x, y = np.nan_to_num(x), np.nan_to_num(y)
    rows = np.concatenate([w * (extrinsics[:, 0] - x * extrinsics[:, 2]),
                           w * (extrinsics[:, 1] - y * extrinsics[:, 2])], axis=-2)
    _, _, vt = np.linalg.svd(rows)
    homogeneous = vt[..., -1, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        points = homogeneous[..., :3] / homogeneous[..., 3:4]
    points[(w[..., 0] > 0).sum(axis=-1) < MIN_VIEWS] = np.nan
    return points


def _reprojection(points: np.ndarray, pixels: np.ndarray, cameras: Sequence[Camera]) -> np.ndarray:
    """Distance (px) between each camera's pixel and the point's projection there: (..., cameras)."""
    return np.stack([np.linalg.norm(cam.project(points) - pixels[..., c, :], axis=-1)
                     for c, cam in enumerate(cameras)], axis=-1)


def triangulate(series: Sequence[PoseSeries], cameras: Sequence[Camera], *,
                min_visibility: float = MIN_VISIBILITY,
                max_reprojection_px: float = MAX_REPROJECTION_PX) -> Points3D:
    """Every landmark of every frame placed in 3-D from synchronised clips (one per camera, same frames)."""
    if len(series) != len(cameras):
        raise RecordingError(f"{len(series)} clips for {len(cameras)} calibrated cameras; give one clip per camera.")
    if len(series) < MIN_VIEWS:
        raise RecordingError("Triangulation needs clips from at least two calibrated cameras.")
    n = series[0].n_frames
    if any(s.n_frames != n for s in series):
        raise RecordingError("The clips must cover the same frames: synchronise them first.")
    for s, cam in zip(series, cameras, strict=True):
        if s.unit != "px":
            raise RecordingError(f"{s.source}: triangulation needs keypoints in image pixels.")
        if s.image_size_px and tuple(s.image_size_px) != tuple(cam.size_px):
            raise RecordingError(f"{s.source}: the clip is {s.image_size_px[0]}x{s.image_size_px[1]} px but camera "
                                 f"{cam.name} was calibrated at {cam.size_px[0]}x{cam.size_px[1]} px.")
    pixels = np.stack([s.xy for s in series], axis=2)                       # frames, 33, cameras, 2
    normalised = np.stack([cam.undistort(s.xy) for s, cam in zip(series, cameras, strict=True)], axis=2)
    visibility = np.stack([s.visibility for s in series], axis=2)           # frames, 33, cameras
    weights = np.where((visibility >= min_visibility) & np.isfinite(pixels[..., 0]), visibility, 0.0)
    extrinsics = np.stack([np.hstack([c.rotation, c.translation_m[:, None]]) for c in cameras])
    points = weighted_dlt(normalised, weights, extrinsics)
    errors = np.where(weights > 0, _reprojection(points, pixels, cameras), np.nan)
    for _ in range(len(cameras) - MIN_VIEWS):
        with np.errstate(invalid="ignore"):
            mean_error = np.nanmean(np.where(weights > 0, errors, np.nan), axis=-1) if errors.size else errors
        bad = (mean_error > max_reprojection_px) & ((weights > 0).sum(axis=-1) > MIN_VIEWS)
        if not bad.any():
            break
        worst = np.nanargmax(np.where(weights[bad] > 0, errors[bad], -np.inf), axis=-1)
        reduced = weights[bad]
        reduced[np.arange(len(worst)), worst] = 0.0
        weights[bad] = reduced
        points[bad] = weighted_dlt(normalised[bad], reduced, extrinsics)
        errors[bad] = np.where(reduced > 0, _reprojection(points[bad], pixels[bad], cameras), np.nan)
    used = weights > 0
    with np.errstate(invalid="ignore"), np.errstate(all="ignore"):
        counts = used.sum(axis=-1)
        mean_error = np.where(counts > 0, np.nansum(np.where(used, errors, 0.0), axis=-1) / np.maximum(counts, 1),
                              np.nan)
    rejected = ~(mean_error <= max_reprojection_px)
    points[rejected] = np.nan
    mean_error[counts < MIN_VIEWS] = np.nan
    return Points3D(time_s=series[0].time_s, fps=series[0].fps, positions_m=points, reprojection_px=mean_error,
                    views=used & ~rejected[..., None], cameras=tuple(c.name for c in cameras))


def clean_points(points: Points3D, *, cutoff_hz: float = CUTOFF_HZ) -> Points3D:
    """Short gaps bridged and every coordinate low-passed, as the single-camera engine cleans keypoints."""
    positions = low_pass(fill_gaps(points.positions_m, points.fps), points.fps, cutoff_hz)
    return Points3D(time_s=points.time_s, fps=points.fps, positions_m=positions,
                    reprojection_px=points.reprojection_px, views=points.views, cameras=points.cameras)
