"""Errors the clinic's services raise; each message says what is wrong and what to do.

The web layer maps each class to an HTTP status; the CLI prints the message.
"""

from __future__ import annotations


class ClinicError(Exception):
    """A refused operation; nothing was stored. ``field`` names the offending input, if one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAuthenticated(ClinicError):
    """No valid log-in: the caller must log in first."""


class NotFound(ClinicError):
    """The record does not exist, or the caller may not know that it exists."""


class Forbidden(ClinicError):
    """The caller is known but their role does not allow this."""


class Conflict(ClinicError):
    """The request clashes with stored records (a double booking, a wrong status)."""


class InvalidInput(ClinicError):
    """The request is malformed or breaks a rule (outside opening hours, unknown code)."""


class TooManyAttempts(ClinicError):
    """Too many failed log-ins; the caller must wait."""
