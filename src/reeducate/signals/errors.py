"""The one error a signal engine raises for input it cannot use, worded for the person who gave it."""

from __future__ import annotations


class RecordingError(ValueError):
    """A recording that cannot be read or analysed; the message says what is wrong and what to do."""
