"""The demo clinic seeded into a new SQLite database with one booked appointment checked in (the visit that
the live-feedback benchmarks train in: feedback_latency.py, load/home_sessions.py), and `reeducate run`
serving it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DATABASE = "bench.sqlite3"
"""The seeded database's file name in its folder (its recordings beside it)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(folder: Path) -> Iterator[tuple[str, int]]:
    """`reeducate run` (uvicorn) on ``folder``'s seeded database until the block ends, answering its health
    check: its ``host:port`` and process id."""
    port = _free_port()
    env = {**os.environ, "REEDUCATE_DATABASE_URL": f"sqlite:///{folder / DATABASE}",
           "REEDUCATE_RECORDINGS_DIR": str(folder / "recordings"), "REEDUCATE_HOME": str(folder)}
    server = subprocess.Popen([sys.executable, "-m", "reeducate", "run", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        host = f"127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://{host}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield host, server.pid
    finally:
        server.terminate()
        server.wait(timeout=20)


def seed_with_visit(database: Path) -> int:
    """Seed the demo clinic into ``database`` (its recordings beside it) and check in its first booked
    appointment; the visit's id."""
    from sqlalchemy import select

    from reeducate.clinic import migrate
    from reeducate.clinic.access import Actor
    from reeducate.clinic.db import make_engine, make_session_factory, unit_of_work
    from reeducate.clinic.demo import seed_demo
    from reeducate.clinic.models import Appointment, User
    from reeducate.clinic.recording_store import RecordingStore
    from reeducate.clinic.services import visits
    from reeducate.clinic.vocabulary import AppointmentStatus, Role

    engine = make_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        seed_demo(session, RecordingStore(database.parent / "recordings"))
    with unit_of_work(factory) as session:
        booked = session.scalars(select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)
                                 .order_by(Appointment.starts_at)).first()
        desk = session.scalars(select(User).where(User.role == Role.FRONT_DESK)).first()
        assert booked is not None and desk is not None, "the demo clinic has no booked appointment"
        visit_id = visits.check_in(session, Actor.of(desk), booked.id, now=booked.starts_at).id
    engine.dispose()
    return visit_id
