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
