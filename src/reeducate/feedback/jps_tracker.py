"""Joint position sense training, live: the target shown, held, then found again with the eyes closed.

``JpsTracker`` streams one joint angle (deg) and runs the target-reproduction protocol of
``signals/jps.py`` as it happens, telling the page each phase:

1. ``settle``: the patient sits still at the start; the first still hold is the rest position;
2. ``target``: the page shows the target angle and the patient's; a still hold within ``band_deg`` of it
   starts ``memorise`` ("Remember this position"), and once held ``target_hold_s`` the page says ``return``
   ("Close your eyes and return to the start"); the target is the angle actually held (the median over
   the hold), as the offline test pairs it;
3. back at rest (a still hold within ``REST_BAND_DEG`` of it), ``reproduce``: "Now go back to the position,
   eyes closed", and the page hides the angle;
4. the next still hold away from rest, held ``reproduction_hold_s``, is the reproduction: its signed error
   (``signals.jps``: positive past the target, negative short of it) is the trial's result, said at once
   ("Open your eyes: 3° past the target", knowledge of results), and the patient returns to rest for the
   next target (``targets`` in turn) until ``trials`` are done.

Holds are found as ``signals.jps.find_holds`` finds them, causally: the speed is the same Savitzky-Golay
derivative over ``SPEED_WINDOW_S``, taken at the window's centre (so it equals the offline speed, half a
window late); a hold is still under ``HOLD_SPEED_DEG_S`` for ``MIN_HOLD_S``, survives a twitch shorter than
``MERGE_GAP_S``, and ends where its angle creeps more than ``SAME_HOLD_DEG`` from where it began. A hold's
angle is its median up to the moment it is taken, so on steady holds the errors are those of
``analyze_jps(protocol="reproduction")`` on the same series, and AE/CE/VE come from ``signals.jps.Errors.of``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from scipy.signal import savgol_coeffs

from reeducate.feedback.events import EventKind, FeedbackEvent
from reeducate.signals.jps import (
    CUTOFF_NOTE,
    HOLD_SPEED_DEG_S,
    MERGE_GAP_S,
    MIN_HOLD_S,
    REST_BAND_DEG,
    SAME_HOLD_DEG,
    SPEED_WINDOW_S,
    Errors,
    signed_error,
)


@dataclass(frozen=True)
class JpsRule:
    """The protocol's figures: the target angles (deg, taken in turn), how many trials, the band (deg either
    side) a target is held in, how long (s) a target and a reproduction are held, and the usual start position
    (deg; the tracker measures the patient's own, a simulated patient rests there)."""

    targets: tuple[float, ...]
    trials: int
    band_deg: float
    target_hold_s: float
    reproduction_hold_s: float
    start_deg: float


class JpsPhase(StrEnum):
    SETTLE = "settle"
    TARGET = "target"
    MEMORISE = "memorise"
    RETURN = "return"
    REPRODUCE = "reproduce"
    BACK = "back"
    DONE = "done"


#: What the page says in each phase ({target}: the target angle).
INSTRUCTIONS = {
    JpsPhase.SETTLE: "Sit still in the start position",
    JpsPhase.TARGET: "Move to {target:g}° and hold it there",
    JpsPhase.MEMORISE: "Remember this position",
    JpsPhase.RETURN: "Close your eyes and return to the start",
    JpsPhase.REPRODUCE: "Now go back to the position, eyes closed",
    JpsPhase.BACK: "Go back to the start for the next target",
    JpsPhase.DONE: "All trials done: well done",
}
#: Phases in which the page hides the patient's angle (the eyes are closed: no vision of the result).
HIDDEN = {JpsPhase.RETURN, JpsPhase.REPRODUCE}


def result_words(error_deg: float) -> str:
    """Knowledge of results in words, to the tenth of a degree: "3° past the target", "2.5° short of the target",
    "on the target"."""
    size = round(abs(error_deg), 1)
    if size == 0:
        return "on the target"
    return f"{size:g}° {'past' if error_deg > 0 else 'short of'} the target"


class StillHolds:
    """The still hold under way, found causally (module docstring): ``run`` holds its angles (deg) from its
    first sample, ``number`` tells one hold from the next; None between holds."""

    def __init__(self, *, sampling_rate_hz: float) -> None:
        fs = sampling_rate_hz
        self.window = max(5, int(round(SPEED_WINDOW_S * fs)) | 1)
        self.half = self.window // 2
        self._coeffs = savgol_coeffs(self.window, 2, deriv=1, delta=1.0 / fs, use="dot")
        self._recent: deque[float] = deque(maxlen=self.window)
        self._merge = MERGE_GAP_S * fs
        self.run: list[float] | None = None
        self.number = 0
        self._gap: list[float] = []
        self._start_deg = np.nan

    def push(self, value: float) -> None:
        """The next angle (NaN when not measured); the hold is updated at the window's centre."""
        self._recent.append(value)
        if len(self._recent) < self.window:
            return
        recent = np.asarray(self._recent)
        centre = float(recent[self.half])
        speed = abs(float(self._coeffs @ recent)) if np.isfinite(recent).all() else np.inf
        if speed >= HOLD_SPEED_DEG_S:
            if self.run is not None:
                self._gap.append(centre)
                if len(self._gap) >= self._merge:
                    self.run, self._gap = None, []
            return
        smooth = float(np.mean(recent))
        if self.run is None or abs(smooth - self._start_deg) > SAME_HOLD_DEG:
            self.run, self._gap, self._start_deg = [], [], smooth
            self.number += 1
        self.run += [*self._gap, centre]
        self._gap = []

    def held_s(self, sampling_rate_hz: float) -> float:
        return 0.0 if self.run is None else len(self.run) / sampling_rate_hz

    @property
    def angle_deg(self) -> float:
        assert self.run is not None
        return float(np.nanmedian(self.run))


@dataclass(frozen=True)
class LiveTrial:
    """One trial: the target asked for (``aimed_deg``), the angle held as the target, the angle reproduced and the
    signed error (deg; positive past the target)."""

    number: int
    aimed_deg: float
    target_deg: float
    reproduced_deg: float
    error_deg: float

    def to_dict(self) -> dict[str, Any]:
        return {"trial": self.number, "aimed_deg": round(self.aimed_deg, 2), "target_deg": round(self.target_deg, 2),
                "reproduced_deg": round(self.reproduced_deg, 2), "error_deg": round(self.error_deg, 2),
                "result": result_words(self.error_deg)}


class JpsTracker:
    """The protocol over a stream (module docstring): ``push`` an angle, get the phase and trial events.

    ``carried`` are the trials (``to_dict`` form) of the exercise's earlier part when its connection broke: the
    count goes on from them, and the errors are over all trials."""

    def __init__(self, rule: JpsRule, *, sampling_rate_hz: float,
                 carried: Sequence[Mapping[str, Any]] = ()) -> None:
        if not rule.targets or rule.trials < 1:
            raise ValueError("A joint position sense exercise needs at least one target and one trial.")
        self.rule = rule
        self.sampling_rate_hz = float(sampling_rate_hz)
        self.holds = StillHolds(sampling_rate_hz=sampling_rate_hz)
        self.carried = [dict(t) for t in carried]
        self.trials: list[LiveTrial] = []
        self.phase: JpsPhase | None = None
        self.rest_deg: float | None = None
        self._rest_hold = 0
        self._used_hold = 0  # the hold that moved the protocol on last: the next phase needs another
        self._target_hold = 0
        self._target_deg = np.nan

    @property
    def done(self) -> int:
        return len(self.carried) + len(self.trials)

    @property
    def aimed_deg(self) -> float:
        return self.rule.targets[self.done % len(self.rule.targets)]

    def _event(self, kind: EventKind, index: int, data: dict[str, Any]) -> FeedbackEvent:
        return FeedbackEvent(kind, index, index / self.sampling_rate_hz, data)

    def _enter(self, phase: JpsPhase, index: int, *, used: int | None = None, **data: Any) -> FeedbackEvent:
        """Move to ``phase``; the hold under way (or hold ``used``) cannot move the protocol on again."""
        self.phase = phase
        self._used_hold = self.holds.number if used is None else used
        return self._event(EventKind.JPS_PHASE, index, {
            "phase": str(phase), "instruction": INSTRUCTIONS[phase].format(target=self.aimed_deg),
            "target_deg": self.aimed_deg if phase in (JpsPhase.TARGET, JpsPhase.MEMORISE) else None,
            "show_angle": phase not in HIDDEN, "trial": min(self.done + 1, self.rule.trials),
            "trials": self.rule.trials, **data})

    def push(self, index: int, value: float) -> list[FeedbackEvent]:
        """The events of the angle at sample ``index`` (deg, NaN when not measured)."""
        holds, fs = self.holds, self.sampling_rate_hz
        holds.push(value)
        if self.phase is None:
            return [self._enter(JpsPhase.DONE if self.done >= self.rule.trials else JpsPhase.SETTLE, index)]
        if holds.run is not None and holds.number == self._rest_hold:
            self.rest_deg = holds.angle_deg  # the median of the whole first hold, as offline
        if holds.run is None or holds.number == self._used_hold:
            if self.phase is JpsPhase.MEMORISE:  # the target hold broke before its time: show the target again
                return [self._enter(JpsPhase.TARGET, index, used=self._target_hold)]
            return []
        held, angle = holds.held_s(fs), holds.angle_deg
        phase = self.phase
        if phase is JpsPhase.SETTLE and held >= MIN_HOLD_S:
            self._rest_hold, self.rest_deg = holds.number, angle
            return [self._enter(JpsPhase.TARGET, index, rest_deg=round(angle, 2))]
        if phase is JpsPhase.TARGET and held >= MIN_HOLD_S and abs(angle - self.aimed_deg) <= self.rule.band_deg:
            self._target_hold = holds.number
            return [self._enter(JpsPhase.MEMORISE, index, used=holds.number - 1)]  # the same hold goes on
        if phase is JpsPhase.MEMORISE:
            if holds.number != self._target_hold:
                return [self._enter(JpsPhase.TARGET, index, used=self._target_hold)]
            if held >= self.rule.target_hold_s:
                self._target_deg = angle
                return [self._enter(JpsPhase.RETURN, index)]
            return []
        if phase in (JpsPhase.RETURN, JpsPhase.BACK) and held >= MIN_HOLD_S and self._at_rest(angle):
            return [self._enter(JpsPhase.REPRODUCE if phase is JpsPhase.RETURN else JpsPhase.TARGET, index)]
        if phase is JpsPhase.REPRODUCE and held >= self.rule.reproduction_hold_s and not self._at_rest(angle):
            return self._reproduced(index, angle)
        return []

    def _at_rest(self, angle_deg: float) -> bool:
        assert self.rest_deg is not None
        return abs(angle_deg - self.rest_deg) < REST_BAND_DEG

    def _reproduced(self, index: int, angle_deg: float) -> list[FeedbackEvent]:
        """The trial of this reproduction, said at once, then back to the start (or done)."""
        assert self.rest_deg is not None
        trial = LiveTrial(self.done + 1, self.aimed_deg, self._target_deg, angle_deg,
                          signed_error(angle_deg, self._target_deg, self.rest_deg))
        self.trials.append(trial)
        said = trial.to_dict()
        events = [self._event(EventKind.JPS_TRIAL, index, {**said, "trials": self.rule.trials,
                                                           "instruction": f"Open your eyes: {said['result']}"})]
        events.append(self._enter(JpsPhase.DONE if self.done >= self.rule.trials else JpsPhase.BACK, index))
        return events

    def summary(self) -> dict[str, Any]:
        """The trials (earlier part's first), AE/CE/VE over them (``signals.jps.Errors``; null before a trial),
        the rest angle and the protocol's figures."""
        trials = [*self.carried, *(t.to_dict() for t in self.trials)]
        errors = [float(t["error_deg"]) for t in self.carried] + [t.error_deg for t in self.trials]
        overall = Errors.of(errors).to_dict() if errors else None
        return {"protocol": "reproduction", "trials_planned": self.rule.trials,
                "targets_deg": list(self.rule.targets), "band_deg": self.rule.band_deg,
                "rest_deg": None if self.rest_deg is None else round(self.rest_deg, 2),
                "trials": trials, "errors": overall, "cutoff": None, "cutoff_note": CUTOFF_NOTE}
