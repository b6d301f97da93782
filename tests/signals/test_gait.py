"""Gait from IMUs on the shared recordings, against counts made independently of our code."""

from __future__ import annotations

import numpy as np
import pytest

from reeducate.signals.errors import RecordingError
from reeducate.signals.gait import analyze_gait, symmetry_index
from reeducate.signals.io.imu import read_imu


@pytest.fixture
def healthy(example):
    return analyze_gait(read_imu(example("gaitmap_imu_sample.csv"), sampling_rate_hz=204.8))


def test_it_finds_the_strides_the_motion_capture_reference_counts(healthy) -> None:
    # example_data/gait/README.md: the held-out mocap reference of this walk has 28 left and 29 right strides.
    assert healthy.side_summaries["left"]["n_strides"] == 28
    assert healthy.side_summaries["right"]["n_strides"] == 29


def test_the_mounting_of_the_sensors_does_not_change_the_result(example, healthy) -> None:
    raw = analyze_gait(read_imu(example("gaitmap_imu_sample_not_rotated.csv"), sampling_rate_hz=204.8))
    for side in ("left", "right"):
        assert [s.ic_s for s in raw.strides[side]] == [s.ic_s for s in healthy.strides[side]]
        lengths = np.array([s.stride_length_m or 0 for s in raw.strides[side]])
        assert lengths == pytest.approx([s.stride_length_m or 0 for s in healthy.strides[side]], abs=0.01)


def test_a_two_by_twenty_metre_walk_has_one_half_turn_and_healthy_parameters(healthy) -> None:
    assert len(healthy.turns) == 1 and abs(healthy.turns[0]["angle_deg"]) == pytest.approx(180, abs=15)
    summary = healthy.summary
    assert 1.0 < summary["stride_time_s"] < 1.2          # cadence 100-120 steps/min
    assert 55 < summary["stance_percent"] < 68           # stance is about 60 % of a stride
    assert 1.2 < summary["stride_length_m"] < 1.6
    assert summary["gait_speed_m_s"] == pytest.approx(summary["stride_length_m"] / summary["stride_time_s"], rel=0.05)
    assert summary["double_support_percent"] is not None


def test_each_stride_s_times_add_up(healthy) -> None:
    for s in healthy.strides["left"]:
        assert s.stance_time_s + s.swing_time_s == pytest.approx(s.stride_time_s)
        assert s.ic_s < s.tc_s < s.ic_s + s.stride_time_s


def test_four_lengths_of_ten_metres_have_three_turns(example) -> None:
    result = analyze_gait(read_imu(example("gaitmap_imu_sample_ic_stride.csv"), sampling_rate_hz=102.4))
    assert len(result.turns) == 3


def test_a_single_unsynchronised_foot_is_analysed_without_double_support(example) -> None:
    result = analyze_gait(read_imu(example("gaitmap_imu_sample_ms_left.csv"), sampling_rate_hz=102.4, side="left"))
    assert list(result.strides) == ["left"]
    assert result.summary["double_support_percent"] is None
    assert "double_support_percent" in dict(result.refused)


def test_a_wrong_sampling_rate_is_named(example) -> None:
    with pytest.raises(RecordingError, match="sampling rate is probably wrong"):
        analyze_gait(read_imu(example("gaitmap_imu_sample.csv"), sampling_rate_hz=40))


def test_a_file_without_a_rate_asks_for_one(example) -> None:
    with pytest.raises(RecordingError, match="--sampling-rate-hz"):
        read_imu(example("gaitmap_imu_sample.csv"))


def test_the_lower_back_gives_the_steps_counted_on_the_signal(example) -> None:
    # HA_001 Test 5, one straight walk: we counted 11 heel-strike dips between 4.5 s and 11 s
    # on the plotted vertical acceleration, i.e. 10 steps.
    recording = read_imu(example("mobgap_HA_001_TimeMeasure1_Test5_Trial1.csv"), sampling_rate_hz=100,
                         sensor="lower_back")
    result = analyze_gait(recording, sensor="lower_back", sensor_height_m=0.964)
    assert result.summary["n_steps"] == 10
    assert 90 < result.summary["cadence_steps_per_min"] < 110
    assert result.summary["gait_speed_m_s"] is not None
    assert "sides" in dict(result.refused)


def test_geneactiv_exports_state_their_rate_and_are_in_g(example) -> None:
    recording = read_imu(example("gaitpy_demo_data.csv"), sensor="lower_back")
    assert recording.sampling_rate_hz == 50
    assert np.median(np.linalg.norm(recording.sensors["lower_back"].acc_m_s2, axis=1)) == pytest.approx(9.8, abs=0.5)
    with pytest.raises(RecordingError, match="recorded at 50 Hz"):
        read_imu(example("gaitpy_demo_data.csv"), sensor="lower_back", sampling_rate_hz=100)


@pytest.mark.parametrize("content, message", [
    ("", "empty"),
    ("acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n", "no samples"),
    ("a,b,c\n1,2,3\n", "expected columns acc_x"),
    ("acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n" + "0.5,0.1,0.2,1,2,3\n" * 50, "neither"),
    ("acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n" + "9.8,0,0,1,2,3\n" * 20 + "nan,0,0,1,2,3\n", "not numbers"),
])
def test_bad_recordings_are_refused_with_the_reason(tmp_path, content: str, message: str) -> None:
    path = tmp_path / "walk.csv"
    path.write_text(content)
    with pytest.raises(RecordingError, match=message):
        read_imu(path, sampling_rate_hz=100)


def test_binary_uploads_are_refused(tmp_path) -> None:
    path = tmp_path / "walk.csv"
    path.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(RecordingError, match="binary"):
        read_imu(path, sampling_rate_hz=100)


def test_the_symmetry_index_is_robinsons() -> None:
    assert symmetry_index(0.40, 0.40) == 0
    assert symmetry_index(0.44, 0.36) == pytest.approx(20)


def test_the_json_has_the_documented_shape(healthy) -> None:
    data = healthy.to_dict()
    assert data["sampling_rate_hz"] == 204.8
    stride = data["sides"]["left"]["strides"][0]
    assert {"ic_s", "tc_s", "stride_time_s", "stance_time_s", "swing_time_s", "stride_length_m"} <= set(stride)
    assert {"cadence_steps_per_min", "gait_speed_m_s", "stride_time_cv_percent",
            "symmetry_index_percent"} <= set(data["summary"])
