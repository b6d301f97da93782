"""Gait events from a side-on video: heel strike and toe off from the foot keypoints.

Zeni, Richards & Higginson (2008), "Two simple methods for determining gait events during treadmill
and overground walking using kinematic data", Gait Posture 27(4):710-714: in the direction of
walking, heel strike is where the heel is farthest ahead of the pelvis and toe off where the toe is
farthest behind it. Here in 2-D: the image's horizontal axis, signed by the walking direction.

1. The walking direction in each frame comes from the pelvis's horizontal velocity while it moves
   faster than ``MIN_WALK_SPEED_LEGS_S`` (overground), else from the way the feet point (heel to toe;
   a treadmill, where the pelvis stays put). A pass is a run of frames in one direction.
2. Heel strikes are maxima of (heel - pelvis) that lie ahead of the pelvis and rise at least
   ``MIN_EXCURSION_LEGS`` above their surroundings, at least ``MIN_STRIDE_S`` apart; toe offs are the
   mirror image on (toe - pelvis). Lengths are in leg lengths (hip to ankle) so the thresholds hold
   at any distance from the camera.
3. A stride runs from one heel strike to the next of the same foot within a pass, holds one toe off of
   that foot and, when the other foot is tracked, one heel strike of the other foot: a keypoint model
   that swaps left and right for a few frames (common side-on) then breaks a stride instead of
   inventing one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from reeducate.signals.kinematics.filtering import finite_runs
from reeducate.signals.pose.landmarks import PoseSeries
from reeducate.signals.strides.foot import MAX_STRIDE_S, MIN_STRIDE_S

#: Pelvis speed (leg lengths per second) above which the person is walking overground (ours: slow
#: pathological gait covers about 0.4 leg lengths per second).
MIN_WALK_SPEED_LEGS_S = 0.25
#: A heel strike or toe off stands out from its surroundings by this much (leg lengths; ours: a
#: walking step swings the foot about 0.5 leg lengths either side of the pelvis).
MIN_EXCURSION_LEGS = 0.2
#: A pass shorter than this (s) holds no stride.
MIN_PASS_S = MIN_STRIDE_S
SIDES = ("left", "right")


@dataclass(frozen=True)
class Pass:
    """Frames [start, end) walked in one direction (+1 image-right, -1 image-left)."""

    start: int
    end: int
    direction: int
    overground: bool


@dataclass(frozen=True)
class VideoGaitEvents:
    """Frame indices of each foot's heel strikes and toe offs, and the passes they were found in."""

    heel_strikes: dict[str, np.ndarray]
    toe_offs: dict[str, np.ndarray]
    passes: tuple[Pass, ...]


def leg_length(series: PoseSeries) -> float:
    """Median hip-to-ankle distance over both legs and all frames (series units; NaN if never seen)."""
    lengths = [np.hypot(*(series.point(f"{s}_hip") - series.point(f"{s}_ankle")).T) for s in SIDES]
    values = np.concatenate(lengths)
    return float(np.nanmedian(values)) if np.isfinite(values).any() else float("nan")


def _pelvis_x(series: PoseSeries) -> np.ndarray:
    return (series.point("left_hip")[:, 0] + series.point("right_hip")[:, 0]) / 2


def walking_passes(series: PoseSeries, leg: float) -> list[Pass]:
    """Runs of frames in one walking direction (see the module's step 1)."""
    pelvis = _pelvis_x(series)
    velocity = np.gradient(pelvis) * series.fps if series.n_frames > 1 else np.zeros(series.n_frames)
    pointing = np.nansum([series.point(f"{s}_foot_index")[:, 0] - series.point(f"{s}_heel")[:, 0]
                          for s in SIDES], axis=0)
    moving = np.abs(velocity) > MIN_WALK_SPEED_LEGS_S * leg
    direction = np.where(moving, np.sign(velocity), np.sign(pointing))
    direction[~np.isfinite(direction)] = 0
    passes = []
    for start, end in finite_runs(np.isfinite(pelvis)):
        k = start
        while k < end:
            stop = k
            while stop < end and direction[stop] == direction[k]:
                stop += 1
            if direction[k] != 0 and (stop - k) >= MIN_PASS_S * series.fps:
                passes.append(Pass(k, stop, int(direction[k]), bool(moving[k:stop].mean() > 0.5)))
            k = stop
    return passes


def _extremes(signal: np.ndarray, fps: float, leg: float) -> np.ndarray:
    """Maxima of a signed foot-minus-pelvis signal ahead of the pelvis (see the module's step 2)."""
    seen = np.isfinite(signal)
    if not seen.any():
        return np.empty(0, dtype=int)
    peaks, _ = find_peaks(np.where(seen, signal, np.min(signal[seen])), height=0.0,
                          prominence=MIN_EXCURSION_LEGS * leg, distance=max(1, int(MIN_STRIDE_S * fps)))
    return peaks[np.isfinite(signal[peaks])]


def detect_events(series: PoseSeries) -> VideoGaitEvents:
    """Heel strikes and toe offs of each foot, pass by pass (frames of ``series``, cleaned beforehand)."""
    leg = leg_length(series)
    passes = walking_passes(series, leg) if np.isfinite(leg) and leg > 0 else []
    pelvis = _pelvis_x(series)
    heel_strikes: dict[str, list[int]] = {s: [] for s in SIDES}
    toe_offs: dict[str, list[int]] = {s: [] for s in SIDES}
    for walk in passes:
        window = slice(walk.start, walk.end)
        for side in SIDES:
            heel = (series.point(f"{side}_heel")[window, 0] - pelvis[window]) * walk.direction
            toe = (series.point(f"{side}_foot_index")[window, 0] - pelvis[window]) * walk.direction
            heel_strikes[side] += list(walk.start + _extremes(heel, series.fps, leg))
            toe_offs[side] += list(walk.start + _extremes(-toe, series.fps, leg))
    return VideoGaitEvents({s: np.array(v, dtype=int) for s, v in heel_strikes.items()},
                           {s: np.array(v, dtype=int) for s, v in toe_offs.items()}, tuple(passes))


def strides_of(events: VideoGaitEvents, side: str, fps: float) -> list[tuple[int, int, int, Pass]]:
    """(heel strike, toe off, next heel strike, pass) of each stride of ``side`` (module's step 3)."""
    other = "right" if side == "left" else "left"
    strides = []
    def within(frames: np.ndarray, walk: Pass) -> np.ndarray:
        return frames[(frames >= walk.start) & (frames < walk.end)]

    for walk in events.passes:
        strikes, offs = within(events.heel_strikes[side], walk), within(events.toe_offs[side], walk)
        others = within(events.heel_strikes[other], walk)
        for a, b in zip(strikes[:-1], strikes[1:], strict=True):
            if not MIN_STRIDE_S <= (b - a) / fps <= MAX_STRIDE_S:
                continue
            toe_off = offs[(offs > a) & (offs < b)]
            contralateral = others[(others > a) & (others < b)]
            if len(toe_off) == 1 and (len(others) == 0 or len(contralateral) == 1):
                strides.append((int(a), int(toe_off[0]), int(b), walk))
    return strides
