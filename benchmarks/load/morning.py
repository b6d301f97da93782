"""A clinic's morning under load (Locust): throughput, latency and errors for 10, 50 and 200 people at once.

    make bench      (or: python benchmarks/load/morning.py --users 10 50 200 --seconds 30)
    python benchmarks/load/morning.py --source /path/to/an/older/checkout/src   # the same morning, older code

The people (morning_users.py: clinicians browsing and writing, the front desk registering and booking,
patients in the portal, live clinic sessions over the WebSocket, and one physical therapist uploading a
clip now and then) work against the demo clinic, seeded fresh, with today's booked appointments checked in
so that the clinicians have open visits to write in. Three runs:

(a) SQLite, `reeducate run` with its embedded job worker;
(b) PostgreSQL (a scratch database, created and dropped; ``--postgres`` or $REEDUCATE_TEST_POSTGRES_URL names
    the server), `reeducate run --workers N --job-workers 0` and a separate `reeducate worker`, the queue in
    Redis (``--redis``, a database of its own, emptied first);
(c) on (b)'s server, 50 clinicians alone, measured without and then with two clips analysing all along
    (each uploader uploads again when its clip's result is in): the clinicians' p99 both ways.

In (a) and (b) the people arrive ``--spawn-rate`` a second (each logs in), then, once all are in and after
``--settle`` seconds, every request that ends in the next ``--seconds`` is tallied; the same server then
takes the next number of people. A request is an error when it answers 4xx/5xx, fails, or has no answer
after ``--timeout`` seconds; log-ins, the clip's upload and its polling, and the live sessions are counted
in the errors but kept out of the pages' latency (the clips' time to result and the live sessions' start
are shown apart). Printed per number of people: pages per second, p50/p95/p99 (ms) of the pages, errors,
p99 per persona, live sessions, clips, and the CPU of the load generator (Locust, in this process) and of the
server (`reeducate run`, its workers and the job worker), in % of one core, over the window, and the
machine's load average at its end: the generator, and whatever else runs, share the cores with the server,
so read the server's figures with them. Then the three targets,
passed or failed as measured.

Code without background jobs or web workers (``--source`` of an older checkout) is run as it can be:
`reeducate run` alone, and the upload answering once the clip is analysed (that answer is its time to result).
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()  # first, as Locust does: its users are greenlets, sockets and ssl must be gevent's

import argparse
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent
import httpx
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent))

from morning_users import (  # noqa: E402
    CLINICIANS,
    CLIP,
    CLIP_RESULT,
    LIVE,
    LOGIN,
    Clinic,
    Clinician,
    ClinicUser,
    ClipUploader,
    Desk,
    LiveSession,
    Patient,
)
from server import (  # noqa: E402
    cpu_seconds,
    has_command,
    job_worker,
    postgres_database,
    seed,
    serving,
)

from reeducate.clinic.demo import DEMO_PASSWORD  # noqa: E402
from reeducate.example_data import fetch  # noqa: E402

CLIP_FILE = "balancing_cam04.mp4"
"""The shortest registered clip (100 frames, 1.7 s at 60 fps, 1088x1920), a person standing and balancing."""
APART = {LOGIN, CLIP, CLIP_RESULT, LIVE}
"""Personas whose requests stay out of the pages' latency."""
TAG = re.compile(r"<[^>]*>|\{[^}]*\}")
"""HTML tags and the style and script blocks' braces, left out of an error page's text."""
TARGET_P99_MS = 500.0
TARGET_CLIP_RATIO = 1.2


@dataclass
class Window:
    """What ended within one measured window: latencies (ms) per persona, errors, CPU."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    requests: int = 0
    errors: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    first_errors: dict[str, str] = field(default_factory=dict)
    """Per persona, the first error's text."""
    seconds: float = 0.0
    generator_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    load_average: float = 0.0
    """The machine's 1-minute load average at the window's end: others' work on the same cores shows here."""

    def add(self, persona: str, label: str, ms: float, problem: Exception | None, reply: Any) -> None:
        self.requests += 1
        if problem is None:
            self.latencies.setdefault(persona, []).append(ms)
            return
        self.errors += 1
        self.failed[persona] = self.failed.get(persona, 0) + 1
        if persona not in self.first_errors:
            body = " ".join(TAG.sub(" ", getattr(reply, "text", "") or "").split())[:300]
            self.first_errors[persona] = f"{label}: {problem}" + (f" | {body}" if body else "")

    def pages(self) -> list[float]:
        return [ms for persona, values in self.latencies.items() if persona not in APART for ms in values]

    def of(self, persona: str) -> list[float]:
        return self.latencies.get(persona, [])


class Recorder:
    """Every request Locust reports, tallied into the window open at the time (none between windows)."""

    def __init__(self, env: Environment, pids: tuple[int, ...]) -> None:
        self.window: Window | None = None
        self.pids = pids
        env.events.request.add_listener(self._on_request)

    def _on_request(self, request_type: str, name: str, response_time: float, response_length: int,
                    response: Any = None, context: dict[str, str] | None = None, exception: Exception | None = None,
                    **_: Any) -> None:
        if self.window is not None:
            persona = (context or {}).get("persona", "?")
            self.window.add(persona, f"{request_type} {name}", response_time, exception, response)

    def measure(self, seconds: float) -> Window:
        window = Window()
        generator, server, began = time.process_time(), cpu_seconds(*self.pids), time.perf_counter()
        self.window = window
        gevent.sleep(seconds)
        self.window = None
        window.seconds = time.perf_counter() - began
        window.generator_cpu_s = time.process_time() - generator
        window.server_cpu_s = cpu_seconds(*self.pids) - server
        window.load_average = os.getloadavg()[0]
        return window


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` in 0-1) of ``values``; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


HEADER = (f"{'users':>5} {'pages/s':>8} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>7} {'err %':>6} "
          f"{'clin p99':>8} {'desk p99':>8} {'pat p99':>8} {'live n/err':>10} {'live p99':>8} "
          f"{'clips':>5} {'answer':>7} {'result s':>8} {'gen CPU':>7} {'srv CPU':>7} {'load':>5}")


def row(users: int, w: Window) -> str:
    pages = w.pages()
    clips = w.of(CLIP_RESULT)
    return (f"{users:>5} {len(pages) / w.seconds:>8.1f} {_ms(percentile(pages, .5)):>6} "
            f"{_ms(percentile(pages, .95)):>6} {_ms(percentile(pages, .99)):>6} {w.errors:>7} "
            f"{100 * w.errors / max(1, w.requests):>6.2f} {_ms(percentile(w.of('clinician'), .99)):>8} "
            f"{_ms(percentile(w.of('desk'), .99)):>8} {_ms(percentile(w.of('patient'), .99)):>8} "
            f"{f'{len(w.of(LIVE))}/{w.failed.get(LIVE, 0)}':>10} {_ms(percentile(w.of(LIVE), .99)):>8} {len(clips):>5} "
            f"{_ms(percentile(w.of(CLIP), .5)):>7} "
            f"{'-' if not clips else f'{statistics.median(clips) / 1000:.1f}':>8} "
            f"{100 * w.generator_cpu_s / w.seconds:>6.0f}% {100 * w.server_cpu_s / w.seconds:>6.0f}% "
            f"{w.load_average:>5.1f}")


def print_errors(window: Window) -> None:
    for persona, text in window.first_errors.items():
        print(f"      first error of {persona} ({window.failed[persona]}): {text}", flush=True)


def prepare(url: str, password: str, timeout_s: float, clip_timeout_s: float) -> Clinic:
    """Check in today's booked appointments (as the physical therapist, over the API) and find, for each
    clinician, today's open visits they may record in, and the clinicians' ids for bookings."""
    def logged_in(email: str) -> httpx.Client:
        client = httpx.Client(base_url=url, timeout=60)
        reply = client.post("/api/v1/auth/login", json={"email": email, "password": password})
        reply.raise_for_status()
        client.headers["Authorization"] = f"Bearer {reply.json()['token']}"
        return client

    with ExitStack() as clients:
        staff = {email: logged_in(email) for email in CLINICIANS}
        for client in staff.values():
            clients.callback(client.close)
        pt = staff[CLINICIANS[0]]
        today = pt.get("/api/v1/appointments").raise_for_status().json()
        for appointment in today:
            if appointment["status"] == "booked":
                pt.post("/api/v1/visits", json={"appointment_id": appointment["id"]}).raise_for_status()
        ids = {a["id"] for a in today}
        visits = sorted({v["id"] for pid in {a["patient_id"] for a in today}
                         for v in pt.get(f"/api/v1/patients/{pid}/visits").raise_for_status().json()
                         if v["appointment_id"] in ids and v["status"] != "completed"})
        if not visits:
            raise RuntimeError("The demo clinic has no appointment today to check in (a Sunday?): the clinicians "
                               "would have no visit to write in. Run the benchmark on a day the clinic is open.")
        providers = tuple(p["id"] for p in pt.get("/api/v1/clinicians").raise_for_status().json())
        allowed = {email: tuple(v for v in visits if client.get(f"/api/v1/visits/{v}").status_code == 200)
                   for email, client in staff.items()}
    return Clinic(password=password, visits=allowed, providers=providers, clip_name=CLIP_FILE,
                  clip=fetch(CLIP_FILE).read_bytes(), timeout_s=timeout_s,
                  clip_timeout_s=clip_timeout_s)


def _arrived(env: Environment, users: int, spawn_rate: float, settle_s: float) -> None:
    """Bring the number of people to ``users`` and wait until all have logged in (or given up), then
    ``settle_s`` more: the log-ins' work stays out of the window."""
    assert env.runner is not None
    env.runner.start(users, spawn_rate=spawn_rate)
    deadline = time.monotonic() + users / spawn_rate + 60
    while ClinicUser.arrived < users and time.monotonic() < deadline:
        gevent.sleep(0.5)
    gevent.sleep(settle_s)


def morning(url: str, clinic: Clinic, pids: tuple[int, ...], args: argparse.Namespace) -> list[tuple[int, Window]]:
    """The whole mix at each number of people, one after another on one server."""
    for user_class in (Clinician, Desk, Patient, LiveSession, ClipUploader):
        user_class.clinic = clinic
    env = Environment(user_classes=[Clinician, Desk, Patient, LiveSession, ClipUploader], host=url)
    ClinicUser.arrived = 0
    recorder = Recorder(env, pids)
    env.create_local_runner()
    rows = []
    try:
        for users in args.users:
            _arrived(env, users, args.spawn_rate, args.settle)
            window = recorder.measure(args.seconds)
            rows.append((users, window))
            print(row(users, window), flush=True)
            print_errors(window)
    finally:
        assert env.runner is not None
        env.runner.quit()
    return rows


@dataclass
class ClipComparison:
    without: Window
    during: Window
    results_ms: list[float]

    def ratio(self) -> float | None:
        before, after = percentile(self.without.of("clinician"), .99), percentile(self.during.of("clinician"), .99)
        return None if not before or after is None else after / before


def drained(url: str, limit_s: float = 180.0) -> float:
    """Wait until the server has worked off what earlier users left queued (three log-in pages in a row, each
    answered within half a second: that page takes the thread pool and the database like any other); the
    seconds that took."""
    began, quick = time.monotonic(), 0
    while quick < 3 and time.monotonic() - began < limit_s:
        asked = time.perf_counter()
        try:
            quick = quick + 1 if httpx.get(f"{url}/login", timeout=10).status_code == 200 and \
                time.perf_counter() - asked < 0.5 else 0
        except httpx.HTTPError:
            quick = 0
        gevent.sleep(0.5)
    return time.monotonic() - began


def clips_run(url: str, clinic: Clinic, pids: tuple[int, ...], args: argparse.Namespace) -> ClipComparison:
    """50 clinicians alone, measured without clips, then with two uploaders each keeping a clip analysing;
    begun once the server has drained what the morning's people left queued."""
    print(f"(the server took {drained(url):.0f} s to work off the morning's queue)", flush=True)
    Clinician.clinic = ClipUploader.clinic = clinic
    env = Environment(user_classes=[Clinician], host=url)
    ClinicUser.arrived = 0
    recorder = Recorder(env, pids)
    env.create_local_runner()
    results: list[float] = []
    uploading = True

    def keep_a_clip_analysing() -> None:
        uploader = ClipUploader(env)
        uploader.on_start()
        while uploading:
            results.append(uploader.upload_and_wait())

    try:
        _arrived(env, args.clip_clinicians, args.spawn_rate, args.settle)
        without = recorder.measure(args.seconds)
        uploaders = [gevent.spawn(keep_a_clip_analysing) for _ in range(2)]
        gevent.sleep(2.0)  # both clips sent
        during = recorder.measure(args.seconds)
        uploading = False
        gevent.joinall(uploaders, timeout=300)
    finally:
        assert env.runner is not None
        env.runner.quit()
    return ClipComparison(without, during, results)


@contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    with postgres_database(server_url, f"reeducate_load_{os.getpid()}") as url:
        yield url


def empty_redis(url: str) -> None:
    """Empty the Redis database of ``url`` (the benchmark's own), so no job of an earlier run is left."""
    import redis

    redis.Redis.from_url(url).flushdb()


@dataclass(frozen=True)
class Layout:
    """How a configuration is served: in words, `reeducate run`'s options, the environment of the server and
    of the job worker, and the separate `reeducate worker`'s options (None: no separate worker)."""

    described: str
    run_options: list[str]
    env: dict[str, str]
    worker_options: list[str] | None


def layout(name: str, source: Path | None, args: argparse.Namespace) -> Layout:
    """(a) or (b) as the code of ``source`` can run it: code without job workers or web workers is served by
    `reeducate run` alone (its uploads analysed in the request)."""
    jobs = has_command(source, "worker", "--threads")
    web_workers = has_command(source, "run", "--workers")
    if name == "sqlite":
        return Layout("`reeducate run`" + (" with its embedded job worker" if jobs else " (no background jobs)"),
                      [], {}, None)
    run_options = ["--workers", str(args.web_workers)] if web_workers else []
    if not jobs:
        return Layout(f"`{' '.join(['reeducate run', *run_options])}` (no background jobs)", run_options, {}, None)
    empty_redis(args.redis)
    worker_options = ["--threads", str(args.worker_threads)]
    return Layout(f"`reeducate run {' '.join(run_options + ['--job-workers', '0'])}` + `reeducate worker "
                  f"{' '.join(worker_options)}`, queue {args.redis}"
                  + ("" if web_workers else " (this code has no --workers: one web process)"),
                  run_options + ["--job-workers", "0"], {"REEDUCATE_QUEUE_URL": args.redis}, worker_options)


def run_configuration(name: str, database_url: str, home: Path, args: argparse.Namespace
                      ) -> tuple[list[tuple[int, Window]], ClipComparison | None]:
    """Seed ``database_url``, serve it as the configuration says, run the morning (and on PostgreSQL the clips)."""
    served_as = layout(name, args.source, args)
    print(f"\n({'a' if name == 'sqlite' else 'b'}) {name}: {served_as.described}", flush=True)
    seed(database_url, home, args.source)
    with ExitStack() as stack:
        served = stack.enter_context(serving(database_url, home, args.source, served_as.run_options,
                                             **served_as.env))
        pids = (served.pid,)
        if served_as.worker_options is not None:
            pids += (stack.enter_context(job_worker(database_url, home, args.source, served_as.worker_options,
                                                    **served_as.env)),)
        clinic = prepare(served.url, args.password, args.timeout, args.clip_timeout)
        print(f"open visits today: {len(clinic.visits[CLINICIANS[0]])} (pt), "
              + ", ".join(f"{len(v)} ({e.split('@')[0]})" for e, v in clinic.visits.items() if e != CLINICIANS[0]))
        print(HEADER, flush=True)
        rows = morning(served.url, clinic, pids, args)
        comparison = None
        if name == "postgresql":
            print(f"\n(c) postgresql: {args.clip_clinicians} clinicians alone, without and with two clips "
                  f"({CLIP_FILE}) analysing", flush=True)
            comparison = clips_run(served.url, clinic, pids, args)
            print(HEADER)
            print(row(args.clip_clinicians, comparison.without) + "   without clips")
            print(row(args.clip_clinicians, comparison.during) + "   two clips analysing")
            for w in (comparison.without, comparison.during):
                print_errors(w)
            ratio = comparison.ratio()
            print(f"clips analysed: {len(comparison.results_ms)}, time to result p50 "
                  f"{_ms(percentile(comparison.results_ms, .5))} ms, max {_ms(max(comparison.results_ms, default=None))} ms; "
                  f"clinicians' p99 {_ms(percentile(comparison.without.of('clinician'), .99))} ms without, "
                  f"{_ms(percentile(comparison.during.of('clinician'), .99))} ms with: ratio "
                  f"{'-' if ratio is None else f'{ratio:.2f}'}", flush=True)
    return rows, comparison


def verdicts(results: dict[str, tuple[list[tuple[int, Window]], ClipComparison | None]]) -> list[str]:
    """The three targets, each passed or failed as measured (or not measured)."""
    lines = []
    for name, (rows, _) in results.items():
        at_200 = [w for users, w in rows if users == 200]
        lines.append(f"0 errors at 200 users ({name}): " + (
            "not measured" if not at_200 else f"{'PASS' if at_200[0].errors == 0 else 'FAIL'} "
            f"({at_200[0].errors} errors of {at_200[0].requests})"))
    postgres = results.get("postgresql")
    at_50 = [w for users, w in postgres[0] if users == 50] if postgres else []
    p99 = percentile(at_50[0].pages(), .99) if at_50 else None
    lines.append(f"p99 under {TARGET_P99_MS:.0f} ms at 50 users (postgresql): " + (
        "not measured" if p99 is None else f"{'PASS' if p99 < TARGET_P99_MS else 'FAIL'} ({p99:.0f} ms)"))
    ratio = postgres[1].ratio() if postgres and postgres[1] else None
    lines.append(f"clinicians' p99 within {100 * (TARGET_CLIP_RATIO - 1):.0f} % while two clips analyse: " + (
        "not measured" if ratio is None else f"{'PASS' if ratio <= TARGET_CLIP_RATIO else 'FAIL'} (x{ratio:.2f})"))
    return lines


def stopped_cleanly_on_signals() -> None:
    """Ctrl+C or a TERM stops the benchmark through its ``finally`` blocks (servers stopped, the scratch
    database dropped): under gevent the signal is handled in the hub, so it is thrown into the main greenlet."""
    main = gevent.getcurrent()
    for number in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(number, gevent.kill, main, KeyboardInterrupt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50, 200], help="People at once, in turn.")
    parser.add_argument("--seconds", type=float, default=30.0, help="Each measured window (s).")
    parser.add_argument("--settle", type=float, default=5.0, help="Wait once everyone is in, before measuring (s).")
    parser.add_argument("--spawn-rate", type=float, default=5.0,
                        help="People arriving (and logging in: argon2id, tenths of a second of a core) per second.")
    parser.add_argument("--timeout", type=float, default=10.0, help="A request slower than this is an error (s).")
    parser.add_argument("--clip-timeout", type=float, default=300.0,
                        help="An upload slower than this is an error (s): without background jobs it answers "
                             "once the clip is analysed.")
    parser.add_argument("--clip-clinicians", type=int, default=50, help="Clinicians in the clips run (c).")
    parser.add_argument("--web-workers", type=int, default=2, help="`reeducate run --workers` on PostgreSQL.")
    parser.add_argument("--worker-threads", type=int, default=2,
                        help="`reeducate worker --threads` on PostgreSQL: 2, so that (c)'s two clips analyse at once.")
    parser.add_argument("--postgres", default=os.environ.get("REEDUCATE_TEST_POSTGRES_URL", ""),
                        help="A PostgreSQL server URL for (b) and (c) (a scratch database is created and dropped).")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11",
                        help="The Redis database of (b)'s job queue (emptied first: give one of its own).")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"],
                        help="Which of (a) sqlite and (b)+(c) postgresql to run.")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="The demo log-ins' password (of --source's demo).")
    parser.add_argument("--source", type=Path, help="Serve the code of this src folder instead (e.g. an older checkout).")
    args = parser.parse_args()
    stopped_cleanly_on_signals()
    began = time.monotonic()
    print(f"Morning load: {'the code in ' + str(args.source) if args.source else 'this checkout'}; "
          f"{os.cpu_count()} cores shared by the server and the load generator; think time 2-8 s (staff), "
          f"3-10 s (patients); {args.seconds:.0f} s windows after arriving at {args.spawn_rate:g}/s and "
          f"{args.settle:g} s settling; ms unless said; CPU in % of one core; errors: 4xx/5xx, failures, "
          f"no answer in {args.timeout:g} s")
    results = {}
    with tempfile.TemporaryDirectory(prefix="reeducate-morning-") as folder:
        for name in args.databases:
            home = Path(folder) / name
            home.mkdir()
            if name == "sqlite":
                results[name] = run_configuration(name, f"sqlite:///{home / 'load.sqlite3'}", home, args)
            elif not args.postgres:
                print("\n(b) postgresql: not run (no server: set REEDUCATE_TEST_POSTGRES_URL or --postgres)")
            else:
                with scratch_postgres(args.postgres) as url:
                    results[name] = run_configuration(name, url, home, args)
    print("\nTargets (this machine, shared):")
    for line in verdicts(results):
        print(f"  {line}")
    print(f"(the whole load benchmark took {(time.monotonic() - began) / 60:.1f} min)")


if __name__ == "__main__":
    main()
