"""Cue rules: a fault is a watched signal past its limit; its cue is given once per fault episode.

A therapist repeats a cue when the fault comes back, not on every frame it lasts. A rule therefore
has two thresholds: the fault begins when the signal has been past ``limit`` for ``min_duration_s``
(a single noisy frame is not a fault), and ends only when the signal has come back inside the limit
by ``clear_margin`` (so hovering at the limit does not make the cue chatter). A rule is only armed
when the camera view can measure its signal (a side-on camera never cues knee valgus), and a muted
rule tracks its episodes but says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reeducate.feedback.events import EventKind, FeedbackEvent


@dataclass(frozen=True)
class CueRule:
    """A fault on one signal (``signal``: a joint-angle name, ``cop_radius_mm``...) and what to say."""

    fault: str
    signal: str
    limit: float
    cue: str
    above: bool = True
    clear_margin: float = 0.0
    min_duration_s: float = 0.1
    views: frozenset[str] = frozenset()

    def past_limit(self, value: float) -> bool:
        return value > self.limit if self.above else value < self.limit

    def cleared(self, value: float) -> bool:
        return value < self.limit - self.clear_margin if self.above else value > self.limit + self.clear_margin

    def applies_in(self, view: str | None) -> bool:
        """True when the view can measure the signal (a rule without views applies in any)."""
        return not self.views or view in self.views


class CueTracker:
    """The state of one rule over a stream: outside a fault, entering one, or inside one."""

    def __init__(self, rule: CueRule, *, sampling_rate_hz: float) -> None:
        self.rule = rule
        self.min_samples = max(1, int(round(rule.min_duration_s * sampling_rate_hz)))
        self.sampling_rate_hz = sampling_rate_hz
        self.muted = False
        self.episodes = 0
        self._past = 0
        self._in_fault = False

    def push(self, index: int, value: float, view: str | None) -> FeedbackEvent | None:
        """The fault event when an episode begins at this sample (None if muted, unmeasurable or ongoing)."""
        if not self.rule.applies_in(view) or not np.isfinite(value):
            self._past = 0
            return None
        if self._in_fault:
            self._in_fault = not self.rule.cleared(value)
            return None
        self._past = self._past + 1 if self.rule.past_limit(value) else 0
        if self._past < self.min_samples:
            return None
        self._in_fault, self._past = True, 0
        self.episodes += 1
        if self.muted:
            return None
        return FeedbackEvent(EventKind.FAULT, index, index / self.sampling_rate_hz,
                             {"fault": self.rule.fault, "cue": self.rule.cue, "signal": self.rule.signal,
                              "value": round(float(value), 2), "limit": self.rule.limit})
