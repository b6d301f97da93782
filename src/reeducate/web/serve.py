"""Serve the app: uvicorn in worker processes sharing one listening socket, each started again if it dies.

A server process can die of something no request handler can catch (a native library crashing, the
kernel's out-of-memory killer); the clinic must not find the front desk's screen dead for the rest of
the day. uvicorn's process supervisor watches its worker, replaces one that died or stopped answering
its health check, and stops cleanly on Ctrl+C or SIGTERM.

Several workers (``reeducate run --workers N``) accept from the same socket, so the kernel hands each new
connection to one of them. Nothing that matters is kept in a worker: log-in sessions, lock-outs, slots,
the running exercises' records and the jobs are in the database, plots and recordings in the home
folder (written atomically), so any worker serves any request and a live exercise carries on on
another worker when its own dies (``web/live.py``). Several workers need PostgreSQL (:func:`sizing`).

Forwarded headers (X-Forwarded-For, -Proto) are believed only from the proxies the settings name:
believed from anyone, they let a client choose the address the log-in limiter counts.

Uploads' analyses and the exercise reminders are the job workers' (`reeducate worker`, started beside
the server by `reeducate run`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reeducate.clinic.db import pool_limit
from reeducate.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

APP_FACTORY = "reeducate.web.serve:served_app"
#: How long the server process may leave the supervisor's health check unanswered before it is taken
#: for hung and replaced (s). uvicorn's 5 s is met by a busy but healthy server on two loaded cores.
HEALTH_CHECK_S = 30


#: PostgreSQL connections `reeducate run` leaves to everything but its web workers: the command line
#: beside it (a backup, `db upgrade`, psql) and a monitoring tool.
LEFT_FOR_OTHERS = 10


class SizingError(ValueError):
    """The workers asked for cannot be served by this database; the message says what to change."""


@dataclass(frozen=True)
class Sizing:
    """How many web workers serve, and how many requests each serves at once: each worker's connection
    pool holds that many connections and half again for bursts (``clinic.db.pool_limit``), so the pools
    of all the workers together stay within what PostgreSQL allows."""

    workers: int
    requests_per_worker: int
    lowered_from: int | None = None  # the setting's value when it had to be lowered to fit

    @property
    def connections(self) -> int:
        """The most database connections the web workers open together."""
        return self.workers * pool_limit(self.requests_per_worker)


def sizing(workers: int, wanted: int, room: int | None, others: int = 0) -> Sizing:
    """The web workers' sizing: ``workers`` processes, each serving at most ``wanted`` requests at once
    (``max_concurrent_requests``) or fewer, so that their pools fit in ``room`` connections (PostgreSQL's
    ``clinic.db.connection_room``) less :data:`LEFT_FOR_OTHERS` and ``others`` (connections other
    processes of this server open, such as job workers). ``room`` None is SQLite: one worker only.

    Raises :class:`SizingError` naming what to change."""
    if workers < 1:
        raise SizingError(f"--workers must be at least 1, not {workers}.")
    if room is None:
        if workers > 1:
            raise SizingError(
                f"--workers {workers} needs PostgreSQL (REEDUCATE_DATABASE_URL=postgresql+psycopg://...). On the "
                "embedded SQLite file every request writes (the audit log) and writers take turns on the file's one "
                "lock, so more processes add waiting, not throughput; one worker hands the turn on at once.")
        return Sizing(1, wanted)
    share = (room - LEFT_FOR_OTHERS - others) // workers
    fitting = max((n for n in range(1, wanted + 1) if pool_limit(n) <= share), default=0)
    if fitting == 0:
        raise SizingError(
            f"PostgreSQL allows {room} connections; with {LEFT_FOR_OTHERS + others} left for other processes, "
            f"{workers} workers get {max(share, 0)} each, fewer than the {pool_limit(1)} a worker needs. Use fewer "
            "workers or raise max_connections in postgresql.conf.")
    return Sizing(workers, fitting, None if fitting == wanted else wanted)


def trusted_proxies(settings: Settings) -> list[str]:
    """The proxy addresses (or networks) named in settings, in order, without blanks."""
    return [address.strip() for address in settings.trusted_proxies.split(",") if address.strip()]


def served_app() -> FastAPI:
    """The app as `reeducate run` serves it: from the environment. (Built in the server process; the web
    stack is imported there, not in the supervisor.)"""
    from reeducate.web.app import create_app

    return create_app()


def serve(settings: Settings, host: str, port: int, workers: Sizing) -> None:
    """Listen on ``host:port`` until stopped with ``workers`` processes; each builds the app from the
    environment, whose REEDUCATE_MAX_CONCURRENT_REQUESTS is set to the sizing's requests per worker."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    os.environ["REEDUCATE_MAX_CONCURRENT_REQUESTS"] = str(workers.requests_per_worker)  # read by each worker
    proxies = trusted_proxies(settings)
    config = uvicorn.Config(
        APP_FACTORY, factory=True, host=host, port=port, workers=workers.workers, log_level="warning",
        proxy_headers=bool(proxies), forwarded_allow_ips=proxies, timeout_worker_healthcheck=HEALTH_CHECK_S,
    )
    Multiprocess(config, sockets=[config.bind_socket()]).run()
