"""Holds: time spent with a signal inside its target band (single-leg stance, a plank, a chin tuck).

A hold starts when the signal enters the band, and is broken when it leaves the band for longer than
``grace_s`` (a wobble the patient recovers from does not end a single-leg stance). It is completed
once it has lasted ``target_s``; its length keeps counting until it is broken, so the summary has
the longest hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reeducate.feedback.events import EventKind, FeedbackEvent


@dataclass(frozen=True)
class HoldRule:
    """The band (signal units) to stay in, for how long (s), and the wobble allowed (s)."""

    low: float
    high: float
    target_s: float
    grace_s: float = 0.3


class HoldTimer:
    """Streams samples; emits hold started, completed (at ``target_s``) and broken (with its length)."""

    def __init__(self, rule: HoldRule, *, sampling_rate_hz: float) -> None:
        self.rule = rule
        self.sampling_rate_hz = sampling_rate_hz
        self.longest_s = 0.0
        self.completed = 0
        self._start: int | None = None
        self._last_inside: int | None = None
        self._done = False

    def _event(self, kind: EventKind, index: int, **data: object) -> FeedbackEvent:
        return FeedbackEvent(kind, index, index / self.sampling_rate_hz, dict(data))

    def push(self, index: int, value: float) -> list[FeedbackEvent]:
        inside = bool(np.isfinite(value) and self.rule.low <= value <= self.rule.high)
        fs = self.sampling_rate_hz
        if self._start is None:
            if not inside:
                return []
            self._start, self._last_inside, self._done = index, index, False
            return [self._event(EventKind.HOLD_STARTED, index)]
        if inside:
            self._last_inside = index
            held_s = (index - self._start) / fs
            self.longest_s = max(self.longest_s, held_s)
            if not self._done and held_s >= self.rule.target_s:
                self._done = True
                self.completed += 1
                return [self._event(EventKind.HOLD_COMPLETED, index, hold_s=round(held_s, 2))]
            return []
        assert self._last_inside is not None
        if (index - self._last_inside) / fs <= self.rule.grace_s:
            return []
        held_s = (self._last_inside - self._start) / fs
        self._start = self._last_inside = None
        return [self._event(EventKind.HOLD_BROKEN, index, hold_s=round(held_s, 2), completed=self._done)]
