"""One body segment's angle over time from the IMU strapped to it, for position tests (joint position sense).

Two angles, each in degrees and 0 where the recording starts:

- ``yaw_deg``: rotation about the vertical, from the gyroscope. The vertical is gravity as the accelerometer
  reads it while the sensor is stillest; the gyroscope's rate about it, less its bias over those same still
  samples, is integrated. Positive is anticlockwise seen from above, which is a turn to the wearer's left for
  any right-handed sensor (every IMU's axes are): a head sensor's yaw is the head's rotation for the
  cervical relocation test. Integration drifts with any bias left over: seconds-long tests, not minutes.
- ``inclination_deg``: tilt in the segment's plane of motion, from the accelerometer alone. Gravity's
  direction in the sensor's axes (low-passed, so a slow movement's own acceleration is left out) sweeps a
  plane as a hinge joint moves; the angle is gravity's turn in that plane from where it started, signed so
  that the largest excursion is positive. It is the joint's angle change only when the segment above the
  joint is held still (a thigh on the plinth for the knee, an upper arm on the table for the elbow).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfiltfilt

from reeducate.signals.errors import RecordingError
from reeducate.signals.imu import ImuSensor

#: Gravity's direction is low-passed at this frequency (Hz) before the inclination is read (ours: a
#: position test moves slowly, well under 1 Hz; the hand's tremor and the strap's wobble are above it).
GRAVITY_LOW_PASS_HZ = 2.0
#: The samples whose gyroscope magnitude is in the lowest this fraction are the still ones that give the
#: vertical and the gyroscope's bias (ours: a position test spends most of its time in still holds).
STILL_FRACTION = 0.2
#: The inclination starts from gravity's mean direction over this first stretch (s) of the recording.
START_S = 0.5


def _still(sensor: ImuSensor) -> np.ndarray:
    """The stillest samples (boolean mask): by the gyroscope when there is one, else by the accelerometer's change."""
    motion = (np.linalg.norm(sensor.gyr_deg_s, axis=1) if sensor.gyr_deg_s is not None
              else np.linalg.norm(np.gradient(sensor.acc_m_s2, axis=0), axis=1))
    return motion <= np.quantile(motion, STILL_FRACTION)


def yaw_deg(sensor: ImuSensor, sampling_rate_hz: float, source: str) -> np.ndarray:
    """Rotation about the vertical (deg) from the start, positive to the wearer's left (see the module)."""
    if sensor.gyr_deg_s is None:
        raise RecordingError(f"{source}: a rotation about the vertical needs the gyroscope (gyr_x, gyr_y, gyr_z); "
                             "this file has the accelerometer only.")
    still = _still(sensor)
    up = sensor.acc_m_s2[still].mean(axis=0)
    up /= np.linalg.norm(up)
    rate = sensor.gyr_deg_s @ up
    rate = rate - np.median(rate[still])
    angle = np.concatenate(([0.0], np.cumsum((rate[1:] + rate[:-1]) / 2) / sampling_rate_hz))
    return angle


def inclination_deg(sensor: ImuSensor, sampling_rate_hz: float, source: str) -> np.ndarray:
    """Tilt (deg) in the plane of motion from the starting position, the largest excursion positive."""
    acc = sensor.acc_m_s2
    if len(acc) > 30:
        sos = butter(2, GRAVITY_LOW_PASS_HZ, fs=sampling_rate_hz, output="sos")
        acc = sosfiltfilt(sos, acc, axis=0)
    gravity = acc / np.linalg.norm(acc, axis=1, keepdims=True)
    # gravity sweeps a plane through the origin: its normal is the direction gravity never takes
    _, spread, axes = np.linalg.svd(gravity, full_matrices=False)
    if spread[1] < 1e-3 * spread[0]:
        raise RecordingError(f"{source}: the sensor never tilts (gravity stays within a fraction of a degree); "
                             "strap it to the moving segment, or choose cervical_rotation for a head sensor's turns.")
    normal = axes[2]
    start = gravity[: max(1, int(START_S * sampling_rate_hz))].mean(axis=0)
    start -= (start @ normal) * normal
    in_plane = gravity - np.outer(gravity @ normal, normal)
    angle = np.degrees(np.arctan2(np.cross(start, in_plane) @ normal, in_plane @ start))
    return angle if angle.max() >= -angle.min() else -angle
