"""Onset order: in each activation, does muscle A come on before muscle B ("VMO before VL")?

An activation begins when either muscle comes on while both were off, and ends when both are off again.
Each activation in which both came on is one repetition: a success when A's onset comes first, by at least
``min_lead_s``, with the lead in ms (negative: B came first). An activation in which only one of them came
on is not counted (the other did not fire; the event says which). Onsets are the adapter's, to the sample
(``{muscle}_onset_s``), so the lead is finer than the engine's samples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from reeducate.feedback.adapters.emg import on_signal, onset_signal
from reeducate.feedback.events import EventKind, FeedbackEvent


@dataclass(frozen=True)
class OrderRule:
    """Muscle ``first`` should come on ``min_lead_s`` or more before muscle ``second`` in each activation."""

    first: str
    second: str
    min_lead_s: float = 0.0


@dataclass(frozen=True)
class OrderResult:
    """One activation in which both muscles came on: the lead of ``first`` (ms) and whether it was enough."""

    number: int
    lead_ms: float
    success: bool
    start_s: float
    end_s: float

    def to_dict(self) -> dict[str, object]:
        return {"number": self.number, "lead_ms": round(self.lead_ms, 1), "success": self.success,
                "start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3)}


class OrderTracker:
    """Streams samples; emits a repetition's start, then completed (with the lead) or incomplete."""

    def __init__(self, rule: OrderRule, *, sampling_rate_hz: float) -> None:
        self.rule = rule
        self.sampling_rate_hz = sampling_rate_hz
        self.results: list[OrderResult] = []
        self._keys = [(on_signal(m), onset_signal(m)) for m in (rule.first, rule.second)]
        self._start: int | None = None
        self._onsets: list[float] = [np.nan, np.nan]

    @property
    def in_activation(self) -> bool:
        return self._start is not None

    def _event(self, kind: EventKind, index: int, **data: object) -> FeedbackEvent:
        return FeedbackEvent(kind, index, index / self.sampling_rate_hz, dict(data))

    def push(self, index: int, values: Mapping[str, float]) -> list[FeedbackEvent]:
        on = [values.get(key, np.nan) for key, _ in self._keys]
        if not all(np.isfinite(on)):  # not calibrated yet, or a muscle not measured
            return []
        events: list[FeedbackEvent] = []
        if self._start is None:
            if not any(on):
                return []
            self._start, self._onsets = index, [np.nan, np.nan]
            events.append(self._event(EventKind.REPETITION_STARTED, index))
        for k, (_, onset_key) in enumerate(self._keys):
            if on[k] and np.isnan(self._onsets[k]):
                self._onsets[k] = float(values.get(onset_key, np.nan))
        if any(on):
            return events
        return [*events, self._ended(index)]

    def _ended(self, index: int) -> FeedbackEvent:
        assert self._start is not None
        start_s, end_s = self._start / self.sampling_rate_hz, index / self.sampling_rate_hz
        self._start = None
        first, second = self._onsets
        if np.isnan(first) or np.isnan(second):
            fired = self.rule.first if np.isnan(second) else self.rule.second
            silent = self.rule.second if np.isnan(second) else self.rule.first
            return self._event(EventKind.REPETITION_INCOMPLETE, index,
                               reason=f"only {fired.replace('_', ' ')} came on, not {silent.replace('_', ' ')}")
        lead_s = second - first
        result = OrderResult(len(self.results) + 1, 1000.0 * lead_s, lead_s > 0 and lead_s >= self.rule.min_lead_s, start_s, end_s)
        self.results.append(result)
        return self._event(EventKind.REPETITION_COMPLETED, index, **result.to_dict(), first=self.rule.first,
                           second=self.rule.second)
