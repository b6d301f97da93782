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

A pose model sometimes swaps the body's sides in one view (MediaPipe does, most often from behind or
side-on); the view then disagrees with the others on every left and right landmark at once.
``unswap_sides`` (ours) swaps a camera's labels back in the frames where that at least halves the frame's
median reprojection error over the paired landmarks. Two cameras cannot outvote each other, and a swapped
pair of views often still meets in space (with a small reprojection error) at a wrong place; there the
labelling whose limbs keep the clip's usual lengths (thigh, shank, upper arm, forearm) is kept. Pairs put
right so may still carry both sides' names the wrong way round (both views swapped, or the wrong view
mirrored); anatomy settles that: the left hip lies to the left of a body facing where the nose points from
the ears, so a frame whose 3-D body is mirrored has every camera's labels swapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

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
#: A clip may differ from its camera's calibrated size by less than this (px): codecs pad frames to 16-px
#: macroblocks (the Pose2Sim demo's cam01 video is 1080 px wide, its calibration 1088).
SIZE_TOLERANCE_PX = 16
#: A camera's sides are swapped back in a frame when that divides the frame's median reprojection error by this (ours).
SWAP_GAIN = 2.0

_MIRRORED = np.array([LANDMARKS.index(n.replace("left", "@").replace("right", "left").replace("@", "right"))
                      for n in LANDMARKS])
_PAIRED = np.array([i for i, n in enumerate(LANDMARKS) if n.startswith(("left_", "right_"))])


@dataclass(frozen=True)
class Points3D:
    """Landmarks in the calibration's world frame (metres), frame by frame.

    ``positions_m`` (frames, 33, 3) is NaN where fewer than two cameras saw the landmark well;
    ``reprojection_px`` (frames, 33) the mean distance between each used view's pixel and the point's
    projection there (NaN where the point is not placed); ``views`` (frames, 33, cameras) which cameras were used.
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
    # The least-squares solution of rows @ X = 0 with |X| = 1: the eigenvector of rows' normal matrix with the
    # smallest eigenvalue (the last right singular vector; eigh on 4x4 is several times faster than the SVD).
    _, vectors = np.linalg.eigh(np.swapaxes(rows, -1, -2) @ rows)
    homogeneous = vectors[..., :, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        points = homogeneous[..., :3] / homogeneous[..., 3:4]
    points[(w[..., 0] > 0).sum(axis=-1) < MIN_VIEWS] = np.nan
    return points


def _reprojection(points: np.ndarray, pixels: np.ndarray, cameras: Sequence[Camera]) -> np.ndarray:
    """Distance (px) between each camera's pixel and the point's projection there: (..., cameras); infinite
    where a placed point lies behind the camera that saw it."""
    errors = np.stack([np.linalg.norm(cam.project(points) - pixels[..., c, :], axis=-1)
                       for c, cam in enumerate(cameras)], axis=-1)
    behind = np.isnan(errors) & np.isfinite(points[..., 0])[..., None] & np.isfinite(pixels[..., 0])
    errors[behind] = np.inf
    return errors


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
        if s.image_size_px and max(abs(a - b) for a, b in zip(s.image_size_px, cam.size_px, strict=True)) \
                >= SIZE_TOLERANCE_PX:
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
    counts = used.sum(axis=-1)
    with np.errstate(invalid="ignore"):
        mean_error = np.where(counts >= MIN_VIEWS,
                              np.sum(np.where(used, errors, 0.0), axis=-1) / np.maximum(counts, 1), np.nan)
    rejected = ~(mean_error <= max_reprojection_px)
    points[rejected] = np.nan
    mean_error[rejected] = np.nan  # the error reported is that of the points placed
    return Points3D(time_s=series[0].time_s, fps=series[0].fps, positions_m=points, reprojection_px=mean_error,
                    views=used & ~rejected[..., None], cameras=tuple(c.name for c in cameras))


def clean_points(points: Points3D, *, cutoff_hz: float = CUTOFF_HZ) -> Points3D:
    """Short gaps bridged and every coordinate low-passed, as the single-camera engine cleans keypoints."""
    positions = low_pass(fill_gaps(points.positions_m, points.fps), points.fps, cutoff_hz)
    return Points3D(time_s=points.time_s, fps=points.fps, positions_m=positions,
                    reprojection_px=points.reprojection_px, views=points.views, cameras=points.cameras)


def _paired_error(series: Sequence[PoseSeries], cameras: Sequence[Camera]) -> np.ndarray:
    """Each frame's median reprojection error (px) over the left and right landmarks, no view dropped."""
    points = triangulate(series, cameras, max_reprojection_px=np.inf)
    paired = points.reprojection_px[:, _PAIRED]
    finite = np.isfinite(paired)
    out = np.full(points.n_frames, np.inf)
    rows = finite.any(axis=1)
    out[rows] = [np.median(r[f]) for r, f in zip(paired[rows], finite[rows], strict=True)]
    return out


_LIMBS = tuple((f"{s}_{a}", f"{s}_{b}") for s in ("left", "right")
               for a, b in (("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"), ("elbow", "wrist")))


def _limb_misfit(series: Sequence[PoseSeries], cameras: Sequence[Camera],
                 usual: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each frame's mean relative departure of the limbs' lengths from ``usual`` (the clip's median lengths when
    not given), and those usual lengths."""
    points = triangulate(series, cameras, max_reprojection_px=np.inf).positions_m
    lengths = np.stack([np.linalg.norm(points[:, LANDMARKS.index(a)] - points[:, LANDMARKS.index(b)], axis=-1)
                        for a, b in _LIMBS], axis=-1)
    if usual is None:
        with np.errstate(all="ignore"):
            usual = np.nanmedian(lengths, axis=0) if np.isfinite(lengths).any() else np.full(len(_LIMBS), np.nan)
    departure = np.abs(lengths - usual) / usual
    counts = np.isfinite(departure).sum(axis=1)
    misfit = np.where(counts > 0, np.nansum(np.nan_to_num(departure, nan=0.0), axis=1) / np.maximum(counts, 1),
                      np.inf)
    return misfit, usual


def _mirror(clip: PoseSeries, frames: np.ndarray) -> PoseSeries:
    """The clip with left and right labels swapped in ``frames``."""
    xy, visibility = clip.xy.copy(), clip.visibility.copy()
    xy[frames], visibility[frames] = clip.xy[frames][:, _MIRRORED], clip.visibility[frames][:, _MIRRORED]
    return replace(clip, xy=xy, visibility=visibility)


def unswap_sides(series: Sequence[PoseSeries], cameras: Sequence[Camera]) -> tuple[list[PoseSeries], list[int]]:
    """The clips with each camera's left and right labels swapped back where the other cameras (or, with two
    cameras, the limbs' lengths) and the body's anatomy say they were swapped; and in how many frames, per camera."""
    clips = list(series)
    every = np.ones(clips[0].n_frames, dtype=bool)
    flipped = [np.zeros(clip.n_frames, dtype=bool) for clip in clips]
    for c in range(len(clips)):
        if len(clips) == 2 and c == 0:
            continue  # with two cameras, mirroring either view pairs the same points; anatomy names them below
        others = [*clips[:c], _mirror(clips[c], every), *clips[c + 1:]]
        if len(clips) >= 3:
            before, after = _paired_error(clips, cameras), _paired_error(others, cameras)
        else:
            before, usual = _limb_misfit(clips, cameras)
            after, _ = _limb_misfit(others, cameras, usual)
        better = after * SWAP_GAIN < before
        clips[c] = _mirror(clips[c], better)
        flipped[c] ^= better
    mirrored_body = _mirrored_frames(triangulate(clips, cameras, max_reprojection_px=np.inf).positions_m)
    if mirrored_body.any():
        clips = [_mirror(clip, mirrored_body) for clip in clips]
        flipped = [f ^ mirrored_body for f in flipped]
    return clips, [int(f.sum()) for f in flipped]


def _mirrored_frames(points: np.ndarray) -> np.ndarray:
    """Frames whose body is its own mirror image: the left hip on the right of the way the face looks."""
    def p(name: str) -> np.ndarray:
        return points[:, LANDMARKS.index(name)]
    lateral = p("left_hip") - p("right_hip")
    up = (p("left_shoulder") + p("right_shoulder") - p("left_hip") - p("right_hip")) / 2
    face = p("nose") - (p("left_ear") + p("right_ear")) / 2
    with np.errstate(invalid="ignore"):
        return np.sum(np.cross(lateral, up) * face, axis=-1) < 0
