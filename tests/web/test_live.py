"""The live session over its WebSocket: the simulated patient counted and cued, a broken connection that
keeps every repetition already counted, a pain stop within one frame, muting, and bad starts refused."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.support import World
from tests.web.conftest import bearer

START = {"type": "start", "exercise": "mini-squat", "monitor": "camera-side", "side": "left",
         "source": "simulated", "speed": 8}


def _until(socket: Any, done: Any) -> list[dict]:
    seen = []
    while True:
        message = socket.receive_json()
        seen.append(message)
        if done(message, seen):
            return seen


def _events(messages: list[dict], kind: str) -> list[dict]:
    return [m for m in messages if m["type"] == "event" and m["kind"] == kind]


def _records(client: TestClient, world: World, headers: dict) -> list[dict]:
    """The visit's exercise records once the server has noticed the socket closing (it ends them then)."""
    deadline = time.monotonic() + 10
    while True:
        rows = client.get(f"/api/v1/visits/{world.visit_open}/exercise-records", headers=headers).json()
        if all(r["status"] != "in_progress" for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_a_broken_connection_keeps_every_repetition_already_counted(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    with client.websocket_connect(f"/visits/{world.visit_open}/training/live", headers=headers) as socket:
        socket.send_json(START)
        seen = _until(socket, lambda m, s: len(_events(s, "repetition_completed")) == 2)
    # The socket is gone mid-exercise (3 of 5 simulated squats still to come).
    assert seen[0]["type"] == "started" and seen[0]["exercise"]["faults"] == [
        {"fault": "trunk_lean", "cue": "Keep your chest up"}]
    assert [e["count"] for e in _events(seen, "repetition_completed")] == [1, 2]
    assert [e["cue"] for e in _events(seen, "fault")] == ["Keep your chest up"]  # squat 2 leans
    (row,) = _records(client, world, headers)
    assert row["status"] == "interrupted" and row["repetitions"] == 2
    assert row["summary"]["scores"] == [e["score"] for e in _events(seen, "repetition_completed")]


def test_pain_stops_the_exercise_before_the_next_frame_and_is_kept(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    with client.websocket_connect(f"/visits/{world.visit_open}/training/live", headers=headers) as socket:
        socket.send_json(START)
        seen = _until(socket, lambda m, s: len(_events(s, "repetition_completed")) == 1)
        socket.send_json({"type": "pain", "score": 5, "by": "therapist"})
        after = _until(socket, lambda m, s: m["type"] == "summary")
    (stop,) = _events(after, "stopped_for_pain")
    samples = [m["index"] for m in seen + after if m["type"] == "sample"]
    assert stop["index"] == max(samples)  # nothing after the frame the report arrived in was looked at
    assert (stop["pain"], stop["severe"], stop["regress"]) == (5, False, True)
    assert not [m for m in after if m["type"] == "locked"]
    (row,) = _records(client, world, headers)
    assert (row["status"], row["pain_score"], row["pain_reported_by"], row["repetitions"]) == (
        "stopped_for_pain", 5, "therapist", 1)


def test_a_muted_cue_is_not_said_but_the_fault_is_counted(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    with client.websocket_connect(f"/visits/{world.visit_open}/training/live", headers=headers) as socket:
        socket.send_json(START)
        socket.send_json({"type": "mute", "fault": "trunk_lean", "muted": True})
        seen = _until(socket, lambda m, s: m["type"] == "summary")
    assert {"type": "muted", "fault": "trunk_lean", "muted": True} in seen
    assert _events(seen, "fault") == []
    summary = seen[-1]["summary"]
    assert (summary["repetitions"], summary["faults"], seen[-1]["status"]) == (5, {"trunk_lean": 1}, "completed")


def test_a_bad_start_is_refused_with_the_reason(client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    for start, message, code in [({**START, "exercise": "mini-sqaut"}, "No exercise 'mini-sqaut'", 4422),
                                 ({**START, "source": "recording", "recording": "movement:999999"},
                                  "No movement recording", 4404),
                                 ({**START, "exercise": "two-foot-stance", "monitor": None, "source": "camera"},
                                  "watched by a force plate, not a camera", 4422)]:
        refused_at_start(client, f"/visits/{world.visit_open}/training/live", headers, start, message, code)
    assert _records(client, world, headers) == []  # a refused start leaves no exercise behind


def refused_at_start(client: TestClient, path: str, headers: dict[str, str], first: dict[str, Any], message: str,
                     code: int) -> None:
    """``first`` sent on a new socket is answered by an error naming ``message``, then the socket closes with ``code``."""
    with client.websocket_connect(path, headers=headers) as socket:
        socket.send_json(first)
        reply = socket.receive_json()
        assert reply["type"] == "error" and message in reply["message"], reply
        try:
            socket.receive_json()
            raise AssertionError("the socket stayed open")
        except WebSocketDisconnect as closed:
            assert closed.code == code


def test_a_socket_opened_from_another_site_with_the_cookie_is_refused(client: TestClient, world: World) -> None:
    from tests.web.conftest import browser_login

    browser_login(client, world, "therapist")
    with client.websocket_connect(f"/visits/{world.visit_open}/training/live",
                                  headers={"origin": "https://evil.example"}) as socket:
        assert socket.receive_json()["type"] == "error"


@pytest.mark.slow
def test_camera_frames_are_posed_answered_one_by_one_and_cued(client: TestClient, world: World, example) -> None:
    # The Sports2D clip's first jumping jack sent as a browser sends it: JPEG frames, one per answer.
    import cv2

    from reeducate.signals.pose.video import frames

    headers = bearer(client, world, "therapist")
    pictures = [cv2.resize(cv2.cvtColor(f, cv2.COLOR_RGB2BGR), (640, 360))
                for _, f in zip(range(45), frames(example("sports2d_demo.mp4")), strict=False)]
    with client.websocket_connect(f"/visits/{world.visit_open}/training/live", headers=headers) as socket:
        socket.send_json({**START, "exercise": "overhead-reach", "monitor": "camera-front", "source": "camera",
                          "fps": 30})
        assert socket.receive_json()["type"] == "started"
        seen: list[dict] = []
        for picture in pictures:
            socket.send_bytes(cv2.imencode(".jpg", picture)[1].tobytes())
            seen += _until(socket, lambda m, s: m["type"] == "sample")
        socket.send_bytes(b"not a jpeg")
        seen += _until(socket, lambda m, s: m["type"] == "warning")
        socket.send_json({"type": "stop"})
        seen += _until(socket, lambda m, s: m["type"] == "summary")
    samples = [m for m in seen if m["type"] == "sample"]
    assert len(samples) == 45 and all("server_ms" in m for m in samples)
    assert sum(m["landmarks"] is not None for m in samples) >= 38  # nobody is found in the first frames and samples[-1]["size"] == [640, 360]
    assert [e["cue"] for e in _events(seen, "fault")] == ["Straighten your elbow as you reach"]
    assert seen[-1]["summary"]["repetitions"] == 1
