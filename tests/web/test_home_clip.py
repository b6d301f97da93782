"""Sharing a guided session's clip over HTTP, as the guided page does: the session's id is the socket's
``started`` record; the page posts the clip with its CSRF header and shows the words of a refusal, which come
back on the error page (``.error``) with the refusal's status."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.clinic.test_home_session_clips import WEBM
from tests.support import World
from tests.web.conftest import bearer, browser_login
from tests.web.test_live_home import START, home_sessions, prescribe

CLIP = WEBM + b"\x42" * 4096


def _refusal(page: str) -> str:
    found = re.search(r'<p class="error" role="alert">([^<]*)</p>', page)
    assert found, page[:500]
    return found.group(1).replace("&#39;", "'")


def _ended_session(client: TestClient, world: World, engine: Engine) -> int:
    """The patient's guided overhead reach, started and stopped over its socket: the ``started`` record."""
    item = prescribe(engine, world)
    with client.websocket_connect(f"/portal/today/{item}/live", headers=bearer(client, world, "patient")) as socket:
        socket.send_json(START)
        started = socket.receive_json()
        socket.send_json({"type": "stop"})
        assert socket.receive_json()["type"] == "summary"
    [row] = home_sessions(engine)
    assert started["record"] == row.id
    return row.id


def test_the_patient_shares_the_clip_of_the_session_the_socket_started(client: TestClient, world: World,
                                                                        world_engine: Engine) -> None:
    session_id = _ended_session(client, world, world_engine)
    csrf = {"X-CSRF-Token": browser_login(client, world, "patient")}
    url = f"/portal/home-sessions/{session_id}/clip"

    picture = client.post(url, headers=csrf, files={"clip": ("clip.webm", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)})
    assert picture.status_code == 422
    assert _refusal(picture.text) == "This file is not a video clip (WebM or MP4); share the clip the guided page recorded."
    without = client.post(url, files={"clip": ("clip.webm", CLIP, "video/webm")})
    assert without.status_code == 403  # a cookie's post needs the page's CSRF token

    shared = client.post(url, headers=csrf, files={"clip": ("clip.webm", CLIP, "video/webm")})
    assert shared.status_code == 201 and shared.json() == {"message": "Shared with your therapist."}
    again = client.post(url, headers=csrf, files={"clip": ("clip.webm", CLIP, "video/webm")})
    assert again.status_code == 409
    assert _refusal(again.text) == ("You have already shared a clip of this session with your therapist; "
                                    "one clip a session.")

    other = client.post(url, headers=bearer(client, world, "other_patient"),
                        files={"clip": ("clip.webm", CLIP, "video/webm")})
    assert other.status_code == 404 and _refusal(other.text) == f"No home session {session_id}."

    therapist = bearer(client, world, "therapist")
    download = client.get(f"/home-sessions/{session_id}/clip", headers=therapist)
    assert download.status_code == 200 and download.content == CLIP
    assert download.headers["content-disposition"] == 'attachment; filename="home-session-2026-11-25-overhead-reach.webm"'
    episode = client.get(f"/episodes/{world.episode}", headers=therapist).text
    assert f'<a href="/home-sessions/{session_id}/clip">Clip shared</a>' in episode
