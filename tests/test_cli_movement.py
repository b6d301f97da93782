"""`reeducate video analyze|gait` and `reeducate gait analyze`: the documented JSON and clear refusals."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from reeducate.cli import app
from reeducate.signals.gait import analyze_gait
from reeducate.signals.io.imu import read_imu

runner = CliRunner()


@pytest.mark.slow
def test_video_analyze_prints_angles_per_frame_and_the_refusals_of_the_view(example, tmp_path) -> None:
    out_video = tmp_path / "annotated.mp4"
    result = runner.invoke(app, ["video", "analyze", str(example("balancing_cam04.mp4")), "--json",
                                 "--view", "front", "--annotate", str(out_video)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n_frames"] == 100 and data["fps"] == 60 and data["view"] == "front"
    assert len(data["angles_deg"]["right_knee_valgus"]) == 100
    assert {r["measure"] for r in data["refused"]} >= {"right_knee_flexion", "trunk_lean"}
    assert out_video.stat().st_size > 10_000


def test_video_analyze_refuses_a_file_that_is_not_a_video(tmp_path) -> None:
    bad = tmp_path / "clip.mp4"
    bad.write_text("not a video")
    result = runner.invoke(app, ["video", "analyze", str(bad), "--json"])
    assert result.exit_code == 2
    assert "clip.mp4" in result.stderr


def test_gait_analyze_prints_strides_per_side(example) -> None:
    result = runner.invoke(app, ["gait", "analyze", str(example("gaitmap_imu_sample.csv")), "--json",
                                 "--sampling-rate-hz", "204.8"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    engine = analyze_gait(read_imu(example("gaitmap_imu_sample.csv"), sampling_rate_hz=204.8))
    for side, mocap in (("left", 28), ("right", 29)):  # the engine finds every mocap stride (test_gait.py)
        assert len(data["sides"][side]["strides"]) == len(engine.strides[side]) >= mocap
    assert data["summary"]["cadence_steps_per_min"] > 100


def test_gait_analyze_reads_a_lower_back_sensor(example) -> None:
    result = runner.invoke(app, ["gait", "analyze", str(example("mobgap_HA_001_TimeMeasure1_Test5_Trial1.csv")),
                                 "--json", "--sensor", "lower-back", "--sampling-rate-hz", "100"])
    assert result.exit_code == 0, result.output
    # INDIP's 9 initial contacts of this walk and the stopping step after its bout: 9 steps.
    assert json.loads(result.stdout)["summary"]["n_steps"] == 9


def test_gait_analyze_names_a_missing_rate(example) -> None:
    result = runner.invoke(app, ["gait", "analyze", str(example("gaitmap_imu_sample.csv"))])
    assert result.exit_code == 2
    assert "--sampling-rate-hz" in result.stderr


def test_gait_analyze_refuses_an_unknown_sensor_place(example) -> None:
    result = runner.invoke(app, ["gait", "analyze", str(example("gaitmap_imu_sample.csv")), "--sensor", "wrist"])
    assert result.exit_code == 2 and "foot or lower-back" in result.stderr


@pytest.mark.slow
def test_video_gait_refuses_a_clip_of_someone_balancing_filmed_from_the_front(example) -> None:
    result = runner.invoke(app, ["video", "gait", str(example("balancing_cam04.mp4")), "--json"])
    assert result.exit_code == 2
    assert "need a side-on camera" in result.stderr


def test_video_gait_names_a_malformed_region(example) -> None:
    result = runner.invoke(app, ["video", "gait", str(example("sports2d_demo.mp4")), "--region", "0,450,wide"])
    assert result.exit_code == 2
    assert "--region '0,450,wide': give X0,Y0,X1,Y1" in result.stderr


def _balancing_csvs(example, cams: str = "1234") -> list[str]:
    return [str(example(f"balancing_cam0{c}_landmarks.csv")) for c in cams]


def test_movement_triangulate_prints_3d_angles_in_the_single_camera_json(example) -> None:
    result = runner.invoke(app, ["movement", "triangulate", "--calibration", str(example("balancing_calib.qca.txt")),
                                 *_balancing_csvs(example), "--no-sync", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["view"] == "3d" and data["cameras"] == ["cam01", "cam02", "cam03", "cam04"]
    assert data["n_frames"] == 100 and len(data["angles_deg"]["right_knee_flexion"]) == 100
    assert {"left_knee_flexion", "left_knee_valgus", "trunk_lean"} <= set(data["rom_deg"])
    assert data["reprojection_error_px"]["median"] < 15


def test_movement_triangulate_matches_clips_to_cameras_by_name_and_takes_known_offsets(example) -> None:
    csvs = _balancing_csvs(example, "31")
    result = runner.invoke(app, ["movement", "triangulate", "--calibration", str(example("balancing_calib.qca.txt")),
                                 *csvs, "--offsets", "0,0", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["cameras"] == ["cam03", "cam01"] and data["frame_offsets"] == {"cam03": 0, "cam01": 0}
    assert "2 calibrated cameras (cam03, cam01)" in data["method"]


def test_movement_triangulate_refuses_one_clip_and_a_bad_calibration(example, tmp_path) -> None:
    calibration = str(example("balancing_calib.qca.txt"))
    one = runner.invoke(app, ["movement", "triangulate", "--calibration", calibration, *_balancing_csvs(example, "1")])
    assert one.exit_code == 2 and "at least two clips" in one.stderr
    bad = tmp_path / "Calib.toml"
    bad.write_text("[cam01]\nname = 'cam01'\n")
    broken = runner.invoke(app, ["movement", "triangulate", "--calibration", str(bad),
                                 *_balancing_csvs(example, "12")])
    assert broken.exit_code == 2 and "camera table 'cam01': missing size, matrix" in broken.stderr
    offsets = runner.invoke(app, ["movement", "triangulate", "--calibration", calibration,
                                  *_balancing_csvs(example, "12"), "--offsets", "0"])
    assert offsets.exit_code == 2 and "give 2 whole numbers" in offsets.stderr


def test_movement_calibrate_writes_a_calibration_that_triangulate_reads(tmp_path) -> None:
    import cv2

    from reeducate.signals.multiview.calibration import read_calibration
    from reeducate.signals.multiview.checkerboard import Board
    from tests.signals.test_multiview import _board_image, _posed

    board = Board(9, 6, 0.04)
    folder = tmp_path / "cam1"
    folder.mkdir()
    for i, pose in enumerate([(0, 0, 0.9), (25, 0, 0.8), (-25, 10, 0.9), (10, 30, 1.0), (-15, -30, 0.85),
                              (30, -15, 1.1)]):
        cv2.imwrite(str(folder / f"{i}.png"), _board_image(_posed(*pose, board), board))
    scene = tmp_path / "scene.png"
    truth = _posed(20, -10, 1.2, board)
    cv2.imwrite(str(scene), _board_image(truth, board))
    out = tmp_path / "Calib.toml"
    result = runner.invoke(app, ["movement", "calibrate", "--intrinsics", f"cam1={folder}", "--extrinsics",
                                 f"cam1={scene}", "--board", "9x6", "--square-mm", "40", "--out", str(out)])
    assert result.exit_code == 0, result.output
    camera = read_calibration(out).camera("cam1")
    assert abs(camera.matrix[0, 0] - 900) < 9 and float(((camera.centre_m - truth.centre_m) ** 2).sum()) < 1e-4
    bad = runner.invoke(app, ["movement", "calibrate", "--intrinsics", f"cam1={folder}", "--extrinsics",
                              f"cam2={scene}", "--board", "9x6", "--square-mm", "40", "--out", str(out)])
    assert bad.exit_code == 2 and "--intrinsics names cam1 but --extrinsics cam2" in bad.stderr
