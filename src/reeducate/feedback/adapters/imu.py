"""An inertial sensor as a stream of samples: angular rates and tilt.

Signals: ``angular_speed`` (deg/s, the gyroscope's magnitude), ``foot_pitch_rate`` (deg/s about the
foot's medio-lateral axis, positive as the foot swings forward) and ``tilt`` (degrees between gravity
now and gravity over the first ``CENTRE_S`` seconds: how far the segment has tipped from where it
started). The medio-lateral axis depends on how the sensor is strapped on: a live sensor learns it
from a few calibration steps; a replayed file gives it from the whole walk (``signals.strides.foot``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from reeducate.feedback.adapters.base import DeviceError, Sample
from reeducate.feedback.adapters.force_plate import CENTRE_S
from reeducate.signals.errors import RecordingError
from reeducate.signals.imu import ImuRecording
from reeducate.signals.strides.foot import sagittal_rate


class ImuAdapter:
    """Acceleration (m/s²) and angular velocity (deg/s) of one sensor at ``sampling_rate_hz`` to samples."""

    def __init__(self, *, sampling_rate_hz: float, pitch_axis: np.ndarray | None = None) -> None:
        self.sampling_rate_hz = sampling_rate_hz
        self.pitch_axis = pitch_axis
        self._index = -1
        self._settle = max(1, int(round(CENTRE_S * sampling_rate_hz)))
        self._gravity = np.zeros(3)

    def sample(self, acc_m_s2: np.ndarray, gyr_deg_s: np.ndarray) -> Sample:
        self._index += 1
        values = {"angular_speed": float(np.linalg.norm(gyr_deg_s)),
                  "foot_pitch_rate": float(gyr_deg_s @ self.pitch_axis) if self.pitch_axis is not None else np.nan,
                  "tilt": np.nan}
        if self._index < self._settle:
            self._gravity += acc_m_s2
        else:
            cos = acc_m_s2 @ self._gravity / (np.linalg.norm(acc_m_s2) * np.linalg.norm(self._gravity))
            values["tilt"] = float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
        return Sample(self._index, self._index / self.sampling_rate_hz, values)


def imu_samples(recording: ImuRecording, sensor: str) -> Iterator[Sample]:
    """One sensor of a recorded IMU file, sample by sample."""
    if sensor not in recording.sensors:
        raise DeviceError(f"{recording.source}: no {sensor} sensor; it has {', '.join(recording.sensors)}.")
    data = recording.sensors[sensor]
    if data.gyr_deg_s is None:
        raise DeviceError(f"{recording.source}: the {sensor} sensor has no gyroscope; live feedback needs one.")
    try:
        _, axis = sagittal_rate(data.gyr_deg_s)
    except RecordingError as exc:
        raise DeviceError(str(exc)) from exc
    adapter = ImuAdapter(sampling_rate_hz=recording.sampling_rate_hz, pitch_axis=axis)
    for acc, gyr in zip(data.acc_m_s2, data.gyr_deg_s, strict=True):
        yield adapter.sample(acc, gyr)
