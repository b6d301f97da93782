"""Joint position sense: synthetic tests with known holds give AE, CE and VE exactly; the camera and IMU
sources give the same angles back; what cannot be measured is refused with the reason."""

from __future__ import annotations

import numpy as np
import pytest

from reeducate.example_data import fetch
from reeducate.signals.errors import RecordingError
from reeducate.signals.io.imu import read_imu
from reeducate.signals.jps import analyze_jps, find_holds, jps_from_imu, jps_from_pose
from reeducate.signals.pose.readers import read_landmark_csv
from tests.signals.jps_data import (
    KNEE_ERRORS,
    KNEE_PLAN,
    NECK_ERRORS,
    NECK_PLAN,
    head_imu_samples,
    plan_series,
    shank_imu_samples,
    side_on_knee,
    write_imu_csv,
)


def _pop_sd(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5


def test_a_reproduction_test_pairs_target_and_reproduction_holds_and_pins_ae_ce_ve() -> None:
    angle, time = plan_series(KNEE_PLAN)
    result = analyze_jps(angle, time, joint="knee_flexion", side="right")
    assert [(t.target_deg, t.reproduced_deg, t.error_deg) for t in result.trials] == [
        (30, 33, 3), (30, 28, -2), (60, 64, 4)]
    errors = result.by_side["right"]
    assert errors.n_trials == 3
    assert errors.absolute_error_deg == pytest.approx(3.0)
    assert errors.constant_error_deg == pytest.approx(5 / 3)
    assert errors.variable_error_deg == pytest.approx(_pop_sd(KNEE_ERRORS))
    # E² = CE² + VE²: the root mean square error splits exactly
    rms = np.sqrt(np.mean(np.square(KNEE_ERRORS)))
    assert rms ** 2 == pytest.approx(errors.constant_error_deg ** 2 + errors.variable_error_deg ** 2)
    roles = [h.role for h in result.holds]
    assert roles == ["rest", "target", "rest", "reproduction"] * 3 + ["rest"]
    first = result.to_dict()["trials"][0]
    assert (first["target_start_s"], first["target_end_s"]) == pytest.approx((3.5, 5.5), abs=0.15)
    assert (first["reproduction_start_s"], first["reproduction_end_s"]) == pytest.approx((10.5, 12.5), abs=0.15)


def test_an_undershoot_of_a_target_below_rest_is_negative() -> None:
    angle, time = plan_series([50, 20, 50, 25, 50, 20, 50, 18, 50])  # rest 50; targets below it
    result = analyze_jps(angle, time, joint="knee_flexion", side="left")
    assert [t.error_deg for t in result.trials] == [-5, 2]


def test_the_errors_survive_a_camera_like_jitter() -> None:
    angle, time = plan_series(KNEE_PLAN)
    noisy = angle + np.random.default_rng(7).normal(0, 0.5, len(angle))
    result = analyze_jps(noisy, time, joint="knee_flexion", side="right")
    assert result.overall.n_trials == 3
    assert result.overall.absolute_error_deg == pytest.approx(3.0, abs=0.2)


def test_given_targets_make_every_hold_away_from_rest_a_reproduction() -> None:
    angle, time = plan_series([0, 33, 0, 28, 0, 64, 0])
    result = analyze_jps(angle, time, joint="knee_flexion", side="right", targets=(30, 30, 60))
    assert [t.error_deg for t in result.trials] == [3, -2, 4]
    assert result.trials[0].target is None
    one_for_all = analyze_jps(angle, time, joint="knee_flexion", side="right", targets=(30,))
    assert [t.error_deg for t in one_for_all.trials] == [3, -2, 34]
    with pytest.raises(RecordingError, match="3 reproductions were held but 2 targets given"):
        analyze_jps(angle, time, joint="knee_flexion", side="right", targets=(30, 60))


def test_a_relocation_test_groups_turns_by_side_and_skips_a_pause_at_the_far_end() -> None:
    angle, time = plan_series(NECK_PLAN)
    result = analyze_jps(angle, time, joint="cervical_rotation", protocol="relocation", positive_side="left")
    assert [(t.side, t.error_deg) for t in result.trials] == [
        ("left", -3), ("right", -4), ("left", 3.5), ("right", 3)]
    assert result.holds[1].role == "far_end"
    for side, errors in NECK_ERRORS.items():
        got = result.by_side[side]
        assert got.absolute_error_deg == pytest.approx(np.mean(np.abs(errors)))
        assert got.constant_error_deg == pytest.approx(np.mean(errors))
        assert got.variable_error_deg == pytest.approx(_pop_sd(errors))
    assert result.overall.n_trials == 4 and result.to_dict()["cutoff"] is None


def test_a_recording_without_still_holds_is_refused() -> None:
    time = np.arange(0, 20, 1 / 30)
    with pytest.raises(RecordingError, match="no still hold found"):
        analyze_jps(30 * np.sin(time), time, joint="knee_flexion", side="right")


def test_too_few_trials_are_refused() -> None:
    angle, time = plan_series([0, 30, 0, 33, 0])
    with pytest.raises(RecordingError, match="1 trial\\(s\\) found among 5 still holds; at least 2"):
        analyze_jps(angle, time, joint="knee_flexion", side="right")


def test_an_odd_number_of_held_positions_names_them() -> None:
    angle, time = plan_series([0, 30, 0, 33, 0, 30, 0])
    with pytest.raises(RecordingError, match="3 positions were held away from rest .*one is missing or extra"):
        analyze_jps(angle, time, joint="knee_flexion", side="right")


def test_holds_need_a_second_of_stillness() -> None:
    angle, time = plan_series([0, 30, 0], hold_s=0.8)
    assert find_holds(angle, time) == []


def test_a_side_on_clip_gives_the_knee_angle_and_its_errors() -> None:
    angle, time = plan_series(KNEE_PLAN)
    result = jps_from_pose(side_on_knee(angle), joint="knee_flexion", side="right")
    assert result.source == "video" and result.to_dict()["source_label"] == "measured from camera"
    assert [t.error_deg for t in result.trials] == pytest.approx(KNEE_ERRORS, abs=0.05)


def test_a_clip_where_the_knee_is_hidden_most_of_the_time_is_refused_with_the_reason() -> None:
    angle, _ = plan_series(KNEE_PLAN)
    hidden = np.arange(len(angle)) > len(angle) // 3
    with pytest.raises(RecordingError, match="knee flexion angle is measured in only 3[0-9]% of the recording"):
        jps_from_pose(side_on_knee(angle, hidden=hidden), joint="knee_flexion", side="right")


def test_a_clip_is_refused_an_angle_its_view_cannot_give() -> None:
    angle, _ = plan_series(KNEE_PLAN)
    with pytest.raises(RecordingError, match="knee flexion is not measured in this clip: a camera facing the patient"):
        jps_from_pose(side_on_knee(angle), joint="knee_flexion", side="right", view="front")


def test_a_limb_joint_needs_its_side() -> None:
    angle, _ = plan_series(KNEE_PLAN)
    with pytest.raises(RecordingError, match="left or right"):
        jps_from_pose(side_on_knee(angle), joint="knee_flexion", side=None)


def test_a_head_sensor_relocation_test_from_a_csv_file(tmp_path) -> None:
    fs = 100.0
    yaw, _ = plan_series(NECK_PLAN, fs=fs)
    path = write_imu_csv(tmp_path / "head.csv", *head_imu_samples(yaw, fs), fs)
    result = jps_from_imu(read_imu(path), joint="cervical_rotation", side=None)
    assert result.source == "imu" and result.protocol == "relocation"
    assert [(t.side, round(t.error_deg, 1)) for t in result.trials] == [
        ("left", -3), ("right", -4), ("left", 3.5), ("right", 3)]


def test_a_shank_sensor_reproduction_test_measures_the_tilt_from_the_start(tmp_path) -> None:
    fs = 100.0
    tilt, _ = plan_series(KNEE_PLAN, fs=fs)
    path = write_imu_csv(tmp_path / "shank.csv", *shank_imu_samples(tilt, fs), fs)
    result = jps_from_imu(read_imu(path), joint="knee_flexion", side="left", protocol="reproduction")
    assert [t.error_deg for t in result.trials] == pytest.approx(KNEE_ERRORS, abs=0.05)
    assert result.by_side["left"].absolute_error_deg == pytest.approx(3.0, abs=0.05)


def test_a_rotation_needs_the_gyroscope(tmp_path) -> None:
    fs = 100.0
    yaw, _ = plan_series(NECK_PLAN, fs=fs)
    acc, _ = head_imu_samples(yaw, fs)
    path = tmp_path / "acc-only.csv"
    np.savetxt(path, acc, delimiter=",", header="acc_x,acc_y,acc_z", comments="")
    with pytest.raises(RecordingError, match="needs the gyroscope"):
        jps_from_imu(read_imu(path, sampling_rate_hz=fs), joint="cervical_rotation", side=None)


def test_on_a_real_clip_the_view_refusing_the_knee_frame_by_frame_is_the_reason_given() -> None:
    # the Sports2D man does jumping jacks facing the camera, then walks side-on (docs/movement.md)
    series = read_landmark_csv(fetch("sports2d_demo_landmarks.csv"), width_px=1768, height_px=994)
    with pytest.raises(RecordingError, match="knee flexion angle is measured in only 45% of the recording: .*"
                                             "turned to the other view in 79 frames; the side-view angles are "
                                             "left out there\\.$"):
        jps_from_pose(series, joint="knee_flexion", side="right")


def test_on_a_real_clip_of_someone_moving_throughout_no_hold_is_found() -> None:
    series = read_landmark_csv(fetch("sports2d_demo_landmarks.csv"), width_px=1768, height_px=994)
    with pytest.raises(RecordingError, match="no still hold found: the elbow flexion never stayed within 5 deg/s"):
        jps_from_pose(series, joint="elbow_flexion", side="right")
