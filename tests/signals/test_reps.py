"""Repetitions: counted on real recordings against counts made by eye, streamed sample by sample, scored."""

from __future__ import annotations

import numpy as np
import pytest

from reeducate.signals.dtw import dtw_distance, resample
from reeducate.signals.errors import RecordingError
from reeducate.signals.gait import analyze_gait
from reeducate.signals.io.imu import read_imu
from reeducate.signals.movement import analyze_pose
from reeducate.signals.pose.readers import read_landmark_csv
from reeducate.signals.reps import (
    Compensation,
    RepetitionCounter,
    RepetitionRule,
    rule_from_signal,
    segment_repetitions,
)
from reeducate.signals.smoothness import sparc
from reeducate.signals.strides.foot import MIN_SWING_DEG_S, sagittal_rate

FS = 30.0
SQUAT = RepetitionRule(rest_level=20, start_level=60)


def squats(n: int, *, period_s: float = 2.5, depth_deg: float = 80, rest_s: float = 1.0) -> np.ndarray:
    """Knee flexion (deg) of n squats from 5 deg standing, with standing rest before and after."""
    one = 5 + depth_deg / 2 * (1 - np.cos(2 * np.pi * np.arange(0, period_s, 1 / FS) / period_s))
    rest = np.full(int(rest_s * FS), 5.0)
    return np.concatenate([rest, *[one] * n, rest])


def test_each_stride_of_the_gait_reference_holds_one_swing_repetition(example) -> None:
    # The foot's swing is a repetition of its pitch rate. The gait engine's strides (every stride of the
    # recording's motion-capture reference among them) must each hold exactly one swing's peak. A turning
    # shuffle swings for under 0.3 s and slower than a straight swing, hence the shorter minimum and the gait
    # engine's own lowest swing rate as the start level.
    recording = read_imu(example("gaitmap_imu_sample.csv"), sampling_rate_hz=204.8)
    gait = analyze_gait(recording)
    for side in ("left", "right"):
        rate, _ = sagittal_rate(recording.sensors[f"{side}_foot"].gyr_deg_s)
        swings = segment_repetitions(rate, sampling_rate_hz=204.8,
                                     rule=RepetitionRule(rest_level=50, start_level=MIN_SWING_DEG_S, min_duration_s=0.2)
                                     ).repetitions
        peaks = np.array([r.peak_s for r in swings])
        for stride in gait.strides[side]:
            inside = (peaks > stride.ic_s) & (peaks < stride.ic_s + stride.stride_time_s)
            assert inside.sum() == 1, f"{side} stride at {stride.ic_s:.2f} s"
        # Each unbroken run of strides (heel strike to heel strike) is reached by one swing more: the first
        # step off from standing, or out of the half-turn.
        strides = gait.strides[side]
        runs = 1 + sum(b.ic_s - (a.ic_s + a.stride_time_s) > 0.01 for a, b in zip(strides[:-1], strides[1:], strict=True))
        assert len(swings) == len(strides) + runs


def test_the_two_jumping_jacks_of_the_sports2d_clip_are_counted_on_both_shoulders(example) -> None:
    # Counted by eye on frames 0-84 (every 6th): arms overhead at about frames 24 and 57-60, down at 0, 42, 84.
    series = read_landmark_csv(example("sports2d_demo_landmarks.csv"), width_px=1768, height_px=994)
    angles = analyze_pose(series).angles_deg
    left, right = angles["left_shoulder_elevation"][:90], angles["right_shoulder_elevation"][:90]
    for watched, other in ((left, right), (right, left)):
        reps = segment_repetitions(watched, sampling_rate_hz=series.fps, paired=other,
                                   rule=RepetitionRule(rest_level=45, start_level=90)).repetitions
        assert [r.peak_index for r in reps] == [pytest.approx(24, abs=3), pytest.approx(59, abs=3)]
        assert all(120 < r.range < 170 for r in reps)
        assert all(r.symmetry_index_percent < 25 for r in reps)
        assert all(r.sparc is not None and -6 < r.sparc < -1 for r in reps)


def test_side_view_angles_are_left_out_while_the_patient_faces_the_camera(example) -> None:
    series = read_landmark_csv(example("sports2d_demo_landmarks.csv"), width_px=1768, height_px=994)
    result = analyze_pose(series)
    assert result.view.value == "side"
    # facing the camera for the jumping jacks (yaw under 30 degrees) up to frame 90, then turning side-on
    assert np.isnan(result.angles_deg["right_shoulder_flexion"][5:90]).all()
    assert (result.yaw_deg[5:90] < 30).all() and np.isfinite(result.angles_deg["right_shoulder_flexion"][92:100]).all()
    assert np.isfinite(result.angles_deg["right_shoulder_elevation"][10:90]).all()
    assert any("turned to the other view" in w for w in result.warnings)


def test_the_stream_gives_the_same_repetitions_as_the_whole_recording() -> None:
    knee = squats(5)
    offline = segment_repetitions(knee, sampling_rate_hz=FS, rule=SQUAT).repetitions
    counter = RepetitionCounter(SQUAT, sampling_rate_hz=FS)
    streamed = [e.repetition for v in knee for e in counter.push(v) if e.kind == "completed"]
    assert len(offline) == 5 and counter.count == 5
    assert [r.to_dict() for r in streamed] == [r.to_dict() for r in offline]


def test_events_come_on_the_sample_that_crosses_the_level() -> None:
    knee = squats(1)
    counter = RepetitionCounter(SQUAT, sampling_rate_hz=FS)
    events = {i: e for i, v in enumerate(knee) for e in counter.push(v)}
    started = next(i for i, e in events.items() if e.kind == "started")
    completed = next(i for i, e in events.items() if e.kind == "completed")
    assert started == np.flatnonzero(knee >= 60)[0]
    assert completed == np.flatnonzero(knee >= 60)[-1] + 1 + np.flatnonzero(knee[np.flatnonzero(knee >= 60)[-1]:] <= 20)[0] - 1
    rep = events[completed].repetition
    assert rep.start_index == np.flatnonzero(knee > 20)[0] - 1
    assert rep.range == pytest.approx(80, abs=0.5)
    assert rep.up_s == pytest.approx(rep.down_s, abs=2 / FS)


def test_the_counter_keeps_no_past_at_rest_and_a_bounded_one_in_motion() -> None:
    counter = RepetitionCounter(SQUAT, sampling_rate_hz=FS)
    for _ in range(100_000):
        counter.push(5.0)
    assert counter._excursion is None
    events = [e for _ in range(int(11 * FS)) for e in counter.push(70.0)]
    assert [e.kind for e in events] == ["started", "incomplete"]
    assert "no return to rest within 10 s" in events[-1].reason
    assert counter._excursion is None
    assert counter.push(70.0) == []          # still up: nothing counts until the patient is back at rest


def test_noise_around_a_level_does_not_count_twice() -> None:
    rng = np.random.default_rng(0)
    knee = squats(3) + rng.normal(0, 3, size=squats(3).size)
    assert len(segment_repetitions(knee, sampling_rate_hz=FS, rule=SQUAT).repetitions) == 3


def test_a_squat_that_is_not_deep_enough_is_reported_as_incomplete() -> None:
    knee = np.concatenate([squats(1), squats(1, depth_deg=45), squats(1)])
    result = segment_repetitions(knee, sampling_rate_hz=FS, rule=SQUAT)
    assert len(result.repetitions) == 2
    assert len(result.incomplete) == 1 and "turned back at 50.0, before 60" in result.incomplete[0].reason


def test_a_repetition_that_lowers_the_signal_is_counted_the_other_way_round() -> None:
    hip_height_m = 1.0 - squats(4) / 200
    rule = RepetitionRule(rest_level=0.9, start_level=0.7, direction=-1)
    reps = segment_repetitions(hip_height_m, sampling_rate_hz=FS, rule=rule).repetitions
    assert len(reps) == 4 and reps[0].range == pytest.approx(0.4, abs=0.01)


def test_a_short_loss_of_the_person_is_bridged_and_a_long_one_drops_the_repetition() -> None:
    knee = squats(2)
    short, long = knee.copy(), knee.copy()
    short[140:145] = np.nan
    long[130:160] = np.nan
    assert len(segment_repetitions(short, sampling_rate_hz=FS, rule=SQUAT).repetitions) == 2
    result = segment_repetitions(long, sampling_rate_hz=FS, rule=SQUAT)
    assert len(result.repetitions) == 1
    assert "signal lost for more than 0.5 s" in result.incomplete[0].reason


def test_compensations_are_reported_with_their_frames() -> None:
    knee = squats(3)
    trunk_lean = np.full(knee.size, 5.0)
    second = segment_repetitions(knee, sampling_rate_hz=FS, rule=SQUAT).repetitions[1]
    trunk_lean[second.peak_index - 3: second.peak_index + 3] = 35.0
    lean = Compensation("trunk_lean", limit=30)
    reps = segment_repetitions(knee, sampling_rate_hz=FS, rule=SQUAT, watch={lean: trunk_lean}).repetitions
    assert [r.compensations for r in reps] == [
        {}, {"trunk_lean": tuple(range(second.peak_index - 3, second.peak_index + 3))}, {}]
    assert reps[1].to_dict()["compensation_frames"]["trunk_lean"][0] == second.peak_index - 3


def test_a_repetition_is_compared_with_its_template_by_shape_not_by_speed() -> None:
    reference = segment_repetitions(squats(1), sampling_rate_hz=FS, rule=SQUAT).repetitions[0].values
    slow = segment_repetitions(squats(1, period_s=4), sampling_rate_hz=FS, rule=SQUAT, template=reference)
    shallow = segment_repetitions(squats(1, depth_deg=62), sampling_rate_hz=FS, rule=SQUAT, template=reference)
    assert slow.repetitions[0].template_distance < 1.0
    assert shallow.repetitions[0].template_distance > 5.0


def test_dtw_agrees_with_the_textbook_recursion() -> None:
    def textbook(a: np.ndarray, b: np.ndarray, band: int) -> float:
        a, b = resample(a), resample(b)
        n = a.size
        cost = np.full((n + 1, n + 1), np.inf)
        cost[0, 0] = 0
        for i in range(1, n + 1):
            for j in range(max(1, i - band), min(n, i + band) + 1):
                cost[i, j] = abs(a[i - 1] - b[j - 1]) + min(cost[i - 1, j - 1], cost[i - 1, j], cost[i, j - 1])
        return cost[n, n] / n

    rng = np.random.default_rng(3)
    for _ in range(5):
        a, b = rng.normal(size=rng.integers(20, 90)).cumsum(), rng.normal(size=rng.integers(20, 90)).cumsum()
        assert dtw_distance(a, b) == pytest.approx(textbook(a, b, 5), rel=1e-12)


def test_sparc_prefers_one_smooth_movement_and_ignores_size_and_duration() -> None:
    t = np.linspace(0, 1, 101)
    bell = 30 * t**2 * (1 - t) ** 2                       # minimum-jerk speed profile
    halting = bell * (1 + 0.6 * np.sin(2 * np.pi * 4 * t))  # the same reach with four hesitations
    smooth = sparc(bell, 100)
    assert smooth == pytest.approx(sparc(5 * bell, 100), rel=1e-9)
    assert smooth == pytest.approx(sparc(np.interp(np.linspace(0, 1, 201), t, bell), 200), abs=0.05)
    assert -1.8 < smooth < -1.3 and sparc(halting, 100) < smooth - 0.5


@pytest.mark.parametrize(("make", "message"), [
    (lambda: RepetitionCounter(RepetitionRule(rest_level=60, start_level=20), sampling_rate_hz=30),
     "must lie above rest_level"),
    (lambda: RepetitionCounter(SQUAT, sampling_rate_hz=0), "sampling rate must be positive"),
    (lambda: RepetitionCounter(SQUAT, sampling_rate_hz=30, template=[1, np.nan, 2]), "at least 3 finite"),
    (lambda: segment_repetitions(np.ones((3, 2)), sampling_rate_hz=30), "one-dimensional"),
    (lambda: segment_repetitions(np.full(50, 7.0), sampling_rate_hz=30), "does not move"),
    (lambda: rule_from_signal(np.array([np.nan, np.nan])), "fewer than 3 usable"),
    (lambda: segment_repetitions(squats(1), sampling_rate_hz=30, rule=SQUAT,
                                 watch={Compensation("trunk_lean", 30): np.zeros(3)}), "sampled together"),
])
def test_bad_input_is_refused_with_the_reason(make, message: str) -> None:
    with pytest.raises(RecordingError, match=message):
        make()
