"""The patient's guided home session over its WebSocket: their own prescribed exercise, posed on their
device, counted and cued by the clinic's engine and kept as a guided home session; severe pain ends it
with plain advice and a flag for the therapist; nobody else may open it."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import HomeSession, User
from reeducate.clinic.services import home_programmes
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.vocabulary import HomeSessionKind
from tests.support import NOW, World
from tests.web.conftest import bearer, refusal
from tests.web.test_live import _events, _until
from tests.web.test_live_device import SPORTS2D, _send_frames, landmark_messages

REACH = {"exercise_id": "overhead-reach", "monitor": "camera-front", "side": "left", "sets": 2, "reps": 10,
         "weekdays": [1, 2, 3, 4, 5, 6, 7]}
START = {"type": "start", "source": "device", "fps": 30}


def prescribe(engine: Engine, world: World, reason: str = "", **item: Any) -> int:
    """The therapist prescribes the patient one home exercise from today (overhead reach unless told; a
    new version says why); its item's id."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        version = home_programmes.prescribe(session, therapist, world.episode, HomeProgrammeInput(
            starts_on=NOW.date(), change_reason=reason, items=[HomeItemInput.model_validate({**REACH, **item})]))
        return version.items[0].id


def home_sessions(engine: Engine) -> list[HomeSession]:
    """Every home session once the server has ended them (it may finish writing after the socket)."""
    deadline = time.monotonic() + 10
    while True:
        with make_session_factory(engine)() as session:
            rows = list(session.scalars(select(HomeSession).order_by(HomeSession.id)))
            session.expunge_all()
        if all(r.status != "in_progress" for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_the_patient_is_counted_cued_and_stopped_by_severe_pain_with_advice_and_a_flag(
        client: TestClient, world: World, world_engine: Engine, example) -> None:
    item = prescribe(world_engine, world)
    frames = landmark_messages(example("sports2d_demo_landmarks.csv"), SPORTS2D)[:100]
    with client.websocket_connect(f"/portal/today/{item}/live", headers=bearer(client, world, "patient")) as socket:
        socket.send_json({**START, "exercise": "mini-squat"})  # the item decides, not the page
        started = socket.receive_json()
        seen = _send_frames(socket, frames)
        socket.send_json({"type": "pain", "score": 8})
        after = _until(socket, lambda m, s: m["type"] == "summary")
    assert started["type"] == "started" and started["exercise"]["name"] == "Overhead reach"
    assert (started["exercise"]["reps_per_set"], started["exercise"]["sets"]) == (10, 2)
    assert [e["count"] for e in _events(seen, "repetition_completed")] == [1, 2]
    assert [e["cue"] for e in _events(seen, "fault")] == ["Straighten your elbow as you reach"] * 2
    (stop,) = _events(after, "stopped_for_pain")
    assert (stop["pain"], stop["severe"], stop["reported_by"]) == (8, True, "patient")
    (advice,) = [m["message"] for m in after if m["type"] == "locked"]
    assert "stop now and rest" in advice and "call them today" in advice and "call 911" in advice
    assert after[-1]["status"] == "stopped_for_pain"
    (row,) = home_sessions(world_engine)
    assert (row.kind, row.status, row.repetitions, row.pain_score, row.flagged) == (
        HomeSessionKind.GUIDED, "stopped_for_pain", 2, 8, True)
    assert row.id == started["record"] and row.prescribed == {"sets": 2, "reps": 10, "hold_s": None}


def test_a_broken_connection_keeps_the_repetitions_and_mild_pain_is_not_flagged(
        client: TestClient, world: World, world_engine: Engine, example) -> None:
    item = prescribe(world_engine, world)
    frames = landmark_messages(example("sports2d_demo_landmarks.csv"), SPORTS2D)[:50]
    headers = bearer(client, world, "patient")
    with client.websocket_connect(f"/portal/today/{item}/live", headers=headers) as socket:
        socket.send_json(START)
        socket.receive_json()
        _send_frames(socket, frames)  # one reach done, then the phone loses its connection
    with client.websocket_connect(f"/portal/today/{item}/live", headers=headers) as socket:
        socket.send_json(START)
        socket.receive_json()
        socket.send_json({"type": "pain", "score": 4})
        after = _until(socket, lambda m, s: m["type"] == "summary")
    assert not [m for m in after if m["type"] == "locked"]
    first, second = home_sessions(world_engine)
    assert (first.status, first.repetitions, first.flagged) == ("interrupted", 1, False)
    assert (second.status, second.pain_score, second.flagged) == ("stopped_for_pain", 4, False)


def _refused(client: TestClient, path: str, headers: dict[str, str], start: dict[str, Any]) -> tuple[dict, int]:
    with client.websocket_connect(path, headers=headers) as socket:
        socket.send_json(start)
        return refusal(socket)


def test_another_patient_staff_and_the_camera_source_are_refused(client: TestClient, world: World,
                                                                   world_engine: Engine) -> None:
    item = prescribe(world_engine, world)
    path = f"/portal/today/{item}/live"
    reply, code = _refused(client, path, bearer(client, world, "other_patient"), START)
    assert (reply["type"], code) == ("error", 4404) and "Quennell" not in reply["message"]
    reply, code = _refused(client, path, bearer(client, world, "therapist"), START)
    assert (reply["type"], code) == ("error", 4403) and "the patient's own" in reply["message"]
    reply, code = _refused(client, path, bearer(client, world, "patient"), {**START, "source": "camera"})
    assert (reply, code) == ({"type": "error", "message": "This session takes device as its source, not camera."},
                             4422)
    ticked = prescribe(world_engine, world, monitor=None, reason="Ticked only")
    reply, code = _refused(client, f"/portal/today/{ticked}/live", bearer(client, world, "patient"), START)
    assert code == 4422 and "ticked as done at home" in reply["message"]
    assert home_sessions(world_engine) == []
