"""The server side of the load benchmarks: the demo clinic seeded and `reeducate run` serving it (this
checkout's code or an older checkout's, ``source``), a separate `reeducate worker`, a scratch PostgreSQL
database, and the CPU time a process and its children used.

Shared by morning.py (the Locust scenario) and pages.py (every page's time).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

#: The simulated users share a few accounts and one address and log in at once: a log-in in progress counts
#: as a failure until its password is checked, so the lock-outs (against guessers) are lifted.
LOAD_ENVIRONMENT = {"REEDUCATE_ENVIRONMENT": "development", "REEDUCATE_LOGIN_MAX_FAILURES": "100000",
                    "REEDUCATE_LOGIN_MAX_FAILURES_PER_IP": "100000"}


@dataclass(frozen=True)
class Served:
    """A running server: its base URL and the process id of `reeducate run` (its workers are children)."""

    url: str
    pid: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(database_url: str, home: Path, source: Path | None, **extra: str) -> dict[str, str]:
    """The environment of a `reeducate` command on ``database_url`` with its files under ``home``, running the
    code of ``source`` (a ``src`` folder) when given."""
    env = {**os.environ, **LOAD_ENVIRONMENT, "REEDUCATE_HOME": str(home), "REEDUCATE_DATABASE_URL": database_url,
           **extra}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    return env


def reeducate(*arguments: str) -> list[str]:
    """The command line of `reeducate ARGUMENTS` with this interpreter (the code is chosen by PYTHONPATH)."""
    return [sys.executable, "-m", "reeducate", *arguments]


def has_command(source: Path | None, *words: str) -> bool:
    """Whether the code of ``source`` knows `reeducate WORDS` (a command, or a command and one of its
    options): older checkouts lack the job workers and the web workers, and the runner then leaves them out."""
    *command, last = words
    env = {**os.environ, **({"PYTHONPATH": str(source)} if source else {})}
    shown = subprocess.run(reeducate(*command, "--help"), env=env, capture_output=True, text=True)
    return shown.returncode == 0 and last in shown.stdout


def seed(database_url: str, home: Path, source: Path | None) -> None:
    """`reeducate demo`: migrate ``database_url`` and seed the demo clinic in it."""
    done = subprocess.run(reeducate("demo"), env=environment(database_url, home, source), capture_output=True,
                          text=True)
    if done.returncode:
        raise RuntimeError(f"`reeducate demo` failed on {database_url}:\n{done.stderr[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def serving(database_url: str, home: Path, source: Path | None, run_options: Sequence[str] = (),
            **extra_env: str) -> Iterator[Served]:
    """`reeducate run RUN_OPTIONS` on a free port until the block ends, once it answers its health check."""
    port = free_port()
    process = subprocess.Popen(reeducate("run", "--port", str(port), *run_options),
                               env=environment(database_url, home, source, **extra_env),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"`reeducate run {' '.join(run_options)}` did not start on {database_url}")
            time.sleep(0.3)
        yield Served(url, process.pid)
    finally:
        _stop(process)


@contextmanager
def job_worker(database_url: str, home: Path, source: Path | None, options: Sequence[str] = (),
               **extra_env: str) -> Iterator[int]:
    """A separate `reeducate worker OPTIONS` (a job machine of its own) until the block ends; its process id."""
    process = subprocess.Popen(reeducate("worker", *options), env=environment(database_url, home, source, **extra_env),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        if process.poll() is not None:
            raise RuntimeError(f"`reeducate worker` stopped at once (exit {process.returncode}) on {database_url}")
        yield process.pid
    finally:
        _stop(process)


@contextmanager
def postgres_database(server_url: str, name: str) -> Iterator[str]:
    """A fresh database ``name`` on the server of ``server_url`` (dropped at the end); its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def cpu_seconds(*pids: int) -> float:
    """User + system CPU time (s) so far of the processes ``pids`` and all their descendants, from /proc
    (Linux only); with the time of the children they have reaped, so that one that ended (a reader process,
    a restarted worker) still counts."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = sum(int(value) for value in fields[11:15]) / tick  # utime stime cutime cstime
    family, grew = set(pids), True
    while grew:
        more = {child for child, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sum(times.get(member, 0.0) for member in family)
