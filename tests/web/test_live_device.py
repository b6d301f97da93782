"""The ``device`` source: landmarks posed in the patient's own browser, sent as ``landmarks`` messages,
counted and cued exactly as the camera path counts and cues the same landmarks; and the typed messages'
refusals, each naming what is wrong while the exercise goes on."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from reeducate.feedback.adapters.camera import CameraAdapter
from reeducate.feedback.replay import replay
from reeducate.signals.pose.landmarks import LANDMARKS
from reeducate.training.catalogue import exercise
from reeducate.training.live import live_exercise
from tests.support import World
from tests.web.conftest import bearer
from tests.web.test_live import _events, _records, _until, refused_at_start

SPORTS2D = (1768, 994)  # the clip's picture (pixels)
REACH = {"type": "start", "exercise": "overhead-reach", "monitor": "camera-front", "side": "left",
         "source": "device", "fps": 30}


def landmark_messages(path: Path, size: tuple[int, int]) -> list[dict[str, Any]]:
    """Each row of a MediaPipe landmark CSV as the browser sends it: 33 rows of [x, y, z, visibility] in
    0-1 of the picture, or none where nobody was detected."""
    messages = []
    with path.open(newline="") as file:
        for row in csv.DictReader(file):
            seen = row["detected"] == "1"
            landmarks = [[float(row[f"{name}_{part}"]) for part in ("x", "y", "z", "vis")] for name in LANDMARKS] \
                if seen else []
            messages.append({"type": "landmarks", "t": float(row["time_s"]), "size": list(size), "landmarks": landmarks})
    return messages


def camera_path(messages: list[dict[str, Any]], exercise_id: str, monitor: str, side: str, fps: float) -> dict:
    """The same landmarks through the camera adapter (as ``LivePose`` hands it a posed frame) and the engine."""
    chosen = exercise(exercise_id)
    adapter = CameraAdapter(fps=fps, image_size_px=SPORTS2D)
    samples = []
    for message in messages:
        rows = np.array(message["landmarks"]).reshape(-1, 4)
        samples.append(adapter.sample(rows[:, :2] * SPORTS2D, rows[:, 3]) if len(rows) else adapter.nobody())
    return replay(live_exercise(chosen, monitor=chosen.monitor(monitor), side=side, sampling_rate_hz=fps), samples,
                  sampling_rate_hz=fps)


def _send_frames(socket: Any, messages: list[dict[str, Any]]) -> list[dict]:
    """Each frame sent and its sample awaited, as a page that waits for the answer does."""
    seen: list[dict] = []
    for message in messages:
        socket.send_json(message)
        seen += _until(socket, lambda m, s: m["type"] in ("sample", "warning"))
    return seen


def test_device_landmarks_are_counted_and_cued_as_the_camera_path_counts_the_same_landmarks(
        client: TestClient, world: World, example) -> None:
    # The Sports2D man's two jumping jacks (frames 0-100), overhead with bent elbows at frames 24 and 59.
    frames = landmark_messages(example("sports2d_demo_landmarks.csv"), SPORTS2D)[:100]
    expected = camera_path(frames, "overhead-reach", "camera-front", "left", 30.0)
    headers = bearer(client, world, "therapist")
    with client.websocket_connect(f"/visits/{world.visit_open}/training/live", headers=headers) as socket:
        socket.send_json(REACH)
        assert socket.receive_json()["type"] == "started"
        seen = _send_frames(socket, frames)
        socket.send_json({"type": "stop"})
        seen += _until(socket, lambda m, s: m["type"] == "summary")
    samples = [m for m in seen if m["type"] == "sample"]
    assert len(samples) == 100 and all(m["server_ms"] is not None for m in samples)
    assert samples[50]["t"] == round(frames[50]["t"], 3) and samples[50]["size"] == list(SPORTS2D)
    assert samples[0]["landmarks"] is None and samples[50]["landmarks"] is not None  # nobody in the first frames
    done = _events(seen, "repetition_completed")
    assert [e["count"] for e in done] == [1, 2]
    assert [e["score"] for e in done] == [e["score"] for e in expected["events"] if e["kind"] == "repetition_completed"]
    cues = [(e["index"], e["cue"]) for e in _events(seen, "fault")]
    assert cues == [(e["index"], e["cue"]) for e in expected["events"] if e["kind"] == "fault"]
    assert [c for _, c in cues] == ["Straighten your elbow as you reach"] * 2
    assert seen[-1]["summary"] == expected["summary"]
    (row,) = _records(client, world, headers)
    assert (row["source"], row["status"], row["repetitions"]) == ("device", "completed", 2)


def test_a_malformed_message_is_refused_by_name_and_the_exercise_goes_on(client: TestClient, world: World,
                                                                         example) -> None:
    frame = next(m for m in landmark_messages(example("sports2d_demo_landmarks.csv"), SPORTS2D) if m["landmarks"])
    headers = bearer(client, world, "therapist")
    with client.websocket_connect(f"/visits/{world.visit_open}/training/live", headers=headers) as socket:
        socket.send_json(REACH)
        assert socket.receive_json()["type"] == "started"
        warnings = []
        for bad in ({**frame, "landmarks": frame["landmarks"][:5]},  # not a whole pose
                    {**frame, "landmarks": [row[:3] for row in frame["landmarks"]]},  # no visibility
                    {**frame, "size": [640]},
                    {**frame, "t": "soon"},
                    {"type": "pain", "score": 11},
                    {"type": "pain", "score": "5"},
                    {"type": "mute", "fault": "bent_elbow", "muted": "yes"},
                    {"type": "dance"},
                    [1, 2, 3]):
            socket.send_json(bad)
            warnings.append(socket.receive_json())
        socket.send_text("{not json")
        warnings.append(socket.receive_json())
        socket.send_bytes(b"\xff\xd8 a camera frame")
        warnings.append(socket.receive_json())
        socket.send_json({"type": "mute", "fault": "no_such_fault"})
        warnings.append(socket.receive_json())
        socket.send_json(frame)
        answer = socket.receive_json()
        socket.send_json({"type": "stop"})
        summary = _until(socket, lambda m, s: m["type"] == "summary")[-1]
    assert all(w["type"] == "warning" for w in warnings), warnings
    said = [w["message"] for w in warnings]
    assert "landmarks: Value error, a pose has 33 landmarks (or none when nobody is seen), not 5" in said[0]
    assert "landmarks.0.3: Field required" in said[1]
    assert "size.1: Field required" in said[2]
    assert "Message refused (landmarks): t: Input should be a valid number" in said[3]
    assert "score: Input should be less than or equal to 10" in said[4]
    assert "score: Input should be a valid integer" in said[5]
    assert "muted: Input should be a valid boolean" in said[6]
    assert all("a message is a JSON object with a type (start, pain, mute, stop, landmarks)" in s for s in said[7:10])
    assert said[10] == "This exercise is posed by device; camera frames are not read."
    assert said[11] == "No cue 'no_such_fault' in this exercise."
    assert answer["type"] == "sample" and answer["landmarks"] is not None
    assert summary["status"] == "ended_early" and summary["summary"]["cues_given"] == 0


def test_a_start_that_cannot_be_read_or_run_is_refused_and_the_socket_closed(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    for first, message in [({**REACH, "source": "webcam"},
                            "source: Input should be 'camera', 'recording', 'simulated' or 'device'"),
                           ({**REACH, "side": "middle"}, "side: Input should be 'left' or 'right'"),
                           ({**REACH, "fps": 0}, "fps: Input should be greater than 0"),
                           ({"type": "landmarks", "t": 0, "size": [640, 480], "landmarks": []},
                            "Start the exercise first (a start message), not landmarks."),
                           ({**REACH, "exercise": "two-foot-stance", "monitor": None},
                            "is watched by a force plate, not a camera.")]:
        refused_at_start(client, f"/visits/{world.visit_open}/training/live", headers, first, message, 4422)
    assert _records(client, world, headers) == []
