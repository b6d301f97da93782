"""The figure and the printed programme over HTTP: an SVG with its digest as ETag (304 when unchanged),
kept by no browser; the programme as an inline PDF."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.support import World
from tests.web.conftest import bearer
from tests.web.test_authorization import _home_programme


def test_a_figure_is_an_svg_answered_304_when_the_client_has_it(client: TestClient, world: World,
                                                                 world_engine: Engine) -> None:
    _home_programme(world_engine, world)
    patient = bearer(client, world, "patient")
    reply = client.get("/portal/exercises/mini-squat/figure.svg", headers=patient)
    assert reply.status_code == 200 and reply.headers["content-type"] == "image/svg+xml"
    assert reply.headers["cache-control"] == "private, no-store" and "Mini squat" in reply.text
    again = client.get("/portal/exercises/mini-squat/figure.svg",
                       headers={**patient, "If-None-Match": reply.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    staff = client.get("/exercises/mini-squat/figure.svg", headers=bearer(client, world, "therapist"))
    assert staff.headers["etag"] != reply.headers["etag"]  # the clinic's names the angle, the patient's does not
    assert "45°" in staff.text and "°" not in reply.text and "Bend the knees" in reply.text
    assert client.get("/exercises/chin-tuck/figure.svg", headers=bearer(client, world, "therapist")).status_code == 404


@pytest.mark.slow
def test_the_programme_prints_inline_as_a_pdf(client: TestClient, world: World, world_engine: Engine) -> None:
    _home_programme(world_engine, world)
    reply = client.get("/portal/programme.pdf", headers=bearer(client, world, "patient"))
    assert reply.status_code == 200 and reply.content.startswith(b"%PDF")
    assert reply.headers["content-disposition"].startswith('inline; filename="home-programme-')
