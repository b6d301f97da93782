"""The door every HTTP request passes: a bounded number served at once, a body read only from someone
logged in, and never more of it than the server accepts.

Why each rule:

- **Served at once.** A request holds one database connection from its first query to its commit, and
  hops between the event loop and the thread pool in between. With more requests in flight than the
  pool has connections, threads wait for connections held by requests that wait for threads, and the
  server freezes. So at most ``concurrent`` requests are served at once (the pool is sized to match,
  ``clinic.db.make_engine``); the rest wait on the event loop, costing nothing, and are answered 503
  with ``Retry-After`` if their turn does not come within ``queue_seconds``.
- **Authenticated before the body.** FastAPI reads an upload's body before any dependency runs, so an
  upload without a live session would be written to disk in full before its 401. The gate looks the
  session up first (cookie or bearer token) and refuses without reading a byte; only the log-in and
  log-out forms are posted without one, and they may be small.
- **Bounded body.** The declared length is checked before reading, and the bytes are counted while
  reading (a client may send no length, or lie): past the limit the request is answered 413.

Static files and WebSockets pass untouched (the live session authenticates itself).
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reeducate.web.security import SAFE_METHODS, session_token

#: Posted without a session: the log-in forms (and log-out, which answers itself when there is none).
PUBLIC_POSTS = frozenset({"/login", "/logout", "/api/v1/auth/login", "/api/v1/auth/logout"})
#: Paths under which posts need no session: an e-mail's unsubscribe link, whose token is its secret
#: (a mail program's one-click unsubscribe posts ``List-Unsubscribe=One-Click`` there, RFC 8058).
PUBLIC_POST_PREFIXES = ("/reminders/unsubscribe/",)
#: Largest body of a public post (bytes): an e-mail, a password and two tokens.
PUBLIC_BODY_BYTES = 64 * 1024

SessionCheck = Callable[[str], Awaitable[bool]]


class _TooLarge(Exception):
    """The body passed its limit while being read."""


class RequestGate:
    """ASGI middleware applying the three rules above (see the module's docstring)."""

    def __init__(self, app: ASGIApp, *, concurrent: int, queue_seconds: float, max_body_bytes: int,
                 session_is_live: SessionCheck) -> None:
        self.app = app
        self.concurrent = concurrent
        self.queue_seconds = queue_seconds
        self.max_body_bytes = max_body_bytes
        self.session_is_live = session_is_live
        # asyncio primitives belong to one event loop; a test may drive the app from several in turn.
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = \
            weakref.WeakKeyDictionary()

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if loop not in self._slots:
            self._slots[loop] = asyncio.Semaphore(self.concurrent)
        return self._slots[loop]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        slots = self._semaphore()
        try:
            await asyncio.wait_for(slots.acquire(), self.queue_seconds)
        except TimeoutError:
            await _answer(send, scope, 503, "The server is busy; try again in a moment.",
                          {"retry-after": "5"})
            return
        try:
            await self._serve(scope, receive, send)
        finally:
            slots.release()

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        if not _has_body(scope, headers):
            await self.app(scope, receive, send)
            return
        public = scope["path"] in PUBLIC_POSTS or scope["path"].startswith(PUBLIC_POST_PREFIXES)
        if not public:
            token, _ = session_token(headers)
            if token is None or not await self.session_is_live(token):
                await _unauthenticated(send, scope)
                return
        limit = PUBLIC_BODY_BYTES if public else self.max_body_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, scope, limit)
            return
        await self._bounded(scope, receive, send, limit)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Run the app with the body counted as it arrives; past ``limit`` the answer is 413."""
        received = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:  # whatever the app makes of a cut-off body, the client hears why
                return
            started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except _TooLarge:
            pass
        if over and not started:
            await _too_large(send, scope, limit)


def _has_body(scope: Scope, headers: Headers) -> bool:
    if scope["method"] in SAFE_METHODS:
        return False
    length = headers.get("content-length")
    return bool(length and length != "0") or "chunked" in headers.get("transfer-encoding", "").lower()


def _wants_json(scope: Scope) -> bool:
    path: str = scope["path"]
    return path == "/api" or path.startswith("/api/")


async def _answer(send: Send, scope: Scope, status: int, message: str, extra: dict[str, str] | None = None,
                  location: str | None = None) -> None:
    """A short answer: JSON under /api, plain text (or a redirect to ``location``) for pages."""
    if location and not _wants_json(scope):
        body, kind, status = b"", "text/plain; charset=utf-8", 303
    elif _wants_json(scope):
        body, kind = json.dumps({"detail": message}).encode(), "application/json"
    else:
        body, kind = message.encode(), "text/plain; charset=utf-8"
    headers = [(b"content-type", kind.encode()), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close"), (b"cache-control", b"no-store")]
    headers += [(name.encode(), value.encode()) for name, value in (extra or {}).items()]
    if location and status == 303:
        headers.append((b"location", location.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send, scope: Scope, limit: int) -> None:
    size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} kB"
    await _answer(send, scope, 413, f"The request is larger than the {size} this server accepts; send a "
                  "shorter recording (trim it to the movement) or ask the administrator.")


async def _unauthenticated(send: Send, scope: Scope) -> None:
    await _answer(send, scope, 401, "Log in first: no valid session (it may have expired).",
                  location=f"/login?next={scope['path']}")
