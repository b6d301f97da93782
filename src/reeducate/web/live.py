"""The live session over a WebSocket: one exercise of one visit, its samples in, its events out.

The page sends ``{"type": "start", ...}`` with the exercise, the monitor, the side and the source:
``simulated`` (a made-up patient), ``recording`` (a clip, IMU file or force-plate trial of the visit
replayed at real speed) or ``camera`` (JPEG frames from the browser's camera, one binary message per
frame; the page sends the next frame when the previous one has been answered, so frames never queue;
each is decoded and posed in a thread, off the event loop, and a frame too large is skipped before
it is decoded).
The server answers each sample with ``{"type": "sample", ...}`` (the skeleton or the COP dot, at most
``PAGE_RATE_HZ`` a second for plates and IMUs) and each engine event with ``{"type": "event", ...}``;
``pain``, ``mute`` and ``stop`` messages are handled the moment they arrive. The summary is saved
after every repetition or hold, so a broken connection keeps what was already counted; the record is
then marked interrupted.

Authentication is the session cookie (the browser) or a bearer token (other clients); a browser's
``Origin`` must be this server, so another site cannot open the socket with the user's cookie.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import record_refusal
from reeducate.clinic.db import json_text, unit_of_work
from reeducate.clinic.errors import ClinicError, Forbidden
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import auth, training
from reeducate.clinic.uploads import as_file, safe_name
from reeducate.clinic.vocabulary import STAFF, ExerciseStatus
from reeducate.feedback.adapters.base import Device, DeviceError, Sample
from reeducate.feedback.adapters.camera import LivePose, decode_frame
from reeducate.feedback.adapters.simulated import simulated_samples
from reeducate.feedback.engine import FeedbackEngine, LiveExercise
from reeducate.feedback.events import EventKind, FeedbackEvent
from reeducate.feedback.replay import recording_samples
from reeducate.training.catalogue import exercise as library_exercise
from reeducate.training.live import live_exercise
from reeducate.training.models import Exercise, Monitor
from reeducate.training.signals import SIGNALS, resolve
from reeducate.web.security import session_token

log = logging.getLogger(__name__)
router = APIRouter()
T = TypeVar("T")

#: Samples of a plate or an IMU shown on the page at most this often (Hz); the engine sees every one.
PAGE_RATE_HZ = 30.0
#: Frames per second of the simulated patient.
SIMULATED_RATE_HZ = 30.0
#: Events after which the summary so far is saved.
SAVE_AFTER = {EventKind.REPETITION_COMPLETED, EventKind.REPETITION_INCOMPLETE, EventKind.HOLD_COMPLETED,
              EventKind.HOLD_BROKEN}
#: WebSocket close codes (4000 + the HTTP status they stand for).
CLOSE = {"unauthenticated": 4401, "invalid": 4422, "done": 1000}


def _token_and_origin_ok(websocket: WebSocket) -> tuple[str | None, bool]:
    token, from_cookie = session_token(websocket.headers)
    if not from_cookie:
        return token, True
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host", "")
    same_site = origin in (f"http://{host}", f"https://{host}")
    return token, same_site


def _actor(websocket: WebSocket) -> Actor | None:
    token, origin_ok = _token_and_origin_ok(websocket)
    if not token or not origin_ok:
        return None
    with unit_of_work(websocket.app.state.session_factory) as session:
        user = auth.resolve(session, websocket.app.state.session_policy, token)
        if user is None:
            return None
        client = websocket.client.host if websocket.client else ""
        return Actor.of(user, ip_address=client, user_agent=websocket.headers.get("user-agent", ""))


def exercise_card(chosen: Exercise, monitor: Monitor, live: LiveExercise) -> dict[str, Any]:
    """What the page shows of the exercise while it runs."""
    unit = SIGNALS[monitor.device][resolve(monitor.signal, "left")]
    card: dict[str, Any] = {
        "id": chosen.id, "name": chosen.name, "instructions": chosen.instructions, "device": str(monitor.device),
        "view": monitor.view, "signal": live.signal, "unit": unit, "target": live.target_peak,
        "reps_per_set": live.reps_per_set, "sets": chosen.dosage.sets,
        "faults": [{"fault": c.fault, "cue": c.cue} for c in live.cues],
        "hold": None if live.hold is None else {"low": live.hold.low, "high": live.hold.high,
                                                "target_s": live.hold.target_s},
    }
    if live.signal == "cop_offset_mm" and live.hold is not None:
        card["cop_radius_mm"] = live.hold.high
    return card


class LiveRun:
    """One exercise over one connection."""

    def __init__(self, websocket: WebSocket, actor: Actor, visit_id: int) -> None:
        self.ws = websocket
        self.actor = actor
        self.visit_id = visit_id
        self.factory: sessionmaker[Session] = websocket.app.state.session_factory
        self.store = RecordingStore(websocket.app.state.settings.resolved_recordings_dir)
        self.frames: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(maxsize=1)
        self.record_id: int | None = None
        self.engine: FeedbackEngine | None = None
        self.ended = False
        self.ending: asyncio.Task[None] | None = None  # the pain report or stop being written
        self.closed = asyncio.Event()

    # -- database, off the event loop -------------------------------------------------------------------
    def _in_session(self, work: Callable[[Session], T]) -> T:
        with unit_of_work(self.factory) as session:
            return work(session)

    async def db(self, work: Callable[[Session], T]) -> T:
        return await asyncio.to_thread(self._in_session, work)

    # -- messages --------------------------------------------------------------------------------------
    async def send(self, message: dict[str, Any]) -> None:
        if not self.closed.is_set():
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await self.ws.send_text(json_text(message))  # NaN as null: JSON has none

    async def refuse(self, message: str, code: int) -> None:
        await self.send({"type": "error", "message": message})
        await self.close(code)

    async def refused(self, error: ClinicError) -> None:
        """Audit a refusal as the HTTP handler does and close with 4000 + its HTTP status."""
        await asyncio.to_thread(record_refusal, self.factory, self.actor, error, f"WS {self.ws.url.path}")
        await self.refuse(error.message, 4000 + error.http_status)

    async def close(self, code: int = 1000) -> None:
        if not self.closed.is_set():
            self.closed.set()
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await self.ws.close(code)

    # -- the run ---------------------------------------------------------------------------------------
    async def run(self) -> None:
        try:
            start = await self.ws.receive_json()
        except (WebSocketDisconnect, ValueError):
            return
        with contextlib.ExitStack() as files:
            try:
                fps, samples, card = await self._start(start, files)
            except ClinicError as exc:
                await self.refused(exc)
                return
            except (DeviceError, ValueError, KeyError) as exc:
                await self.refuse(str(exc.args[0] if exc.args else exc), CLOSE["invalid"])
                return
            await self.send({"type": "started", "record": self.record_id, "exercise": card})
            receiver = asyncio.create_task(self._receive())
            played_out = False
            try:
                await self._produce(fps, samples, float(start.get("speed") or 1.0))
                played_out = not self.closed.is_set()
            finally:
                receiver.cancel()
                ended_here = None
                if self.ending is None and not self.ended:
                    # Written before any await, so a cancelled connection still marks the record.
                    ended_here = self._finish(ExerciseStatus.COMPLETED if played_out else ExerciseStatus.INTERRUPTED)
                with contextlib.suppress(asyncio.CancelledError):
                    await receiver
                if self.ending is not None:  # a pain report or a stop is being written: let it finish
                    await self.ending
                if ended_here is not None:
                    await self.send({"type": "summary", "status": str(ended_here[0]), "summary": ended_here[1]})
                await self.close(CLOSE["done"])

    async def _start(self, start: dict[str, Any], files: contextlib.ExitStack
                     ) -> tuple[float, Iterator[Sample] | None, dict[str, Any]]:
        source = str(start.get("source") or "")
        side = start.get("side") or None
        chosen = library_exercise(str(start.get("exercise") or ""))
        monitor = chosen.monitor(start.get("monitor") or None)
        samples: Iterator[Sample] | None = None
        if source == "simulated":
            fps = SIMULATED_RATE_HZ
            live = live_exercise(chosen, monitor=monitor, side=side, sampling_rate_hz=fps)
            samples = simulated_samples(live, sampling_rate_hz=fps, repetitions=min(chosen.dosage.reps or 3, 5),
                                        faulty=(2,), view=monitor.view)
        elif source == "recording":
            stored = await self.db(lambda s: training.recording_to_replay(
                s, self.actor, self.visit_id, str(start.get("recording") or ""), self.store))
            sensor = training.replay_sensor(stored, chosen.name, monitor, side)
            path = files.enter_context(as_file(safe_name(stored.filename), stored.content))
            fps, samples = await asyncio.to_thread(
                recording_samples, stored.device, path, sensor=sensor, sampling_rate_hz=stored.sampling_rate_hz)
            live = live_exercise(chosen, monitor=monitor, side=side, sampling_rate_hz=fps)
        else:
            if monitor.device is not Device.CAMERA:
                raise ValueError(f"{chosen.name} is watched by a {monitor.device.replace('_', ' ')}, not a camera.")
            fps = float(start.get("fps") or 15.0)
            live = live_exercise(chosen, monitor=monitor, side=side, sampling_rate_hz=fps)
        # The record is made last, once the source is known to work: a refused start leaves nothing behind.
        self.record_id = await self.db(lambda s: training.start(
            s, self.actor, self.visit_id, exercise_id=chosen.id, monitor=monitor.key, side=side, source=source).id)
        self.engine = FeedbackEngine(live, sampling_rate_hz=fps)
        return fps, samples, exercise_card(chosen, monitor, live)

    async def _produce(self, fps: float, samples: Iterator[Sample] | None, speed: float) -> None:
        if samples is None:
            await self._camera(fps)
            return
        speed = min(max(speed, 0.25), 8.0)
        every = max(1, int(round(fps / PAGE_RATE_HZ)))
        began = time.monotonic()
        while not self.closed.is_set() and not self.ended:
            sample = await asyncio.to_thread(next, samples, None)
            if sample is None:
                return
            wait = began + sample.time_s / speed - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if self.closed.is_set() or self.ended:
                return
            await self._step(sample, show=sample.index % every == 0)

    async def _camera(self, fps: float) -> None:
        pose: LivePose | None = None
        try:
            while not self.closed.is_set() and not self.ended:
                try:
                    arrived, jpeg = await asyncio.wait_for(self.frames.get(), timeout=0.5)
                except TimeoutError:  # no frame: look again whether the exercise has ended
                    continue
                try:
                    pose, sample = await asyncio.to_thread(_posed, pose, jpeg, fps)
                except DeviceError as error:
                    await self.send({"type": "warning", "message": str(error)})
                    continue
                await self._step(sample, show=True, arrived=arrived)
        finally:
            if pose is not None:
                pose.close()

    async def _step(self, sample: Sample, *, show: bool, arrived: float | None = None) -> None:
        assert self.engine is not None
        if self.engine.stopped is not None:
            return
        events = self.engine.push(sample.values, sample.view)
        messages = [{"type": "event", **event.to_dict()} for event in events]
        if show or events:
            message: dict[str, Any] = {"type": "sample", "index": sample.index, "t": round(sample.time_s, 3),
                                       "value": _finite(sample.values.get(self.engine.exercise.signal)),
                                       "view": sample.view, "landmarks": sample.landmarks, "size": sample.image_size_px,
                                       "cop": sample.cop_mm}
            if arrived is not None:  # from the frame's arrival to its sample and cues going out
                message["server_ms"] = round((time.perf_counter() - arrived) * 1000, 2)
            messages.insert(0, message)
        for message in messages:
            await self.send(message)
        if any(e.kind in SAVE_AFTER for e in events):
            summary = self.engine.summary()
            await self.db(lambda s: training.save_progress(s, self.actor, self._record(), summary))

    def _record(self) -> int:
        assert self.record_id is not None
        return self.record_id

    async def _receive(self) -> None:
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message.get("bytes") is not None:
                    if self.frames.full():
                        self.frames.get_nowait()  # only the newest frame matters
                    self.frames.put_nowait((time.perf_counter(), message["bytes"]))
                elif message.get("text") is not None:
                    await self._command(json.loads(message["text"]))
        except (WebSocketDisconnect, RuntimeError, ValueError):
            pass
        self.closed.set()

    async def _command(self, command: dict[str, Any]) -> None:
        assert self.engine is not None
        kind = command.get("type")
        if self.ending is not None:
            return
        if kind == "pain":
            score = command.get("score")
            if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
                await self.send({"type": "warning", "message": "Pain is a whole number from 0 to 10."})
                return
            by = str(command.get("by") or "patient")
            event = self.engine.report_pain(score, reported_by=by if by in ("patient", "therapist") else "patient")
            self.ended = True  # stopped before the next frame: the rest (saving, telling) may take a moment
            self.ending = asyncio.create_task(self._after_pain(event))
        elif kind == "mute":
            fault = str(command.get("fault"))
            if fault in self.engine.cues:
                self.engine.mute(fault, bool(command.get("muted", True)))
                await self.send({"type": "muted", "fault": fault, "muted": bool(command.get("muted", True))})
        elif kind == "stop":
            self.ending = asyncio.create_task(self._stop())

    async def _after_pain(self, event: FeedbackEvent) -> None:
        """Keep the report (score, moment, reporter, regression mark) and tell the page."""
        assert self.engine is not None
        score, by = event.data["pain"], event.data["reported_by"]
        summary = self.engine.summary()
        await self.send({"type": "event", **event.to_dict()})
        await self.db(lambda s: training.report_pain(s, self.actor, self._record(), summary, score=score,
                                                     at_s=event.time_s, reported_by=by))
        if event.data["severe"]:
            await self.send({"type": "locked", "message": "Severe pain: the session's exercises are stopped until "
                             "a physical therapist or chiropractor checks the patient and resumes them."})
        await self.send({"type": "summary", "status": "stopped_for_pain", "summary": summary})

    def _finish(self, status: ExerciseStatus) -> tuple[ExerciseStatus, dict[str, Any]]:
        """End the record with the summary so far (synchronously: it must survive a cancelled task);
        the status stored (the service decides: nothing done is "ended early") and the summary."""
        assert self.engine is not None
        self.ended = True
        summary = self.engine.summary()
        stored = self._in_session(
            lambda s: training.finish(s, self.actor, self._record(), summary, status=status).status)
        return stored, summary

    async def _stop(self) -> None:
        """The therapist ended the exercise."""
        if self.ended or self.engine is None:
            return
        self.ended = True
        summary = self.engine.summary()
        stored = await self.db(lambda s: training.finish(s, self.actor, self._record(), summary,
                                                         status=ExerciseStatus.COMPLETED).status)
        await self.send({"type": "summary", "status": str(stored), "summary": summary})


def _posed(pose: LivePose | None, jpeg: bytes, fps: float) -> tuple[LivePose, Sample]:
    """In a thread: one camera frame decoded (DeviceError if refused) and posed; the pose model is made
    for the first frame's size."""
    frame = decode_frame(jpeg)
    if pose is None:
        pose = LivePose(fps=fps, image_size_px=(frame.shape[1], frame.shape[0]))
    return pose, pose.sample(frame)


def _finite(value: object) -> float | None:
    """JSON has no NaN: an unmeasurable value is sent as null."""
    try:
        number = float(value)  # type: ignore[arg-type]  # anything may come; float() refuses what it cannot take
    except (TypeError, ValueError):
        return None
    return round(number, 2) if np.isfinite(number) else None


@router.websocket("/visits/{visit_id}/training/live")
async def live_session(websocket: WebSocket, visit_id: int) -> None:
    actor = await asyncio.to_thread(_actor, websocket)  # a database lookup: never on the event loop
    await websocket.accept()
    if actor is None:
        await websocket.send_text(json.dumps({"type": "error", "message": "Log in first: no valid session."}))
        await websocket.close(CLOSE["unauthenticated"])
        return
    run = LiveRun(websocket, actor, visit_id)
    if actor.role not in STAFF:
        await run.refused(Forbidden("Live exercises are run by clinic staff."))
        return
    await run.run()
