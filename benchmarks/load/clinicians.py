"""Clinicians at once against `reeducate run`: requests per second, latency and errors, per database.

    make bench      (or: python benchmarks/load/clinicians.py --users 10 50 200 --seconds 15)
    python benchmarks/load/clinicians.py --source /path/to/an/older/checkout/src   # the same load, older code

For each database (the embedded SQLite, and PostgreSQL when ``--postgres`` names a server) the demo
clinic is seeded once; then, for each number of users, a fresh `reeducate run` serves it and that many
clinicians arrive (``--spawn-rate`` a second) and log in, and once all are in they work together for
``--seconds``: each loops over the day's schedule page, the patient list (JSON), a patient's chart
page and their visits (JSON), and registers a new patient every tenth round (a write). A request is
an error when it answers 4xx/5xx or sends nothing back for ``--timeout`` seconds. Printed per run: the
work's completed requests per second, p50/p95/p99 latency (ms) and errors, and the log-ins' p50/p99
and errors (argon2id makes each log-in cost tens of milliseconds of a core, on purpose). Timings are
of this machine, with the load generator on the same two cores as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from reeducate.clinic.demo import DEMO_PASSWORD

CLINICIANS = ("pt@riverside.example", "pta@riverside.example", "dc@riverside.example")


@dataclass
class Tally:
    """Latencies (s) of completed requests and the count of errors, over one run."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    def add(self, started: float, reply: httpx.Response | None, problem: str = "") -> None:
        if reply is not None and reply.status_code < 400:
            self.latencies.append(time.perf_counter() - started)
            return
        self.errors += 1
        self.first_error = self.first_error or problem or f"{reply.status_code if reply else '?'} {reply.request.url if reply else ''}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command(source: Path | None) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "REEDUCATE_ENVIRONMENT": "development"}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    return [sys.executable, "-m", "reeducate"], env


@contextmanager
def serving(database_url: str, home: Path, source: Path | None) -> Iterator[str]:
    """`reeducate run` on a free port until the block ends; its address."""
    command, env = _command(source)
    # The simulated clinicians share three accounts and one address, and log in at once: a log-in in
    # progress counts as a failure until its password is checked, so the lock-outs (for guessers) are lifted.
    env.update(REEDUCATE_HOME=str(home), REEDUCATE_DATABASE_URL=database_url,
               REEDUCATE_LOGIN_MAX_FAILURES="100000", REEDUCATE_LOGIN_MAX_FAILURES_PER_IP="100000")
    port = _free_port()
    process = subprocess.Popen([*command, "run", "--port", str(port)], env=env,
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
                raise RuntimeError(f"`reeducate run` did not start on {database_url}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def seed(database_url: str, home: Path, source: Path | None) -> None:
    command, env = _command(source)
    env.update(REEDUCATE_HOME=str(home), REEDUCATE_DATABASE_URL=database_url)
    subprocess.run([*command, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)


async def _log_in(client: httpx.AsyncClient, email: str, password: str, logins: Tally) -> bool:
    started = time.perf_counter()
    try:
        reply = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    except httpx.HTTPError as error:
        logins.add(started, None, f"log-in: {type(error).__name__}")
        return False
    logins.add(started, reply)
    if reply.status_code == 200:
        client.headers["Authorization"] = f"Bearer {reply.json()['token']}"
    return reply.status_code == 200


async def _get(client: httpx.AsyncClient, path: str, work: Tally) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        reply = await client.get(path)
    except httpx.HTTPError as error:
        work.add(started, None, f"{path}: {type(error).__name__}")
        return None
    work.add(started, reply)
    return reply


async def _register(client: httpx.AsyncClient, rng: random.Random, work: Tally) -> None:
    started = time.perf_counter()
    try:
        reply = await client.post("/api/v1/patients", json={
            "first_name": "Load", "last_name": f"Test{rng.randrange(10**9)}",
            "date_of_birth": "1950-01-01", "sex": "female"})
    except httpx.HTTPError as error:
        work.add(started, None, f"register: {type(error).__name__}")
        return
    work.add(started, reply)


async def clinician(url: str, email: str, password: str, arrive: float, everyone_in: asyncio.Barrier,
                    seconds: float, timeout: float, logins: Tally, work: Tally, rng: random.Random) -> None:
    """Arrive at ``arrive`` and log in; once everyone has, browse and write for ``seconds``."""
    await asyncio.sleep(max(0.0, arrive - time.monotonic()))
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
        logged_in = await _log_in(client, email, password, logins)
        await everyone_in.wait()
        if not logged_in:
            return
        until = time.monotonic() + seconds
        patients: list[int] = []
        round_ = 0
        while time.monotonic() < until:
            round_ += 1
            plan = ["/schedule", "/api/v1/patients"]
            if patients:
                patient = rng.choice(patients)
                plan += [f"/patients/{patient}", f"/api/v1/patients/{patient}/visits"]
            for path in plan:
                if time.monotonic() >= until:
                    return
                reply = await _get(client, path, work)
                if path == "/api/v1/patients" and reply is not None and reply.status_code == 200:
                    patients = [row["id"] for row in reply.json()][:50]
            if round_ % 10 == 0:
                await _register(client, rng, work)


async def run_load(url: str, password: str, users: int, seconds: float, timeout: float,
                   spawn_rate: float) -> tuple[Tally, Tally]:
    """``users`` clinicians arriving ``spawn_rate`` a second and logging in, then, once all are in,
    working together for ``seconds``: the log-ins' tally and the work's."""
    logins, work = Tally(), Tally()
    everyone_in = asyncio.Barrier(users)
    now = time.monotonic()
    await asyncio.gather(*(clinician(url, CLINICIANS[i % len(CLINICIANS)], password, now + i / spawn_rate,
                                     everyone_in, seconds, timeout, logins, work, random.Random(i))
                           for i in range(users)))
    return logins, work


def _ms(values: list[float], share: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]:.0f}"


def report(name: str, users: int, logins: Tally, work: Tally, seconds: float) -> None:
    done = len(work.latencies)
    p50 = f"{1000 * statistics.median(work.latencies):.0f}" if done else "-"
    print(f"{name:<11} {users:>5} {done / seconds:>9.1f} {p50:>7} {_ms(work.latencies, 0.95):>7} "
          f"{_ms(work.latencies, 0.99):>7} {work.errors:>7} {_ms(logins.latencies, 0.5):>9} "
          f"{_ms(logins.latencies, 0.99):>9} {logins.errors:>7}  {work.first_error or logins.first_error}", flush=True)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--seconds", type=float, default=15.0, help="Length of each run (s).")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="The demo log-ins' password (of --source's demo).")
    parser.add_argument("--spawn-rate", type=float, default=20.0, help="Clinicians arriving per second.")
    parser.add_argument("--timeout", type=float, default=10.0, help="A request slower than this is an error (s).")
    parser.add_argument("--postgres", default=os.environ.get("REEDUCATE_TEST_POSTGRES_URL", ""),
                        help="A PostgreSQL server URL to run on too (a database is created and dropped).")
    parser.add_argument("--source", type=Path, help="Serve the code of this src folder instead (e.g. an older checkout).")
    args = parser.parse_args()
    label = f"the code in {args.source}" if args.source else "this checkout"
    print(f"Load: {label}; {args.seconds:.0f} s per run, errors are 4xx/5xx or {args.timeout:.0f} s without an answer")
    print(f"{'':<17} {'--- working together ------------------':<41} {'--- logging in -----------':<26}")
    print(f"{'database':<11} {'users':>5} {'req/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7} "
          f"{'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
    with tempfile.TemporaryDirectory(prefix="reeducate-load-") as folder:
        home = Path(folder)
        databases = [("sqlite", f"sqlite:///{home / 'load.sqlite3'}")]
        with optional_postgres(args.postgres) as postgres:
            if postgres:
                databases.append(("postgresql", postgres))
            for name, url in databases:
                seed(url, home, args.source)
                for users in args.users:
                    with serving(url, home, args.source) as served:
                        logins, work = asyncio.run(run_load(served, args.password, users, args.seconds,
                                                            args.timeout, args.spawn_rate))
                    report(name, users, logins, work, args.seconds)


@contextmanager
def optional_postgres(server_url: str) -> Iterator[str]:
    if not server_url:
        yield ""
        return
    with postgres_database(server_url, f"reeducate_load_{os.getpid()}") as url:
        yield url


if __name__ == "__main__":
    main()
