"""`reeducate exercises list|show` and `reeducate session replay`: the library and a recorded file run live."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from reeducate.cli import app
from reeducate.training.catalogue import library

runner = CliRunner()


def test_exercises_list_json_has_every_exercise_with_its_monitors() -> None:
    result = runner.invoke(app, ["exercises", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert set(rows) == set(library().exercises)
    assert rows["mini-squat"]["monitors"] == ["camera-side", "camera-front"] and rows["mini-squat"]["sided"]


def test_exercises_show_names_signal_faults_dosage_and_progressions() -> None:
    result = runner.invoke(app, ["exercises", "show", "pnf-d2-flexion-arm"])
    assert result.exit_code == 0, result.output
    for text in ("{side}_shoulder_elevation", "Straighten your elbow as you reach", "2 sets × 10 repetitions",
                 "Regress to: pnf-d1-flexion-arm"):
        assert text in " ".join(result.stdout.split()), text
    shown = json.loads(runner.invoke(app, ["exercises", "show", "chin-tuck", "--json"]).stdout)
    assert shown["dosage"]["basis"]["citation"].startswith("Jull G")


def test_session_replay_prints_the_events_and_the_summary(example) -> None:
    result = runner.invoke(app, ["session", "replay", "overhead-reach", str(example("sports2d_demo_landmarks.csv")),
                                 "--monitor", "camera-front", "--side", "left", "--width-px", "1768",
                                 "--height-px", "994", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"exercise", "events", "summary"} and data["exercise"] == "overhead-reach"
    assert data["summary"]["repetitions"] == 2 and data["summary"]["cues_given"] == 2
    assert [e["kind"] for e in data["events"]].count("repetition_completed") == 2


def test_session_replay_of_a_force_plate_trial(example) -> None:
    result = runner.invoke(app, ["session", "replay", "two-foot-stance", str(example("BDS00001.txt")), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["holds_completed"] == 1


def test_session_replay_refuses_with_what_to_do(example, tmp_path) -> None:
    for args, message in [
        (["nope", "x.csv"], "No exercise 'nope'"),
        (["mini-squat", str(example("sports2d_demo_landmarks.csv")), "--width-px", "1768", "--height-px", "994"],
         "trains one side"),
        (["mini-squat", "clip.csv", "--side", "left"], "give the picture's size"),
        (["mini-squat", str(tmp_path / "missing.mp4"), "--side", "left"], "no such video file"),
        (["gait-training-imu", str(example("gaitmap_imu_sample.csv")), "--sampling-rate-hz", "204.8"],
         "several sensors"),
        (["mini-squat", "x.mp4", "--monitor", "imu", "--side", "left"], "not watched by 'imu'"),
    ]:
        result = runner.invoke(app, ["session", "replay", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in " ".join(result.output.split()), (message, result.output)


def test_session_replay_of_an_emg_file_names_its_channels_after_muscles_and_says_its_reference(example) -> None:
    shoulder = str(example("emg_pyomeca_markers_analogs.c3d"))
    result = runner.invoke(app, ["session", "replay", "upper-trapezius-relaxation", shoulder, "--channel",
                                 "Trap_sup=Upper trapezius", "--mvc", "upper_trapezius=0.2", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["summary"]
    assert summary["labels"] == {"amplitude": "% of each muscle's MVC"} and summary["active_s"] == 5.8
    assert {"attempts", "successes", "success_rate"} <= set(summary)
    shown = runner.invoke(app, ["exercises", "show", "vmo-before-vl"])
    assert "onset order: vastus_medialis_oblique before vastus_lateralis" in " ".join(shown.stdout.split())
    for arguments, message in ((["vmo-before-vl", shoulder], "no channel named vastus_medialis_oblique"),
                               (["upper-trapezius-relaxation", shoulder, "--channel", "Trap_sup=upper_trapezius",
                                 "--mvc", "upper_trapezius=lots"], "give MUSCLE=MV")):
        refused = runner.invoke(app, ["session", "replay", *arguments])
        assert refused.exit_code == 2 and message in " ".join(refused.output.split()), refused.output
