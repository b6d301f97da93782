"""What the feedback engine tells the screen, the speech synthesiser and the session summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    REPETITION_STARTED = "repetition_started"
    REPETITION_COMPLETED = "repetition_completed"
    REPETITION_INCOMPLETE = "repetition_incomplete"
    HOLD_STARTED = "hold_started"
    HOLD_COMPLETED = "hold_completed"
    HOLD_BROKEN = "hold_broken"
    FAULT = "fault"
    TARGET_REACHED = "target_reached"
    SET_COMPLETE = "set_complete"
    STOPPED_FOR_PAIN = "stopped_for_pain"
    JPS_PHASE = "jps_phase"
    JPS_TRIAL = "jps_trial"


@dataclass(frozen=True)
class FeedbackEvent:
    """One event at one sample (``index``, and ``time_s`` from the start of the exercise).

    ``data`` holds what the kind needs: a repetition's scores, a fault's name and cue, a hold's
    length (s), a pain score.
    """

    kind: EventKind
    index: int
    time_s: float
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """As sent on the WebSocket and printed by ``session replay`` (times rounded to the millisecond)."""
        return {"kind": str(self.kind), "index": self.index, "time_s": round(self.time_s, 3), **self.data}
