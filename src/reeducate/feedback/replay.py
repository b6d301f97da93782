"""A recorded file played through the engine as if it were live: the file's samples, one at a time.

``recording_samples`` opens a file for a device (a video or a keypoint CSV for the camera, any
force-plate format ``read_cop`` knows, an IMU file ``read_imu`` knows, an EMG file ``read_emg`` knows, its
channels named after the muscles they were on) and gives its sampling rate and its samples (for EMG, one
per 50 ms block); ``replay`` runs an exercise over them and returns the events and the summary, the shape
``reeducate session replay --json`` prints. ``paced`` holds each sample back until its moment, for a
replay at real speed.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from reeducate.feedback.adapters.base import Device, DeviceError, Sample
from reeducate.feedback.adapters.camera import pose_samples, video_samples
from reeducate.feedback.adapters.emg import REFERENCE_WORDS, block_rate_hz, emg_samples, muscle_key
from reeducate.feedback.adapters.force_plate import cop_samples
from reeducate.feedback.adapters.imu import imu_samples
from reeducate.feedback.engine import FeedbackEngine, LiveExercise
from reeducate.signals.emg import read_emg
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


def emg_muscles(exercise: LiveExercise) -> tuple[str, ...]:
    """The muscles an EMG exercise watches: its onset order's two, or the one whose amplitude it holds."""
    if exercise.order is not None:
        return exercise.order.first, exercise.order.second
    return (exercise.signal.removesuffix("_mvc"),)


def emg_labels(mvc_mv: Mapping[str, float] | None) -> dict[str, str]:
    """What an EMG exercise's amplitudes are measured against, for its summary."""
    return {"amplitude": REFERENCE_WORDS["mvc" if mvc_mv else "first_contractions"]}


def recording_samples(device: Device, path: Path, *, image_size_px: tuple[int, int] | None = None,
                      sensor: str | None = None, sampling_rate_hz: float | None = None,
                      channels: Sequence[str] | None = None, muscles: Sequence[str] = (),
                      mvc_mv: Mapping[str, float] | None = None, units: str | None = None,
                      ) -> tuple[float, Iterator[Sample]]:
    """The sampling rate (Hz) and the samples of a recorded file, as ``device`` would have streamed them.
    For EMG, ``channels`` name the file's channels after their muscles (``Trap_sup=Upper trapezius``, read as
    ``upper_trapezius``), each of
    ``muscles`` must be among them, ``mvc_mv`` gives each channel's MVC level (mV) when one was recorded, and
    ``units`` the amplitudes' units of a file that does not state them (text, MATLAB)."""
    try:
        if device is Device.EMG:
            emg = read_emg(path, channels=channels, rate_hz=sampling_rate_hz, units=units)
            labels = emg.names
            emg = dataclasses.replace(emg, names=tuple(muscle_key(name) for name in labels))
            mvc_mv = {muscle_key(name): level for name, level in mvc_mv.items()} if mvc_mv else None
            missing = [m for m in muscles if m not in emg.names]
            if missing:
                raise DeviceError(f"{path.name} has no channel named {', '.join(missing)}; its channels are "
                                  f"{', '.join(labels)}. Name them after their muscles "
                                  f"(e.g. {labels[0]}={missing[0]}).")
            return block_rate_hz(emg.rate_hz), emg_samples(emg, mvc_mv=mvc_mv)
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


def replay(exercise: LiveExercise, samples: Iterable[Sample], *, sampling_rate_hz: float,
           labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run the engine over every sample; ``{"exercise", "events", "summary"}`` (``labels`` kept in the summary)."""
    engine = FeedbackEngine(exercise, sampling_rate_hz=sampling_rate_hz, labels=labels)
    for sample in samples:
        engine.push(sample.values, sample.view)
    return {"exercise": exercise.exercise_id, "events": [e.to_dict() for e in engine.events],
            "summary": engine.summary()}
