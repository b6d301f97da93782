"""Errors the clinic's services raise; each message says what is wrong and what to do.

Each kind carries the HTTP status the web answers it with (a WebSocket closes with 4000 + that
status); the CLI prints the message.
"""

from __future__ import annotations

from typing import ClassVar


class ClinicError(Exception):
    """A refused operation; nothing was stored. ``field`` names the offending input, if one."""

    http_status: ClassVar[int] = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAuthenticated(ClinicError):
    """No valid log-in: the caller must log in first."""

    http_status = 401


class NotFound(ClinicError):
    """The record does not exist, or the caller may not know that it exists."""

    http_status = 404


class Forbidden(ClinicError):
    """The caller is known but their role does not allow this."""

    http_status = 403


class Conflict(ClinicError):
    """The request clashes with stored records (a double booking, a wrong status)."""

    http_status = 409


class InvalidInput(ClinicError):
    """The request is malformed or breaks a rule (outside opening hours, unknown code)."""

    http_status = 422


class TooManyAttempts(ClinicError):
    """Too many failed log-ins; the caller must wait."""

    http_status = 429
