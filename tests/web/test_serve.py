"""`reeducate run` as an administrator starts it: a server process that is started again when it dies,
and forwarded headers believed only from the proxies the settings name."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from reeducate.clinic.db import make_engine, make_session_factory
from reeducate.clinic.models import AuditEvent
from reeducate.settings import Settings
from reeducate.web.serve import trusted_proxies
from tests.support import stopped

# One xdist worker runs the module, so its server is started once (make test: --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("web-serve")]

START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout_s:.0f} s")


def _server_process(supervisor: int) -> int:
    """The supervisor's child that serves requests (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    serving = [pid for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert len(serving) == 1, serving
    return int(serving[0])


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory, demo_home: Path
            ) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """`reeducate run --demo` on a free port with its own home folder, a copy of the seeded demo (so
    `--demo` finds its clinic there and serves it at once)."""
    home = tmp_path_factory.mktemp("served-home")
    shutil.copytree(demo_home, home, dirs_exist_ok=True)
    port = _free_port()
    env = {**os.environ, "REEDUCATE_HOME": str(home), "REEDUCATE_ENVIRONMENT": "development"}
    env.pop("REEDUCATE_TRUSTED_PROXIES", None)
    process = subprocess.Popen([sys.executable, "-m", "reeducate", "run", "--demo", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, timeout_s=180)
        yield url, process, home
    finally:
        stopped(process, 20)


def test_a_server_process_that_dies_is_started_again(running: tuple[str, subprocess.Popen[bytes], Path]) -> None:
    url, process, _ = running
    first = _server_process(process.pid)
    os.kill(first, signal.SIGSEGV)  # as a native library's crash would
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and Path(f"/proc/{first}").exists() and \
            b"spawn_main" in Path(f"/proc/{first}/cmdline").read_bytes():
        time.sleep(0.1)
    _wait_healthy(url)
    assert _server_process(process.pid) != first
    assert process.poll() is None


def test_a_forwarded_address_is_not_believed_without_a_named_proxy(
        running: tuple[str, subprocess.Popen[bytes], Path]) -> None:
    url, _, home = running
    reply = httpx.post(f"{url}/api/v1/auth/login", timeout=30, headers={"X-Forwarded-For": "203.0.113.7"},
                       json={"email": "desk@riverside.example", "password": "nobody-guesses-this"})
    assert reply.status_code == 401
    engine = make_engine(f"sqlite:///{home / 'reeducate.sqlite3'}")
    with make_session_factory(engine)() as session:
        addresses = set(session.scalars(select(AuditEvent.ip_address)).all())
    engine.dispose()
    assert "127.0.0.1" in addresses
    assert "203.0.113.7" not in addresses


def test_trusted_proxies_are_read_from_settings() -> None:
    assert trusted_proxies(Settings(trusted_proxies="")) == []
    assert trusted_proxies(Settings(trusted_proxies=" 10.0.0.5, 10.1.0.0/16 ,")) == ["10.0.0.5", "10.1.0.0/16"]
