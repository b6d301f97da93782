"""Server CPU per guided home session (landmarks in) against a clinic camera session (frames in).

    make bench      (or: python benchmarks/load/home_sessions.py --sessions 50 --fps 15 --seconds 30)

The real server (`reeducate run`: uvicorn in its own process, SQLite, the demo clinic with one visit
checked in and one home exercise prescribed to a portal patient) is driven over real WebSockets:

1. home: ``--sessions`` guided home sessions at once on ``/portal/today/{item}/live`` (source
   ``device``), each sending real BlazePose landmark rows (the Sports2D clip's MediaPipe CSV, every
   other row: 15 a second from a 30 fps clip; each session starts at another row) as ``landmarks``
   messages at ``--fps`` without waiting for the answers, as a phone posing on its own does;
2. camera: one clinic session on ``/visits/{id}/training/live`` (source ``camera``) sending the same
   clip's frames as 640x360 JPEGs at ``--fps``, the next when the previous is answered (as the page does),
   posed on the server (MediaPipe BlazePose full).

The server's CPU time (user + system, of its process and any children, read from /proc) is taken over
the window in which every session is sending, and divided by the session-seconds in it: CPU ms per
session-second for each, and their ratio. For the home sessions the answer latency is printed two ways:
the round trip a client sees (landmarks sent to their sample received; the 50 clients share this
machine's cores with the server, so it includes their own waiting) and ``server_ms`` (arrival to answer,
stamped by the server). Linux only (/proc). The idle server's CPU over the same window is subtracted.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import csv
import json
import os
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from websockets.asyncio.client import connect

from reeducate.example_data import fetch
from reeducate.signals.pose.landmarks import LANDMARKS

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from demo_visit import seed_with_visit, serving  # noqa: E402
from server import cpu_seconds  # noqa: E402

EXERCISE = {"exercise": "overhead-reach", "monitor": "camera-front", "side": "left"}
SPORTS2D_PX = (1768, 994)
FRAME_PX = (640, 360)


@dataclass(frozen=True)
class Seeded:
    visit_id: int
    item_id: int
    clinician: str
    patient: str


def seed(database: Path) -> Seeded:
    """The demo clinic, one booked appointment checked in (the clinic's visit), and overhead reach
    prescribed from today to the first portal patient (the home exercise)."""
    from sqlalchemy import select

    from reeducate.clinic.access import Actor
    from reeducate.clinic.db import make_engine, make_session_factory, unit_of_work
    from reeducate.clinic.models import Episode, User
    from reeducate.clinic.services import episodes, home_programmes
    from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
    from reeducate.clinic.vocabulary import Role

    visit_id = seed_with_visit(database)
    engine = make_engine(f"sqlite:///{database}")
    with unit_of_work(make_session_factory(engine)) as session:
        pt = session.scalars(select(User).where(User.role == Role.PHYSICAL_THERAPIST)).first()
        assert pt is not None, "the demo clinic has changed"
        patient = next(u for u in session.scalars(select(User).where(User.role == Role.PATIENT).order_by(User.id))
                       if session.scalars(select(Episode).where(Episode.patient_id == u.patient_id,
                                                                Episode.discharged_on.is_(None))).first())
        episode = session.scalars(select(Episode).where(Episode.patient_id == patient.patient_id,
                                                        Episode.discharged_on.is_(None))).one()
        therapist = Actor.of(pt)
        version = home_programmes.prescribe(session, therapist, episode.id, HomeProgrammeInput(
            starts_on=episodes.clinic_today(session, therapist), change_reason="Benchmark", items=[
                HomeItemInput(exercise_id="overhead-reach", monitor="camera-front", side="left", sets=3, reps=10,
                              weekdays=list(range(1, 8)))]))
        seeded = Seeded(visit_id, version.items[0].id, pt.email, patient.email)
    engine.dispose()
    return seeded


def log_in(base: str, email: str) -> str:
    from reeducate.clinic.demo import DEMO_PASSWORD

    request = urllib.request.Request(f"http://{base}/api/v1/auth/login", method="POST",
                                     data=json.dumps({"email": email, "password": DEMO_PASSWORD}).encode(),
                                     headers={"content-type": "application/json"})
    return str(json.load(urllib.request.urlopen(request))["token"])


def landmark_rows(path: Path, every: int) -> list[str]:
    """Every ``every``-th row of a MediaPipe landmark CSV as the tail of a ``landmarks`` message (its
    picture size and 33 x [x, y, z, visibility], or none), JSON made once: the clients share the cores."""
    rows = []
    with path.open(newline="") as file:
        for k, row in enumerate(csv.DictReader(file)):
            if k % every == 0:
                landmarks = [[float(row[f"{n}_{p}"]) for p in ("x", "y", "z", "vis")]
                             for n in LANDMARKS] if row["detected"] == "1" else []
                rows.append(json.dumps({"size": list(SPORTS2D_PX), "landmarks": landmarks})[1:])
    return rows


def clip_jpegs() -> list[bytes]:
    import cv2

    from reeducate.signals.pose.video import frames

    return [cv2.imencode(".jpg", cv2.cvtColor(cv2.resize(f, FRAME_PX), cv2.COLOR_RGB2BGR),
                         [cv2.IMWRITE_JPEG_QUALITY, 70])[1].tobytes() for f in frames(fetch("sports2d_demo.mp4"))]


@dataclass
class Tally:
    """What the clients saw: round trips and server_ms (ms) of the answers, samples and warnings."""

    round_trip_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    sent_s: list[float] = field(default_factory=list)  # when each answered message was sent, in the window (s)
    sent: int = 0
    warnings: int = 0
    repetitions: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def _open(url: str, token: str, start: dict[str, Any]) -> Any:
    ws = await connect(url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=None,
                       ping_interval=None)  # a busy load generator must not drop its own sessions
    await ws.send(json.dumps(start))
    started = json.loads(await ws.recv())
    if started["type"] != "started":
        raise RuntimeError(f"the session did not start: {started}")
    return ws


async def _finish(ws: Any, tally: Tally, reader: asyncio.Task[None]) -> None:
    await asyncio.sleep(1.0)  # answers still on their way
    await ws.send(json.dumps({"type": "stop"}))
    await asyncio.wait_for(reader, timeout=30)
    await ws.close()


async def _read(ws: Any, sent_at: collections.deque[float], tally: Tally, window: tuple[float, float]) -> None:
    async for text in ws:
        message = json.loads(text)
        if message["type"] == "sample" and sent_at:
            sent = sent_at.popleft()
            if window[0] <= sent < window[1]:
                tally.round_trip_ms.append((time.perf_counter() - sent) * 1000)
                tally.server_ms.append(message["server_ms"])
                tally.sent_s.append(sent - window[0])
        elif message["type"] == "warning":
            tally.warnings += 1
        elif message["type"] == "summary":
            tally.repetitions.append(message["summary"]["repetitions"])
            return


async def home_session(ws: Any, rows: list[str], offset: int, fps: float, window: tuple[float, float],
                       tally: Tally) -> None:
    """One phone, its session started: landmarks at ``fps`` from the window's start to its end, not
    waiting for the answers."""
    try:
        sent_at: collections.deque[float] = collections.deque()
        reader = asyncio.create_task(_read(ws, sent_at, tally, window))
        await asyncio.sleep(max(0.0, window[0] - time.perf_counter()))
        k = 0
        while (due := window[0] + k / fps) < window[1]:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            sent_at.append(time.perf_counter())
            await ws.send(f'{{"type": "landmarks", "t": {k / fps:.4f}, {rows[(offset + k) % len(rows)]}')
            tally.sent += 1
            k += 1
        await _finish(ws, tally, reader)
    except Exception as exc:  # noqa: BLE001  # a benchmark counts what went wrong and goes on
        tally.errors.append(repr(exc))


async def camera_session(url: str, token: str, jpegs: list[bytes], fps: float, window: tuple[float, float],
                         tally: Tally) -> None:
    """The clinic page's camera: a frame at most every 1/fps, the next once the previous is answered."""
    ws = await _open(url, token, {"type": "start", "source": "camera", "fps": fps, **EXERCISE})
    await asyncio.sleep(max(0.0, window[0] - time.perf_counter()))
    k = 0
    while (due := window[0] + k / fps) < window[1]:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        sent = time.perf_counter()
        await ws.send(jpegs[k % len(jpegs)])
        tally.sent += 1
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "sample":
                tally.round_trip_ms.append((time.perf_counter() - sent) * 1000)
                tally.server_ms.append(message["server_ms"])
                break
        k += 1
    await ws.send(json.dumps({"type": "stop"}))
    while (message := json.loads(await ws.recv()))["type"] != "summary":
        pass
    tally.repetitions.append(message["summary"]["repetitions"])
    await ws.close()


async def _measured(pid: int, window: tuple[float, float], work: Any, *, until_done: bool = False
                    ) -> tuple[float, float]:
    """Run ``work`` (a coroutine); the server's CPU seconds from the window's start to its end (or, with
    ``until_done``, until the work is done: every answer of a server running behind counted) and the
    seconds that took."""
    task = asyncio.ensure_future(work)
    await asyncio.sleep(max(0.0, window[0] - time.perf_counter()))
    before, began = cpu_seconds(pid), time.perf_counter()
    if until_done:
        await task
    else:
        await asyncio.sleep(max(0.0, window[1] - time.perf_counter()))
    used, took = cpu_seconds(pid) - before, time.perf_counter() - began
    await task
    return used, took


def _pct(values: list[float]) -> str:
    v = np.asarray(values)
    return f"p50 {np.percentile(v, 50):6.1f} ms · p99 {np.percentile(v, 99):6.1f} ms · n {len(v)}"


async def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="reeducate-home-bench-"))
    seeded = seed(folder / "bench.sqlite3")
    rows = landmark_rows(fetch("sports2d_demo_landmarks.csv"), every=2)
    jpegs = clip_jpegs()[::2]
    with serving(folder) as (base, pid):
        patient, clinician = log_in(base, seeded.patient), log_in(base, seeded.clinician)
        now = time.perf_counter()
        idle, took = await _measured(pid, (now + 0.5, now + 0.5 + args.seconds), asyncio.sleep(0))
        idle_per_s = idle / took
        load = os.getloadavg()[0]
        clients_cpu = time.process_time()

        home = Tally()
        url = f"ws://{base}/portal/today/{seeded.item_id}/live"
        began = time.perf_counter()
        phones = await asyncio.gather(*[_open(url, patient, {"type": "start", "source": "device", "fps": args.fps})
                                        for _ in range(args.sessions)])
        opened_s = time.perf_counter() - began
        now = time.perf_counter()
        window = (now + 1.0, now + 1.0 + args.seconds)  # every session started, all send together
        sessions = asyncio.gather(*[home_session(ws, rows, offset=7 * i, fps=args.fps, window=window, tally=home)
                                    for i, ws in enumerate(phones)])
        home_cpu, home_took = await _measured(pid, window, sessions, until_done=True)
        home_cpu -= idle_per_s * home_took
        clients_cpu = time.process_time() - clients_cpu

        camera = Tally()
        now = time.perf_counter()
        window = (now + 5.0, now + 5.0 + args.seconds)  # the pose model loads on the first frame, before it
        clinic = camera_session(f"ws://{base}/visits/{seeded.visit_id}/training/live", clinician, jpegs,
                                args.fps, (now + 1.0, window[1]), camera)
        camera_cpu, camera_took = await _measured(pid, window, clinic)
        camera_cpu -= idle_per_s * camera_took

    home_ms = 1000 * home_cpu / (args.sessions * args.seconds)
    camera_ms = 1000 * camera_cpu / args.seconds
    print(f"Server: `reeducate run` (uvicorn, one process), SQLite; {os.cpu_count()} cores shared with the clients "
          f"(load average {load:.1f} when the home run began).")
    print(f"Idle server: {1000 * idle_per_s:.1f} CPU ms per second (subtracted below).")
    print(f"1. home, {args.sessions} guided sessions at once, landmarks at {args.fps:g}/s for {args.seconds:g} s:")
    print(f"  {args.sessions} sessions started in {opened_s:.1f} s (before the measured window); "
          f"sent {home.sent}, warnings {home.warnings}, errors {len(home.errors)}"
          + (f" (first: {home.errors[0]})" if home.errors else "")
          + f"; repetitions per session {min(home.repetitions, default=0)}-{max(home.repetitions, default=0)}")
    print(f"  server CPU {home_cpu:.2f} s until the last answer ({home_took:.1f} s after the first message) = "
          f"{home_ms:.1f} CPU ms per session-second ({home_ms / 10:.1f} % of a core per session); "
          f"the {args.sessions} clients used {clients_cpu:.1f} CPU s")
    print(f"  answer, round trip:  {_pct(home.round_trip_ms)}")
    print(f"  answer, server_ms:   {_pct(home.server_ms)}")
    sent_s, round_trip = np.asarray(home.sent_s), np.asarray(home.round_trip_ms)
    for name, chosen in (("first 5 s", sent_s < 5), ("last 5 s", sent_s >= args.seconds - 5)):
        if chosen.any():
            print(f"  round trip, messages sent in the {name}: {_pct(list(round_trip[chosen]))}")
    print(f"2. clinic, one camera session, JPEG {FRAME_PX[0]}x{FRAME_PX[1]} at up to {args.fps:g}/s for "
          f"{args.seconds:g} s, posed on the server:")
    print(f"  frames answered {len(camera.round_trip_ms)}, repetitions {camera.repetitions}")
    print(f"  server CPU {camera_cpu:.2f} s = {camera_ms:.1f} CPU ms per session-second "
          f"({camera_ms / 10:.1f} % of a core)")
    print(f"  answer, round trip:  {_pct(camera.round_trip_ms)}")
    print(f"3. a camera session costs the server {camera_ms / home_ms:.1f} times a home session "
          f"({camera_ms:.1f} against {home_ms:.1f} CPU ms per session-second)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=50, help="guided home sessions at once")
    parser.add_argument("--fps", type=float, default=15.0, help="landmark messages (or frames) a second")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each measured window")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
