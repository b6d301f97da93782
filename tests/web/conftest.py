"""A test client on the world database, and log-ins for each persona.

One app serves every web test (FastAPI builds a route's dependencies on the first request that
reaches it, once per app: a new app per test spent most of each test doing that). Its database is
given back, page for page, before each test, so no test sees what another one wrote.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from starlette.types import ASGIApp
from starlette.websockets import WebSocketDisconnect

from reeducate.clinic.db import make_engine
from reeducate.settings import Settings
from reeducate.web.app import create_app
from tests.support import PASSWORD, StoredWorld, World, copy_sqlite
from tests.web.browsing import CHROMIUM_ARGS, SHOTS, chromium

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def settings_for_tests(tmp_path: Path, **overrides: object) -> Settings:
    """The "test" environment (treated as production is: docs behind log-in, HSTS) unless overridden; jobs run
    at once in the process that queues them (a test of the job workers names its own queue)."""
    return Settings(**{"environment": "test", "secret_key": TEST_SECRET, "home": tmp_path, "queue_url": "immediate",
                       **overrides})


class Site:
    """The app and its test client on one SQLite database, for the whole run."""

    def __init__(self, folder: Path, world: World) -> None:
        self.database = folder / "world.sqlite3"
        self.engine = make_engine(f"sqlite:///{self.database}")
        settings = settings_for_tests(folder, recordings_dir=Path(world.recordings_dir))
        self.client = TestClient(create_app(settings, self.engine), base_url="http://testserver",
                                 follow_redirects=False)

    def reset(self, template: Path) -> TestClient:
        """The database as ``template`` holds it, and the client without cookies, once no request of
        the last test still holds a connection (a live session may finish writing after its socket)."""
        deadline = time.monotonic() + 10
        while self.engine.pool.checkedout():  # type: ignore[attr-defined]
            assert time.monotonic() < deadline, "a request of the last test still holds the database"
            time.sleep(0.01)
        copy_sqlite(template, self.database)
        self.client.cookies.clear()
        return self.client

    def save(self, template: Path) -> None:
        """Keep the database as it is now in ``template``."""
        copy_sqlite(self.database, template)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_templates: tuple[Path, Path, World]) -> Iterator[Site]:
    shared = Site(tmp_path_factory.mktemp("site"), sqlite_templates[2])
    with shared.client:
        yield shared
    shared.engine.dispose()


@pytest.fixture
def world_engine(site: Site, sqlite_templates: tuple[Path, Path, World]) -> Engine:
    """The world's database as built, for this test alone: the one the shared app serves."""
    site.reset(sqlite_templates[1])
    return site.engine


@pytest.fixture
def client(site: Site, world_engine: Engine, frozen: None) -> TestClient:
    return site.client


def bearer(client: TestClient, world: World, persona: str) -> dict[str, str]:
    """Authorization headers for ``persona`` (log-in through the API)."""
    response = client.post("/api/v1/auth/login", json={"email": world.emails[persona], "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def finished_job(client: TestClient, headers: dict[str, str], queued: Response) -> dict[str, Any]:
    """The job an upload answered with (202), as it stands once run (the tests' queue runs it at once)."""
    assert queued.status_code == 202, queued.text
    job = client.get(f"/api/v1/jobs/{queued.json()['id']}", headers=headers)
    assert job.status_code == 200, job.text
    found: dict[str, Any] = job.json()
    return found


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


#: Longest any single request to a served app may take in the tests (s): a frozen server fails, not hangs.
REQUEST_TIMEOUT_S = 30.0


@dataclass
class Served:
    """A running server on a copy of the world: its address and the world's ids."""

    url: str
    world: World

    def token(self, persona: str) -> str:
        reply = httpx.post(f"{self.url}/api/v1/auth/login", timeout=REQUEST_TIMEOUT_S,
                           json={"email": self.world.emails[persona], "password": PASSWORD})
        reply.raise_for_status()
        return str(reply.json()["token"])


def _free_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def uvicorn_serving(app: ASGIApp, **config: object) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port, in a thread of this process; yields its URL."""
    sock = _free_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", **config))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    host, port = sock.getsockname()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def serving(engine: Engine, stored: StoredWorld, home: Path, **settings: object) -> Iterator[Served]:
    """The app on a copy of the world in ``engine``'s database, served by uvicorn in a thread."""
    stored.copy_into(engine)
    app = create_app(settings_for_tests(home, recordings_dir=stored.recordings, **settings), engine)
    with uvicorn_serving(app, lifespan="off") as url:
        yield Served(url, stored.world)


@pytest.fixture
def served(request: pytest.FixtureRequest, engine: Engine, tmp_path: Path) -> Iterator[Served]:
    """The app on the world in SQLite and in PostgreSQL (``engine``'s parameters), really served."""
    with serving(engine, request.getfixturevalue(f"{engine.dialect.name}_world"), tmp_path) as running:
        yield running


@pytest.fixture
def server(world_engine: Engine, world: World, tmp_path: Path, frozen: None) -> Iterator[str]:
    """The app on the world (the shared site's database), really served, for a browser."""
    settings = settings_for_tests(tmp_path, recordings_dir=Path(world.recordings_dir))
    with uvicorn_serving(create_app(settings, world_engine)) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[object]:
    """Chromium, headless, for one test."""
    executable = chromium()
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def refusal(socket: Any) -> tuple[dict[str, Any], int]:
    """A live socket's refusal, read after the page's start: the message and the close code it ended with."""
    reply: dict[str, Any] = socket.receive_json()
    try:
        socket.receive_json()
    except WebSocketDisconnect as closed:
        return reply, closed.code
    raise AssertionError("the socket stayed open")
