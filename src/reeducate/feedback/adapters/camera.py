"""A camera as a stream of samples: pose landmarks per frame in, joint angles and the view out.

``CameraAdapter`` turns one frame's landmarks into a sample (``signals.kinematics.frame_signals``),
and adds ``squat_depth``: how far the hips have come down towards the ankles, in % of the highest
hip-above-ankle distance seen so far in the exercise (the patient standing tall). That one needs the
stream's memory, so it lives here and not in the per-frame signals; it is measurable from the side or
the front, which lets a squat be counted by a camera facing the patient, where knee valgus is seen.
``LivePose`` adds the pose model for raw frames (the browser's camera, a video file played as if live);
``decode_frame`` turns a browser's JPEG into those frames, refusing one too large before decoding it
(its size is read from the JPEG's start-of-frame marker, which says what the decoder would allocate).
``DevicePose`` takes landmarks the patient's own device found (the browser running BlazePose, as
``@mediapipe/pose`` gives them: 0-1 of the picture) through the same adapter, so the server never poses.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from reeducate.feedback.adapters.base import DeviceError, Sample
from reeducate.signals.errors import RecordingError
from reeducate.signals.kinematics.frame_signals import frame_signals
from reeducate.signals.pose.backends import MediaPipePose, PoseBackend
from reeducate.signals.pose.landmarks import INDEX, LANDMARKS, PoseSeries
from reeducate.signals.pose.video import frames, video_properties

#: Largest camera frame decoded (bytes): a 4K frame as the browser's JPEG (quality 0.7) is about 1.5 MB.
MAX_FRAME_BYTES = 4 * 2**20
#: Largest camera frame decoded (pixels): 4096x4096, above a 4K webcam; a frame a decoder would make
#: 16000x16000 (768 MB of pixels) is refused before any of it is decoded.
MAX_FRAME_PIXELS = 4096 * 4096
#: JPEG start-of-frame markers (baseline, extended, progressive, lossless; Huffman or arithmetic coded).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
#: Markers that stand alone, without a length: TEM, the restart markers, start of image.
_STANDALONE = {0x01, *range(0xD0, 0xD9)}

_HIPS = [INDEX["left_hip"], INDEX["right_hip"]]
_ANKLES = [INDEX["left_ankle"], INDEX["right_ankle"]]


class CameraAdapter:
    """Landmarks of successive frames (pixels, y down) to samples, at ``fps`` frames per second."""

    def __init__(self, *, fps: float, image_size_px: tuple[int, int]) -> None:
        self.fps = fps
        self.image_size_px = image_size_px
        self._index = -1
        self._standing_px = 0.0

    def sample(self, xy: np.ndarray, visibility: np.ndarray, *, time_s: float | None = None) -> Sample:
        """One frame: ``xy`` (33, 2) in pixels and ``visibility`` (33,), NaN where nobody is seen; at
        ``time_s`` from the start (s), by default the frame's number over ``fps``."""
        self._index += 1
        at_s = self._index / self.fps if time_s is None else time_s
        series = PoseSeries(time_s=np.array([at_s]), xy=xy[None].astype(float),
                            visibility=visibility[None].astype(float), fps=self.fps, source="camera",
                            image_size_px=self.image_size_px)
        signals, views = frame_signals(series)
        values = {name: float(v[0]) for name, v in signals.items()}
        values["squat_depth"] = self._squat_depth(xy)
        landmarks = None
        if np.isfinite(xy).all():  # rounded as arrays: a Python round() per number costs more than the angles
            landmarks = np.column_stack([np.round(xy / self.image_size_px, 4),
                                         np.round(visibility.astype(float), 2)]).tolist()
        return Sample(self._index, at_s, values, None if views[0] is None else str(views[0]),
                      landmarks, self.image_size_px)

    def nobody(self, *, time_s: float | None = None) -> Sample:
        """A frame in which nobody was found: every signal unmeasurable."""
        return self.sample(np.full((len(LANDMARKS), 2), np.nan), np.zeros(len(LANDMARKS)), time_s=time_s)

    def _squat_depth(self, xy: np.ndarray) -> float:
        hip_above_ankle = float(np.nanmean(xy[_ANKLES, 1]) - np.nanmean(xy[_HIPS, 1])) \
            if np.isfinite(xy[_HIPS + _ANKLES]).all() else np.nan
        if not np.isfinite(hip_above_ankle) or hip_above_ankle <= 0:
            return float("nan")
        self._standing_px = max(self._standing_px, hip_above_ankle)
        return 100.0 * (1.0 - hip_above_ankle / self._standing_px)


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels from a JPEG's start-of-frame marker; None when ``data`` holds no JPEG
    frame header before its image data (not a JPEG, or a damaged one)."""
    if data[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker in _STANDALONE:
            at += 2
            continue
        if marker == 0xDA:  # start of scan: image data, and no frame header came before it
            return None
        length = int.from_bytes(data[at + 2:at + 4], "big")
        if marker in _SOF:
            header = data[at + 5:at + 9]  # after the length and the sample precision
            return (int.from_bytes(header[2:4], "big"), int.from_bytes(header[0:2], "big")) if len(header) == 4 \
                else None
        if length < 2:
            return None
        at += 2 + length
    return None


def decode_frame(data: bytes, *, max_bytes: int = MAX_FRAME_BYTES, max_pixels: int = MAX_FRAME_PIXELS) -> np.ndarray:
    """A camera frame sent as JPEG, as RGB pixels; a retryable DeviceError for one that is too large (in
    bytes, or in pixels as its header states, checked before decoding) or that does not decode."""
    import cv2

    if len(data) > max_bytes:
        raise DeviceError(f"A camera frame of {len(data) / 1e6:.1f} MB was skipped (at most "
                          f"{max_bytes / 1e6:.0f} MB); send a smaller picture.", retryable=True)
    size = jpeg_size(data)
    if size is None or 0 in size:
        raise DeviceError("A camera frame could not be decoded (not a JPEG); skipped.", retryable=True)
    if size[0] * size[1] > max_pixels:
        raise DeviceError(f"A camera frame of {size[0]}x{size[1]} pixels was skipped (at most "
                          f"{max_pixels / 1e6:.0f} megapixels); send a smaller picture.", retryable=True)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise DeviceError("A camera frame could not be decoded; skipped.", retryable=True)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def pose_samples(series: PoseSeries) -> Iterator[Sample]:
    """A recorded series of landmarks (a keypoint file, a clip already posed), frame by frame."""
    if series.unit != "px" or series.image_size_px is None:
        raise DeviceError(f"{series.source}: live feedback replays camera keypoints in pixels, not {series.unit}.")
    adapter = CameraAdapter(fps=series.fps, image_size_px=series.image_size_px)
    for k in range(series.n_frames):
        yield adapter.sample(series.xy[k], series.visibility[k])


class LivePose:
    """Raw RGB frames through a pose backend into samples (one person: the model's tracked one)."""

    def __init__(self, *, fps: float, image_size_px: tuple[int, int], backend: PoseBackend | None = None) -> None:
        self.backend = backend or MediaPipePose()
        self.adapter = CameraAdapter(fps=fps, image_size_px=image_size_px)

    def sample(self, frame_rgb: np.ndarray) -> Sample:
        found = self.backend.detect(frame_rgb)
        if len(found) == 0:
            return self.adapter.nobody()
        return self.adapter.sample(found[0, :, :2], found[0, :, 2])

    def close(self) -> None:
        self.backend.close()


class DevicePose:
    """Landmarks posed on the patient's device into samples, as ``LivePose`` makes them from a frame.

    Each frame comes as (33, 4) rows of x, y (0-1 of a picture of ``image_size_px``, y down), z and
    visibility, or as no rows when nobody was found; ``time_s`` is the device's own clock from the
    start (s). The adapter is made for the first frame's picture size and follows it if it changes (a
    phone turned), since angles are measured in pixels.
    """

    def __init__(self, *, fps: float) -> None:
        self.fps = fps
        self.adapter: CameraAdapter | None = None

    def sample(self, landmarks: np.ndarray, *, image_size_px: tuple[int, int], time_s: float) -> Sample:
        if self.adapter is None:
            self.adapter = CameraAdapter(fps=self.fps, image_size_px=image_size_px)
        self.adapter.image_size_px = image_size_px
        if len(landmarks) == 0:
            return self.adapter.nobody(time_s=time_s)
        if landmarks.shape != (len(LANDMARKS), 4):
            raise DeviceError(f"A pose has {len(LANDMARKS)} landmarks of x, y, z and visibility; got an array "
                              f"of shape {landmarks.shape}.", retryable=True)
        return self.adapter.sample(landmarks[:, :2] * image_size_px, landmarks[:, 3], time_s=time_s)


def video_samples(path: str | Path, *, backend: PoseBackend | None = None) -> Iterator[Sample]:
    """A video file, posed frame by frame as a camera would be (the tracker follows one person)."""
    try:
        fps, _, size = video_properties(path)
    except RecordingError as exc:
        raise DeviceError(str(exc)) from exc
    live = LivePose(fps=fps, image_size_px=size, backend=backend)
    try:
        for frame in frames(path):
            yield live.sample(frame)
    finally:
        live.close()
