"""`reeducate jps analyze`: the documented JSON from an IMU file or a clip, and refusals (exit 2) with the reason."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from reeducate.cli import app
from tests.signals.jps_data import (
    KNEE_PLAN,
    NECK_PLAN,
    head_imu_samples,
    plan_series,
    shank_imu_samples,
    side_on_knee,
    write_imu_csv,
)

runner = CliRunner()
FS = 100.0


@pytest.fixture
def head_csv(tmp_path):
    yaw, _ = plan_series(NECK_PLAN, fs=FS)
    return write_imu_csv(tmp_path / "head.csv", *head_imu_samples(yaw, FS), FS)


def test_a_head_sensor_gives_the_relocation_errors_per_side_as_json(head_csv) -> None:
    result = runner.invoke(app, ["jps", "analyze", str(head_csv), "--joint", "cervical_rotation", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["source"], data["source_label"], data["protocol"]) == ("imu", "measured from IMU", "relocation")
    assert data["errors"]["left"]["n_trials"] == 2 and data["errors"]["right"]["n_trials"] == 2
    assert data["errors"]["left"]["absolute_error_deg"] == pytest.approx(3.25, abs=0.05)
    assert data["cutoff"] is None and "Revel" in data["cutoff_note"]
    assert [t["side"] for t in data["trials"]] == ["left", "right", "left", "right"]


def test_given_targets_are_reproduced_from_a_shank_sensor(tmp_path) -> None:
    tilt, _ = plan_series([0, 33, 0, 28, 0, 64, 0], fs=FS)
    path = write_imu_csv(tmp_path / "shank.csv", *shank_imu_samples(tilt, FS), FS)
    result = runner.invoke(app, ["jps", "analyze", str(path), "--joint", "knee_flexion", "--side", "right",
                                 "--targets", "30,30,60", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [t["error_deg"] for t in data["trials"]] == pytest.approx([3, -2, 4], abs=0.05)
    assert data["targets_given_deg"] == [30, 30, 60]


def test_a_side_on_clip_goes_through_the_movement_engine(tmp_path, monkeypatch) -> None:
    import reeducate.signals.pose.video as video

    angle, _ = plan_series(KNEE_PLAN)
    monkeypatch.setattr(video, "read_video", lambda path: side_on_knee(angle))
    clip = tmp_path / "knee.mp4"
    clip.write_bytes(b"posed by the stand-in above")
    result = runner.invoke(app, ["jps", "analyze", str(clip), "--joint", "knee_flexion", "--side", "right"])
    assert result.exit_code == 0, result.output
    assert "measured from camera" in result.stdout and "AE 3.0 deg" in result.stdout


@pytest.mark.parametrize(("args", "reason"), [
    (["--joint", "cervical_rotation", "--targets", "30,sixty"], "give the target angles in degrees"),
    (["--joint", "cervical_rotation", "--source", "laser"], "choose video (a side-on clip) or imu"),
    (["--joint", "wrist_flexion"], "cannot be measured from an IMU; choose one of cervical_rotation"),
    (["--joint", "knee_flexion"], "Say which side the knee flexion was tested on"),
    (["--joint", "cervical_rotation", "--protocol", "mirror"], "choose reproduction or relocation"),
    (["--joint", "cervical_rotation", "--targets", "10"], "give targets only for the reproduction protocol"),
])
def test_bad_input_exits_2_with_the_reason(head_csv, args: list[str], reason: str) -> None:
    result = runner.invoke(app, ["jps", "analyze", str(head_csv), *args, "--json"])
    assert result.exit_code == 2
    assert reason in " ".join(result.stderr.split())


def test_a_recording_without_holds_exits_2(tmp_path) -> None:
    time = np.arange(0, 20, 1 / FS)
    path = write_imu_csv(tmp_path / "restless.csv", *head_imu_samples(40 * np.sin(time), FS), FS)
    result = runner.invoke(app, ["jps", "analyze", str(path), "--joint", "cervical_rotation"])
    assert result.exit_code == 2 and "no still hold found" in " ".join(result.stderr.split())


def test_a_missing_clip_exits_2(tmp_path) -> None:
    result = runner.invoke(app, ["jps", "analyze", str(tmp_path / "none.mp4"), "--joint", "knee_flexion",
                                 "--side", "left"])
    assert result.exit_code == 2 and "no such file" in " ".join(result.stderr.split())
