"""The gate (web/gate.py): no body read before authentication, none larger than the server accepts, and a
bounded number of requests served at once, the rest answered 503 if their turn does not come."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from reeducate.web.gate import RequestGate
from tests.web.conftest import REQUEST_TIMEOUT_S, Served, serving

UPLOAD = "/api/v1/visits/{visit}/balance-trials"


@pytest.fixture
def small(request: pytest.FixtureRequest, engine: Engine, tmp_path: Path) -> Iterator[Served]:
    """The world served with a 1 MB body limit."""
    with serving(engine, request.getfixturevalue(f"{engine.dialect.name}_world"), tmp_path,
                 max_upload_mb=1) as running:
        yield running


def _upload_head(url: str, path: str, length: int, credentials: str = "", wait_s: float = 5.0) -> bytes:
    """Send only the head of a multipart upload of ``length`` bytes on a raw socket (no byte of the body);
    what the server answers within ``wait_s`` (nothing, if it waits for the body)."""
    parts = urlsplit(url)
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\n{credentials}Content-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {length}\r\n\r\n")
    with socket.create_connection((parts.hostname, parts.port), timeout=wait_s) as sock:
        sock.sendall(head.encode())
        try:
            return sock.recv(4096)
        except TimeoutError:
            return b""


def test_an_upload_without_a_session_is_refused_before_its_body_is_read(served: Served) -> None:
    """The head announces 1 GB and no byte of it is sent: the answer must not wait for it."""
    answer = _upload_head(served.url, UPLOAD.format(visit=served.world.visit_open), 2**30)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b"Log in first" in answer


def test_a_stale_cookie_is_refused_before_the_body_and_a_page_is_sent_to_log_in(served: Served) -> None:
    answer = _upload_head(served.url, f"/visits/{served.world.visit_open}/balance", 2**30,
                          "Cookie: reeducate_session=expired-or-made-up\r\n")
    assert answer.startswith(b"HTTP/1.1 303"), answer[:200]
    assert b"location: /login?next=/visits/" in answer.lower()


def test_a_body_declared_over_the_limit_is_refused_before_it_is_read(small: Served) -> None:
    answer = _upload_head(small.url, UPLOAD.format(visit=small.world.visit_open), 5 * 2**20,
                          f"Authorization: Bearer {small.token('therapist')}\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"larger than the 1 MB" in answer


def test_a_body_without_a_length_is_counted_and_cut_off_at_the_limit(small: Served) -> None:
    token = small.token("therapist")
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"t.csv\"\r\n\r\n"
        for _ in range(40):  # 40 x 64 kB = 2.5 MB, past the 1 MB limit
            sent += 65536
            yield b"0" * 65536

    try:
        reply = httpx.post(small.url + UPLOAD.format(visit=small.world.visit_open), content=chunks(),
                           timeout=REQUEST_TIMEOUT_S, headers={
                               "Authorization": f"Bearer {token}",
                               "Content-Type": "multipart/form-data; boundary=b"})
    except httpx.RemoteProtocolError:  # the server answered and closed while the client still sent
        return
    assert reply.status_code == 413, reply.text


def test_a_post_to_log_in_is_small() -> None:
    async def scenario() -> httpx.Response:
        app = RequestGate(_sleeping_app(), concurrent=4, queue_seconds=1, max_body_bytes=2**30,
                          session_is_live=_never)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
            return await client.post("/login", content=b"x" * 100_000)

    reply = asyncio.run(scenario())
    assert reply.status_code == 413 and "64 kB" in reply.text


async def _never(_token: str) -> bool:
    return False


def _sleeping_app() -> Starlette:
    async def slow(request: Request) -> PlainTextResponse:
        await asyncio.sleep(float(request.query_params.get("s", "0")))
        return PlainTextResponse("done")
    return Starlette(routes=[Route("/{any:path}", slow, methods=["GET", "POST"])])


async def _both(client: httpx.AsyncClient) -> AsyncIterator[httpx.Response]:
    first = asyncio.create_task(client.get("/slow?s=1.0"))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    yield await client.get("/quick")
    assert time.perf_counter() - started < 0.9, "the waiting request was not answered at its deadline"
    yield await first


def test_requests_past_the_concurrency_limit_wait_then_get_503() -> None:
    async def scenario() -> list[httpx.Response]:
        app = RequestGate(_sleeping_app(), concurrent=1, queue_seconds=0.3, max_body_bytes=2**20,
                          session_is_live=_never)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
            return [reply async for reply in _both(client)]

    waited, served = asyncio.run(scenario())
    assert waited.status_code == 503 and waited.headers["retry-after"] == "5"
    assert served.status_code == 200


def test_a_request_whose_turn_comes_in_time_is_served() -> None:
    async def scenario() -> list[httpx.Response]:
        app = RequestGate(_sleeping_app(), concurrent=1, queue_seconds=5, max_body_bytes=2**20,
                          session_is_live=_never)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
            return list(await asyncio.gather(client.get("/a?s=0.3"), client.get("/b?s=0.3")))

    assert [reply.status_code for reply in asyncio.run(scenario())] == [200, 200]
