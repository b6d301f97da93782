"""A test client on the world database, and log-ins for each persona."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reeducate.settings import Settings
from reeducate.web.app import create_app
from tests.support import PASSWORD, World

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def settings_for_tests(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(environment="test", secret_key=TEST_SECRET, home=tmp_path, **overrides)


@pytest.fixture
def client(world_engine: Engine, world: World, tmp_path: Path, frozen: None) -> Iterator[TestClient]:
    app = create_app(settings_for_tests(tmp_path, recordings_dir=Path(world.recordings_dir)), world_engine)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as test_client:
        yield test_client


def bearer(client: TestClient, world: World, persona: str) -> dict[str, str]:
    """Authorization headers for ``persona`` (log-in through the API)."""
    response = client.post("/api/v1/auth/login", json={"email": world.emails[persona], "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def browser_login(client: TestClient, world: World, persona: str) -> str:
    """Log in through the form like a browser; returns the page's CSRF token."""
    page = client.get("/login")
    token = page.cookies.get("reeducate_login_csrf") or client.cookies.get("reeducate_login_csrf")
    response = client.post("/login", data={"email": world.emails[persona], "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 303, response.text
    home = client.get(response.headers["location"])
    marker = 'name="csrf_token" value="'
    start = home.text.index(marker) + len(marker)
    return home.text[start:home.text.index('"', start)]
