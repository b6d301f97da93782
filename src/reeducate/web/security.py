"""Cookies and CSRF tokens.

The CSRF token of a session is an HMAC of the session token under the server's secret key, so it
needs no storage and cannot be computed by a page of another origin. Forms send it as the field
``csrf_token``; scripts (htmx, API clients using the cookie) send it as the header ``X-CSRF-Token``.
Clients authenticating with ``Authorization: Bearer`` need none: a browser never adds that header
by itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.datastructures import Headers
from starlette.requests import cookie_parser

SESSION_COOKIE = "reeducate_session"
LOGIN_CSRF_COOKIE = "reeducate_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
"""Every page's policy: nothing but this server's own files, no inline script or style."""
POSE_PAGE_CSP = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
"""A page that runs the pose model on the device (``static/pose-device.js``) compiles the model's
WebAssembly, which a policy allows only with ``'wasm-unsafe-eval'`` (CSP Level 3); still no JavaScript
eval and nothing from another server."""


def csrf_token(secret: str, session_token: str) -> str:
    return hmac.new(secret.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret: str, session_token: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(secret, session_token), presented or "")


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def session_token(headers: Headers) -> tuple[str | None, bool]:
    """A request's session token (``Authorization: Bearer``, else the session cookie) and whether it came
    from the cookie, which a browser sends by itself (so writes need the CSRF token, sockets the Origin)."""
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None, False
    return cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE) or None, True
