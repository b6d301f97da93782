"""The typed IMU recording every gait reader produces: SI units, one or more body-worn sensors.

Accelerations are in m/s² including gravity, angular velocities in deg/s, in each sensor's own
axes (the engine finds the axes it needs from the signals: the gait engine never assumes a mounting).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from reeducate.signals.errors import RecordingError

#: Where a single sensor was worn, and on which foot.
Sensor = Literal["foot", "lower_back"]
Side = Literal["left", "right"]
SENSORS: tuple[Sensor, ...] = ("foot", "lower_back")
SIDES: tuple[Side, ...] = ("left", "right")

STANDARD_GRAVITY = 9.80665  # m/s², CGPM 1901
#: A walking foot turns at several hundred deg/s; below this 99th percentile the gyro is likely in rad/s.
MIN_WALKING_GYRO_DEG_S = 30.0


@dataclass(frozen=True)
class ImuSensor:
    """One sensor: acceleration (samples, 3) in m/s² and angular velocity (samples, 3) in deg/s."""

    acc_m_s2: np.ndarray
    gyr_deg_s: np.ndarray | None


@dataclass(frozen=True)
class ImuRecording:
    """Sensors named by where they are worn (``left_foot``, ``right_foot``, ``foot``, ``lower_back``)."""

    sensors: dict[str, ImuSensor]
    sampling_rate_hz: float
    source: str
    warnings: tuple[str, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        return len(next(iter(self.sensors.values())).acc_m_s2)

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.sampling_rate_hz


def imu_recording(sensors: dict[str, ImuSensor], *, sampling_rate_hz: float | None, source: str,
                  acc_unit: str = "auto", warnings: tuple[str, ...] = ()) -> ImuRecording:
    """Check units, shapes and the rate; acceleration given in g is converted to m/s²."""
    if sampling_rate_hz is None:
        raise RecordingError(f"{source}: the file does not state its sampling rate; give it "
                             "(--sampling-rate-hz, e.g. 102.4 or 204.8 for the gaitmap examples, 100 for Mobilise-D).")
    if not np.isfinite(sampling_rate_hz) or not 10 <= sampling_rate_hz <= 2000:
        raise RecordingError(f"{source}: a sampling rate of {sampling_rate_hz} Hz is not an IMU's; give it in Hz.")
    notes = list(warnings)
    checked = {}
    for name, sensor in sensors.items():
        acc = np.asarray(sensor.acc_m_s2, dtype=float)
        if acc.ndim != 2 or acc.shape[1] != 3 or len(acc) < 2:
            raise RecordingError(f"{source}: {name} needs three acceleration columns and some samples.")
        if not np.isfinite(acc).all():
            bad = int((~np.isfinite(acc)).any(axis=1).sum())
            raise RecordingError(f"{source}: {name} has {bad} samples that are not numbers (NaN or text); "
                                 "export the recording again without gaps.")
        norm = _resting_magnitude(acc, sensor.gyr_deg_s)
        unit = acc_unit if acc_unit != "auto" else ("g" if 0.7 <= norm <= 1.3 else "m/s2" if 7 <= norm <= 13 else "?")
        if unit == "?":
            raise RecordingError(f"{source}: {name}'s acceleration at rest has a magnitude of {norm:.3g}, neither "
                                 "1 g nor 9.81 m/s²; the columns are not accelerations including gravity, or their "
                                 "unit is something else (say which with --acc-unit).")
        if unit == "g":
            acc = acc * STANDARD_GRAVITY
            notes.append(f"{name}: acceleration read in g and converted to m/s².")
        gyr = sensor.gyr_deg_s
        if gyr is not None:
            gyr = np.asarray(gyr, dtype=float)
            if gyr.shape != acc.shape or not np.isfinite(gyr).all():
                raise RecordingError(f"{source}: {name}'s gyroscope needs three numeric columns, as many rows as "
                                     "the accelerometer.")
        checked[name] = ImuSensor(acc, gyr)
    lengths = {len(s.acc_m_s2) for s in checked.values()}
    if len(lengths) != 1:
        raise RecordingError(f"{source}: the sensors hold different numbers of samples {sorted(lengths)}.")
    return ImuRecording(checked, float(sampling_rate_hz), source, tuple(notes))


def _resting_magnitude(acc: np.ndarray, gyr: np.ndarray | None) -> float:
    """Median acceleration magnitude over the stillest tenth of the samples (gravity alone, in the file's unit)."""
    norm = np.linalg.norm(acc, axis=1)
    motion = np.linalg.norm(np.asarray(gyr, dtype=float), axis=1) if gyr is not None else np.abs(np.gradient(norm))
    finite = np.isfinite(motion)
    if not finite.any():
        return float(np.median(norm))
    still = finite & (motion <= np.percentile(motion[finite], 10))
    return float(np.median(norm[still]))
