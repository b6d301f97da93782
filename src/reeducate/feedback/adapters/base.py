"""What every device adapter gives the feedback engine: samples, and errors that say if retrying helps.

A sample is one moment of one device: the values of the signals an exercise can watch (joint angles
in degrees, COP in millimetres, angular rates in deg/s, EMG amplitudes in % of MVC), the camera view it was seen in, and what the
live page draws (the skeleton, the COP dot).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Device(StrEnum):
    """Where an exercise's signal comes from."""

    CAMERA = "camera"
    FORCE_PLATE = "force_plate"
    IMU = "imu"
    EMG = "emg"


@dataclass(frozen=True)
class Sample:
    """One moment: ``values`` by signal name (NaN when not measurable now), ``view`` for a camera,
    ``landmarks`` as [x, y, visibility] per BlazePose landmark in 0-1 of the picture (for the
    skeleton) in a picture of ``image_size_px`` (width, height), ``cop_mm`` as (medio-lateral,
    antero-posterior) from the target's centre."""

    index: int
    time_s: float
    values: dict[str, float]
    view: str | None = None
    landmarks: list[list[float]] | None = None
    image_size_px: tuple[int, int] | None = None
    cop_mm: tuple[float, float] | None = None


class DeviceError(Exception):
    """A device or file that cannot give samples. ``retryable`` is True when trying again can help
    (a camera frame that did not decode, a dropped connection), False when it cannot (a file of the
    wrong kind, a sensor that does not move)."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
