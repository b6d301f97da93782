"""A live exercise whose connection broke is carried on by its page over a new connection (whichever server
process takes it): the same record, the count going on from what was saved, one record in the end; an
old connection that notices its break late writes nothing over the newer one; what cannot be carried on
is refused with the reason. The same for the patient's guided home session."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.support import World
from tests.web.conftest import bearer, refusal
from tests.web.test_live import START, _events, _records, _until
from tests.web.test_live_device import SPORTS2D, _send_frames, landmark_messages
from tests.web.test_live_home import START as HOME_START
from tests.web.test_live_home import home_sessions, prescribe


def _counts(messages: list[dict]) -> list[int]:
    return [e["count"] for e in _events(messages, "repetition_completed")]


def test_an_interrupted_exercise_is_carried_on_with_its_count_kept_in_one_record(
        client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    path = f"/visits/{world.visit_open}/training/live"
    with client.websocket_connect(path, headers=headers) as socket:
        socket.send_json(START)
        first = _until(socket, lambda m, s: len(_events(s, "repetition_completed")) == 2)
    record = first[0]["record"]
    (broken,) = _records(client, world, headers)
    assert (broken["status"], broken["repetitions"]) == ("interrupted", 2)
    with client.websocket_connect(path, headers=headers) as socket:
        socket.send_json({**START, "carry_on": record})
        rest = _until(socket, lambda m, s: m["type"] == "summary")
    started = rest[0]
    assert started["type"] == "started" and started["record"] == record
    assert started["counted"]["repetitions"] == 2 and started["counted"]["scores"] == broken["summary"]["scores"]
    counts = _counts(rest)
    assert counts and counts == list(range(3, 3 + len(counts)))  # the count goes on from 2
    (row,) = _records(client, world, headers)  # one record, not two
    assert row["id"] == record and row["status"] == "completed"
    assert row["repetitions"] == 2 + len(counts) == len(row["summary"]["scores"])
    assert row["summary"]["parts"] == 2
    assert row["active_s"] > broken["active_s"]


def test_an_old_connection_that_notices_its_break_late_does_not_end_the_carried_on_exercise(
        client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    path = f"/visits/{world.visit_open}/training/live"
    with client.websocket_connect(path, headers=headers) as old:
        old.send_json({**START, "speed": 2})
        first = _until(old, lambda m, s: len(_events(s, "repetition_completed")) == 1)
        with client.websocket_connect(path, headers=headers) as new:  # the page reconnected elsewhere
            new.send_json({**START, "carry_on": first[0]["record"]})
            assert new.receive_json()["counted"]["repetitions"] == 1
            told = _until(old, lambda m, s: m["type"] == "error")  # its next save is refused: it stops
            assert "carried on by a newer connection" in told[-1]["message"]
            old.close()
            rest = _until(new, lambda m, s: m["type"] == "summary")
    (row,) = _records(client, world, headers)
    assert row["status"] == rest[-1]["status"] == "completed" and row["summary"]["parts"] == 2
    assert row["repetitions"] == rest[-1]["summary"]["repetitions"]


def test_an_ended_exercise_another_visits_record_and_another_source_are_not_carried_on(
        client: TestClient, world: World) -> None:
    headers = bearer(client, world, "therapist")
    path = f"/visits/{world.visit_open}/training/live"
    with client.websocket_connect(path, headers=headers) as socket:
        socket.send_json(START)
        done = _until(socket, lambda m, s: m["type"] == "summary")
    record = done[0]["record"]
    with client.websocket_connect(path, headers=headers) as socket:
        socket.send_json({**START, "carry_on": record})
        reply, code = refusal(socket)
    assert code == 4409 and "has ended (completed); start it again" in reply["message"]
    with client.websocket_connect(path, headers=headers) as socket:
        socket.send_json({**START, "carry_on": 2**31 - 1})
        reply, code = refusal(socket)
    assert (code, reply["message"]) == (4404, f"No exercise record {2**31 - 1}.")
    with client.websocket_connect(path, headers=headers) as socket:
        socket.send_json(START)
        _until(socket, lambda m, s: len(_events(s, "repetition_completed")) == 1)
        interrupted = socket  # closed here: interrupted
    del interrupted
    (_, broken) = _records(client, world, headers)
    with client.websocket_connect(path, headers=headers) as socket:
        socket.send_json({**START, "source": "camera", "carry_on": broken["id"]})
        reply, code = refusal(socket)
    assert code == 4422 and "was run from simulated, not camera" in reply["message"]
    assert _records(client, world, headers)[-1]["status"] == "interrupted"  # left as it was


def test_the_patients_guided_session_is_carried_on_with_its_count(
        client: TestClient, world: World, world_engine: Engine, example) -> None:
    item = prescribe(world_engine, world)
    frames = landmark_messages(example("sports2d_demo_landmarks.csv"), SPORTS2D)
    headers = bearer(client, world, "patient")
    path = f"/portal/today/{item}/live"
    with client.websocket_connect(path, headers=headers) as socket:
        socket.send_json(HOME_START)
        record = socket.receive_json()["record"]
        before = _send_frames(socket, frames[:50])  # one reach, then the phone's connection breaks
    with client.websocket_connect(path, headers=headers) as socket:
        socket.send_json({**HOME_START, "carry_on": record})
        started = socket.receive_json()
        after = _send_frames(socket, frames[50:100])
        socket.send_json({"type": "stop"})
        end = _until(socket, lambda m, s: m["type"] == "summary")
    assert _counts(before) == [1] and started["record"] == record and started["counted"]["repetitions"] == 1
    assert _counts(after) == [2]
    (row,) = home_sessions(world_engine)
    assert (row.id, row.status, row.repetitions) == (record, "completed", 2) == (
        record, end[-1]["status"], end[-1]["summary"]["repetitions"])

