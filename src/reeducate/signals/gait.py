"""Gait from wearable IMUs: strides, events, spatio-temporal parameters, variability, symmetry, bouts, turns.

``analyze_gait(recording, sensor="foot")`` takes foot-worn sensors (one or both feet: strides, events,
stride length by zero-velocity integration) or a lower-back sensor (steps, cadence, step length when
the sensor's height is given). ``to_dict()`` is the stable JSON shape documented in docs/gait.md;
``ic_s`` is the initial contact that starts a stride, in seconds from the start of the recording.

Summary parameters are over straight walking (turning strides are listed but left out); variability
is the coefficient of variation (SD / mean × 100); symmetry is Robinson's symmetry index,
100·|L − R| / ((L + R) / 2) (Robinson, Herzog & Nigg 1987, J Manipulative Physiol Ther 10(4):172-176),
on swing time for foot sensors, on alternate step times for a lower-back sensor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reeducate.signals.errors import RecordingError
from reeducate.signals.imu import ImuRecording, Sensor
from reeducate.signals.strides.foot import detect_events, stride_period_s
from reeducate.signals.strides.lower_back import MAX_STEP_S, detect_steps
from reeducate.signals.strides.trajectory import stride_displacements

#: A stride whose heading changes more than this (deg) is a turning stride (ours: a straight stride
#: drifts a few degrees; a 180-degree turn takes two or three strides of 40-120 degrees each).
TURNING_STRIDE_DEG = 20.0
#: A lower-back yaw rate above this (deg/s, smoothed) is turning (ours, same reasoning).
TURNING_RATE_DEG_S = 15.0
#: Turns smaller than this (deg) are not reported (ours: a change of direction, not sway).
MIN_TURN_DEG = 45.0
#: Plausible walking: a median stride time (s) outside this range means a wrong sampling rate (ours, an
#: input check, not a clinical norm: it spans slow pathological gait to running).
PLAUSIBLE_STRIDE_S = (0.6, 2.2)


@dataclass(frozen=True)
class Stride:
    """One stride of one foot (s, m, deg); ``turning`` when its heading changes by more than 20 deg."""

    ic_s: float
    tc_s: float
    stride_time_s: float
    stance_time_s: float
    swing_time_s: float
    stride_length_m: float | None
    turn_deg: float | None
    turning: bool


@dataclass(frozen=True)
class GaitResult:
    """The gait of one recording; see the module docstring for definitions."""

    sensor: Sensor | Literal["video"]
    sampling_rate_hz: float
    duration_s: float
    source: str
    strides: dict[str, list[Stride]]
    steps: list[dict[str, float | None]]
    bouts: list[dict[str, float | int]]
    turns: list[dict[str, float]]
    summary: dict[str, float | str | None]
    side_summaries: dict[str, dict[str, float | int | None]]
    refused: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    method: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "sensor": self.sensor,
            "sampling_rate_hz": self.sampling_rate_hz,
            "duration_s": round(self.duration_s, 3),
            "sides": {side: {"strides": [_stride_dict(s) for s in strides], "summary": self.side_summaries[side]}
                      for side, strides in self.strides.items()},
            "steps": self.steps,
            "bouts": self.bouts,
            "turns": self.turns,
            "summary": self.summary,
            "refused": [{"measure": m, "reason": r} for m, r in self.refused],
            "warnings": list(self.warnings),
            "method": self.method,
        }


def _stride_dict(s: Stride) -> dict[str, object]:
    return {"ic_s": _r(s.ic_s), "tc_s": _r(s.tc_s), "stride_time_s": _r(s.stride_time_s),
            "stance_time_s": _r(s.stance_time_s), "swing_time_s": _r(s.swing_time_s),
            "stride_length_m": _r(s.stride_length_m), "turn_deg": _r(s.turn_deg, 1), "turning": s.turning}


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def _round(value: float, digits: int = 4) -> float:
    """A value finite by construction (an instant from sample indices, an angle past a threshold), rounded."""
    return round(float(value), digits)


def _cv(values: list[float]) -> float | None:
    return 100 * float(np.std(values, ddof=1) / np.mean(values)) if len(values) > 2 else None


def symmetry_index(left: float | None, right: float | None) -> float | None:
    """Robinson et al. (1987): 100·|L − R| / ((L + R) / 2), 0 for perfect symmetry."""
    if left is None or right is None or left + right == 0:
        return None
    return 100 * abs(left - right) / ((left + right) / 2)


def _mean(values: Sequence[float | None]) -> float | None:
    finite = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.mean(finite)) if finite else None


def _foot_strides(recording: ImuRecording, name: str) -> list[Stride]:
    sensor = recording.sensors[name]
    if sensor.gyr_deg_s is None:
        raise RecordingError(f"{recording.source}: foot-sensor gait needs the gyroscope (gyr_x, gyr_y, gyr_z).")
    fs = recording.sampling_rate_hz
    events = detect_events(sensor.gyr_deg_s, fs)
    ms = events.mid_stance
    lengths, headings = stride_displacements(sensor.acc_m_s2, sensor.gyr_deg_s, ms[:-1], ms[1:], fs)
    strides = []
    for k in np.flatnonzero(events.valid):
        ic, end, tc = events.ic[k], events.ic[k + 1], events.tc[k]
        # The trajectory of stride k runs from its own mid-stance to the next one.
        length = float(lengths[k]) if k < len(lengths) and events.valid[min(k + 1, len(events.valid) - 1)] else None
        turn = float(headings[k]) if k < len(headings) else None
        strides.append(Stride(ic / fs, tc / fs, (end - ic) / fs, (tc - ic) / fs, (end - tc) / fs, length, turn,
                              turn is not None and abs(turn) > TURNING_STRIDE_DEG))
    return strides


def _side_summary(strides: list[Stride]) -> dict[str, float | int | None]:
    straight = [s for s in strides if not s.turning]
    times = [s.stride_time_s for s in straight]
    lengths = [s.stride_length_m for s in straight if s.stride_length_m is not None]
    speed = (sum(lengths) / sum(s.stride_time_s for s in straight if s.stride_length_m is not None)
             if lengths else None)
    stance = _mean([s.stance_time_s for s in straight])
    stride = _mean(times)
    return {"n_strides": len(strides), "n_straight_strides": len(straight), "stride_time_s": _r(stride),
            "stride_time_cv_percent": _r(_cv(times), 2), "stance_time_s": _r(stance),
            "swing_time_s": _r(_mean([s.swing_time_s for s in straight])),
            "stance_percent": _r(100 * stance / stride if stance and stride else None, 2),
            "stride_length_m": _r(_mean(lengths)), "stride_length_cv_percent": _r(_cv(lengths), 2),
            "gait_speed_m_s": _r(speed)}


def _double_support(this: list[Stride], other: list[Stride]) -> float | None:
    """Mean double support (% of stride) of ``this`` foot's strides against the other foot's events."""
    other_ic = np.array([s.ic_s for s in other])
    other_tc = np.array([s.tc_s for s in other])
    shares = []
    for s in this:
        if s.turning:
            continue
        end = s.ic_s + s.stride_time_s
        tc_other = other_tc[(other_tc > s.ic_s) & (other_tc < s.tc_s)]
        ic_other = other_ic[(other_ic > s.ic_s) & (other_ic < s.tc_s)]
        if len(tc_other) == 1 and len(ic_other) == 1 and s.tc_s < end:
            shares.append(100 * ((tc_other[0] - s.ic_s) + (s.tc_s - ic_other[0])) / s.stride_time_s)
    return _mean(shares)


def _runs(strides: list[Stride]) -> list[list[Stride]]:
    """One foot's strides split where one stride does not start where the previous one ended."""
    runs: list[list[Stride]] = []
    for stride in sorted(strides, key=lambda s: s.ic_s):
        previous = runs[-1][-1] if runs else None
        if previous is not None and abs(stride.ic_s - (previous.ic_s + previous.stride_time_s)) < 1e-6:
            runs[-1].append(stride)
        else:
            runs.append([stride])
    return runs


def _span(run: list[Stride]) -> tuple[float, float]:
    return run[0].ic_s, run[-1].ic_s + run[-1].stride_time_s


def bouts_of(strides: dict[str, list[Stride]]) -> list[dict[str, float | int]]:
    """Walking bouts: each foot's unbroken runs of strides, overlapping runs of the two feet merged."""
    merged: list[list[float]] = []
    for run in sorted((r for side in strides.values() for r in _runs(side)), key=lambda r: r[0].ic_s):
        start, end = _span(run)
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] += len(run)
        else:
            merged.append([start, end, len(run)])
    return [{"start_s": _round(a), "end_s": _round(b), "n_strides": int(n)} for a, b, n in merged]


def _turns_from_strides(strides: dict[str, list[Stride]]) -> list[dict[str, float]]:
    """Runs of consecutive turning strides of one foot adding up to MIN_TURN_DEG, the two feet merged."""
    turns: list[dict[str, float]] = []
    for side in strides.values():
        for run in _runs([s for s in side if s.turning]):
            angle = sum(s.turn_deg or 0.0 for s in run)
            if abs(angle) >= MIN_TURN_DEG:
                start, end = _span(run)
                turns.append({"start_s": _round(start), "end_s": _round(end), "angle_deg": _round(angle, 1)})
    merged: list[dict[str, float]] = []
    for turn in sorted(turns, key=lambda t: t["start_s"]):
        if merged and turn["start_s"] <= merged[-1]["end_s"]:
            last = merged[-1]
            last["end_s"] = max(last["end_s"], turn["end_s"])
            if abs(turn["angle_deg"]) > abs(last["angle_deg"]):
                last["angle_deg"] = turn["angle_deg"]
        else:
            merged.append(turn)
    return merged


def _check_rate(median_stride_s: float, recording: ImuRecording, what: str) -> None:
    lo, hi = PLAUSIBLE_STRIDE_S
    if not (lo <= median_stride_s <= hi):
        raise RecordingError(
            f"{recording.source}: at {recording.sampling_rate_hz:g} Hz the median {what} lasts {median_stride_s:.2f} s, "
            f"outside walking ({lo}-{hi} s per stride). The sampling rate is probably wrong: give the "
            "device's rate with --sampling-rate-hz.")


def _foot(recording: ImuRecording) -> GaitResult:
    feet = [n for n in ("left_foot", "right_foot", "foot") if n in recording.sensors]
    if not feet:
        raise RecordingError(f"{recording.source}: no foot sensor in this recording; use --sensor lower-back "
                             "for a sensor worn on the lower back.")
    for name in feet:
        gyr = recording.sensors[name].gyr_deg_s
        if gyr is not None:
            _check_rate(stride_period_s(gyr, recording.sampling_rate_hz), recording, "stride")
    strides = {(name.removesuffix("_foot") if name != "foot" else "unknown"): _foot_strides(recording, name)
               for name in feet}
    all_strides = [s for v in strides.values() for s in v]
    if not all_strides:
        raise RecordingError(f"{recording.source}: no complete stride was found.")
    _check_rate(float(np.median([s.stride_time_s for s in all_strides])), recording, "stride")
    sides, summary, refused = summarise_strides(
        strides, synchronised=recording.metadata.get("synchronised", "yes") == "yes")
    method = ("Foot-worn IMU: strides from the gyroscope's medio-lateral rotation (mid-swing peaks; toe-off at the "
              "rotation minimum before them, after Salarian et al. 2004; heel strike where the swing rotation ends, "
              "checked against motion capture); stride length by zero-velocity-updated double integration between "
              "mid-stances of least rotation (Mariani et al. 2010; Rampp et al. 2015); symmetry index of Robinson "
              "et al. 1987 on swing time.")
    return GaitResult(sensor="foot", sampling_rate_hz=recording.sampling_rate_hz, duration_s=recording.duration_s,
                      source=recording.source, strides=strides, steps=[], bouts=bouts_of(strides),
                      turns=_turns_from_strides(strides), summary=summary, side_summaries=sides,
                      refused=tuple(refused), warnings=recording.warnings, method=method)


def summarise_strides(strides: dict[str, list[Stride]], *, synchronised: bool
                      ) -> tuple[dict[str, dict[str, float | int | None]], dict[str, float | str | None],
                                 list[tuple[str, str]]]:
    """Per-side summaries, the overall summary, and what the strides cannot support (with why).

    ``synchronised``: both feet were recorded on one clock, so double support can be measured.
    """
    all_strides = [s for v in strides.values() for s in v]
    sides = {side: _side_summary(v) for side, v in strides.items()}
    straight = [s for s in all_strides if not s.turning]
    stride_time = _mean([s.stride_time_s for s in straight])
    lengths = [s.stride_length_m for s in straight if s.stride_length_m is not None]
    timed = [s.stride_time_s for s in straight if s.stride_length_m is not None]
    refused = []
    both = "left" in strides and "right" in strides and synchronised
    double_support = None
    if both:
        double_support = _mean([_double_support(strides["left"], strides["right"]),
                                _double_support(strides["right"], strides["left"])])
    else:
        refused.append(("double_support_percent", "needs both feet recorded together (synchronised sensors)"))
    swing = {side: sides[side]["swing_time_s"] for side in sides}
    symmetry = symmetry_index(swing.get("left"), swing.get("right"))
    if "left" not in strides or "right" not in strides:
        refused.append(("symmetry_index_percent", "needs a sensor on each foot"))
    summary = {
        "n_strides": len(all_strides),
        "cadence_steps_per_min": _r(120 / stride_time if stride_time else None, 2),
        "gait_speed_m_s": _r(sum(lengths) / sum(timed) if lengths else None),
        "stride_time_s": _r(stride_time),
        "stride_length_m": _r(_mean(lengths)),
        "stride_time_cv_percent": _r(_mean([sides[s]["stride_time_cv_percent"] for s in sides]), 2),
        "stance_percent": _r(_mean([sides[s]["stance_percent"] for s in sides]), 2),
        "double_support_percent": _r(double_support, 2),
        "symmetry_index_percent": _r(symmetry, 2),
        "symmetry_basis": "swing_time",
    }
    return sides, summary, refused


def _lower_back(recording: ImuRecording, sensor_height_m: float | None) -> GaitResult:
    if "lower_back" not in recording.sensors:
        raise RecordingError(f"{recording.source}: this file holds foot sensors; use --sensor foot.")
    sensor = recording.sensors["lower_back"]
    fs = recording.sampling_rate_hz
    found = detect_steps(sensor.acc_m_s2, sensor.gyr_deg_s, fs, sensor_height_m)
    times = np.diff(found.ic) / fs
    walking = times <= MAX_STEP_S
    if walking.sum() < 3:
        raise RecordingError(f"{recording.source}: fewer than three consecutive steps were found; is this walking?")
    _check_rate(2 * float(np.median(times[walking])), recording, "stride (two steps)")
    steps = [{"ic_s": _r(found.ic[k] / fs), "step_time_s": _r(times[k]),
              "step_length_m": _r(found.step_length_m[k])} for k in np.flatnonzero(walking)]
    step_times = [float(t) for t in times[walking]]
    lengths = [float(v) for v in found.step_length_m[walking] if np.isfinite(v)]
    odd, even = step_times[0::2], step_times[1::2]
    bouts: list[dict[str, float | int]] = []
    current: list[int] = []
    for k, ok in enumerate(walking):
        if ok:
            current.append(k)
        if (not ok or k == len(walking) - 1) and current:
            bouts.append({"start_s": _round(found.ic[current[0]] / fs),
                          "end_s": _round(found.ic[current[-1] + 1] / fs),
                          "n_steps": len(current)})
            current = []
    turns = _turns_from_yaw(found.yaw_rate_deg_s, fs) if found.yaw_rate_deg_s is not None else []
    refused = [("sides", "a single lower-back sensor does not tell left steps from right ones; wear foot sensors"),
               ("stance_percent", "stance and swing need foot contact, which a trunk sensor does not see")]
    if sensor_height_m is None:
        refused.append(("gait_speed_m_s", "step length from a lower-back sensor needs its height above the ground "
                                          "(--sensor-height-m)"))
    if found.yaw_rate_deg_s is None:
        refused.append(("turns", "turns need a gyroscope"))
    summary = {
        "n_steps": len(step_times),
        "cadence_steps_per_min": _r(60 / float(np.mean(step_times)) if step_times else None, 2),
        "gait_speed_m_s": _r(sum(lengths) / sum(step_times) if lengths else None),
        "step_time_s": _r(_mean(step_times)),
        "step_length_m": _r(_mean(lengths)),
        "stride_time_cv_percent": _r(_cv([a + b for a, b in zip(odd, even, strict=False)]), 2),
        "step_time_cv_percent": _r(_cv(step_times), 2),
        "symmetry_index_percent": _r(symmetry_index(_mean(odd), _mean(even)), 2),
        "symmetry_basis": "alternate_step_time",
    }
    method = ("Lower-back IMU: initial contacts at the heel-strike peaks of the tilt-corrected (Moe-Nilssen 1998), "
              "Gaussian-derivative-smoothed vertical acceleration (after McCamley et al. 2012); step length by the "
              "inverted-pendulum model of Zijlstra & Hof 2003 when the sensor height is given.")
    return GaitResult(sensor="lower_back", sampling_rate_hz=fs, duration_s=recording.duration_s,
                      source=recording.source, strides={}, steps=steps, bouts=bouts, turns=turns, summary=summary,
                      side_summaries={}, refused=tuple(refused), warnings=recording.warnings, method=method)


def _turns_from_yaw(yaw_rate_deg_s: np.ndarray, fs: float) -> list[dict[str, float]]:
    from scipy.ndimage import uniform_filter1d

    smooth = uniform_filter1d(yaw_rate_deg_s, int(fs))
    turning = np.abs(smooth) > TURNING_RATE_DEG_S
    edges = np.diff(np.concatenate([[0], turning.astype(np.int8), [0]]))
    turns: list[dict[str, float]] = []
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        angle = float(np.sum(yaw_rate_deg_s[start:stop]) / fs)
        if abs(angle) >= MIN_TURN_DEG:
            turns.append({"start_s": _round(start / fs), "end_s": _round(stop / fs),
                          "angle_deg": _round(angle, 1)})
    return turns


def analyze_gait(recording: ImuRecording, *, sensor: Sensor = "foot",
                 sensor_height_m: float | None = None) -> GaitResult:
    """Gait parameters from foot-worn sensors or a lower-back sensor (see the module docstring)."""
    if sensor == "foot":
        return _foot(recording)
    return _lower_back(recording, sensor_height_m)
