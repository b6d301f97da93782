"""`reeducate run --workers 2` on PostgreSQL, as a clinic runs it: two server processes behind one port,
each replaced when it dies, and nothing that matters kept in either.

The demo is seeded into a database of this module's own. Which worker served a request is read from the
kernel, not from the server: the test holds its connection open and asks /proc (psutil) which of the
supervisor's children holds the other end.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import psutil
import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from websockets.sync.client import ClientConnection, connect

from reeducate.clinic import migrate
from reeducate.clinic.db import make_engine, make_session_factory, unit_of_work, utcnow
from reeducate.clinic.demo import DEMO_PASSWORD
from reeducate.clinic.models import Visit
from reeducate.clinic.vocabulary import VisitStatus
from tests.conftest import POSTGRES_URL
from tests.support import require, restore_demo, scratch_database, stopped
from tests.web.browsing import SHOTS
from tests.web.test_serve import _free_port, _wait_healthy

# One xdist worker runs the module, so its two-worker server is started once (make test: --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("web-workers")]

DESK, THERAPIST = "desk@riverside.example", "pt@riverside.example"
#: Dorothy Brown, her episode, and Jordan Rivera (PT) in the seeded demo.
DOROTHY, HER_EPISODE, JORDAN = 10, 10, 2
WORKER_TIMEOUT_S = 90.0


@dataclass(frozen=True)
class Served:
    url: str
    port: int
    supervisor: subprocess.Popen[bytes]
    database_url: str


def workers(supervisor: int) -> set[int]:
    """The supervisor's children that serve requests (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return {int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()}


def served_by(served: Served, local_port: int) -> int:
    """The worker holding the server side of the test's connection from ``local_port``."""
    for pid in workers(served.supervisor.pid):
        with_peer = [c for c in psutil.Process(pid).net_connections("tcp") if c.raddr and c.raddr.port == local_port]
        if with_peer:
            return pid
    raise AssertionError(f"no worker holds the connection from port {local_port}")


def request(served: Served, method: str, path: str, headers: dict[str, str] | None = None,
            body: dict | None = None) -> tuple[int, dict, int]:
    """One request on a new connection: its status, JSON and the worker that served it."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    try:
        connection.connect()
        assert connection.sock is not None
        local_port = connection.sock.getsockname()[1]
        data = None if body is None else json.dumps(body)
        connection.request(method, path, body=data, headers={**(headers or {}), "Content-Type": "application/json"})
        reply = connection.getresponse()
        content = reply.read()
        worker = served_by(served, local_port)  # the connection is still open (keep-alive)
        return reply.status, json.loads(content or b"null"), worker
    finally:
        connection.close()


def log_in(served: Served, email: str) -> tuple[str, int]:
    status, body, worker = request(served, "POST", "/api/v1/auth/login", body={"email": email, "password": DEMO_PASSWORD})
    assert status == 200, body
    return body["token"], worker


def cookie(token: str) -> dict[str, str]:
    """The session as the browser sends it."""
    return {"Cookie": f"reeducate_session={token}"}


def on_each_worker(served: Served, path: str, headers: dict[str, str]) -> dict[int, int]:
    """New connections until both workers have answered ``path`` (a worker just started answers once it has
    loaded the app): each worker's status."""
    answers: dict[int, int] = {}
    deadline = time.monotonic() + WORKER_TIMEOUT_S
    while time.monotonic() < deadline:
        status, _, worker = request(served, "GET", path, headers)
        answers.setdefault(worker, status)
        if answers.keys() == workers(served.supervisor.pid):
            return answers
    raise AssertionError(f"only workers {sorted(answers)} answered within {WORKER_TIMEOUT_S:.0f} s")


def kill_and_wait_for_replacement(served: Served, worker: int) -> int:
    """SIGKILL ``worker`` (as the out-of-memory killer would) and wait for the supervisor's new one."""
    others = workers(served.supervisor.pid) - {worker}
    os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + WORKER_TIMEOUT_S
    while time.monotonic() < deadline:
        now = workers(served.supervisor.pid)
        if worker not in now and len(now) == 2:
            (new,) = now - others
            _wait_healthy(served.url)
            return new
        time.sleep(0.2)
    raise AssertionError(f"worker {worker} was not replaced within {WORKER_TIMEOUT_S:.0f} s")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, demo_home: Path) -> Iterator[Served]:
    """`reeducate run --workers 2` on a free port, on a PostgreSQL database of its own holding the run's demo."""
    require(bool(POSTGRES_URL), "PostgreSQL",
            "set REEDUCATE_TEST_POSTGRES_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with scratch_database(POSTGRES_URL, f"reeducate_workers_{os.getpid()}") as database_url:
        home = tmp_path_factory.mktemp("workers-home")
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        engine.dispose()
        restore_demo(demo_home, home, database_url)
        shutil.copytree(demo_home / "recordings", home / "recordings")
        port = _free_port()
        env = {**os.environ, "REEDUCATE_HOME": str(home),
               "REEDUCATE_DATABASE_URL": database_url, "REEDUCATE_ENVIRONMENT": "development"}
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "reeducate", "run", "--workers", "2", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", timeout_s=300)
            deadline = time.monotonic() + WORKER_TIMEOUT_S
            while len(workers(supervisor.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            yield Served(f"http://127.0.0.1:{port}", port, supervisor, database_url)
        finally:
            stopped(supervisor, 30)


def _weekday_in_six_weeks_at(hour: int) -> str:
    """A weekday six weeks ahead at ``hour`` (the demo's bookings are nearer; the clinic opens 7 to 19)."""
    day = date.today() + timedelta(weeks=6)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time()).replace(hour=hour).isoformat()


async def _book_at_once(served: Served, token: str, starts: str, count: int) -> list[httpx.Response]:
    """``count`` bookings of one slot, each on a connection of its own, all started together."""
    async def book(i: int) -> httpx.Response:
        async with httpx.AsyncClient(timeout=60) as client:  # its own connection: any worker may take it
            return await client.post(f"{served.url}/api/v1/appointments", headers={"Authorization": f"Bearer {token}"},
                                     json={"patient_id": 1 + i % 3, "provider_id": JORDAN, "location_id": 1,
                                           "starts_at": starts, "duration_min": 45})
    return list(await asyncio.gather(*(book(i) for i in range(count))))


def test_requests_land_on_both_workers_and_a_race_for_one_slot_across_them_books_it_once(served: Served) -> None:
    token, _ = log_in(served, DESK)
    assert set(on_each_worker(served, "/api/v1/patients", cookie(token)).values()) == {200}
    replies = asyncio.run(_book_at_once(served, token, _weekday_in_six_weeks_at(17), 12))
    assert Counter(r.status_code for r in replies) == {201: 1, 409: 11}, [r.text for r in replies]
    assert len(workers(served.supervisor.pid)) == 2


def test_a_log_in_made_on_one_worker_works_on_the_other_and_survives_killing_it(served: Served) -> None:
    token, logged_in_on = log_in(served, THERAPIST)
    assert set(on_each_worker(served, "/api/v1/patients", cookie(token)).values()) == {200}
    replacement = kill_and_wait_for_replacement(served, logged_in_on)
    answers = on_each_worker(served, "/api/v1/patients", cookie(token))
    assert replacement in answers and set(answers.values()) == {200}


def _checked_in_visit(served: Served) -> int:
    """Dorothy Brown checked in for a visit with Jordan Rivera now (written as the check-in writes it:
    checking in through the API needs an appointment today in opening hours, which a night run has not)."""
    engine = make_engine(served.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        visit = Visit(patient_id=DOROTHY, episode_id=HER_EPISODE, clinician_id=JORDAN, status=VisitStatus.CHECKED_IN,
                      checked_in_at=utcnow())
        session.add(visit)
        session.flush()
        visit_id = visit.id
    engine.dispose()
    return visit_id


def _live(served: Served, visit_id: int, token: str) -> ClientConnection:
    return connect(f"ws://127.0.0.1:{served.port}/visits/{visit_id}/training/live",
                   additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=30)


def _saved_repetitions(served: Served, record: int, count: int) -> None:
    """Wait until the record holds ``count`` repetitions: the page hears of one before it is saved (the save
    is off the answer's path), so a worker killed in those milliseconds loses that one repetition."""
    engine = make_engine(served.database_url)
    deadline = time.monotonic() + 10
    with engine.connect() as connection:
        while connection.scalar(text("SELECT repetitions FROM exercise_records WHERE id = :id"), {"id": record}) != count:
            assert time.monotonic() < deadline, f"record {record} never held {count} repetitions"
            time.sleep(0.02)
            connection.rollback()
    engine.dispose()


def _until(socket: ClientConnection, done: str, count: int = 1) -> list[dict]:
    """Messages until ``count`` of kind ``done`` (an event kind or a message type) have come."""
    seen: list[dict] = []
    while sum(1 for m in seen if done in (m["type"], m.get("kind"))) < count:
        seen.append(json.loads(socket.recv(timeout=WORKER_TIMEOUT_S)))
    return seen


def _counts(messages: list[dict]) -> list[int]:
    return [m["count"] for m in messages if m.get("kind") == "repetition_completed"]


def test_a_live_exercise_whose_worker_is_killed_carries_on_on_another_with_its_count_in_one_record(
        served: Served) -> None:
    visit_id = _checked_in_visit(served)
    token, _ = log_in(served, THERAPIST)
    start = {"type": "start", "exercise": "mini-squat", "monitor": "camera-side", "side": "left",
             "source": "simulated", "speed": 1}
    with _live(served, visit_id, token) as socket:
        worker = served_by(served, socket.socket.getsockname()[1])
        socket.send(json.dumps(start))
        before = _until(socket, "repetition_completed", 2)
        record = before[0]["record"]
        _saved_repetitions(served, record, 2)
        os.kill(worker, signal.SIGKILL)  # mid-exercise: the record is left in progress, nobody marks the break
    with _live(served, visit_id, token) as again:  # the page's reconnection, taken by the worker alive
        assert served_by(served, again.socket.getsockname()[1]) != worker
        again.send(json.dumps({**start, "speed": 4, "carry_on": record}))
        rest = _until(again, "summary")
    assert _counts(before) == [1, 2] and rest[0]["type"] == "started" and rest[0]["record"] == record
    assert rest[0]["counted"]["repetitions"] == 2
    after = _counts(rest)
    assert after and after == list(range(3, 3 + len(after)))
    status, rows, _ = request(served, "GET", f"/api/v1/visits/{visit_id}/exercise-records",
                              {"Authorization": f"Bearer {token}"})
    assert status == 200 and len(rows) == 1  # one record, not a second one
    (row,) = rows
    assert (row["id"], row["status"], row["repetitions"]) == (record, "completed", 2 + len(after))
    assert row["summary"]["parts"] == 2 and len(row["summary"]["scores"]) == row["repetitions"]


def _server_sides(served: Served) -> dict[int, set[int]]:
    """Each worker's open connections, by the client's port."""
    return {pid: {c.raddr.port for c in psutil.Process(pid).net_connections("tcp")
                  if c.raddr and c.status == psutil.CONN_ESTABLISHED}
            for pid in workers(served.supervisor.pid)}


def test_the_live_page_reconnects_when_its_worker_is_killed_and_the_count_goes_on(served: Served, browser) -> None:  # type: ignore[no-untyped-def]
    visit_id = _checked_in_visit(served)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{served.url}/login")
    page.get_by_label("E-mail").fill(THERAPIST)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.goto(f"{served.url}/visits/{visit_id}/training")
    page.select_option("select[name=choice]", "mini-squat|camera-side")
    page.select_option("select[name=source]", "simulated")
    page.wait_for_load_state("networkidle")
    before = _server_sides(served)
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#live-count")).to_have_text("2", timeout=60_000)
    after = _server_sides(served)
    (worker,) = [pid for pid in after if after[pid] - before.get(pid, set())]  # the socket opened by Start
    engine = make_engine(served.database_url)
    with engine.connect() as connection:
        record = connection.scalar(text("SELECT id FROM exercise_records WHERE visit_id = :v"), {"v": visit_id})
    engine.dispose()
    _saved_repetitions(served, record, 2)
    os.kill(worker, signal.SIGKILL)
    expect(page.locator("#live-status")).to_contain_text("carried on", timeout=60_000)
    page.wait_for_selector("#live-summary:not([hidden])", timeout=120_000)
    summary = page.inner_text("#live-summary")
    page.screenshot(path=str(SHOTS / "workers-live-carried-on.png"))
    status, rows, _ = request(served, "GET", f"/api/v1/visits/{visit_id}/exercise-records",
                              {"Authorization": f"Bearer {log_in(served, THERAPIST)[0]}"})
    assert status == 200 and len(rows) == 1, rows
    (row,) = rows
    assert (row["id"], row["status"], row["summary"]["parts"]) == (record, "completed", 2)
    assert row["repetitions"] > 2 and f"{row['repetitions']} repetitions" in summary
    assert page.inner_text("#live-count") == str(row["repetitions"])
