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

SESSION_COOKIE = "reeducate_session"
LOGIN_CSRF_COOKIE = "reeducate_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(secret: str, session_token: str) -> str:
    return hmac.new(secret.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret: str, session_token: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(secret, session_token), presented or "")


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)
