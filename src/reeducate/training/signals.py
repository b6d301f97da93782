"""The signals an exercise can watch, by device, with their units and (for the camera) their views."""

from __future__ import annotations

from reeducate.feedback.adapters.base import Device
from reeducate.feedback.adapters.emg import amplitude_signal, on_signal, onset_signal
from reeducate.signals.kinematics.frame_signals import CAMERA_SIGNAL_VIEWS
from reeducate.signals.kinematics.views import View

#: Camera signals that are not per-frame: the adapter keeps the stream's memory for them.
_CAMERA_STREAM = {"squat_depth": frozenset({View.SIDE, View.FRONT})}

#: The muscles an EMG monitor may name; a recording's channels are named after them when it is replayed
#: (``Trap_sup=upper_trapezius``), as the electrodes were placed.
MUSCLES = ("quadriceps", "vastus_medialis_oblique", "vastus_lateralis", "rectus_femoris", "upper_trapezius",
           "lower_trapezius", "serratus_anterior", "biceps_brachii", "tibialis_anterior", "gluteus_medius")

#: Every watchable signal of each device and its unit.
SIGNALS: dict[Device, dict[str, str]] = {
    Device.CAMERA: {**{name: ("%" if name.endswith("foot_lift") else "deg") for name in CAMERA_SIGNAL_VIEWS},
                    "squat_depth": "%"},
    Device.FORCE_PLATE: {"cop_offset_mm": "mm", "cop_ml_mm": "mm", "cop_ap_mm": "mm"},
    Device.IMU: {"angular_speed": "deg/s", "foot_pitch_rate": "deg/s", "tilt": "deg"},
    Device.EMG: {name: unit for m in MUSCLES
                 for name, unit in ((amplitude_signal(m), "%MVC"), (on_signal(m), "on/off"), (onset_signal(m), "s"))},
}


def camera_views(signal: str) -> frozenset[str]:
    """The camera views that can measure a camera signal (both for an any-view signal)."""
    views = {**CAMERA_SIGNAL_VIEWS, **_CAMERA_STREAM}[signal]
    return frozenset(str(v) for v in views)


def resolve(signal: str, side: str) -> str:
    """A signal name with ``{side}`` and ``{other}`` filled in (``{side}_knee_flexion`` -> ``left_knee_flexion``)."""
    return signal.replace("{side}", side).replace("{other}", "right" if side == "left" else "left")
