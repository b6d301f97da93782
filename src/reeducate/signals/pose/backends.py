"""Pose backends: a small interface, and MediaPipe's BlazePose behind it.

A backend takes one RGB frame and returns every person it sees as a (people, 33, 3) array of image
x, y in pixels and a 0-1 visibility, in BlazePose's landmark order; a backend that also estimates 3-D
landmarks adds them as three more columns, (people, 33, 6), on the camera's axes (x right, y down, z away
from the camera). The reader carries them into ``PoseSeries.xyz``. Another model (RTMPose, MoveNet)
is added by writing one more class with ``name``, ``detect`` and ``close``.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from reeducate.signals.pose.landmarks import LANDMARKS


class PoseBackend(Protocol):
    """What the video reader needs from a pose model."""

    @property
    def name(self) -> str:
        """The model and its version, as the result's provenance names it."""
        ...

    def detect(self, frame_rgb: np.ndarray) -> np.ndarray:
        """People in one frame (height, width, 3 uint8 RGB) as (people, 33, 3): x px, y px, visibility
        (or (people, 33, 6) with 3-D landmarks after them)."""
        ...

    def close(self) -> None:
        """Free the model."""
        ...


class MediaPipePose:
    """BlazePose GHUM 3D, full model, through MediaPipe's legacy ``solutions.pose`` (tracking mode).

    ``model_complexity=1`` is the model that ships inside the ``mediapipe==0.10.21`` wheel; the lite
    and heavy models are downloaded on first use and cannot run offline. The tracker follows one
    person and smooths landmarks over frames (its own filter, the settings MediaPipe documents).
    Each person comes with MediaPipe's world landmarks (metres, origin between the hips, the camera's
    axes) as columns 3-5: how far the body is turned from the camera is read from them.
    """

    def __init__(self, *, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5) -> None:
        self.min_detection_confidence = min_detection_confidence
        self.min_tracking_confidence = min_tracking_confidence
        self._pose: Any = None  # mediapipe ships no types: its Pose solution, made on first use

    @property
    def name(self) -> str:
        import mediapipe

        return f"MediaPipe {mediapipe.__version__} BlazePose full (model_complexity=1)"

    def detect(self, frame_rgb: np.ndarray) -> np.ndarray:
        if self._pose is None:
            from mediapipe.python.solutions import pose

            self._pose = pose.Pose(static_image_mode=False, model_complexity=1, smooth_landmarks=True,
                                   min_detection_confidence=self.min_detection_confidence,
                                   min_tracking_confidence=self.min_tracking_confidence)
        result = self._pose.process(frame_rgb)
        if result.pose_landmarks is None:
            return np.empty((0, len(LANDMARKS), 6))
        height, width = frame_rgb.shape[:2]
        points = np.array([(p.x * width, p.y * height, p.visibility) for p in result.pose_landmarks.landmark])
        world = (np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark])
                 if result.pose_world_landmarks is not None else np.full((len(LANDMARKS), 3), np.nan))
        return np.concatenate([points, world], axis=1)[None]

    def close(self) -> None:
        if self._pose is not None:
            self._pose.close()
            self._pose = None
