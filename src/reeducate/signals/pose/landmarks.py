"""The 33 BlazePose landmarks every keypoint series is expressed in, and the series itself.

Whatever produced the keypoints (MediaPipe on a video, OpenPose JSON, a TRC file), the engine sees one
``PoseSeries``: frame times in seconds, positions in image pixels (x to the right, y downwards) or in
metres, a visibility per landmark, NaN where the person is not seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from reeducate.signals.errors import RecordingError

#: BlazePose's landmark order (MediaPipe Pose, 33 landmarks), also the column order of the series.
LANDMARKS: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)
INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARKS)}

#: The lines the annotated video draws between landmarks.
SKELETON: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
    *((f"{s}_shoulder", f"{s}_hip") for s in ("left", "right")),
    *((f"{s}_shoulder", f"{s}_elbow") for s in ("left", "right")),
    *((f"{s}_elbow", f"{s}_wrist") for s in ("left", "right")),
    *((f"{s}_hip", f"{s}_knee") for s in ("left", "right")),
    *((f"{s}_knee", f"{s}_ankle") for s in ("left", "right")),
    *((f"{s}_ankle", f"{s}_heel") for s in ("left", "right")),
    *((f"{s}_heel", f"{s}_foot_index") for s in ("left", "right")),
    *((f"{s}_ankle", f"{s}_foot_index") for s in ("left", "right")),
    ("nose", "left_ear"), ("nose", "right_ear"),
)

Unit = Literal["px", "m"]


@dataclass(frozen=True)
class PoseSeries:
    """One person's landmarks over a clip.

    ``xy`` has shape (frames, 33, 2) in ``unit``: image pixels (x right, y down) for a camera, metres
    (x forward or to the side, y down) for a motion-capture file. ``visibility`` (frames, 33) is the
    backend's 0-1 confidence. A frame where the person is not seen is NaN throughout.
    ``image_size_px`` is (width, height) for a camera; ``source`` says what made the keypoints.
    ``xyz`` (frames, 33, 3), when the backend gives depth, holds each landmark in 3-D on the camera's axes
    (x right, y down, z away from the camera): MediaPipe's world landmarks in metres
    (``metadata["xyz"] == "world"``), or the image x, y with MediaPipe's relative depth z, all in pixels
    (``"image depth"``). Only directions are read from it (how far the body is turned from the camera).
    """

    time_s: np.ndarray
    xy: np.ndarray
    visibility: np.ndarray
    fps: float
    source: str
    unit: Unit = "px"
    image_size_px: tuple[int, int] | None = None
    warnings: tuple[str, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)
    xyz: np.ndarray | None = None

    @property
    def n_frames(self) -> int:
        return len(self.time_s)

    @property
    def origin(self) -> str:
        """What made the keypoints, for a methods sentence people read: "the camera clip (MediaPipe)" or
        "the motion-capture markers". Never the file's name, which is no part of the patient's
        information (and may be a phone's random name); ``source`` keeps it for refusals and logs."""
        if self.unit == "m":
            return "the motion-capture markers"
        backend = self.metadata.get("backend")
        return f"the camera clip ({backend})" if backend else "the camera clip"

    @property
    def detected(self) -> np.ndarray:
        """Boolean per frame: the person's hips and shoulders were seen."""
        core = [INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
        return np.all(np.isfinite(self.xy[:, core, 0]), axis=1)

    @property
    def detected_fraction(self) -> float:
        return float(self.detected.mean()) if self.n_frames else 0.0

    def point(self, name: str) -> np.ndarray:
        """One landmark's positions, (frames, 2)."""
        return self.xy[:, INDEX[name]]


def pose_series(
    *,
    xy: np.ndarray,
    visibility: np.ndarray,
    fps: float,
    source: str,
    unit: Unit = "px",
    image_size_px: tuple[int, int] | None = None,
    time_s: np.ndarray | None = None,
    warnings: tuple[str, ...] = (),
    metadata: dict[str, str] | None = None,
    xyz: np.ndarray | None = None,
) -> PoseSeries:
    """Check and assemble a series: shapes, a positive frame rate, at least one frame with a person."""
    xy = np.asarray(xy, dtype=float)
    visibility = np.asarray(visibility, dtype=float)
    if xy.ndim != 3 or xy.shape[1:] != (len(LANDMARKS), 2):
        raise RecordingError(f"{source}: expected keypoints of shape (frames, 33, 2), got {xy.shape}.")
    if visibility.shape != xy.shape[:2]:
        raise RecordingError(f"{source}: visibility has shape {visibility.shape}, keypoints {xy.shape[:2]}.")
    if xyz is not None:
        xyz = np.asarray(xyz, dtype=float)
        if xyz.shape != xy.shape[:2] + (3,):
            raise RecordingError(f"{source}: 3-D landmarks have shape {xyz.shape}, keypoints {xy.shape[:2]}.")
    if not np.isfinite(fps) or fps <= 0:
        raise RecordingError(f"{source}: the frame rate must be a positive number of frames per second, "
                             f"got {fps}.")
    n = xy.shape[0]
    if n == 0:
        raise RecordingError(f"{source}: the clip has no frames.")
    if time_s is None:
        time_s = np.arange(n) / fps
    time_s = np.asarray(time_s, dtype=float)
    if time_s.shape != (n,) or np.any(np.diff(time_s) <= 0):
        raise RecordingError(f"{source}: frame times must increase, one per frame.")
    series = PoseSeries(time_s=time_s, xy=xy, visibility=visibility, fps=float(fps), source=source, unit=unit,
                        image_size_px=image_size_px, warnings=tuple(warnings), metadata=dict(metadata or {}),
                        xyz=xyz)
    if not series.detected.any():
        raise RecordingError(f"{source}: nobody was detected in any of the {n} frames. Film the whole body "
                             "(head to feet) in good light, with the patient facing or side-on to the camera.")
    return series
