"""The streaming feedback engine for one exercise: samples in, events out, one sample at a time.

Each sample is a mapping of signal names to values (joint angles from the camera, the COP from a
plate, an IMU angle), with the camera view it was measured in. The engine counts repetitions of the
watched signal (``signals.reps``) or times holds in its target band, watches every cue rule, says
when a repetition reaches its target (``target_peak``, e.g. 60 degrees of knee flexion), and scores
each completed repetition from 0 to 100 with the reasons. A pain report stops it at once: the
next sample is not looked at.

A joint position sense exercise runs its protocol instead (``jps_tracker``: the target shown, held, then
found again with the eyes closed, the error said after each trial); its trials count as repetitions.

An exercise whose connection broke is carried on by a new engine given the earlier part's summary
(``carried``): the count goes on from it (the next repetition is number n + 1, sets complete on the
total) and the summary is the whole exercise's. A repetition under way at the break is not counted.

An EMG exercise may instead watch the order of two muscles' onsets (``order``: each activation a
repetition, a success when the first muscle leads); holds and onset orders report their attempts,
successes and success rate (%). ``labels`` say what the numbers are measured against (an EMG
amplitude's reference) and are kept with the summary.

The score is ours, a plain sum the patient can follow: each repetition starts at 100; a peak short
of the target loses up to 40 points in proportion to the shortfall (as a share of the way from rest
to target); a duration outside the target tempo loses up to 30 in proportion to how far outside; each
fault episode during the repetition loses 20; and with a reference template, each signal unit of DTW
distance beyond the tolerance loses 2, up to 30. The floor is 0. Every deduction is listed as a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from reeducate.feedback.cues import CueRule, CueTracker
from reeducate.feedback.events import EventKind, FeedbackEvent
from reeducate.feedback.holds import HoldRule, HoldTimer
from reeducate.feedback.jps_tracker import JpsRule, JpsTracker
from reeducate.feedback.order import OrderRule, OrderTracker
from reeducate.feedback.safety import PainReport
from reeducate.signals.reps import Repetition, RepetitionCounter, RepetitionRule

RANGE_POINTS = 40.0
TEMPO_POINTS = 30.0
FAULT_POINTS = 20.0
TEMPLATE_POINTS = 30.0
TEMPLATE_POINTS_PER_UNIT = 2.0


@dataclass(frozen=True)
class LiveExercise:
    """What the engine needs of an exercise: the signal, how a repetition, hold or onset order is detected,
    the targets a repetition is scored against, and the cue rules."""

    exercise_id: str
    signal: str
    repetition: RepetitionRule | None = None
    hold: HoldRule | None = None
    jps: JpsRule | None = None  # joint position sense training (feedback/jps_tracker.py) instead of reps or holds
    target_peak: float | None = None
    target_duration_s: tuple[float, float] | None = None
    template: tuple[float, ...] | None = None
    template_tolerance: float = 5.0
    paired_signal: str | None = None
    cues: tuple[CueRule, ...] = ()
    reps_per_set: int | None = None
    order: OrderRule | None = None


class FeedbackEngine:
    """One exercise, live. ``push`` a sample, get its events; ``report_pain`` stops it."""

    def __init__(self, exercise: LiveExercise, *, sampling_rate_hz: float,
                 carried: Mapping[str, Any] | None = None, labels: Mapping[str, str] | None = None) -> None:
        rules = (exercise.repetition, exercise.hold, exercise.order, exercise.jps)
        if sum(rule is not None for rule in rules) != 1:
            raise ValueError(f"{exercise.exercise_id}: give one rule: repetitions, a hold, an onset order or joint "
                             "position sense trials.")
        self.exercise = exercise
        self.carried = dict(carried or {})  # the summary of the exercise's earlier part, if any
        self.labels = dict(labels or self.carried.get("labels") or {})
        self.sampling_rate_hz = float(sampling_rate_hz)
        self.counter = None if exercise.repetition is None else RepetitionCounter(
            exercise.repetition, sampling_rate_hz=sampling_rate_hz,
            template=None if exercise.template is None else np.array(exercise.template))
        self.hold = None if exercise.hold is None else HoldTimer(exercise.hold, sampling_rate_hz=sampling_rate_hz)
        self.order = None if exercise.order is None else OrderTracker(exercise.order, sampling_rate_hz=sampling_rate_hz)
        self.cues = {rule.fault: CueTracker(rule, sampling_rate_hz=sampling_rate_hz) for rule in exercise.cues}
        self.stopped: PainReport | None = None
        self.events: list[FeedbackEvent] = []
        self.scores: list[int] = []
        self._fault_starts: list[tuple[int, str]] = []  # (sample, fault) where each episode began
        self._index = -1
        self._target_said = False
        self.jps = None if exercise.jps is None else JpsTracker(
            exercise.jps, sampling_rate_hz=sampling_rate_hz, carried=(self.carried.get("jps") or {}).get("trials", ()))

    def mute(self, fault: str, muted: bool = True) -> None:
        """Silence (or give back) one fault's cue; its episodes are still counted."""
        self.cues[fault].muted = muted

    def push(self, sample: Mapping[str, float], view: str | None = None) -> list[FeedbackEvent]:
        """The events of the next sample (none once the exercise has been stopped for pain)."""
        if self.stopped is not None:
            return []
        self._index += 1
        i = self._index
        value = float(sample.get(self.exercise.signal, np.nan))
        events: list[FeedbackEvent] = []
        for tracker in self.cues.values():
            before = tracker.episodes
            fault = tracker.push(i, float(sample.get(tracker.rule.signal, np.nan)), view)
            if tracker.episodes > before:  # a new episode, cued or muted: it counts against the repetition
                self._fault_starts.append((i, tracker.rule.fault))
            if fault is not None:
                events.append(fault)
        if self.jps is not None:
            events += self.jps.push(i, value)
        elif self.counter is not None:
            events += self._repetitions(i, value, sample)
        elif self.order is not None:
            events += self._ordered(i, sample)
        else:
            assert self.hold is not None
            events += self.hold.push(i, value)
        self.events += events
        return events

    def _repetitions(self, i: int, value: float, sample: Mapping[str, float]) -> list[FeedbackEvent]:
        assert self.counter is not None and self.exercise.repetition is not None
        paired = float(sample.get(self.exercise.paired_signal, np.nan)) if self.exercise.paired_signal else np.nan
        events = []
        for found in self.counter.push(value, paired=paired):
            if found.kind == "started":
                self._target_said = False
                events.append(FeedbackEvent(EventKind.REPETITION_STARTED, i, found.time_s))
            elif found.kind == "incomplete":
                events.append(FeedbackEvent(EventKind.REPETITION_INCOMPLETE, i, found.time_s,
                                            {"reason": found.reason}))
            else:
                assert found.repetition is not None
                events += self._completed(i, found.repetition)
        target = self.exercise.target_peak
        rule = self.exercise.repetition
        if (target is not None and not self._target_said and self.counter.in_repetition
                and rule.direction * (value - target) >= 0):
            self._target_said = True
            events.append(FeedbackEvent(EventKind.TARGET_REACHED, i, i / self.sampling_rate_hz,
                                        {"value": round(value, 2)}))
        return events

    def _ordered(self, i: int, sample: Mapping[str, float]) -> list[FeedbackEvent]:
        assert self.order is not None
        events = []
        for event in self.order.push(i, sample):
            if event.kind is not EventKind.REPETITION_COMPLETED:
                events.append(event)
                continue
            count = int(self.carried.get("repetitions") or 0) + int(event.data["number"])
            events += self._counted(FeedbackEvent(event.kind, event.index, event.time_s, {**event.data, "count": count}))
        return events

    def _counted(self, completed: FeedbackEvent) -> list[FeedbackEvent]:
        """A completed repetition's event, and the set's end when it completes one."""
        count, per_set = int(completed.data["count"]), self.exercise.reps_per_set
        if per_set and count % per_set == 0:
            return [completed, FeedbackEvent(EventKind.SET_COMPLETE, completed.index, completed.time_s,
                                             {"set": count // per_set, "repetitions": per_set})]
        return [completed]

    def _completed(self, i: int, repetition: Repetition) -> list[FeedbackEvent]:
        faults = [name for at, name in self._fault_starts if repetition.start_index <= at <= repetition.end_index]
        score, reasons = self.score(repetition, faults)
        self.scores.append(score)
        count = int(self.carried.get("repetitions") or 0) + repetition.number
        return self._counted(FeedbackEvent(EventKind.REPETITION_COMPLETED, i, repetition.end_s,
                                           {"score": score, "reasons": reasons, **repetition.to_dict(), "count": count}))

    def score(self, repetition: Repetition, faults: list[str]) -> tuple[int, list[str]]:
        """0-100 and the reasons for every point lost (see the module docstring)."""
        ex = self.exercise
        points, reasons = 100.0, []
        rule = ex.repetition
        if (ex.target_peak is not None and rule is not None
                and rule.direction * (ex.target_peak - repetition.peak_value) > 0):
            short = (ex.target_peak - repetition.peak_value) / (ex.target_peak - rule.rest_level)
            points -= RANGE_POINTS * min(1.0, short)
            reasons.append(f"reached {repetition.peak_value:.0f} of the {ex.target_peak:g} aimed for")
        if ex.target_duration_s is not None:
            low, high = ex.target_duration_s
            duration = repetition.duration_s
            if duration < low or duration > high:
                off = (low - duration) / low if duration < low else (duration - high) / high
                points -= TEMPO_POINTS * min(1.0, off)
                reasons.append(f"{'too fast' if duration < low else 'too slow'}: {duration:.1f} s "
                               f"(aim for {low:g}-{high:g} s)")
        for fault in dict.fromkeys(faults):
            points -= FAULT_POINTS * faults.count(fault)
            reasons.append(fault.replace("_", " "))
        if repetition.template_distance is not None and repetition.template_distance > ex.template_tolerance:
            extra = repetition.template_distance - ex.template_tolerance
            points -= min(TEMPLATE_POINTS, TEMPLATE_POINTS_PER_UNIT * extra)
            reasons.append(f"shape {repetition.template_distance:.1f} away from the model repetition")
        return int(round(max(0.0, points))), reasons

    def report_pain(self, score: int, *, reported_by: str = "patient") -> FeedbackEvent:
        """Stop now: the event says the score, whether it is severe, and that the exercise needs regressing."""
        index = max(self._index, 0)
        report = PainReport(score, index, index / self.sampling_rate_hz, self.exercise.exercise_id, reported_by)
        self.stopped = report
        event = FeedbackEvent(EventKind.STOPPED_FOR_PAIN, index, report.time_s,
                              {"pain": score, "severe": report.severe, "exercise": report.exercise_id,
                               "reported_by": reported_by, "regress": True})
        self.events.append(event)
        return event

    def summary(self) -> dict[str, Any]:
        """Repetitions, scores, faults, cues, holds, attempts and successes, active time (s) and the labels, as
        stored on the visit: the whole exercise's, the carried part's added."""
        kinds = [e.kind for e in self.events]
        cues = [e.data["cue"] for e in self.events if e.kind is EventKind.FAULT]
        before = self.carried

        def more(key: str, now: float) -> Any:
            return (before.get(key) or 0) + now

        scores = [*before.get("scores", []), *self.scores]
        faults = dict(before.get("faults") or {})
        for fault, tracker in self.cues.items():
            faults[fault] = faults.get(fault, 0) + tracker.episodes
        return {
            "exercise": self.exercise.exercise_id,
            "repetitions": more("repetitions", kinds.count(EventKind.REPETITION_COMPLETED)),
            "incomplete": more("incomplete", kinds.count(EventKind.REPETITION_INCOMPLETE)),
            **({} if self.jps is None else {"repetitions": self.jps.done, "jps": self.jps.summary()}),
            "scores": scores,
            "mean_score": round(float(np.mean(scores)), 1) if scores else None,
            "faults": faults,
            "cues_given": more("cues_given", len(cues)),
            "holds_completed": more("holds_completed", self.hold.completed) if self.hold else None,
            "longest_hold_s": round(max(before.get("longest_hold_s") or 0.0, self.hold.longest_s), 2)
            if self.hold else None,
            "active_s": round(more("active_s", (self._index + 1) / self.sampling_rate_hz), 2),
            "stopped_for_pain": None if self.stopped is None else self.stopped.score,
            **self._successes(kinds),
            **({"labels": self.labels} if self.labels else {}),
        }

    def _successes(self, kinds: list[EventKind]) -> dict[str, Any]:
        """Attempts, successes and their rate (%) of a hold or an onset order (the leads of its activations in
        ms); nothing for repetitions, which are scored instead."""
        before = self.carried
        if self.hold is not None:
            attempts, successes = kinds.count(EventKind.HOLD_STARTED), self.hold.completed
            extra: dict[str, Any] = {}
        elif self.order is not None:
            attempts = len(self.order.results)
            successes = sum(r.success for r in self.order.results)
            extra = {"leads_ms": [*before.get("leads_ms", []), *(round(r.lead_ms, 1) for r in self.order.results)]}
        else:
            return {}
        attempts += int(before.get("attempts") or 0)
        successes += int(before.get("successes") or 0)
        return {"attempts": attempts, "successes": successes,
                "success_rate": round(100.0 * successes / attempts, 1) if attempts else None, **extra}
