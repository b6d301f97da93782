"""The feedback engine: repetitions scored with reasons, one cue per fault episode, holds, the pain stop."""

from __future__ import annotations

import numpy as np
import pytest

from reeducate.feedback.cues import CueRule
from reeducate.feedback.engine import FeedbackEngine, LiveExercise
from reeducate.feedback.events import EventKind
from reeducate.feedback.holds import HoldRule
from reeducate.feedback.safety import PainReport
from reeducate.signals.movement import analyze_pose
from reeducate.signals.pose.readers import read_landmark_csv
from reeducate.signals.reps import RepetitionRule

FS = 30.0
VALGUS = CueRule("knee_valgus", "right_knee_valgus", limit=10.0, cue="Knee over your toes", clear_margin=3.0,
                 views=frozenset({"front"}))
SQUAT = LiveExercise("mini-squat", "right_knee_flexion", repetition=RepetitionRule(rest_level=20, start_level=40),
                     target_peak=55.0, target_duration_s=(1.5, 4.0), cues=(VALGUS,), reps_per_set=3)


def squats(n: int, depth: float = 60.0, period_s: float = 2.5) -> np.ndarray:
    one = 5 + depth / 2 * (1 - np.cos(2 * np.pi * np.arange(0, period_s, 1 / FS) / period_s))
    return np.concatenate([np.full(15, 5.0), *[one] * n, np.full(15, 5.0)])


def run(engine: FeedbackEngine, knee: np.ndarray, valgus: np.ndarray, view: str = "front") -> list:
    return [e for k, v in zip(knee, valgus, strict=True)
            for e in engine.push({"right_knee_flexion": k, "right_knee_valgus": v}, view)]


def test_a_fault_that_lasts_many_frames_is_cued_once_and_again_when_it_comes_back() -> None:
    knee = squats(3)
    valgus = np.zeros_like(knee)
    rng = np.random.default_rng(0)
    for start in (60, 200):                   # two episodes of knee caving, 20 frames each, noisy at the limit
        valgus[start:start + 20] = 11 + rng.normal(0, 1.5, 20)
    events = run(FeedbackEngine(SQUAT, sampling_rate_hz=FS), knee, valgus)
    faults = [e for e in events if e.kind is EventKind.FAULT]
    assert [e.index for e in faults] == [pytest.approx(61, abs=3), pytest.approx(201, abs=3)]
    assert all(e.data["cue"] == "Knee over your toes" for e in faults)


def test_a_cue_is_never_given_when_the_view_cannot_measure_it() -> None:
    knee = squats(2)
    events = run(FeedbackEngine(SQUAT, sampling_rate_hz=FS), knee, np.full(knee.size, 25.0), view="side")
    assert not [e for e in events if e.kind is EventKind.FAULT]


def test_a_muted_fault_is_counted_and_still_costs_the_repetition_points() -> None:
    knee = squats(1)
    valgus = np.zeros_like(knee)
    valgus[40:60] = 20
    engine = FeedbackEngine(SQUAT, sampling_rate_hz=FS)
    engine.mute("knee_valgus")
    events = run(engine, knee, valgus)
    assert not [e for e in events if e.kind is EventKind.FAULT]
    [completed] = [e for e in events if e.kind is EventKind.REPETITION_COMPLETED]
    assert completed.data["score"] == 80 and completed.data["reasons"] == ["knee valgus"]
    assert engine.summary()["faults"] == {"knee_valgus": 1}


def test_repetitions_are_counted_scored_with_reasons_and_grouped_in_sets() -> None:
    knee = np.concatenate([squats(3), squats(1, depth=40), squats(1, period_s=1.2)])
    events = run(FeedbackEngine(SQUAT, sampling_rate_hz=FS), knee, np.zeros_like(knee))
    completed = [e for e in events if e.kind is EventKind.REPETITION_COMPLETED]
    assert [e.data["count"] for e in completed] == [1, 2, 3, 4, 5]
    assert [e.data["score"] for e in completed[:3]] == [100, 100, 100]
    assert completed[3].data["score"] < 100 and completed[3].data["reasons"][0] == "reached 45 of the 55 aimed for"
    assert "too fast" in completed[4].data["reasons"][0]
    assert [e.data["set"] for e in events if e.kind is EventKind.SET_COMPLETE] == [1]
    assert sum(e.kind is EventKind.TARGET_REACHED for e in events) == 4   # every repetition but the shallow one


def test_a_pain_report_stops_the_exercise_before_the_next_frame() -> None:
    engine = FeedbackEngine(SQUAT, sampling_rate_hz=FS)
    knee = squats(3)
    for k in knee[:100]:
        engine.push({"right_knee_flexion": k, "right_knee_valgus": 0.0}, "front")
    stop = engine.report_pain(4)
    assert stop.kind is EventKind.STOPPED_FOR_PAIN and stop.data == {
        "pain": 4, "severe": False, "exercise": "mini-squat", "reported_by": "patient", "regress": True}
    assert all(engine.push({"right_knee_flexion": k, "right_knee_valgus": 0.0}, "front") == [] for k in knee[100:])
    assert engine.summary()["stopped_for_pain"] == 4
    assert engine.report_pain(8).data["severe"] is True    # Serlin et al. 1995: 7-10 is severe


def test_a_hold_counts_through_a_wobble_and_breaks_when_the_patient_steps_down() -> None:
    stance = LiveExercise("single-leg-stance", "left_ankle_height_m",
                          hold=HoldRule(low=0.05, high=1.0, target_s=5.0, grace_s=0.3))
    height = np.concatenate([np.zeros(30), np.full(120, 0.1), np.zeros(6), np.full(120, 0.1), np.zeros(30)])
    engine = FeedbackEngine(stance, sampling_rate_hz=FS)
    events = [e for h in height for e in engine.push({"left_ankle_height_m": h})]
    assert [e.kind for e in events] == [EventKind.HOLD_STARTED, EventKind.HOLD_COMPLETED, EventKind.HOLD_BROKEN]
    assert events[-1].data["hold_s"] == pytest.approx(246 / FS, abs=0.05)
    assert engine.summary()["longest_hold_s"] == pytest.approx(246 / FS, abs=0.05)


def test_the_jumping_jacks_of_the_sports2d_clip_stream_through_the_engine(example) -> None:
    # Two jumping jacks, counted by eye on frames 0-84 (see tests/signals/test_reps.py).
    series = read_landmark_csv(example("sports2d_demo_landmarks.csv"), width_px=1768, height_px=994)
    angles = analyze_pose(series).angles_deg
    jack = LiveExercise("jumping-jack", "left_shoulder_elevation", paired_signal="right_shoulder_elevation",
                        repetition=RepetitionRule(rest_level=45, start_level=90), target_peak=120.0)
    engine = FeedbackEngine(jack, sampling_rate_hz=series.fps)
    for k in range(90):
        engine.push({name: values[k] for name, values in angles.items()}, "front")
    summary = engine.summary()
    assert summary["repetitions"] == 2 and min(summary["scores"]) >= 90


@pytest.mark.parametrize("score", [-1, 11, 3.5])
def test_a_pain_score_outside_0_to_10_is_refused(score) -> None:
    with pytest.raises(ValueError, match="whole number from 0 to 10"):
        PainReport(score, 0, 0.0, "mini-squat")


def test_an_exercise_needs_exactly_one_way_of_counting() -> None:
    with pytest.raises(ValueError, match="give one rule: repetitions, a hold, an onset order or joint position sense trials"):
        FeedbackEngine(LiveExercise("nothing", "x"), sampling_rate_hz=FS)


def test_an_engine_carrying_on_an_exercise_counts_on_and_sums_the_whole_exercise() -> None:
    knee = squats(3)
    whole = FeedbackEngine(SQUAT, sampling_rate_hz=FS)
    run(whole, knee, np.zeros_like(knee))
    cut = 15 + int(2 * 2.5 * FS)  # the connection broke after two squats
    first = FeedbackEngine(SQUAT, sampling_rate_hz=FS)
    run(first, knee[:cut], np.zeros(cut))
    second = FeedbackEngine(SQUAT, sampling_rate_hz=FS, carried=first.summary())
    events = run(second, knee[cut:], np.zeros(knee.size - cut))
    assert [e.data["count"] for e in events if e.kind is EventKind.REPETITION_COMPLETED] == [3]
    assert [e.data["set"] for e in events if e.kind is EventKind.SET_COMPLETE] == [1]  # 3 a set, on the total
    assert second.summary() == whole.summary()  # the same exercise, told in two parts
