"""The live session's WebSockets: the protocol only; the exercise itself is the live-session service's.

Two sockets carry the same typed messages (``clinic.services.live_session.messages``): a visit's
(``/visits/{id}/training/live``, run by clinic staff, kept as the visit's exercise record) and the
patient's at home (``/portal/today/{item_id}/live``, the patient's own prescribed exercise, posed on
their device, kept as a guided home session).

The page's first message is ``start``; then ``pain``, ``mute``, ``stop`` and, for the ``device``
source, one ``landmarks`` message per frame are handled the moment they arrive (in order, so a pain
report stops the count before the next frame). The ``camera`` source sends JPEG frames as binary
messages; the page sends the next when the previous has been answered, and only the newest waits, so
frames never queue. A message that cannot be read gets a ``warning`` naming what is wrong (an
``error`` and the socket closed, for the start). A broken connection marks the record interrupted.

Authentication is the session cookie (the browser) or a bearer token (other clients); a browser's
``Origin`` must be this server, so another site cannot open the socket with the user's cookie.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Coroutine, Sequence
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import record_refusal
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import ClinicError, Forbidden
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import auth
from reeducate.clinic.services.live_session import HomeKeeper, Keeper, LiveSession, VisitKeeper
from reeducate.clinic.services.live_session.messages import (
    Error,
    Landmarks,
    Mute,
    Pain,
    Refusal,
    ServerMessage,
    Start,
    Stop,
    Warning,
    read_page_message,
)
from reeducate.clinic.vocabulary import STAFF, ExerciseSource, ExerciseStatus
from reeducate.web.security import session_token

router = APIRouter()

#: WebSocket close codes (4000 + the HTTP status they stand for).
CLOSE = {"unauthenticated": 4401, "invalid": 4422, "done": 1000}
#: How often a waiting loop looks whether the exercise has ended (s).
LOOK_EVERY_S = 0.5


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


class Connection:
    """One live exercise over one WebSocket: typed messages in and out, the newest camera frame waiting."""

    def __init__(self, websocket: WebSocket, actor: Actor, keeper: Keeper) -> None:
        self.ws = websocket
        self.actor = actor
        self.keeper = keeper
        self.session: LiveSession | None = None
        self.frames: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(maxsize=1)
        self.ending: asyncio.Task[None] | None = None  # a pain report or a stop being kept
        self.closed = asyncio.Event()
        self.over = asyncio.Event()  # closed, or the exercise ended

    # -- messages --------------------------------------------------------------------------------------
    async def send(self, message: ServerMessage) -> None:
        if not self.closed.is_set():
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await self.ws.send_text(message.model_dump_json())  # NaN as null: JSON has none

    async def send_all(self, messages: Sequence[ServerMessage]) -> None:
        for message in messages:
            await self.send(message)

    async def refuse(self, message: str, code: int) -> None:
        await self.send(Error(message=message))
        await self.close(code)

    async def refused(self, error: ClinicError) -> None:
        """Audit a refusal as the HTTP handler does and close with 4000 + its HTTP status."""
        factory = self.ws.app.state.session_factory
        await asyncio.to_thread(record_refusal, factory, self.actor, error, f"WS {self.ws.url.path}")
        await self.refuse(error.message, 4000 + error.http_status)

    async def close(self, code: int = 1000) -> None:
        self.over.set()
        if not self.closed.is_set():
            self.closed.set()
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await self.ws.close(code)

    # -- the run ---------------------------------------------------------------------------------------
    async def run(self) -> None:
        start = await self._start_message()
        if start is None:
            return
        try:
            session = await LiveSession.open(self.keeper, start)
        except ClinicError as exc:
            await self.refused(exc)
            return
        self.session = session
        try:
            await self.send(session.started())
            receiver = asyncio.create_task(self._receive(session))
            played_out = False
            try:
                await self._produce(session)
                played_out = not self.closed.is_set()
            finally:
                receiver.cancel()
                # In a thread, off the event loop (on SQLite it may wait seconds for the write lock, and every
                # other connection with it), and shielded: a cancelled connection still marks the record.
                ended_here = [] if self.ending is not None else await asyncio.shield(asyncio.to_thread(
                    session.close_record, ExerciseStatus.COMPLETED if played_out else ExerciseStatus.INTERRUPTED))
                with contextlib.suppress(asyncio.CancelledError):
                    await receiver
                if self.ending is not None:  # a pain report or a stop is being kept: let it finish
                    await self.ending
                await self.send_all(ended_here)
                await self.close(CLOSE["done"])
        finally:
            session.close()

    async def _start_message(self) -> Start | None:
        """The page's ``start``; None (the socket closed, with the reason) when it is anything else."""
        try:
            first = await self.ws.receive()
        except (WebSocketDisconnect, RuntimeError):
            return None
        if first["type"] == "websocket.disconnect":
            return None
        try:
            start = read_page_message(first.get("text") or first.get("bytes") or b"")
        except Refusal as refusal:
            await self.refuse(str(refusal), CLOSE["invalid"])
            return None
        if not isinstance(start, Start):
            await self.refuse(f"Start the exercise first (a start message), not {start.type}.", CLOSE["invalid"])
            return None
        return start

    async def _produce(self, session: LiveSession) -> None:
        """Until the exercise ends or the socket closes: a played source at its own pace, camera frames
        as they come; landmarks are taken by the receiver, in order with the page's other messages."""
        if session.paced is not None:
            await self._play(session)
        elif session.source is ExerciseSource.CAMERA:
            await self._camera(session)
        else:
            await self.over.wait()

    async def _play(self, session: LiveSession) -> None:
        began: float | None = None  # when the first sample played (a carried-on one may start late in the file)
        while not self.over.is_set():
            sample = await session.next_paced()
            if sample is None:
                return
            if began is None:
                began = time.monotonic() - sample.time_s / session.speed
            wait = began + sample.time_s / session.speed - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if self.over.is_set():
                return
            await self.send_all(await session.play(sample))

    async def _camera(self, session: LiveSession) -> None:
        while not self.over.is_set():
            try:
                arrived, jpeg = await asyncio.wait_for(self.frames.get(), timeout=LOOK_EVERY_S)
            except TimeoutError:  # no frame: look again whether the exercise has ended
                continue
            await self.send_all(await session.frame(jpeg, arrived))

    async def _receive(self, session: LiveSession) -> None:
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message.get("bytes") is not None and session.source is not ExerciseSource.CAMERA:
                    await self.send_all(await session.frame(message["bytes"], time.perf_counter()))  # refused
                elif message.get("bytes") is not None:
                    if self.frames.full():
                        self.frames.get_nowait()  # only the newest frame matters
                    self.frames.put_nowait((time.perf_counter(), message["bytes"]))
                elif message.get("text") is not None:
                    await self._command(session, message["text"], time.perf_counter())
        except (WebSocketDisconnect, RuntimeError):
            pass
        self.closed.set()
        self.over.set()

    async def _command(self, session: LiveSession, text: str, arrived: float) -> None:
        try:
            message = read_page_message(text)
        except Refusal as refusal:
            await self.send(Warning(message=str(refusal)))
            return
        if self.ending is not None:
            return
        if isinstance(message, Landmarks):
            await self.send_all(await session.landmarks(message, arrived))
        elif isinstance(message, Pain):
            self._end_with(session.pain(message))
        elif isinstance(message, Stop):
            self._end_with(session.stop())
        elif isinstance(message, Mute):
            await self.send_all(session.mute(message))
        else:
            await self.send(Warning(message="The exercise has already started."))

    def _end_with(self, keeping: Coroutine[Any, Any, list[ServerMessage]] | None) -> None:
        """The exercise has ended (its engine stopped); its record is kept, then the page is told."""
        if keeping is None:
            return
        self.over.set()

        async def keep_and_tell() -> None:
            await self.send_all(await keeping)
        self.ending = asyncio.create_task(keep_and_tell())


async def _accepted(websocket: WebSocket) -> Actor | None:
    """Accept the socket; its logged-in actor, or None (told so, and closed) when nobody is logged in."""
    actor = await asyncio.to_thread(_actor, websocket)  # a database lookup: never on the event loop
    await websocket.accept()
    if actor is None:
        await websocket.send_text(Error(message="Log in first: no valid session.").model_dump_json())
        await websocket.close(CLOSE["unauthenticated"])
    return actor


@router.websocket("/visits/{visit_id}/training/live")
async def visit_session(websocket: WebSocket, visit_id: int) -> None:
    """An exercise of a visit, run by clinic staff."""
    if (actor := await _accepted(websocket)) is None:
        return
    store = RecordingStore(websocket.app.state.settings.resolved_recordings_dir)
    connection = Connection(websocket, actor, VisitKeeper(websocket.app.state.session_factory, actor, visit_id, store))
    if actor.role not in STAFF:
        await connection.refused(Forbidden("Live exercises are run by clinic staff."))
        return
    await connection.run()


@router.websocket("/portal/today/{item_id}/live")
async def home_session(websocket: WebSocket, item_id: int) -> None:
    """The patient's own guided session of one exercise of their home programme."""
    if (actor := await _accepted(websocket)) is None:
        return
    connection = Connection(websocket, actor, HomeKeeper(websocket.app.state.session_factory, actor, item_id))
    if actor.role not in permissions.USE_PORTAL:
        await connection.refused(Forbidden("A guided home session is the patient's own, run from their portal."))
        return
    await connection.run()
