"""A recorded file played through the engine as if it were live: the file's samples, one at a time.

``recording_samples`` opens a file for a device (a video or a keypoint CSV for the camera, any
force-plate format ``read_cop`` knows, an IMU file ``read_imu`` knows) and gives its sampling rate and
its samples; ``replay`` runs an exercise over them and returns the events and the summary, the shape
``reeducate session replay --json`` prints. ``paced`` holds each sample back until its moment, for a
replay at real speed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from reeducate.feedback.adapters.base import Device, DeviceError, Sample
from reeducate.feedback.adapters.camera import pose_samples, video_samples
from reeducate.feedback.adapters.force_plate import cop_samples
from reeducate.feedback.adapters.imu import imu_samples
from reeducate.feedback.engine import FeedbackEngine, LiveExercise
from reeducate.signals.errors import RecordingError
from reeducate.signals.imu import ImuRecording
from reeducate.signals.io import read_cop
from reeducate.signals.io.imu import read_imu
from reeducate.signals.pose.readers import read_landmark_csv
from reeducate.signals.pose.video import video_properties

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".webm", ".mkv", ".m4v")


def _imu_sensor(recording: ImuRecording, sensor: str | None) -> str:
    if sensor is not None:
        return sensor
    if len(recording.sensors) == 1:
        return next(iter(recording.sensors))
    raise DeviceError(f"{recording.source} holds several sensors ({', '.join(recording.sensors)}); "
                      "say which one the exercise watches (the side, or --sensor).")


def recording_samples(device: Device, path: Path, *, image_size_px: tuple[int, int] | None = None,
                      sensor: str | None = None, sampling_rate_hz: float | None = None,
                      ) -> tuple[float, Iterator[Sample]]:
    """The sampling rate (Hz) and the samples of a recorded file, as ``device`` would have streamed them."""
    try:
        if device is Device.CAMERA:
            if path.suffix.lower() in VIDEO_SUFFIXES:
                fps, _, _ = video_properties(path)
                return fps, video_samples(path)
            if image_size_px is None:
                raise DeviceError(f"{path.name}: a landmark CSV holds 0-1 coordinates; give the picture's size "
                                  "in pixels (--width-px, --height-px) so angles are not distorted.")
            series = read_landmark_csv(path, width_px=image_size_px[0], height_px=image_size_px[1])
            return series.fps, pose_samples(series)
        if device is Device.FORCE_PLATE:
            cop = read_cop(path)
            return cop.sampling_rate_hz, cop_samples(cop)
        imu = read_imu(path, sampling_rate_hz=sampling_rate_hz)
        return imu.sampling_rate_hz, imu_samples(imu, _imu_sensor(imu, sensor))
    except RecordingError as exc:
        raise DeviceError(str(exc)) from exc


def paced(samples: Iterable[Sample], *, speed: float = 1.0) -> Iterator[Sample]:
    """Each sample at its own moment (``time_s`` / ``speed`` after the first), as a live device sends them."""
    start = time.monotonic()
    for sample in samples:
        wait = start + sample.time_s / speed - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        yield sample


def replay(exercise: LiveExercise, samples: Iterable[Sample], *, sampling_rate_hz: float) -> dict[str, Any]:
    """Run the engine over every sample; ``{"exercise", "events", "summary"}``."""
    engine = FeedbackEngine(exercise, sampling_rate_hz=sampling_rate_hz)
    for sample in samples:
        engine.push(sample.values, sample.view)
    return {"exercise": exercise.exercise_id, "events": [e.to_dict() for e in engine.events],
            "summary": engine.summary()}
