"""Joint position sense: how closely a patient puts a joint back where it was, without looking.

``analyze_jps(angle_deg, time_s, joint=..., protocol=...)`` takes one joint angle over time (degrees, from
a side-on clip through the movement engine or from an IMU, :func:`jps_from_pose`, :func:`jps_from_imu`),
finds the still holds (the angular speed under ``HOLD_SPEED_DEG_S`` for at least ``MIN_HOLD_S``), and
pairs them into trials by the protocol:

- ``reproduction``: the recording starts at rest; the target position is shown and held, the limb goes
  back (holds back at rest are left out), and the patient reproduces it and holds: holds away from rest
  are taken two by two, target then reproduction. With ``targets`` given, every hold away from rest is a
  reproduction of the given target (one for all, or one per trial in order).
- ``relocation``: the target is the position the movement starts from (the neutral head of the cervical
  relocation test): each trial is the last hold before a movement away of at least ``MIN_EXCURSION_DEG``
  and the hold it comes back to; a pause at the far end of the movement is not a return.

Each trial's signed error is positive for an overshoot (beyond the target in the direction of the movement
that reached it) and negative for an undershoot. Per side: absolute error AE = mean |e|, constant error
CE = mean e, variable error VE = the standard deviation of e about CE (n in the denominator, so that
AE's companion, the root mean square error E, splits exactly: E² = CE² + VE²). These are the motor-learning
definitions of error (Schmidt & Lee, Motor Control and Learning; docs/jps.md). No cut-off is applied: none
could be verified (docs/jps.md says what was checked). ``to_dict()`` is the stable JSON of docs/jps.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy.signal import savgol_filter

from reeducate.signals.errors import RecordingError

if TYPE_CHECKING:
    from reeducate.signals.imu import ImuRecording
    from reeducate.signals.pose.landmarks import PoseSeries

Protocol = Literal["reproduction", "relocation"]
Source = Literal["video", "imu", "angles"]
PROTOCOLS: tuple[Protocol, ...] = ("reproduction", "relocation")
SIDES = ("left", "right")

#: A hold is a stretch where the angle turns slower than this (deg/s). Ours: a held limb or head drifts and
#: trembles by a degree or two a second; a deliberate movement between positions is tens of deg/s.
HOLD_SPEED_DEG_S = 5.0
#: ... for at least this long (s). Ours: protocols hold a target for 3-5 s and a reproduction until the
#: patient says "there", about a second or more.
MIN_HOLD_S = 1.0
#: The angular speed is the derivative of a quadratic fitted over this window (s; Savitzky-Golay). Ours:
#: long enough to quiet a camera's frame-to-frame jitter, short against a hold.
SPEED_WINDOW_S = 0.5
#: Two holds at the same angle (within ``SAME_HOLD_DEG``) parted by less than this (s) are one hold
#: interrupted by a twitch; a hold that creeps further than ``SAME_HOLD_DEG`` from where it began is cut
#: there (a slow repositioning is a new position). Ours.
MERGE_GAP_S = 0.5
SAME_HOLD_DEG = 2.0
#: Reproduction protocol: a hold within this (deg) of the first (rest) hold is back at rest. Ours: targets
#: are set well away from rest.
REST_BAND_DEG = 5.0
#: Relocation protocol: a movement away must reach this far (deg) from its start to make a trial. Ours:
#: the cervical test turns the head as far as it goes, several tens of degrees.
MIN_EXCURSION_DEG = 15.0
#: Fewest trials that give a result: two are the least a variable error needs. Ours; protocols use 3-10.
MIN_TRIALS = 2
#: Fewest of the recording's samples in which the angle must be measured (ours).
MIN_MEASURED_FRACTION = 0.5

#: The joints a side-on clip gives (the movement engine's angles, docs/movement.md): name -> (label, sided).
VIDEO_JOINTS: dict[str, tuple[str, bool]] = {
    "hip_flexion": ("hip flexion", True),
    "knee_flexion": ("knee flexion", True),
    "ankle_dorsiflexion": ("ankle dorsiflexion", True),
    "shoulder_flexion": ("shoulder flexion", True),
    "elbow_flexion": ("elbow flexion", True),
    "trunk_lean": ("trunk lean", False),
}
#: The joints an IMU gives: the head's rotation (yaw), else the strapped segment's inclination.
IMU_JOINTS: dict[str, tuple[str, bool]] = {
    "cervical_rotation": ("cervical rotation", False),
    "cervical_flexion": ("cervical flexion", False),
    **{name: spec for name, spec in VIDEO_JOINTS.items() if spec[1]},
}
SOURCE_LABELS = {"video": "measured from camera", "imu": "measured from IMU", "angles": "from a given angle series"}
CUTOFF_NOTE = ("No published cut-off is applied: the 4.5 degree figure often attributed to Revel et al. (1991) could "
               "not be checked against the original paper (docs/jps.md).")


@dataclass(frozen=True)
class Hold:
    """A still stretch of the recording (s) and its angle (deg, the median over it); ``role`` is what the
    protocol made of it: rest, target, reproduction, far_end, start or unused."""

    start_s: float
    end_s: float
    angle_deg: float
    role: str = "unused"


@dataclass(frozen=True)
class Trial:
    """One target and its reproduction (deg), the signed error (overshoot positive) and the holds' times."""

    number: int
    side: str | None
    target_deg: float
    reproduced_deg: float
    error_deg: float
    target: Hold | None
    reproduction: Hold
    excursion_deg: float | None = None


@dataclass(frozen=True)
class Errors:
    """AE, CE and VE (deg) over ``n_trials``; VE is None for a single trial."""

    n_trials: int
    absolute_error_deg: float
    constant_error_deg: float
    variable_error_deg: float | None

    @classmethod
    def of(cls, errors: list[float]) -> Errors:
        e = np.asarray(errors, dtype=float)
        return cls(len(e), float(np.mean(np.abs(e))), float(np.mean(e)), float(np.std(e)) if len(e) > 1 else None)

    def to_dict(self) -> dict[str, float | int | None]:
        return {"n_trials": self.n_trials, "absolute_error_deg": _r(self.absolute_error_deg),
                "constant_error_deg": _r(self.constant_error_deg), "variable_error_deg": _r(self.variable_error_deg)}


@dataclass(frozen=True)
class JpsResult:
    """A joint position sense test: the holds, the trials, and the errors per side and over all trials."""

    joint: str
    side: str | None
    source: Source
    protocol: Protocol
    targets_given: tuple[float, ...] | None
    sampling_rate_hz: float
    duration_s: float
    holds: tuple[Hold, ...]
    trials: tuple[Trial, ...]
    by_side: dict[str, Errors]
    overall: Errors
    recording: str = ""
    warnings: tuple[str, ...] = ()
    method: str = ""

    def to_dict(self) -> dict[str, object]:
        """The documented JSON (docs/jps.md): angles in degrees, times in seconds from the recording's start."""
        return {
            "test": "joint_position_sense",
            "recording": self.recording,
            "joint": self.joint,
            "joint_label": joint_label(self.joint),
            "side": self.side,
            "source": self.source,
            "source_label": SOURCE_LABELS[self.source],
            "protocol": self.protocol,
            "targets_given_deg": list(self.targets_given) if self.targets_given is not None else None,
            "sampling_rate_hz": round(self.sampling_rate_hz, 3),
            "duration_s": round(self.duration_s, 3),
            "holds": [{"start_s": _r(h.start_s, 3), "end_s": _r(h.end_s, 3), "angle_deg": _r(h.angle_deg),
                       "role": h.role} for h in self.holds],
            "trials": [_trial_dict(t) for t in self.trials],
            "errors": {side: e.to_dict() for side, e in self.by_side.items()},
            "overall": self.overall.to_dict(),
            "cutoff": None,
            "cutoff_note": CUTOFF_NOTE,
            "settings": settings(),
            "warnings": list(self.warnings),
            "method": self.method,
        }


def default_protocol(joint: str) -> Protocol:
    """The usual test of a joint: the relocation test for the neck (back to neutral), else target reproduction."""
    return "relocation" if joint.startswith("cervical_") else "reproduction"


def parse_targets(text: str | None) -> tuple[float, ...] | None:
    """Target angles written ``30,60`` (deg), or None when left empty; RecordingError naming a bad one."""
    if text is None or not text.strip():
        return None
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise RecordingError(f"Targets {text!r}: give the target angles in degrees separated by commas, "
                             "e.g. 30,60.") from None
    if not all(np.isfinite(values)) or any(abs(v) > 360 for v in values):
        raise RecordingError(f"Targets {text!r}: every target is an angle between -360 and 360 degrees.")
    return values


def settings() -> dict[str, float]:
    """Our settings, as every result states them."""
    return {"hold_speed_deg_s": HOLD_SPEED_DEG_S, "min_hold_s": MIN_HOLD_S, "speed_window_s": SPEED_WINDOW_S,
            "merge_gap_s": MERGE_GAP_S, "same_hold_deg": SAME_HOLD_DEG, "rest_band_deg": REST_BAND_DEG,
            "min_excursion_deg": MIN_EXCURSION_DEG, "min_trials": MIN_TRIALS}


def joint_label(joint: str) -> str:
    return {**VIDEO_JOINTS, **IMU_JOINTS}.get(joint, (joint.replace("_", " "), False))[0]


def _trial_dict(t: Trial) -> dict[str, object]:
    return {"trial": t.number, "side": t.side, "target_deg": _r(t.target_deg), "reproduced_deg": _r(t.reproduced_deg),
            "error_deg": _r(t.error_deg), "excursion_deg": _r(t.excursion_deg),
            "target_start_s": _r(t.target.start_s, 3) if t.target else None,
            "target_end_s": _r(t.target.end_s, 3) if t.target else None,
            "reproduction_start_s": _r(t.reproduction.start_s, 3), "reproduction_end_s": _r(t.reproduction.end_s, 3)}


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def _sampling_rate(time_s: np.ndarray, where: str) -> float:
    steps = np.diff(time_s)
    if len(time_s) < 10 or not np.isfinite(time_s).all() or (steps <= 0).any():
        raise RecordingError(f"{where}: the angle needs at least 10 samples at increasing times.")
    return float(1.0 / np.median(steps))


def angular_speed(angle_deg: np.ndarray, sampling_rate_hz: float) -> np.ndarray:
    """|d angle / dt| (deg/s), a Savitzky-Golay derivative over ``SPEED_WINDOW_S``; NaN wherever the window
    reaches a sample where the angle is not measured."""
    window = max(5, int(round(SPEED_WINDOW_S * sampling_rate_hz)) | 1)
    measured = np.isfinite(angle_deg)
    if len(angle_deg) < window:
        return np.full(len(angle_deg), np.nan)
    index = np.arange(len(angle_deg))
    filled = np.interp(index, index[measured], angle_deg[measured])
    speed = np.abs(savgol_filter(filled, window, 2, deriv=1, delta=1.0 / sampling_rate_hz))
    gaps = np.convolve(~measured, np.ones(window), mode="same") > 0
    speed[gaps] = np.nan
    return speed


def find_holds(angle_deg: np.ndarray, time_s: np.ndarray) -> list[Hold]:
    """The still holds, in time order (see the module docstring for the settings)."""
    fs = _sampling_rate(time_s, "angle")
    speed = angular_speed(angle_deg, fs)
    still = np.concatenate(([False], np.nan_to_num(speed, nan=np.inf) < HOLD_SPEED_DEG_S, [False]))
    edges = np.flatnonzero(np.diff(still.astype(int)))
    runs = [[int(a), int(b)] for a, b in zip(edges[::2], edges[1::2], strict=True)]
    merged: list[list[int]] = []
    for run in runs:
        if merged and (run[0] - merged[-1][1]) / fs < MERGE_GAP_S and abs(
                np.nanmedian(angle_deg[run[0]:run[1]]) - np.nanmedian(angle_deg[merged[-1][0]:merged[-1][1]])) \
                < SAME_HOLD_DEG:
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    step = 1.0 / fs
    window = max(1, int(round(SPEED_WINDOW_S * fs)))
    smooth = np.convolve(np.nan_to_num(angle_deg, nan=np.nanmedian(angle_deg)), np.ones(window) / window, mode="same")
    return [Hold(float(time_s[a]), float(time_s[b - 1] + step), float(np.nanmedian(angle_deg[a:b])))
            for run in merged for a, b in _without_drift(smooth, *run) if (b - a) / fs >= MIN_HOLD_S]


def _without_drift(smooth_deg: np.ndarray, start: int, end: int) -> list[tuple[int, int]]:
    """A still run cut wherever the (smoothed) angle has crept more than ``SAME_HOLD_DEG`` from where the piece
    began: a slow repositioning after a reproduction is a new position, not part of the hold."""
    pieces = []
    while start < end:
        ref = smooth_deg[start]
        off = np.flatnonzero(np.abs(smooth_deg[start:end] - ref) > SAME_HOLD_DEG)
        cut = start + int(off[0]) if len(off) else end
        pieces.append((start, cut))
        start = cut
    return pieces


def _held(hold: Hold, role: str) -> Hold:
    return Hold(hold.start_s, hold.end_s, hold.angle_deg, role)


def signed_error(reproduced: float, target: float, came_from: float) -> float:
    """Reproduced minus target, positive beyond the target in the direction of the movement towards it."""
    return (reproduced - target) * (1.0 if target >= came_from else -1.0)


def _reproduction_trials(holds: list[Hold], targets: tuple[float, ...] | None, side: str | None,
                         where: str) -> tuple[list[Trial], list[Hold]]:
    rest = holds[0].angle_deg
    roles = [_held(holds[0], "rest")]
    away = []
    for hold in holds[1:]:
        if abs(hold.angle_deg - rest) < REST_BAND_DEG:
            roles.append(_held(hold, "rest"))
        else:
            away.append(hold)
            roles.append(hold)
    trials: list[Trial] = []
    if targets is None:
        if len(away) % 2:
            listed = ", ".join(f"{h.start_s:.1f}-{h.end_s:.1f} s at {h.angle_deg:.1f} deg" for h in away)
            raise RecordingError(f"{where}: {len(away)} positions were held away from rest ({listed}); a target and its "
                                 "reproduction make two per trial, so one is missing or extra. Check that every "
                                 f"target and every reproduction was held still for {MIN_HOLD_S:g} s, or give the "
                                 "targets (then every hold is a reproduction).")
        for k in range(0, len(away), 2):
            target, done = away[k], away[k + 1]
            trials.append(Trial(len(trials) + 1, side, target.angle_deg, done.angle_deg,
                                signed_error(done.angle_deg, target.angle_deg, rest), target, done))
        role_of = {id(h): ("target" if i % 2 == 0 else "reproduction") for i, h in enumerate(away)}
    else:
        if len(targets) not in (1, len(away)):
            raise RecordingError(f"{where}: {len(away)} reproductions were held but {len(targets)} targets given; give "
                                 "one target for all trials or one per trial, in order.")
        for k, done in enumerate(away):
            aim = targets[0] if len(targets) == 1 else targets[k]
            trials.append(Trial(k + 1, side, aim, done.angle_deg, signed_error(done.angle_deg, aim, rest), None, done))
        role_of = {id(h): "reproduction" for h in away}
    return trials, [_held(h, role_of[id(h)]) if id(h) in role_of else h for h in roles]


def _relocation_trials(holds: list[Hold], angle_deg: np.ndarray, time_s: np.ndarray, side: str | None,
                       positive_side: str | None) -> tuple[list[Trial], list[Hold]]:
    """Trials of the relocation protocol (module docstring); a rotation's side from ``positive_side`` when given."""
    roles: dict[int, str] = {}
    trials: list[Trial] = []
    start = 0
    for k in range(1, len(holds)):
        ref, hold = holds[start], holds[k]
        between = (time_s >= ref.end_s) & (time_s < hold.start_s)
        away = angle_deg[between] - ref.angle_deg
        if not np.isfinite(away).any():
            start = k
            continue
        peak = float(away[np.nanargmax(np.abs(away))])
        if abs(peak) < MIN_EXCURSION_DEG:
            start = k  # a shift at the start: the movement begins from the later hold
            continue
        if abs(hold.angle_deg - ref.angle_deg) >= abs(peak) / 2:
            roles[k] = "far_end"
            continue
        turned = ("left" if peak > 0 else "right") if positive_side == "left" else \
            ("right" if peak > 0 else "left") if positive_side == "right" else side
        roles.setdefault(start, "start")
        roles[k] = "reproduction"
        trials.append(Trial(len(trials) + 1, turned, ref.angle_deg, hold.angle_deg,
                            signed_error(hold.angle_deg, ref.angle_deg, ref.angle_deg + peak), ref, hold, abs(peak)))
        start = k
    return trials, [_held(h, roles.get(k, "unused")) for k, h in enumerate(holds)]


def analyze_jps(angle_deg: np.ndarray, time_s: np.ndarray, *, joint: str, side: str | None = None,
                protocol: Protocol = "reproduction", targets: tuple[float, ...] | None = None,
                source: Source = "angles", recording: str = "the recording", positive_side: str | None = None,
                unmeasured_reason: str | None = None, method: str = "", warnings: tuple[str, ...] = ()) -> JpsResult:
    """A joint position sense test from one angle over time (deg, at ``time_s`` s); RecordingError worded for the
    clinician when no holds or too few trials are found or the angle is not measured.

    ``positive_side`` names the side positive angles turn to (a head's yaw: left), so that a relocation test's
    trials are reported per side of rotation; ``unmeasured_reason`` says why frames lack the angle."""
    angle = np.asarray(angle_deg, dtype=float)
    time = np.asarray(time_s, dtype=float)
    if angle.shape != time.shape or angle.ndim != 1:
        raise RecordingError(f"{recording}: one angle per time is needed.")
    if protocol not in PROTOCOLS:
        raise RecordingError(f"Unknown protocol {protocol!r}; choose reproduction or relocation.")
    if targets is not None and protocol == "relocation":
        raise RecordingError("A relocation test's target is the starting position; give targets only for the "
                             "reproduction protocol.")
    fs = _sampling_rate(time, recording)
    label = joint_label(joint)
    measured = float(np.isfinite(angle).mean())
    if measured < MIN_MEASURED_FRACTION:
        why = f": {unmeasured_reason.rstrip('.')}" if unmeasured_reason else ""
        raise RecordingError(f"{recording}: the {label} angle is measured in only {measured:.0%} of the recording{why}.")
    holds = find_holds(angle, time)
    if not holds:
        raise RecordingError(f"{recording}: no still hold found: the {label} never stayed within "
                             f"{HOLD_SPEED_DEG_S:g} deg/s for {MIN_HOLD_S:g} s. Ask the patient to hold each position "
                             "still for a second or more.")
    if protocol == "reproduction":
        trials, holds = _reproduction_trials(holds, targets, side, recording)
    else:
        trials, holds = _relocation_trials(holds, angle, time, side, positive_side)
    if len(trials) < MIN_TRIALS:
        raise RecordingError(f"{recording}: {len(trials)} trial(s) found among {len(holds)} still holds; at least "
                             f"{MIN_TRIALS} are needed. Check the protocol ({protocol}) and that every position was "
                             f"held still for {MIN_HOLD_S:g} s.")
    groups: dict[str, list[float]] = {}
    for t in trials:
        groups.setdefault(t.side or "all", []).append(t.error_deg)
    return JpsResult(joint=joint, side=side, source=source, protocol=protocol, targets_given=targets,
                     sampling_rate_hz=fs, duration_s=float(time[-1] - time[0] + 1.0 / fs), holds=tuple(holds),
                     trials=tuple(trials), by_side={s: Errors.of(e) for s, e in groups.items()},
                     overall=Errors.of([t.error_deg for t in trials]), recording=recording, warnings=warnings,
                     method=(method + " " if method else "") + _method_text(protocol))


def _method_text(protocol: Protocol) -> str:
    pairing = ("target and reproduction holds paired in order, holds back at rest left out" if protocol == "reproduction"
               else "each return hold against the hold its movement started from")
    return (f"Still holds: angular speed under {HOLD_SPEED_DEG_S:g} deg/s (Savitzky-Golay derivative over "
            f"{SPEED_WINDOW_S:g} s) for at least {MIN_HOLD_S:g} s; {pairing}; absolute, constant and variable error "
            "as defined in motor learning (Schmidt & Lee).")


def check_joint(joint: str, side: str | None, source: Literal["video", "imu"]) -> None:
    """RecordingError unless ``source`` measures ``joint`` and the side is given exactly when the joint has one."""
    joints = VIDEO_JOINTS if source == "video" else IMU_JOINTS
    if joint not in joints:
        where = "a camera" if source == "video" else "an IMU"
        raise RecordingError(f"Joint {joint!r} cannot be measured from {where}; choose one of {', '.join(joints)}.")
    sided = joints[joint][1]
    if sided and side not in SIDES:
        raise RecordingError(f"Say which side the {joints[joint][0]} was tested on: left or right.")
    if not sided and side is not None:
        raise RecordingError(f"The {joints[joint][0]} has no side; leave the side out.")


def jps_from_pose(series: PoseSeries, *, joint: str, side: str | None, protocol: Protocol = "reproduction",
                  targets: tuple[float, ...] | None = None, view: str = "side") -> JpsResult:
    """A test filmed side-on: the angle is the movement engine's (docs/movement.md), refused where the view is."""
    from reeducate.signals.movement import analyze_pose

    check_joint(joint, side, "video")
    movement = analyze_pose(series, view=view)
    name = f"{side}_{joint}" if side else joint
    refused = dict(movement.refused)
    if name in refused or name not in movement.angles_deg:
        raise RecordingError(f"{series.source}: the {joint_label(joint)} is not measured in this clip: "
                             f"{refused.get(name, 'the view does not show it')}.")
    reason = " ".join(movement.warnings) or "the patient is not seen, or that side is hidden, in the other frames"
    return analyze_jps(movement.angles_deg[name], movement.series.time_s, joint=joint, side=side, protocol=protocol,
                       targets=targets, source="video", recording=series.source, unmeasured_reason=reason,
                       method=movement.method, warnings=movement.warnings)


def jps_from_imu(recording: ImuRecording, *, joint: str, side: str | None, protocol: Protocol = "relocation",
                 targets: tuple[float, ...] | None = None) -> JpsResult:
    """A test with one IMU on the moving segment: the head's yaw for cervical rotation, else the segment's
    inclination from where it started (signals/imu_angles.py)."""
    from reeducate.signals.imu_angles import inclination_deg, yaw_deg

    check_joint(joint, side, "imu")
    if len(recording.sensors) != 1:
        raise RecordingError(f"{recording.source}: a position test reads one sensor; this file holds "
                             f"{len(recording.sensors)} ({', '.join(recording.sensors)}).")
    sensor = next(iter(recording.sensors.values()))
    fs = recording.sampling_rate_hz
    if joint == "cervical_rotation":
        angle, positive_side = yaw_deg(sensor, fs, recording.source), "left"
        method = ("Head rotation about the vertical (gravity while stillest) from the integrated gyroscope, bias "
                  "removed over the still samples, 0 at the start and positive to the left.")
    else:
        angle, positive_side = inclination_deg(sensor, fs, recording.source), None
        method = ("Segment inclination in its plane of motion from the accelerometer's gravity (low-passed at 2 Hz), "
                  "0 at the start; the joint's angle change only with the segment above it held still.")
    time = np.arange(len(angle)) / fs
    return analyze_jps(angle, time, joint=joint, side=side, protocol=protocol, targets=targets, source="imu",
                       recording=recording.source, positive_side=positive_side, method=method,
                       warnings=recording.warnings)
